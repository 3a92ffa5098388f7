"""The preflight checks: each reads one PDF's pages back and yields what a printer would reject."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from ..brand import contrast
from .reader import HYPHEN, MM, Line, Page, body_size

SAFE = 3.0            # mm inside the trim of a card face: cutting tolerance is about 1 mm
PRINTABLE = 6.0       # mm from the paper edge that office printers leave unprinted
SHEET_TOP, SHEET_BOTTOM = 18.0, 20.0   # mm: the sheet layouts' page margins (layouts/base.css)
NEARLY_EMPTY = 0.30   # a last page less used than this is a spill page
CARD_BODY_MIN, TYPE_MIN = 8.0, 7.0     # pt
FILEISH = re.compile(r"(://|www\.|@|/|\.(pdf|html?|org|com|net|edu|gov|mp3|ogg|m4a|zip)\b)", re.I)
LAYOUT_FIX = ("a layout rule should have prevented this: rebuild with this packbuilder; if it stays, "
              "report it with the file and page")


@dataclass(frozen=True)
class Finding:
    """One problem on one page of one file, and how to fix it."""

    path: str
    page: int
    check: str
    message: str
    fix: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path} page {self.page}: [{self.check}] {self.message} — fix: {self.fix}"


def _quote(text: str, n: int = 48) -> str:
    return repr(text if len(text) <= n else text[: n - 1] + "…")


CARD_KINDS = ("card", "card-folded")
BACK_MATTER = ("credits", "contents", "index")     # staff-facing pages: a spill page there is a warning     # a card face, or a folded card (two panels a page)


def _is_cjk(ch: str) -> bool:
    return "CJK" in unicodedata.name(ch, "") or "\u3040" <= ch <= "\u30ff"


def _body_lines(page: Page, kind: str) -> list[Line]:
    """Return the lines of the page's text area: sheets leave out their running header and footer."""
    if kind in (*CARD_KINDS, "card-sheet"):
        return page.lines
    top, bottom = page.height - SHEET_TOP * MM, SHEET_BOTTOM * MM
    return [ln for ln in page.lines if ln.y0 >= bottom - 1 and ln.y1 <= top + 1]


def safe_area(path: str, page: Page, kind: str) -> Iterator[Finding]:
    """Text and images stay 3 mm inside a card's trim (and a folded card's fold), and 6 mm inside
    a sheet's paper edge."""
    left, bottom, right, top = page.trim if kind in CARD_KINDS else (0.0, 0.0, page.width, page.height)
    margin = SAFE if kind in CARD_KINDS else PRINTABLE
    fold = (top + bottom) / 2 if kind == "card-folded" else None      # two panels, one above the other
    boxes = [(ln.x0, ln.y0, ln.x1, ln.y1, _quote(ln.text)) for ln in page.lines]
    boxes += [(s.x0, s.y0, s.x1, s.y1, "an image") for s in page.shapes if s.kind == "image"]
    for x0, y0, x1, y1, what in boxes:
        low, high = (bottom, top) if fold is None else ((fold, top) if y0 >= fold - 0.5 else (bottom, fold))
        gap = min(x0 - left, right - x1, y0 - low, high - y1) / MM
        if gap < margin - 0.1:
            if kind in CARD_KINDS:
                yield Finding(path, page.number, "safe-area",
                              f"{what} reaches {max(gap, 0):.1f} mm from the trim (the safe area is {SAFE:.0f} mm "
                              "inside it; a 1 mm cutting error can cut it off)",
                              "shorten this face's text in its catalog (packbuilder check --fit shows what fits)")
            else:
                yield Finding(path, page.number, "printable-area",
                              f"{what} is {max(gap, 0):.1f} mm from the paper edge; office printers leave "
                              f"{PRINTABLE:.0f} mm unprinted", "move it inside the page margins of the layout")


