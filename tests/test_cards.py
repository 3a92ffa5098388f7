"""Wallet cards: sizes, bleed, sheets, duplex registration, and the fit check."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conftest import copy_repo, REPO, pdftext, run_cli
from packbuilder.catalogs import read_catalog, write_catalog
from packbuilder.impose import CARD_SIZES, MM, PAPER_SIZES, grid

CARDS = ["provider-card", "safety-street", "safety-indoor", "do-no-harm-card"]
PT = 72.0


def placements(page) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    """Return the (x, y) translation of every card placed on a sheet page, read from its content.

    Each placed card is drawn as: q, a translation cm, the face's Form XObject (Do), Q.
    """
    ops = [(operands, op) for operands, op in ContentStream(page.get_contents(), page.pdf).operations]
    found = []
    for i in range(len(ops) - 3):
        (_, q), (m, cm), (name, do), (_, end) = ops[i:i + 4]
        if (q, cm, do, end) == (b"q", b"cm", b"Do", b"Q") and str(name[0]).startswith("/PbFace") \
                and [float(v) for v in m[:4]] == [1, 0, 0, 1]:
            found.append((round(float(m[4]), 2), round(float(m[5]), 2)))
    return found


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "es"])
def test_every_card_and_sheet_is_built(default_pack, lang):
    names = sorted(p.name for p in (default_pack / lang / "cards").iterdir())
    assert names == sorted(f"{c}{s}.pdf" for c in CARDS for s in ("", "-sheet-letter", "-sheet-a4"))


def test_card_pdf_has_front_and_back_at_card_size_with_bleed(default_pack):
    reader = PdfReader(default_pack / "es/cards/safety-street.pdf")
    assert len(reader.pages) == 2 and reader.trailer["/Root"]["/Lang"] == "es"
    card = CARD_SIZES["business-us"]
    for page in reader.pages:
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert float(trim.width) == pytest.approx(3.5 * PT, abs=0.05)
        assert float(trim.height) == pytest.approx(2 * PT, abs=0.05)
        assert float(bleed.width) == pytest.approx((card.width + 2 * card.bleed) * MM, abs=0.05)
        assert float(media.width) == pytest.approx(float(bleed.width), abs=0.05)
    text = pdftext(default_pack / "es/cards/safety-street.pdf")
    assert "Heartland Alliance" in text and "Traducción en borrador" in text


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheets_are_exact_paper_with_ten_cards_and_backs_that_register(default_pack, paper):
    path = default_pack / f"zh_Hans/cards/provider-card-sheet-{paper}.pdf"
    reader = PdfReader(path)
    width_mm, height_mm = PAPER_SIZES[paper]
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(width_mm * MM, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(height_mm * MM, abs=0.01)
    g = grid(paper, CARD_SIZES["business-us"])
    assert g.count == 10
    front, back = placements(reader.pages[0]), placements(reader.pages[1])
    assert len(front) == len(back) == 10
    trim = PdfReader(default_pack / "zh_Hans/cards/provider-card.pdf").pages[0].trimbox
    trim_left, card_w = float(trim.left), g.card.width * MM
    sheet_w = width_mm * MM
    # a card's trim box lands at the translation plus the trim box's own offset; flipping the
    # sheet on its long edge maps a left edge x to sheet_w - x - card_w, and keeps y
    fronts = sorted((round(x + trim_left, 1), round(y, 1)) for x, y in front)
    mirrored = sorted((round(sheet_w - (x + trim_left) - card_w, 1), round(y, 1)) for x, y in back)
    assert fronts == mirrored
    left_edges = {x for x, _ in fronts}
    assert min(left_edges) > 7 * MM and max(left_edges) + card_w < sheet_w - 7 * MM, "room for crop marks"


def test_manifest_records_cards_per_sheet(default_pack):
    files = {f["path"]: f for f in json.loads((default_pack / "manifest.json").read_text())["files"]}
    sheet = files["en/cards/safety-indoor-sheet-letter.pdf"]
    assert sheet["per_sheet"] == 10 and sheet["grid"] == [2, 5] and sheet["layout"] == "card-sheet"
    assert files["en/cards/safety-indoor.pdf"]["overflow"] == []


def test_id1_cards_fit_eight_on_letter_and_ten_on_a4():
    assert grid("letter", CARD_SIZES["id-1"]).count == 8
    assert grid("a4", CARD_SIZES["id-1"]).count == 10
    assert grid("letter", CARD_SIZES["business-us"]).count == 10


def test_credits_say_cards_are_condensed(default_pack):
    text = re.sub(r"\s+", " ", pdftext(default_pack / "en/credits.pdf"))
    assert "Condensed into a card from “What is Sex Work?”" in text
    assert "Condensed into a card from “Core Competencies for Serving People in the Sex Trades”" in text


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    repo = copy_repo(tmp_path / "repo")
    po = repo / "locales/es/LC_MESSAGES/safety-street.po"
    catalog = read_catalog(po, "es")
    message = next(m for m in catalog if m.context == "safety-street/front/li2")
    message.string = " ".join([message.string] * 6)
    write_catalog(po, catalog)
    return repo


def test_an_overlong_spanish_card_fails_naming_card_language_face_and_segment(repo_copy, tmp_path):
    code, _, err = run_cli("build", "--pack", str(repo_copy / "packs/default.toml"), "--lang", "es",
                           "--out", str(tmp_path / "dist"), "--quiet")
    assert code == 1
    assert "error: card safety-street [es] front: text does not fit (needs 2 faces) — segments: " in err
    assert "safety-street/front/li2" in err and "Traceback" not in err
    assert not (tmp_path / "dist/default").exists()

    code, out, _ = run_cli("check", "--fit", "--lang", "es", "--pack", str(repo_copy / "packs/default.toml"))
    assert code == 1 and "card safety-street [es] front: text does not fit" in out


def test_draft_builds_anyway_and_stamps_the_overflowing_face(repo_copy, tmp_path):
    code, _, err = run_cli("build", "--pack", str(repo_copy / "packs/default.toml"), "--lang", "es",
                           "--out", str(tmp_path / "dist"), "--quiet", "--draft")
    assert code == 0, err
    card = tmp_path / "dist/default/es/cards/safety-street.pdf"
    stamp = read_catalog(repo_copy / "locales/es/LC_MESSAGES/ui.po", "es").get(
        "TEXT DOES NOT FIT — DRAFT, DO NOT PRINT", context="ui/overflow").string
    assert len(PdfReader(card).pages) == 2
    # the stamp lies over the text, so read it word by word from the page's word boxes
    def words(page: int) -> list[str]:
        out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(card), "-"],
                             capture_output=True, text=True, check=True).stdout
        return re.findall(r"<word [^>]*>([^<]+)</word>", out)
    assert all(w in words(1) for w in stamp.split()), stamp
    assert "CABE" not in words(2)
    entry = next(f for f in json.loads((tmp_path / "dist/default/manifest.json").read_text())["files"]
                 if f["path"] == "es/cards/safety-street.pdf")
    assert entry["overflow"] and "front" in entry["overflow"][0]


def test_extract_writes_slot_and_budget_for_card_segments():
    text = (REPO / "locales/templates/safety-street.pot").read_text()
    assert "#. Slot: card front (fixed size). Length budget:" in text
    assert "Slot:" not in (REPO / "locales/templates/advocacy.pot").read_text()


class _Face:
    """A stand-in laid-out face for search_face: the index of the setting it was laid out at."""

    def __init__(self, index: int, pages: int = 1) -> None:
        self.index, self.pages = index, [None] * pages

    def copy(self, pages):  # type: ignore[no-untyped-def]
        return _Face(self.index, len(pages))


@pytest.mark.parametrize("answer", [0, 1, 3, 5, None])
def test_a_face_search_from_the_last_builds_setting_finds_what_a_full_search_finds(monkeypatch, answer):
    from packbuilder import cards
    n = len(cards.SETTINGS)
    first_fit = n if answer is None else answer
    monkeypatch.setattr(cards, "face_fill", lambda face: 0.5 if face.index >= first_fit else 1.5)
    for guess in [None, *range(n)]:
        calls: list[int] = []

        def lay_out(size, leading=cards.LEADING):  # type: ignore[no-untyped-def]
            calls.append(cards.SETTINGS.index((size, leading)))
            return _Face(calls[-1])
        face, index = cards.search_face(lay_out, guess)
        assert index == answer, (guess, index)
        assert (len(face.pages) == 2) == (answer is None)        # no setting fits: reported as overflow
        if guess is not None and guess == answer:
            assert len(calls) <= 2, calls                       # the last build's setting and the one above
    calls = []
    face, index = cards.search_face(lambda size, leading=cards.LEADING: calls.append(1) or _Face(3), 3, same=True)
    assert index == 3 and calls == [1]                            # an unchanged face: laid out once


def test_a_cards_sheets_keep_their_marks_and_say_which_version_they_are(tmp_path, font_cache):
    pack_file = copy_repo(tmp_path / "repo") / "packs/example-branded/pack.toml"
    out = tmp_path / "dist"
    assert run_cli("build", "--pack", str(pack_file), "--out", str(out), "--lang", "es", "--quiet")[0] == 0
    sheet = out / "example-branded/es/cards/provider-card-sheet-a4.pdf"
    before, kept = PdfReader(sheet).trailer["/ID"], sorted((font_cache / "sheets").glob("*.pdf"))
    pack_file.write_text(pack_file.read_text().replace('phone = "+1 401-555-0142"', 'phone = "+1 401-555-0188"'))
    assert run_cli("build", "--pack", str(pack_file), "--out", str(out), "--lang", "es", "--quiet")[0] == 0
    after = PdfReader(sheet).trailer["/ID"]
    assert "401-555-0188" in pdftext(sheet)
    assert sorted((font_cache / "sheets").glob("*.pdf")) == kept       # the marks and captions were reused
    key = json.loads((out / "example-branded/manifest.json").read_text())
    entry = next(f for f in key["files"] if f["path"] == "es/cards/provider-card-sheet-a4.pdf")
    assert str(after[0]) == (entry["key"] + "a4")[:32] and str(after[0]) != str(before[0])
    assert str(after[1]) != str(before[1])                        # the second identifier follows the content
