"""build --print-shop: PDF/X-4 with an output intent, text in K alone, cards ganged with gutters."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO, run_cli

INK_RGB = "0.105882 0.105882 0.105882 rg"        # --ink (#1b1b1b) as four-colour RGB


@pytest.fixture(scope="module")
def shop_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shop")
    code, _, err = run_cli("build", "--pack", str(REPO / "packs/default.toml"), "--lang", "en", "--out", str(out),
                           "--quiet", "--print-shop")
    assert code == 0, err
    return out / "default"


@pytest.fixture(scope="module")
def shop_branded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build example-branded (whose safety-street card is discreet, so folded) for a print shop."""
    out = tmp_path_factory.mktemp("shop-branded")
    code, _, err = run_cli("build", "--pack", str(REPO / "packs/example-branded/pack.toml"), "--lang", "en",
                           "--out", str(out), "--quiet", "--print-shop")
    assert code == 0, err
    return out / "example-branded"


def assert_pdf_x4(path: Path) -> None:
    reader = PdfReader(path)
    (intent,) = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX" and intent["/DestOutputProfile"].get_object()["/N"] == 4
    assert "PDF/X-4" in reader.xmp_metadata.stream.get_data().decode()
    assert all(page.trimbox for page in reader.pages)


@pytest.mark.parametrize("name", ["en/best-practices.pdf", "en/cards/provider-card.pdf",
                                  "en/cards/provider-card-sheet-letter.pdf"])
def test_print_shop_pdfs_are_pdf_x4_with_a_cmyk_output_intent(shop_pack: Path, name: str):
    assert_pdf_x4(shop_pack / name)


def test_print_shop_text_is_black_in_k_alone(shop_pack: Path):
    stream = PdfReader(shop_pack / "en/best-practices.pdf").pages[0].get_contents().get_data().decode("latin1")
    assert "0 0 0 1 scn" in stream and INK_RGB not in stream


def test_print_shop_card_sheets_keep_a_gutter_and_every_cards_bleed(shop_pack: Path):
    from packbuilder.impose import CARD_SIZES, grid
    entry = next(f for f in json.loads((shop_pack / "manifest.json").read_text())["files"]
                 if f["path"] == "en/cards/provider-card-sheet-letter.pdf")
    g = grid("letter", CARD_SIZES["business-us"], gutter=True)
    assert entry["per_sheet"] == g.count == 8 and g.gap == pytest.approx(2 * 3.175)
    xs, ys = g.cuts()
    assert len(xs) == 2 * g.cols and len(ys) == 2 * g.rows          # crop marks for every card's trim
    reader = PdfReader(shop_pack / "en/cards/provider-card-sheet-letter.pdf")
    form = next(iter(reader.pages[0]["/Resources"]["/XObject"].values())).get_object()
    bleed = [float(v) for v in PdfReader(shop_pack / "en/cards/provider-card.pdf").pages[0].bleedbox]
    assert [float(v) for v in form["/BBox"]] == pytest.approx(bleed)


def test_office_sheets_stay_edge_to_edge_with_their_caption_inside_the_printable_margin(default_pack: Path):
    from packbuilder.preflight import preflight_files
    for name in ("en/cards/provider-card-sheet-letter.pdf", "zh_Hans/cards/safety-street-sheet-a4.pdf"):
        data = (default_pack / name).read_bytes()
        assert not preflight_files([(name, data, "card-sheet")]).findings
        assert re.search(rb"/GTS_PDFX", data) is None


def test_print_shop_folded_cards_are_pdf_x4_ganged_with_a_gutter_and_every_cards_bleed(shop_branded: Path):
    from packbuilder.folded import flat_size
    from packbuilder.impose import grid
    card, sheet = "en/cards/safety-street.pdf", "en/cards/safety-street-sheet-letter.pdf"
    files = {f["path"]: f for f in json.loads((shop_branded / "manifest.json").read_text())["files"]}
    assert files[card]["layout"] == "card-folded" and files[sheet]["layout"] == "card-sheet"
    for name in (card, sheet, "en/cards/safety-street-sheet-a4.pdf"):
        assert_pdf_x4(shop_branded / name)
    stream = PdfReader(shop_branded / card).pages[1].get_contents().get_data().decode("latin1")
    assert "0 0 0 1 scn" in stream and INK_RGB not in stream           # the inside's text in K alone
    g = grid("letter", flat_size("business-us"), gutter=True)
    assert files[sheet]["per_sheet"] == g.count == 4 and g.gap == pytest.approx(2 * 3.175)
    reader = PdfReader(shop_branded / sheet)
    form = next(iter(reader.pages[0]["/Resources"]["/XObject"].values())).get_object()
    bleed = [float(v) for v in PdfReader(shop_branded / card).pages[0].bleedbox]
    assert [float(v) for v in form["/BBox"]] == pytest.approx(bleed)


def test_with_a_gutter_fold_marks_stay_on_each_rows_fold():
    from packbuilder.folded import flat_size
    from packbuilder.impose import CARD_SIZES, grid, marks_html
    fold = CARD_SIZES["business-us"].height
    for gutter in (False, True):
        g = grid("letter", flat_size("business-us"), gutter=gutter)
        html = marks_html(g, "caption", "en", "serif", "", fold=fold)
        marks = sorted({float(y) for y in re.findall(r'class="fold" style="left:[\d.]+mm;top:([\d.]+)mm', html)})
        folds = [g.y0 + row * (g.card.height + g.gap) + fold - 0.05 for row in range(g.rows)]
        assert marks == pytest.approx(folds, abs=0.001), gutter
