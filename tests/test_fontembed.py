"""Embedded fonts: small, and drawn the same by every viewer (poppler, MuPDF, PDFium)."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from packbuilder.fontembed import shown_cids

VIEWERS = ("poppler", "mupdf", "pdfium")


def cid_fonts(pdf: Path) -> list[tuple[str, set[int], str, bytes]]:
    """Return (name, CIDs the page shows, font file subtype, font program) per CID-keyed CFF font."""
    found = {}
    for page in PdfReader(pdf).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            cid_font = font["/DescendantFonts"][0].get_object()
            if cid_font["/Subtype"] != "/CIDFontType0":
                continue
            stream = cid_font["/FontDescriptor"]["/FontFile3"].get_object()
            widths = [w if isinstance(w, int) else [int(x) for x in w] for w in cid_font["/W"]]
            found[str(font["/BaseFont"])] = (str(font["/BaseFont"]), shown_cids(widths),
                                            str(stream["/Subtype"]), stream.get_data())
    return list(found.values())


def charset_cids(program: bytes, subtype: str) -> list[int]:
    """Return the CID of each glyph of a CFF font program (bare or inside OpenType)."""
    raw = TTFont(io.BytesIO(program)).reader["CFF "] if subtype == "/OpenType" else program
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(raw), None)
    return [0 if name == ".notdef" else int(name[3:]) for name in cff.topDictIndex[0].charset]


def render(pdf: Path, viewer: str, tmp: Path, dpi: int = 72) -> Image.Image:
    """Return page 1 of ``pdf`` as a greyscale image, drawn by ``viewer``."""
    if viewer == "poppler":
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(pdf), str(tmp / "p")],
                       check=True)
        return Image.open(next(tmp.glob("p*.png"))).convert("L")
    if viewer == "mupdf":
        subprocess.run(["mutool", "draw", "-q", "-r", str(dpi), "-o", str(tmp / "m.png"), str(pdf), "1"],
                       check=True, capture_output=True)
        return Image.open(tmp / "m.png").convert("L")
    import pypdfium2
    return pypdfium2.PdfDocument(str(pdf))[0].render(scale=dpi / 72).to_pil().convert("L")


def ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


@pytest.mark.parametrize("path", ["zh_Hans/advocacy.pdf", "zh_Hans/credits.pdf", "es/best-practices.pdf",
                                  "zh_Hans/cards/provider-card.pdf", "zh_Hans/cards/provider-card-sheet-a4.pdf",
                                  "zh_Hans/activities/word-search.pdf", "index.pdf"])
def test_every_viewer_draws_the_same_text(default_pack, path, tmp_path):
    """A glyph found by the wrong CID prints as nothing in MuPDF while poppler draws it (an
    earlier build lost its Chinese text that way), and a content stream written inline left
    the card sheets blank in MuPDF and PDFium."""
    counts = {}
    for viewer in VIEWERS:
        (tmp_path / viewer).mkdir()
        counts[viewer] = ink(render(default_pack / path, viewer, tmp_path / viewer, dpi=100))
    assert counts["poppler"] > 4000, counts
    for viewer in VIEWERS[1:]:       # anti-aliasing of small text differs by a few per cent
        assert abs(counts[viewer] - counts["poppler"]) < 0.12 * counts["poppler"], counts


def test_chinese_fonts_hold_only_the_glyphs_the_pdf_shows(default_pack):
    for pdf in sorted((default_pack / "zh_Hans").rglob("*.pdf")):
        fonts = cid_fonts(pdf)
        assert fonts, pdf
        for name, shown, subtype, program in fonts:
            assert subtype == "/CIDFontType0C", (pdf.name, name)
            cids = charset_cids(program, subtype)
            assert set(cids) == shown | {0}, (pdf.name, name, sorted(set(cids) ^ (shown | {0}))[:10])


def test_compacting_changes_no_pixel(tmp_path):
    """The same Chinese page written with and without compaction rasterises identically."""
    from packbuilder.build import build_date, language_texts, plan_jobs, prepare_fonts
    from packbuilder.catalogs import load_catalogs
    from packbuilder.config import load_pack
    from packbuilder.content import load_content
    from packbuilder.fontsubset import cache_dir
    from packbuilder.jobs import Setting, job_html
    from packbuilder.render import document_pdf, environment, render_document
    from conftest import REPO

    config = load_pack(REPO / "packs/default.toml")
    docs = load_content(config.content_dir, list(config.documents), list(config.cards))
    jobs = [j for j in plan_jobs(config, ("zh_Hans",), docs, load_catalogs(config.locales_dir, ("zh_Hans",), docs))
            if j.output == "zh_Hans/advocacy.pdf"]
    assert language_texts(jobs)
    fonts = prepare_fonts(jobs, cache_dir(), config)
    setting = Setting(config, tuple(docs), fonts, build_date(), cache_dir())
    layouts = config.layouts_dir
    document = render_document(job_html(jobs[0], setting, environment(layouts)), base_dir=layouts,
                               stylesheets=[layouts / "base.css", layouts / "handout/handout.css"],
                               roots=[layouts, cache_dir()], job_name="advocacy")
    sizes = {}
    for compact in (False, True):
        pdf = tmp_path / f"{compact}.pdf"
        pdf.write_bytes(document_pdf(document, job_name="advocacy", created="2026-01-01T00:00:00Z",
                                     identifier="0" * 32, compact=compact))
        sizes[compact] = pdf.stat().st_size
        (tmp_path / str(compact)).mkdir()
        render(pdf, "poppler", tmp_path / str(compact), dpi=150).save(tmp_path / f"{compact}.png")
    before, after = Image.open(tmp_path / "False.png"), Image.open(tmp_path / "True.png")
    assert before.tobytes() == after.tobytes()
    assert sizes[True] < 0.85 * sizes[False], sizes
    # without compaction too, every glyph's CID is its glyph id (what WeasyPrint writes)
    for _, shown, subtype, program in cid_fonts(tmp_path / "False.pdf"):
        cids = charset_cids(program, subtype)
        assert all(cids[cid] == cid for cid in shown), "CID is not the glyph id"


@pytest.mark.parametrize("pack", ["default_pack", "example_pack"])
def test_every_pdf_opens_cleanly_in_mupdf_and_draws_in_pdfium(pack, request):
    """MuPDF names what it has to repair or skip (a broken object, an unknown font); PDFium
    skips it silently, so every first page must also put ink on paper there."""
    import pypdfium2
    folder = request.getfixturevalue(pack)
    pdfs = sorted(folder.rglob("*.pdf"))
    assert len(pdfs) > 60
    for pdf in pdfs:
        run = subprocess.run(["mutool", "draw", "-q", "-r", "10", "-o", "/dev/null", str(pdf)],
                             capture_output=True, text=True)
        complaints = [line for line in run.stderr.splitlines()
                      if ("error" in line or "warning" in line) and "ICC support" not in line]
        assert run.returncode == 0 and not complaints, (pdf.relative_to(folder), complaints)
        page = pypdfium2.PdfDocument(str(pdf))[0].render(scale=0.3).to_pil().convert("L")
        assert ink(page) > 50, pdf.relative_to(folder)


def test_a_font_that_cannot_be_compacted_is_left_as_weasyprint_wrote_it():
    import pydyf

    from packbuilder.fontembed import compact_fonts
    pdf = pydyf.PDF()
    font_file = pydyf.Stream([b"OTTO not really a font"], pydyf.Dictionary({"Subtype": "/OpenType"}))
    pdf.add_object(font_file)
    descriptor = pydyf.Dictionary({"Type": "/FontDescriptor", "FontFile3": font_file.reference})
    pdf.add_object(descriptor)
    pdf.add_object(pydyf.Dictionary({"Type": "/Font", "Subtype": "/CIDFontType0", "W": pydyf.Array([3, pydyf.Array([500])]),
                                     "FontDescriptor": descriptor.reference}))
    compact_fonts(None, pdf)
    assert font_file.stream == [b"OTTO not really a font"] and font_file.extra["Subtype"] == "/OpenType"
