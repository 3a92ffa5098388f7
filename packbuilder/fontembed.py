"""Compact the CFF fonts WeasyPrint embeds: each keeps only the glyphs its PDF shows.

WeasyPrint subsets with HarfBuzz but keeps glyph ids (its content streams use them as CIDs), so
a Chinese handout drawing 300 characters from a 2,000-glyph language subset still embeds 2,000
glyph slots, their metrics, and an OpenType wrapper around the CFF table. A PDF needs none of
that: a CID-keyed CFF font program (``/CIDFontType0C``) finds each glyph by its CID through the
CFF charset, and the widths are in the PDF's ``/W`` array. So before the PDF is written, each
such font is cut down to the CIDs its ``/W`` arrays list, and its charset gives every kept glyph
its old glyph id as CID, which leaves every content stream valid as it is.
"""
from __future__ import annotations

from io import BytesIO
from typing import Any


def shown_cids(widths: list[Any]) -> set[int]:
    """Return the CIDs a ``/W`` array gives widths for (``c [w1 w2 ...]`` and ``c1 c2 w`` forms)."""
    cids: set[int] = set()
    i = 0
    while i < len(widths):
        first = int(widths[i])
        if isinstance(widths[i + 1], list):
            cids.update(range(first, first + len(widths[i + 1])))
            i += 2
        else:
            cids.update(range(first, int(widths[i + 1]) + 1))
            i += 3
    return cids


def compact_cff(otf: bytes, cids: set[int]) -> bytes | None:
    """Return a bare CID-keyed CFF holding glyph 0 and the glyphs ``cids`` (as glyph ids) of the
    OpenType font ``otf``, each with its glyph id as CID; None if the font is not CID-keyed CFF."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(otf), lazy=True, recalcBBoxes=False)
    if "CFF " not in font:
        return None
    cff = CFFFontSet()
    cff.decompile(BytesIO(font.reader["CFF "]), None)
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS") or not hasattr(top, "FDSelect") or not top.CharStrings.charStringsAreIndexed:
        return None                  # a name-keyed font: its CIDs are glyph ids already
    keep = sorted({0} | {c for c in cids if c < len(top.charset)})
    strings = top.CharStrings
    index = strings.charStringsIndex
    index.items = [index[gid] for gid in keep]
    del index.file, index.offsets
    top.charset = [".notdef" if gid == 0 else f"cid{gid:05d}" for gid in keep]
    strings.charStrings = {name: i for i, name in enumerate(top.charset)}
    top.numGlyphs = len(keep)
    # the font dictionaries the kept glyphs use, renumbered
    select = top.FDSelect
    old = [select.gidArray[gid] for gid in keep]
    used = sorted(set(old))
    select.format = None
    select.gidArray = [used.index(fd) for fd in old]
    fds = top.FDArray
    fds.items = [fds[i] for i in used]
    del fds.file, fds.offsets
    out = BytesIO()
    cff.compile(out, font)
    return out.getvalue()


def compact_fonts(document: Any, pdf: Any) -> None:
    """A WeasyPrint finisher: swap each embedded CID-keyed OpenType CFF font for a compact bare
    CFF holding only the glyphs the PDF shows. Other fonts are left as WeasyPrint made them."""
    objects = pdf.objects

    def deref(reference: bytes) -> Any:
        return objects[int(reference.split()[0])]

    shown: dict[int, set[int]] = {}        # font file object number -> CIDs shown with it
    for obj in objects:
        if isinstance(obj, dict) and obj.get("Subtype") == "/CIDFontType0" and "FontDescriptor" in obj:
            reference = deref(obj["FontDescriptor"]).get("FontFile3")
            if reference is not None:
                shown.setdefault(int(reference.split()[0]), set()).update(shown_cids(obj.get("W", [])))
    for number, cids in shown.items():
        stream = objects[number]
        if not cids or stream.extra.get("Subtype") != "/OpenType" or len(stream.stream) != 1:
            continue                           # no widths to go by, or not a font we know
        try:
            compact = compact_cff(bytes(stream.stream[0]), cids)
        except Exception:                      # noqa: BLE001 - a saving, not a necessity: a font
            continue                           # fontTools cannot read stays as WeasyPrint wrote it
        if compact is not None:
            stream.stream = [compact]
            stream.extra["Subtype"] = "/CIDFontType0C"
