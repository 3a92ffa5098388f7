"""Inline Markdown of one segment -> safe HTML, and what markup a segment carries."""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from .links import link_problem


def _validate_link(url: str) -> bool:
    return link_problem(url) is None


@lru_cache(maxsize=1)
def inline_parser() -> MarkdownIt:
    """Return the parser for segment text: CommonMark inline, no raw HTML, no images."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.disable(["image", "html_inline", "entity"])
    md.validateLink = _validate_link

    def link_open(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        if tokens[idx].info == "auto":
            tokens[idx].attrSet("class", "autolink")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


def render_inline(text: str, allowed_links: list[str] | None = None) -> Markup:
    """Return ``text`` (inline Markdown) as HTML; anything not allowed prints as text.

    Raw HTML, images and unsafe schemes are never markup. With ``allowed_links`` (the English
    segment's links), a translation's link to any other address keeps its words but loses the
    link, so a catalog cannot point readers somewhere the source does not.
    """
    md = inline_parser()
    tokens = md.parseInline(text)
    if allowed_links is not None:
        for token in tokens:
            kept, skip = [], 0
            for child in token.children or []:
                if child.type == "link_open" and child.attrs.get("href") not in allowed_links:
                    skip += 1
                    continue
                if child.type == "link_close" and skip:
                    skip -= 1
                    continue
                kept.append(child)
            token.children = kept
    return Markup(md.renderer.render(tokens, md.options, {}))


@lru_cache(maxsize=1)
def _inspector() -> MarkdownIt:
    """A parser that accepts every link target, so that checks can see (and refuse) them all."""
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = lambda url: True
    return md


RAW_HTML = re.compile(r"<(?!(?:https?|mailto|ftp|file|javascript|data):)/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def raw_html(text: str) -> list[str]:
    """Return the raw HTML tags in ``text`` (autolinks are not tags)."""
    return [m.group(0) for m in RAW_HTML.finditer(text) if "@" not in m.group(0)]


def inline_links(text: str) -> list[str]:
    """Return the link targets of ``text`` in order, as the Markdown names them."""
    tokens = _inspector().parseInline(text)
    out: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                out.append(str(child.attrs.get("href", "")))
    return out


def images(text: str) -> list[str]:
    """Return the targets of Markdown images in ``text`` (never allowed in a segment)."""
    return [str(c.attrs.get("src", "")) for t in _inspector().parseInline(text) for c in t.children or []
            if c.type == "image"]


@lru_cache(maxsize=1)
def _plain() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def plain_text(text: str) -> str:
    """Return the words of ``text`` without inline markup."""
    tokens = _plain().parseInline(text)
    return "".join(child.content for tok in tokens for child in tok.children or []
                   if child.type in ("text", "code_inline"))
