"""The sources' credit and terms, whatever a pack's layouts or content folder say.

Two guarantees that do not depend on files a pack can replace:

- the terms of packbuilder's stock sources are known here, so a copied content folder (with
  ``noncommercial = true`` dropped, or the document renamed) still carries them;
- every page of every rendered document is read back (PDFium's text) and must show its
  source: a layouts copy without the footer fails the build instead of printing pages with
  no source.
"""
from __future__ import annotations

import unicodedata
from dataclasses import replace
from functools import lru_cache

from .content import ContentError, parse_document
from .errors import LayoutError, Problem

#: The stock sources' terms, by document id: what they ask of those who share them.
#: Taken from the documents' own [source] tables in content/; a copy keeps them.
REFRAME = ("Reframe Health and Justice",
           "When sharing, please attribute to Reframe Health and Justice. Not intended for commercial use.")
STOCK_TERMS: dict[str, tuple[str, str, bool]] = {      # id -> (author, terms, non-commercial)
    "core-competencies": (*REFRAME, True),
    "provider-card": (*REFRAME, True),
}
SHARED = 3              # a document holding this many long passages of a stock source is a copy of it
LONG = 80               # characters: a passage long enough to be that source's own words


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@lru_cache(maxsize=1)
def stock_passages() -> dict[str, frozenset[str]]:
    """Return the long passages of each stock source with terms, from packbuilder's own content/."""
    from .trust import HOME
    out = {}
    for doc_id in STOCK_TERMS:
        path = HOME / "content" / f"{doc_id}.md"
        try:
            doc = parse_document(path)
        except (ContentError, OSError):
            continue
        out[doc_id] = frozenset(_norm(s.text) for s in doc.segments if len(s.text) >= LONG)
    return out


def stock_origin(doc) -> str | None:  # type: ignore[no-untyped-def]
    """Return the id of the stock source ``doc`` is (or copies), or None."""
    if doc.id in STOCK_TERMS or doc.based_on in STOCK_TERMS:
        return doc.id if doc.id in STOCK_TERMS else doc.based_on
    mine = {_norm(s.text) for s in doc.segments if len(s.text) >= LONG}
    for stock_id, passages in stock_passages().items():
        if len(mine & passages) >= SHARED:
            return stock_id
    return None


def keep_stock_terms(doc):  # type: ignore[no-untyped-def]
    """Return ``doc`` with its stock source's terms, whatever its own front matter says."""
    origin = stock_origin(doc)
    if origin is None:
        return doc
    author, terms, noncommercial = STOCK_TERMS[origin]
    src = doc.source
    if src.noncommercial >= noncommercial and terms in src.terms and author in src.author:
        return doc
    return replace(doc, source=replace(src, noncommercial=src.noncommercial or noncommercial,
                                       terms=src.terms if terms in src.terms else terms,
                                       author=src.author if author in src.author else author))


# -- the rendered pages ---------------------------------------------------------------------------

def page_texts(pdf: bytes) -> list[str]:
    """Return the text of each page of a PDF, as PDFium reads it."""
    import pypdfium2
    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def _squash(text: str) -> str:
    """Keep only letters and digits: a layout's line breaks and hyphens (PDFium reads a hyphen at
    a line break as U+FFFE), and punctuation a right-to-left line moves, do not count."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def shows(page: str, words: str) -> bool:
    """Return True if ``page`` (squashed) shows ``words``: in order or, where a right-to-left page
    reorders a line of English, every word of it."""
    wanted = _squash(words)
    return wanted in page or all(_squash(w) in page for w in words.split())


def missing_credit(pdf: bytes, names: list[str]) -> list[int]:
    """Return the numbers of the pages that show none of ``names`` (the source's title or author)."""
    wanted = [n for n in names if n.strip()]
    return [n for n, text in enumerate(page_texts(pdf), 1)
            if wanted and not any(shows(_squash(text), w) for w in wanted)]


def check_outputs(job, outputs, docs) -> None:  # type: ignore[no-untyped-def]
    """Raise LayoutError if a page of a document's PDF does not show its source, or a credits
    page leaves out a source (whatever the layout templates print)."""
    problems = []
    for out in outputs:
        if not out.path.endswith(".pdf") or "-sheet-" in out.path:
            continue                        # card sheets are imposed from the checked card itself
        if job.doc is not None and out.meta.get("overflow"):
            continue                        # --draft: a face cut where its text spilled, stamped DO NOT PRINT
        if job.doc is not None:
            src = job.doc.source
            names = [src.title] + ([src.author] if job.layout == "card" and src.author else [])
            pages = missing_credit(out.data, names)
            if out.meta.get("layout") == "card-folded":     # discreet: the outside (page 1) must not
                pages = [n for n in pages if n != 1]         # name its subject; the inside (page 2) does
            problems += [Problem(f"{out.path}: page {n} does not show its source ({src.title!r}); "
                                 "the layout must print the source line on every page "
                                 "(layouts/macros.html.j2, attribution)") for n in pages]
        elif job.layout == "credits":
            text = _squash(" ".join(page_texts(out.data)))
            problems += [Problem(f"{out.path}: the credits leave out {what} of {d.source.title!r}; the "
                                 "credits layout must list every source with its terms")
                         for d in docs for what, words in (("the title", d.source.title), ("the terms", d.source.terms))
                         if not shows(text, words)]
    if problems:
        raise LayoutError(f"{len(problems)} page(s) without their source", problems=problems)


def load_sources(config):  # type: ignore[no-untyped-def]
    """Return the pack's documents as every build reads them (a copied stock source keeps its
    terms); raise ConfigError if the pack's declared use breaks a source's terms."""
    from .brand import commercial_problems
    from .content import load_content
    from .errors import ConfigError
    docs = [keep_stock_terms(doc) for doc in load_content(config.content_dir, list(config.documents),
                                                          list(config.cards))]
    if problems := commercial_problems(config.use, docs, config.path):
        raise ConfigError("", problems=problems)
    return docs
