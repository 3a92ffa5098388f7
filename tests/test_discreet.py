"""Discreet cards: folded, with nothing revealing on either outside panel, in every language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO, pdftext, run_cli
from packbuilder.brand import REVEALING
from packbuilder.errors import ConfigError
from packbuilder.folded import flat_size, panel_texts, revealing_found

NEUTRAL = {"en": "Health and safety information", "zh_Hans": "健康与安全信息",
           "es": "Información de salud y seguridad"}
MM = 72 / 25.4


def card(pack: Path, lang: str) -> Path:
    return pack / f"example-branded/{lang}/cards/safety-street.pdf"


def write_pack(tmp_path: Path, brand: str, langs: str = '["en", "zh_Hans", "es"]') -> Path:
    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "t"\nlanguages = {langs}\ndocuments = ["advocacy"]\n'
                    f'[paths]\ncontent = "{REPO / "content"}"\nlocales = "{REPO / "locales"}"\n'
                    f'layouts = "{REPO / "layouts"}"\n\n[brand]\nname = "Org"\ndiscreet = ["safety-street"]\n'
                    f'{brand}\n[cards]\ninclude = ["safety-street"]\nsheets = []\n')
    return path


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "es"])
def test_branded_discreet_card_reveals_nothing_on_either_outside_panel(example_pack, lang):
    panels = panel_texts(card(example_pack, lang).read_bytes())
    for panel, text in panels.items():
        assert revealing_found(text, REVEALING[lang], lang) == [], (panel, text)
    assert " ".join(panels["cover"].split()) == NEUTRAL[lang], "the cover carries only the neutral title"
    back = " ".join(panels["back"].split())
    assert back == "Harbor Light (example) +1 401-555-0142", "the back only a neutral name and number"
    assert "Harbor Light Outreach" not in back and "Heartland" not in back


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "es"])
def test_the_content_and_its_source_are_inside(example_pack, lang):
    inside = pdftext(card(example_pack, lang), 2)
    assert "Heartland Alliance" in inside and "What is Sex Work?" in inside
    assert {"en": "condoms", "es": "condones", "zh_Hans": "安全套"}[lang] in inside
    meta = PdfReader(card(example_pack, lang)).metadata
    assert meta.title == NEUTRAL[lang] and "Sex" not in (meta.subject or "") + (meta.author or "")


def test_the_folded_card_is_two_panels_high_with_bleed(example_pack):
    reader = PdfReader(card(example_pack, "en"))
    assert len(reader.pages) == 2
    trim, bleed = reader.pages[0].trimbox, reader.pages[0].bleedbox
    assert round(float(trim.width) / MM, 1) == 88.9 and round(float(trim.height) / MM, 1) == 101.6
    assert float(trim.left) - float(bleed.left) == 9, "0.125 in of bleed"
    flat = flat_size("id-1")
    assert (flat.width, flat.height) == (85.6, 107.96)


def test_folded_sheets_name_no_subject_and_carry_fold_marks(example_pack):
    sheet = example_pack / "example-branded/es/cards/safety-street-sheet-letter.pdf"
    reader = PdfReader(sheet)
    assert len(reader.pages) == 2 and round(float(reader.pages[0].mediabox.width) / MM, 1) == 215.9
    caption = " ".join(pdftext(sheet, 1).split())
    assert "Información de salud y seguridad · Español · 4 tarjetas por hoja" in caption       # the caption, up the margin
    assert not revealing_found(caption, REVEALING["es"], "es"), caption
    content = reader.pages[0].get_contents().get_data() + b"".join(
        x.get_object().get_data() for x in reader.pages[0]["/Resources"]["/XObject"].values())
    assert content.count(b"/PbFace0 Do") == 4


def test_a_revealing_word_planted_on_the_outside_is_named_in_each_language(tmp_path):
    path = write_pack(tmp_path, 'discreet_name = "Condoms Condones 安全套"\n')
    code, _, err = run_cli("build", "--pack", str(path), "--out", str(tmp_path / "dist"), "--quiet")
    assert code == 1 and "Traceback" not in err
    for lang, word in (("en", "condom"), ("es", "condon"), ("zh_Hans", "安全套")):
        assert (f"{lang}/cards/safety-street.pdf: card safety-street [{lang}] outside back panel "
                f"(discreet mode) shows {word!r}; change discreet_name / discreet_phone in the pack's "
                "[brand]") in err, (lang, err)


def test_a_revealing_word_on_the_cover_names_the_cover_and_the_catalog(tmp_path):
    path = write_pack(tmp_path, '[brand.revealing_words]\nes = ["salud"]\n', langs='["en", "es"]')
    code, _, err = run_cli("build", "--pack", str(path), "--out", str(tmp_path / "dist"), "--quiet")
    assert code == 1
    assert ("es/cards/safety-street.pdf: card safety-street [es] outside front panel (the cover) "
            "(discreet mode) shows 'salud'; change the neutral title (ui entry 'ui/neutral-title' in "
            "locales/es/LC_MESSAGES/ui.po)") in err


def test_revealing_words_match_word_starts_and_chinese_anywhere():
    assert revealing_found("Sussex Health Centre", ["sex"], "en") == []
    assert revealing_found("Sexual health", ["sex", "sexual"], "en") == ["sexual"]
    assert revealing_found("Stirling Clinic", REVEALING["en"], "en") == []
    assert revealing_found("STI testing", REVEALING["en"], "en") == ["sti"]
    assert revealing_found("Centro de citas", REVEALING["es"], "es") == ["cita"]
    assert revealing_found("女性健康 安全 套", ["安全套"], "zh_Hans") == ["安全套"]
    # typed with a zero-width space, a Cyrillic "е" or full-width letters, a word is still that word
    assert revealing_found("Sex\u200bual health", ["sexual"], "en") == ["sexual"]
    assert revealing_found("S\u0435xual health", ["sexual"], "en") == ["sexual"]
    assert revealing_found("ＳＴＩ testing", REVEALING["en"], "en") == ["sti"]


def test_neutral_name_and_number_are_validated(tmp_path):
    from packbuilder.config import load_pack
    path = write_pack(tmp_path, f'discreet_name = "{"x" * 61}"\ndiscreet_phone = "call us"\n')
    with pytest.raises(ConfigError) as info:
        load_pack(path)
    text = "\n".join(info.value.lines())
    assert "brand.discreet_name" in text and "at most 60" in text
    assert re.search(r"brand\.discreet_phone.*'call us' is not a phone number", text)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_folded_sheets_register_the_inside_on_the_outside_for_long_edge_duplex(example_pack, paper):
    from test_cards import placements

    from packbuilder.impose import PAPER_SIZES, grid
    reader = PdfReader(example_pack / f"example-branded/zh_Hans/cards/safety-street-sheet-{paper}.pdf")
    g = grid(paper, flat_size("business-us"))
    assert (g.cols, g.rows) == (2, 2)
    front, back = placements(reader.pages[0]), placements(reader.pages[1])
    trim_left = float(PdfReader(card(example_pack, "zh_Hans")).pages[0].trimbox.left)
    card_w, sheet_w = g.card.width * MM, PAPER_SIZES[paper][0] * MM
    fronts = sorted((round(x + trim_left, 1), round(y, 1)) for x, y in front)
    mirrored = sorted((round(sheet_w - (x + trim_left) - card_w, 1), round(y, 1)) for x, y in back)
    assert len(fronts) == 4 and fronts == mirrored


def test_with_discreet_true_the_local_resources_card_folds_too(tmp_path):
    path = write_pack(tmp_path, '[[services]]\nname = "Testing Van (example)"\ncategory = "hiv-sti"\n'
                                'phone = "+1 401-555-0153"\nnotes = { en = \'Ask for "the van"\' }\n', langs='["en"]')
    path.write_text(path.read_text().replace('discreet = ["safety-street"]', "discreet = true"))
    code, _, err = run_cli("build", "--pack", str(path), "--out", str(tmp_path / "dist"), "--quiet")
    assert code == 0, err
    pdf = tmp_path / "dist/t/en/cards/local-resources.pdf"
    panels = panel_texts(pdf.read_bytes())
    assert " ".join(panels["cover"].split()) == NEUTRAL["en"] and panels["back"].strip() == ""
    assert "HIV and Sexually Transmitted Infection" in pdftext(pdf, 2), "the services are inside"
    assert "Ask for \u201cthe van\u201d" in pdftext(pdf, 2), "a note is typeset like the flat card's"


def test_an_overlong_inside_panel_fails_the_build_and_check_fit(tmp_path):
    from conftest import copy_repo

    from packbuilder.catalogs import read_catalog, write_catalog
    repo = copy_repo(tmp_path / "repo")
    po = repo / "locales/es/LC_MESSAGES/safety-street.po"
    catalog = read_catalog(po, "es")
    message = next(m for m in catalog if m.context == "safety-street/front/li2")
    message.string = " ".join([message.string] * 8)
    write_catalog(po, catalog)
    pack = repo / "packs/default.toml"
    pack.write_text(pack.read_text() + '\n[brand]\nname = "Org"\ndiscreet = ["safety-street"]\n')
    code, _, err = run_cli("build", "--pack", str(pack), "--lang", "es", "--out", str(tmp_path / "dist"), "--quiet")
    expected = ("card safety-street [es] inside upper panel (title and front text): text does not fit "
                "(needs 2 panels)")
    assert code == 1 and expected in err and "Traceback" not in err
    code, out, _ = run_cli("check", "--fit", "--lang", "es", "--pack", str(pack))
    assert code == 1 and expected in out
    code, _, err = run_cli("build", "--pack", str(pack), "--lang", "es", "--out", str(tmp_path / "dist"),
                           "--quiet", "--draft")
    assert code == 0, err
    inside = pdftext(tmp_path / "dist/default/es/cards/safety-street.pdf", 2)
    # the stamp lies over the overflowing text, so pdftotext interleaves the two: look for its words
    assert all(word in inside for word in ("CABE", "BORRADOR", "IMPRIMIR")), "the overflowing panel is stamped"
