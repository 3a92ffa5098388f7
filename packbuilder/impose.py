"""Cards on office paper: N-up sheets, crop marks outside the trim, backs mirrored for duplex."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

MM = 72 / 25.4                       # PDF points per millimetre
MARK_GAP, MARK_LEN = 2.0, 5.0        # crop marks start 2 mm outside the trim and are 5 mm long
MARGIN = MARK_GAP + MARK_LEN + 1.0   # room the marks need between the grid and the paper edge
PRINTABLE = 6.0                      # mm an office printer leaves unprinted at the paper edge


@dataclass(frozen=True)
class CardSize:
    name: str
    width: float      # trim, mm
    height: float
    bleed: float

    def css(self) -> str:
        return f"{self.width}mm {self.height}mm"


CARD_SIZES = {
    "business-us": CardSize("business-us", 88.9, 50.8, 3.175),      # 3.5 x 2 in, 0.125 in bleed
    "id-1": CardSize("id-1", 85.6, 53.98, 3.0),                      # ISO/IEC 7810 ID-1
}
PAPER_SIZES = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}      # mm


@dataclass(frozen=True)
class Grid:
    """Where cards go on a sheet: columns x rows of trim boxes, centred; edge to edge, or (for a
    print shop) with a gutter of twice the bleed, so that every card keeps its own bleed."""

    paper: str
    width: float
    height: float
    card: CardSize
    cols: int
    rows: int
    gap: float = 0.0                # mm between two cards' trim boxes

    @property
    def x0(self) -> float:
        return (self.width - self.cols * self.card.width - (self.cols - 1) * self.gap) / 2

    @property
    def y0(self) -> float:          # from the top of the sheet
        return (self.height - self.rows * self.card.height - (self.rows - 1) * self.gap) / 2

    @property
    def mark_gap(self) -> float:    # marks start outside the outer cards' bleed
        return MARK_GAP + (self.card.bleed if self.gap else 0.0)

    @property
    def count(self) -> int:
        return self.cols * self.rows

    def cell(self, col: int, row: int, back: bool = False) -> tuple[float, float]:
        """Return the (left, top) of a card's trim box, in mm from the sheet's top-left corner.

        Backs mirror the columns, so that a sheet flipped on its long edge brings each back
        onto its front.
        """
        col = self.cols - 1 - col if back else col
        return self.x0 + col * (self.card.width + self.gap), self.y0 + row * (self.card.height + self.gap)

    def cuts(self) -> tuple[list[float], list[float]]:
        """Return the x positions of the vertical cuts and the y positions of the horizontal ones:
        every card's own trim lines (shared by two cards when they abut)."""
        xs = sorted({round(self.x0 + c * (self.card.width + self.gap) + d, 4)
                     for c in range(self.cols) for d in (0.0, self.card.width)})
        ys = sorted({round(self.y0 + r * (self.card.height + self.gap) + d, 4)
                     for r in range(self.rows) for d in (0.0, self.card.height)})
        return xs, ys


