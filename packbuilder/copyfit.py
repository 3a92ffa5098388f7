"""Copy-fitting: lay a document out again, tighter, until it ends where it should.

Each layout says what it may tighten, step by step, in its CSS under ``html[data-fit="1"]`` to
``"3"`` (writing lines, leading, spacing; never below the limits written there). A document that
spills a few lines onto a last page, or onto a page a one-page sheet must not have, is laid out at
the next step until it fits; 3 hyphenated lines in a row, or a word split across two pages, lay it
out again without automatic hyphenation. What still does not fit is left for preflight to report.
"""
from __future__ import annotations

from typing import Callable

from .preflight.checks import NEARLY_EMPTY     # copy-fitting aims at what preflight checks
from .preflight.reader import HYPHEN

STEPS = 3


def with_attributes(html: str, fit: int, hyphens: bool) -> str:
    """Return ``html`` with the copy-fit step and hyphenation switch on its root element."""
    attrs = (f' data-fit="{fit}"' if fit else "") + ("" if hyphens else ' data-hyphens="off"')
    return html.replace("<html", "<html" + attrs, 1) if attrs else html


def _lines(page) -> list[tuple[object, str]]:  # type: ignore[no-untyped-def]
    """Return (parent box, text) of every line box on a laid-out page, in order."""
    from weasyprint.formatting_structure import boxes
    out = []

    def walk(box) -> None:  # type: ignore[no-untyped-def]
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.LineBox):
                out.append((box, "".join(t.text for t in child.descendants() if isinstance(t, boxes.TextBox))))
            elif not isinstance(child, boxes.MarginBox):
                walk(child)
    walk(page._page_box)
    return out


def page_fill(page) -> float:  # type: ignore[no-untyped-def]
    """Return how much of a laid-out page's content area its flow uses (0 to 1)."""
    from weasyprint.formatting_structure import boxes
    box = page._page_box
    top, height, bottom = box.content_box_y(), box.height, box.content_box_y()
    for child in box.descendants():
        leaf = isinstance(child, boxes.LineBox) or not getattr(child, "children", None)
        if leaf and not isinstance(child, (boxes.MarginBox, boxes.PageBox)) and \
                isinstance(getattr(child, "position_y", None), (int, float)) and \
                isinstance(getattr(child, "height", None), (int, float)) and child.position_y < top + height:
            bottom = max(bottom, child.position_y + child.margin_height())
    return (bottom - top) / height if height else 1.0


def problems(document, pages: int | None, cover: bool = False) -> set[str]:  # type: ignore[no-untyped-def]
    """Return what copy-fitting can mend in a laid-out document: spill, hyphen-run, split-word.
    A ``cover`` page (a contents sheet's) stands alone by design and is not followed by a spill."""
    found = set()
    count = len(document.pages)
    if (pages is not None and count > pages) or (pages is None and count > 1 + cover
                                                 and page_fill(document.pages[-1]) < NEARLY_EMPTY):
        found.add("spill")
    for number, page in enumerate(document.pages):
        lines = _lines(page)
        run, parent = 0, None
        for box, text in lines:
            hyphenated = text.rstrip().endswith(HYPHEN)
            run = run + 1 if hyphenated and box is parent else int(hyphenated)
            parent = box
            if run >= 3:
                found.add("hyphen-run")
        if number < count - 1 and lines and lines[-1][1].rstrip().endswith(HYPHEN):
            found.add("split-word")
    return found


def fit(render: Callable[[str], object], html: str, pages: int | None = None,  # type: ignore[no-untyped-def]
        cover: bool = False):
    """Lay ``html`` out with ``render``, tighter step by step until it fits; return the document.

    ``pages`` is how many pages the document must have (a one-page sheet: 1); None means any
    number, as long as the last one is not nearly empty.
    """
    hyphens, step = True, 0
    tried = []
    document = render(html)
    while True:
        found = problems(document, pages, cover)
        if not found:
            return document
        tried.append((len(document.pages), len(found), len(tried), document))
        if found & {"hyphen-run", "split-word"} and hyphens:
            hyphens = False
        elif "spill" in found and step < STEPS:
            step += 1
        else:                   # nothing left to try: the fewest pages and problems, least tightened
            return min(tried, key=lambda t: t[:3])[3]
        document = render(with_attributes(html, step, hyphens))