def last_page(path: str, pages: list[Page], kind: str) -> Iterator[Finding]:
    """A document of several pages must not end on a nearly empty page."""
    first = 2 if kind == "contents" else 1        # a contents sheet's first page is its cover
    if len(pages) < first + 1 or kind in (*CARD_KINDS, "card-sheet"):
        return
    page = pages[-1]
    top, bottom = page.height - SHEET_TOP * MM, SHEET_BOTTOM * MM
    lows = [ln.y0 for ln in _body_lines(page, kind)]
    lows += [s.y0 for s in page.shapes if s.y1 <= top + 1 and s.y0 >= bottom - 1 and s.x1 - s.x0 < page.width - 1]
    used = (top - min(lows)) / (top - bottom) if lows else 0.0
    if used < NEARLY_EMPTY:
        yield Finding(path, page.number, "spill-page",
                      f"the last page is {used:.0%} used (under {NEARLY_EMPTY:.0%}): a spill page",
                      "shorten the text that runs over, or tighten this layout's copy-fit limits, "
                      "so that it ends one page earlier",
                      # what clients read must not spill; back matter (credits, contents) may, with a word
                      "warning" if kind in BACK_MATTER else "error")


def hyphenation(path: str, pages: list[Page], kind: str) -> Iterator[Finding]:
    """No hyphenated headings, links or file names; no word split across pages; at most 2 in a row."""
    body = body_size(pages)
    for page in pages:
        lines = _body_lines(page, kind)
        run: list[Line] = []
        for i, ln in enumerate(lines):
            if not ln.hyphenated:
                if len(run) >= 3:
                    yield _run(path, page, run)
                run = []
                continue
            run.append(ln)
            nxt = lines[i + 1].text.split()[:1] if i + 1 < len(lines) else []
            word = (ln.text.split() or [""])[-1].rstrip(HYPHEN) + (nxt[0] if nxt else "")
            if ln.size >= body * 1.2 or (ln.size >= body * 1.05 and ln.bold):
                yield Finding(path, page.number, "hyphenated-heading", f"the heading breaks {word!r} with a hyphen",
                              LAYOUT_FIX + " (headings are set with hyphens: manual)")
            elif FILEISH.search(word):
                yield Finding(path, page.number, "hyphenated-link",
                              f"the link or file name {word!r} is broken with a hyphen, which a reader would type",
                              LAYOUT_FIX + " (links and file names are set with hyphens: none)")
        if len(run) >= 3:
            yield _run(path, page, run)
        ordered = sorted(lines, key=lambda ln: ln.y0)
        if page.number < len(pages) and ordered and ordered[0].hyphenated and kind not in (*CARD_KINDS, "card-sheet"):
            yield Finding(path, page.number, "split-word",
                          f"the page ends in the middle of a word: {_quote(ordered[0].text[-30:])}",
                          LAYOUT_FIX + " (no word breaks across a page)")


def _run(path: str, page: Page, run: list[Line]) -> Finding:
    return Finding(path, page.number, "hyphen-run",
                   f"{len(run)} hyphenated lines in a row, from {_quote(run[0].text[-30:])}",
                   LAYOUT_FIX + " (at most 2 hyphenated lines in a row)")


def cjk_runts(path: str, pages: list[Page], kind: str) -> Iterator[Finding]:
    """A Chinese paragraph must not end on a line of one character (and its punctuation)."""
    for page in pages:
        lines = _body_lines(page, kind)
        for prev, ln in zip(lines, lines[1:]):
            letters = [c for c in ln.text if not unicodedata.category(c).startswith(("P", "Z"))]
            if len(letters) == 1 and _is_cjk(letters[0]) and abs(prev.size - ln.size) < 0.2 \
                    and 0 < prev.y0 - ln.y0 < 2.2 * ln.size and ln.x1 - ln.x0 < 3 * ln.size and len(prev.text) > 4:
                yield Finding(path, page.number, "cjk-runt",
                              f"a paragraph ends on a line of one character: {ln.text!r} (after {_quote(prev.text[-12:])})",
                              LAYOUT_FIX + " (the last line of a Chinese paragraph keeps at least 2 characters)")