def grid(paper: str, card: CardSize, gutter: bool = False) -> Grid:
    """Return the largest grid that leaves room for crop marks on ``paper``: edge to edge, or with
    a gutter of twice the bleed between cards (``gutter``, for a print shop)."""
    width, height = PAPER_SIZES[paper]
    gap = 2 * card.bleed if gutter else 0.0
    margin = MARGIN + (card.bleed if gutter else 0.0)
    cols = int((width - 2 * margin + gap) // (card.width + gap))
    rows = int((height - 2 * margin + gap) // (card.height + gap))
    return Grid(paper, width, height, card, cols, rows, gap)


def marks_html(g: Grid, caption: str, lang: str, font_css: str, page_css: str, fold: float = 0.0) -> str:
    """Return the HTML of a blank sheet with crop marks outside the trim and a caption; with
    ``fold`` (mm below each card's top edge), dashed fold marks beside each row too."""
    from markupsafe import escape

    xs, ys = g.cuts()
    top, bottom = ys[0], ys[-1]
    left, right = xs[0], xs[-1]
    lines = []
    gap = g.mark_gap
    for x in xs:       # vertical marks above and below the grid
        for y in (top - gap - MARK_LEN, bottom + gap):
            lines.append(f'<i style="left:{x - 0.05:.3f}mm;top:{y:.3f}mm;width:0.1mm;height:{MARK_LEN}mm"></i>')
    for y in ys:       # horizontal marks left and right of the grid
        for x in (left - gap - MARK_LEN, right + gap):
            lines.append(f'<i style="left:{x:.3f}mm;top:{y - 0.05:.3f}mm;width:{MARK_LEN}mm;height:0.1mm"></i>')
    tops = ys[::2] if g.gap else ys[:-1]          # each row's top edge (with a gutter, ys has two per row)
    for y in ([y + fold for y in tops] if fold else []):      # fold marks: dashed, left and right
        for x in (left - gap - MARK_LEN, right + gap):
            lines.append(f'<i class="fold" style="left:{x:.3f}mm;top:{y - 0.05:.3f}mm;width:{MARK_LEN}mm;height:0"></i>')
    # the caption runs up the left margin, beside the marks and inside the 6 mm an office printer
    # leaves unprinted (across the top it would sit 1.7 mm from the edge of a Letter sheet)
    length = bottom - top
    place = (f"left: {left:.3f}mm; top: {PRINTABLE:.3f}mm; width: {right - left:.3f}mm;" if g.gap else   # above the marks
             f"left: {PRINTABLE:.3f}mm; top: {bottom:.3f}mm; width: {length:.3f}mm;"
             " transform-origin: 0 0; transform: rotate(-90deg);")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(caption)}</title>'
            f"<style>{page_css}\n@page {{ size: {g.width}mm {g.height}mm; margin: 0 }}"
            f" body {{ margin: 0; font-family: {font_css}; }}"
            " i { position: absolute; background: #000; }"
            " i.fold { background: none; border-top: 0.1mm dashed #000; }"
            f" p {{ position: absolute; {place} margin: 0; font-size: 7pt; line-height: 1.2; color: #444; }}"
            "</style></head><body>"
            f"<p>{escape(caption)}</p>{''.join(lines)}</body></html>")


def impose(card_pdf: bytes, sheet_pdf: bytes, g: Grid, identifier: str = "") -> bytes:
    """Return a two-page sheet PDF: fronts on page 1, mirrored backs on page 2.

    ``card_pdf`` has the front and back at card size with bleed; ``sheet_pdf`` has two blank
    sheets with crop marks. Each face goes into the file once, as a Form XObject clipped to its
    trim box (the cards abut) or, with a gutter, to its bleed box, and is placed on the sheet with
    ``q <translate> cm /Face Do Q``. ``identifier`` is the sheet's permanent file identifier
    (the first of its /ID); the second is a digest of it and the cards, so it changes with them.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

    faces = PdfReader(io.BytesIO(card_pdf)).pages
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sheet_pdf)))
    height_pt = g.height * MM
    for side, sheet in enumerate(writer.pages[:2]):
        face = faces[side]
        trim = face.trimbox
        form = DecodedStreamObject()
        form.set_data(face.get_contents().get_data())
        clip = face.bleedbox if g.gap else trim          # with a gutter, each card keeps its bleed
        form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                     NameObject("/BBox"): ArrayObject([FloatObject(float(v)) for v in clip]),
                     NameObject("/Resources"): face["/Resources"].clone(writer)})
        name = NameObject(f"/PbFace{side}")
        resources = sheet["/Resources"].get_object()
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = DictionaryObject()
            resources[NameObject("/XObject")] = xobjects
        xobjects.get_object()[name] = writer._add_object(form)
        ops = []
        for row in range(g.rows):
            for col in range(g.cols):
                left, top = g.cell(col, row, back=side == 1)
                x = left * MM - float(trim.left)
                y = height_pt - (top + g.card.height) * MM - float(trim.bottom)
                ops.append(f"q 1 0 0 1 {x:.3f} {y:.3f} cm {name} Do Q")
        before, after = DecodedStreamObject(), DecodedStreamObject()
        before.set_data(b"q\n")                       # whatever the sheet's own content does to the
        after.set_data(("Q\n" + "\n".join(ops) + "\n").encode())   # graphics state ends before the cards
        # the sheet's own content, by reference: a stream written inline in the array (what
        # sheet["/Contents"] would give) is invalid PDF, and MuPDF and PDFium draw nothing
        raw = sheet.raw_get("/Contents")
        contents = raw.get_object()
        parts = list(contents) if isinstance(contents, ArrayObject) else [raw]
        sheet[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *parts, writer._add_object(after)])
    if identifier:
        from pypdf.generic import ByteStringObject
        digest = hashlib.md5(identifier.encode() + card_pdf, usedforsecurity=False).hexdigest()
        writer._ID = ArrayObject([ByteStringObject(identifier[:32].encode()), ByteStringObject(digest.encode())])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
