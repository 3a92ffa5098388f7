"""Inline Markdown of one segment -> safe HTML, and what markup a segment carries."""
from __future__ import annotations

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
    default_link_open = md.renderer.rules.get("link_open")

    def link_open(tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        if token.info == "auto":
            token.attrSet("class", "autolink")
        return (default_link_open(tokens, idx, options, env) if default_link_open
                else md.renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


def render_inline(text: str) -> Markup:
    """Return ``text`` (inline Markdown) as HTML; anything not allowed prints as text."""
    return Markup(inline_parser().renderInline(text))


def inline_links(text: str) -> list[str]:
    """Return the link targets of ``text`` in order, as the Markdown names them."""
    tokens = MarkdownIt("commonmark", {"html": False}).parseInline(text)
    out: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                out.append(str(child.attrs.get("href", "")))
    return out


def plain_text(text: str) -> str:
    """Return the words of ``text`` without inline markup."""
    tokens = MarkdownIt("commonmark", {"html": False}).parseInline(text)
    return "".join(child.content for tok in tokens for child in tok.children or []
                   if child.type in ("text", "code_inline"))