def type_size(path: str, pages: list[Page], kind: str) -> Iterator[Finding]:
    """No text under 7 pt; card text at 8 pt or more."""
    smallest = min((ln.smallest for p in pages for ln in p.lines), default=0.0)
    if smallest and smallest < TYPE_MIN - 0.05:
        page = next(p for p in pages if any(ln.smallest == smallest for ln in p.lines))
        yield Finding(path, page.number, "type-size", f"text set at {smallest:.1f} pt (the minimum is {TYPE_MIN:.0f} pt)",
                      "raise the font size in the layout")
    if kind in CARD_KINDS:
        for page in pages:                # the credit line is fine print, at 7 pt
            size = body_size([page], above=TYPE_MIN + 0.05)
            if size and size < CARD_BODY_MIN - 0.05:
                yield Finding(path, page.number, "card-type-size",
                              f"the card's text is set at {size:.1f} pt (cards need {CARD_BODY_MIN:.0f} pt or more)",
                              "shorten this face's text so that the copy-fit can set it at 8 pt")


def text_contrast(path: str, page: Page, kind: str) -> Iterator[Finding]:
    """Text reads at WCAG AA contrast (4.5:1; 3:1 when large) against what is behind it."""
    filled = [s for s in page.shapes if s.kind == "path" and s.fill[3] and s.fill[:3] != (255, 255, 255)]
    if not page.lines:
        return
    image = None
    for ln in page.lines:
        behind = (255, 255, 255)
        if any(s.x0 <= ln.x0 and s.x1 >= ln.x1 and s.y0 <= ln.y0 and s.y1 >= ln.y1 for s in filled):
            image = image or _render(page)
            behind = _background(image, page, ln)
        need = 3.0 if ln.size >= 18 or (ln.size >= 14 and ln.bold) else 4.5
        if (ratio := contrast(ln.color, behind)) < need - 0.05:
            yield Finding(path, page.number, "contrast",
                          f"text {_quote(ln.text, 30)} has a contrast of {ratio:.1f}:1 "
                          f"(#{bytes(ln.color).hex()} on #{bytes(behind).hex()}; it needs {need}:1)",
                          "choose darker text or a lighter background (brand colours: [brand] in the pack)")


SCALE = 50 / 72       # pixels per point when pixels are needed


def _render(page: Page):  # type: ignore[no-untyped-def]
    return page.raw.render(scale=SCALE).to_pil().convert("RGB")


def _background(image, page: Page, ln: Line) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Return the most common colour just around the line's box (outside the letters themselves)."""
    left, _, _, top = page.raw.get_mediabox()
    x0, y0 = int((ln.x0 - left) * SCALE) - 2, int((top - ln.y1) * SCALE) - 2
    x1, y1 = int((ln.x1 - left) * SCALE) + 3, int((top - ln.y0) * SCALE) + 3
    ring = [image.crop(box) for box in ((x0, y0, x1, y0 + 1), (x0, y1 - 1, x1, y1), (x0, y0, x0 + 1, y1), (x1 - 1, y0, x1, y1))]
    counts: dict = {}
    for part in ring:
        for n, colour in part.getcolors(1 << 16) or []:
            counts[colour] = counts.get(colour, 0) + n
    return max(counts, key=counts.get) if counts else (255, 255, 255)


def writing_lines(path: str, page: Page, kind: str) -> Iterator[Finding]:
    """Writing lines stay visible on a greyscale office copy: 3:1 against the paper (WCAG non-text)."""
    spans = sorted((s for s in page.shapes if s.kind == "path" and s.fill[3] and s.fill[:3] != (255, 255, 255)),
                   key=lambda s: -s.y1)
    seen = set()
    for a, b in zip(spans, spans[1:]):
        same = abs((a.y1 - a.y0) - (b.y1 - b.y0)) < 0.3 and abs(a.x0 - b.x0) < 0.3 and abs(a.x1 - b.x1) < 0.3
        if same and abs(a.y0 - b.y1) < 0.5 and a.fill == b.fill and a.fill not in seen and a.x1 - a.x0 > 40 * MM:
            seen.add(a.fill)
            grey = round(0.299 * a.fill[0] + 0.587 * a.fill[1] + 0.114 * a.fill[2])
            if (ratio := contrast((grey,) * 3, (255, 255, 255))) < 3.0:
                yield Finding(path, page.number, "writing-lines",
                              f"writing lines in #{bytes(a.fill[:3]).hex()} are {ratio:.1f}:1 against the paper "
                              "in greyscale (they need 3:1 to survive a black-and-white copy)",
                              "darken --line in layouts/base.css")
