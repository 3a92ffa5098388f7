"""Read a built PDF back: its lines of text with positions, sizes and colours, and its shapes."""
from __future__ import annotations

import ctypes
from collections import Counter
from dataclasses import dataclass, field

MM = 72 / 25.4
HYPHEN = "\u2010"                  # WeasyPrint's hyphenate-character: only automatic breaks use it


@dataclass
class Line:
    """One line of text as printed: its characters, box (PDF points, y up), sizes and colour."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float                    # the largest font size on the line
    smallest: float
    color: tuple[int, int, int]
    bold: bool

    @property
    def hyphenated(self) -> bool:
        return self.text.rstrip().endswith(HYPHEN)


@dataclass
class Shape:
    """A filled or stroked path, or an image: its bounds and fill colour."""

    kind: str                      # path | image
    x0: float
    y0: float
    x1: float
    y1: float
    fill: tuple[int, int, int, int]


@dataclass
class Page:
    """One page read back."""

    number: int                    # 1-based
    width: float
    height: float
    trim: tuple[float, float, float, float]
    lines: list[Line] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    raw: object = None             # the pypdfium2 page, to render when pixels are needed


def _chars(textpage) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Return each printed character: (char, left, bottom, right, top, size in pt, rgb, bold)."""
    import pypdfium2.raw as r
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    matrix = r.FS_MATRIX()
    out, styles = [], {}                    # a text object's size, colour and weight, read once
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:                  # characters outside the BMP: read them one by one
        text = "".join(chr(r.FPDFText_GetUnicode(raw, i) or 32) for i in range(count))
    for i, ch in enumerate(text):
        if ch in "\r\n\x02":
            continue
        r.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
        obj = r.FPDFText_GetTextObject(raw, i)
        obj = ctypes.addressof(obj.contents) if obj else 0
        style = styles.get(obj)
        if style is None:
            r.FPDFText_GetMatrix(raw, i, matrix)        # the size as printed: WeasyPrint scales px to pt
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
            r.FPDFText_GetFillColor(raw, i, red, green, blue, alpha)
            style = styles[obj] = (r.FPDFText_GetFontSize(raw, i) * scale, (red.value, green.value, blue.value),
                                   r.FPDFText_GetFontWeight(raw, i) >= 600)
        out.append((ch, left.value, bottom.value, right.value, top.value, *style))
    return out


def _line(chars: list[tuple]) -> Line | None:
    ink = [c for c in chars if not c[0].isspace() and c[3] > c[1]]
    if not ink:
        return None
    sizes = [c[5] for c in ink]
    return Line("".join(c[0] for c in chars).strip(), min(c[1] for c in ink), min(c[2] for c in ink),
                max(c[3] for c in ink), max(c[4] for c in ink), max(sizes), min(sizes),
                Counter(c[6] for c in ink).most_common(1)[0][0], all(c[7] for c in ink))


def _near(c: tuple, ref: tuple) -> bool:
    """Whether character ``c`` sits on the line of ``ref``: its middle within ref's height."""
    middle, tol = (c[2] + c[4]) / 2, 0.3 * max(c[5], ref[5])
    return ref[2] - tol < middle < ref[4] + tol


def _lines(textpage) -> list[Line]:  # type: ignore[no-untyped-def]
    """Group the characters of a text page into lines: runs that share a baseline and touch."""
    runs: list[list] = []                   # [characters, first ink, last ink]
    for c in _chars(textpage):
        if c[0].isspace() or c[3] <= c[1]:
            if runs:
                runs[-1][0].append(c)
            continue
        for run in reversed(runs[-12:]):           # the same line, within reach
            first, last = run[1], run[2]
            if (_near(c, last) or _near(c, first)) and first[1] - 3 * c[5] < c[1] < last[3] + 3 * c[5]:
                run[0].append(c)
                if c[1] < last[1] - 1:             # placed before text already read: keep x order
                    run[0].sort(key=lambda x: x[1])
                    run[1] = min(run[1], c, key=lambda x: x[1])
                else:
                    run[2] = c
                break
        else:
            runs.append([[c], c, c])
    return [line for run in runs if (line := _line(run[0])) is not None]


#: Text this close to a page's edge (mm) is read with its words by ``_boxes``; the rest as boxes only.
EDGE_TEXT = 15.0


def _boxes(textpage, width: float, height: float) -> list[Line]:  # type: ignore[no-untyped-def]
    """Return the page's text as PDFium's text rectangles (a run of characters on one line
    each): where ink is, without the size and colour of every character. Text near the edges
    keeps its words, for a message; the rest is where it is, with no words."""
    edge = EDGE_TEXT * MM
    out = []
    for i in range(textpage.count_rects()):
        x0, y0, x1, y1 = textpage.get_rect(i)
        if x1 <= x0 or y1 <= y0:
            continue
        near = min(x0, y0, width - x1, height - y1) < edge
        out.append(Line(textpage.get_text_bounded(x0, y0, x1, y1).strip() if near else "", x0, y0, x1, y1,
                        0.0, 0.0, (0, 0, 0), False))
    return out


def _shapes(page) -> list[Shape]:  # type: ignore[no-untyped-def]
    import pypdfium2.raw as r
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    out = []
    for obj in page.get_objects(max_depth=2):
        if obj.type not in (r.FPDF_PAGEOBJ_PATH, r.FPDF_PAGEOBJ_IMAGE):
            continue
        x0, y0, x1, y1 = obj.get_bounds()
        r.FPDFPageObj_GetFillColor(obj.raw, red, green, blue, alpha)
        out.append(Shape("image" if obj.type == r.FPDF_PAGEOBJ_IMAGE else "path", x0, y0, x1, y1,
                         (red.value, green.value, blue.value, alpha.value)))
    return out


def read_pdf(data: bytes, boxes_only: bool = False) -> list[Page]:
    """Return every page of a PDF with its lines and shapes (the document stays open in them).

    ``boxes_only`` reads where the text is, not its characters' sizes and colours (see
    ``_boxes``): what a check of the paper's margins needs, at a fraction of the time on a
    sheet of ten cards."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(data)
    pages = []
    for index in range(len(pdf)):
        page = pdf[index]
        width, height = page.get_size()
        text = page.get_textpage()
        pages.append(Page(index + 1, width, height, tuple(page.get_trimbox()),
                          _boxes(text, width, height) if boxes_only else _lines(text), _shapes(page), page))
    pages and setattr(pages[0], "_pdf", pdf)     # keep the document alive as long as its pages
    return pages


def body_size(pages: list[Page], above: float = 0.0) -> float:
    """Return the size most characters of a document are set in (of those larger than ``above``)."""
    sizes: Counter = Counter()
    for page in pages:
        for line in page.lines:
            if line.size > above:
                sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0
