"""Mandarin Chinese and Spanish editions: terminology, draft marking, fonts, direction."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO, ROOTS, page_count, pdftext, run_cli
from packbuilder.catalogs import read_catalog, write_catalog
from packbuilder.glossary import load_glossary
from packbuilder.i18n import language

DRAFT = {lang: read_catalog(REPO / f"locales/{lang}/LC_MESSAGES/ui.po", lang).get("Draft translation — not yet reviewed by the community.", context="ui/draft").string
         for lang in ("zh_Hans", "es")}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_mandarin_best_practices_uses_the_glossary(default_pack):
    text = flat(pdftext(default_pack / "zh_Hans" / "best-practices.pdf"))
    assert "无伤害" in text and "性工作者" in text and "性服务人员" in text
    glossary = load_glossary(REPO / "locales", "zh_Hans")
    for avoided in glossary.avoided:
        for term in avoided.terms:
            assert term not in text, term


def test_spanish_uses_trata_not_trafico(default_pack):
    text = pdftext(default_pack / "es" / "what-is-sex-work.pdf")
    assert "trata" in text and "tráfico" not in text.lower()


@pytest.mark.parametrize("lang", ["zh_Hans", "es"])
def test_every_page_of_a_draft_language_says_so(default_pack, lang):
    assert DRAFT[lang]
    for pdf in sorted((default_pack / lang).glob("*.pdf")):
        for page in range(1, page_count(pdf) + 1):
            assert flat(DRAFT[lang]) in flat(pdftext(pdf, page)), (pdf.name, page)


def test_english_pages_carry_no_draft_line(default_pack):
    assert "Draft translation" not in pdftext(default_pack / "en" / "advocacy.pdf")


def test_catalogs_say_they_are_drafts():
    for po in (REPO / "locales").glob("*/LC_MESSAGES/*.po"):
        assert "X-Review-Status: draft" in po.read_text(encoding="utf-8"), po


@pytest.mark.parametrize("lang, expected", [("zh_Hans", {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}),
                                            ("es", {"Noto-Sans", "Noto-Sans-Bold"})])
def test_expected_fonts_are_embedded(default_pack, lang, expected):
    out = subprocess.run(["pdffonts", str(default_pack / lang / "best-practices.pdf")],
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    # "ABCDEF+pb-Noto-Sans-CJK-SC-84f78c-Bold": a subset (ABCDEF) of packbuilder's own subset
    # (pb-, tagged by its characters) of the family
    names = {re.sub(r"-[0-9a-f]{6}", "", re.sub(r"^[A-Z]{6}\+pb-", "", row[0])) for row in rows}
    assert expected <= names, names
    assert all(row[-5] == "yes" and row[-4] == "yes" for row in rows), "every font embedded and subset"


def embedded_fonts(pdf: Path) -> set[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines()[2:]}


@pytest.mark.parametrize("pack", ["default_pack", "example_pack"])
def test_every_character_prints_in_packbuilders_own_subsets(pack, request):
    """A character the subsets miss would quietly fall back to a whole system font (bigger,
    slower, and untested for coverage): dates, reviewer names and language names included."""
    folder = request.getfixturevalue(pack)
    pdfs = sorted(folder.rglob("*.pdf"))
    assert len(pdfs) > 20
    for pdf in pdfs:
        strays = {name for name in embedded_fonts(pdf) if not re.match(r"^[A-Z]{6}\+pb-", name)}
        assert not strays, (pdf.relative_to(folder), strays)


def test_every_text_segment_is_translated(default_pack):
    import json
    manifest = json.loads((default_pack / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["language"] != "en" and entry["layout"] == "handout":
            assert entry["segments"]["fallback"] == 0, entry["path"]


def test_language_names_in_their_own_language():
    assert language("zh_Hans").name == "中文（简体）"
    assert language("es").name == "Español"
    assert language("ar").dir == "rtl" and language("zh_Hans").tag == "zh-Hans"


@pytest.mark.parametrize("lang", ["zh_Hans", "es"])
def test_check_passes_on_the_shipped_catalogs(lang):
    code, out, err = run_cli("check", "--lang", lang, "--pack", str(REPO / "packs/default.toml"))
    assert code == 0, out + err


def test_planting_an_avoided_term_fails_check_with_file_and_line(tmp_path):
    po = tmp_path / "zh_Hans/LC_MESSAGES/best-practices.po"
    po.parent.mkdir(parents=True)
    shutil.copy(REPO / "locales/zh_Hans/LC_MESSAGES/best-practices.po", po)
    catalog = read_catalog(po, "zh_Hans")
    message = next(m for m in catalog if m.context == "best-practices/do-no-harm-5746/p1"
                   or str(m.context).startswith("best-practices/do-no-harm") and str(m.context).endswith("p1"))
    message.string = message.string.replace("性工作者", "妓女") + "妓女"
    write_catalog(po, catalog)
    line = read_catalog(po, "zh_Hans").get(message.id, context=message.context).lineno
    code, out, _ = run_cli("check", "--lang", "zh_Hans", "--pack", str(REPO / "packs/default.toml"), str(po))
    assert code == 1
    assert f"error: {po}:{line}: [glossary] avoided term '妓女'" in out


def test_right_to_left_language_lays_out_right_to_left(tmp_path):
    # the rtl root borrows the minimal root's content, outside its own folder: a maintainer's own tree
    code, _, err = run_cli("build", "--pack", str(ROOTS / "rtl/pack.toml"), "--out", str(tmp_path), "--quiet",
                           "--trust-pack")
    assert code == 0, err
    pdf = tmp_path / "rtl/ar/sample.pdf"
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "ar"
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    arabic = [(float(x0), float(x1)) for x0, x1, word in
              re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]+)</word>', bbox)
              if re.search("[\u0600-\u06ff\ufb50-\ufeff]", word)]
    assert arabic, "the Arabic text is on the page"
    assert max(x1 for _, x1 in arabic) > width * 0.85, "RTL text starts at the right margin"
    assert min(x0 for x0, _ in arabic) > width * 0.3, "short RTL lines do not start on the left"


def test_a_character_no_font_covers_fails_the_build(minimal, tmp_path):
    doc = minimal / "content/sample.md"
    doc.write_text(doc.read_text() + "\nLinear B: \U00010000.\n")
    code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path))
    assert code == 1 and err.startswith("font: ")
    assert "U+10000 LINEAR B SYLLABLE B008 A" in err and "sample/in-action/p3" in err
    assert f"{doc}:36:" in err


def test_fonts_reports_every_stack_the_pack_uses_the_grid_included():
    code, out, err = run_cli("fonts", "--pack", str(REPO / "packs/default.toml"))
    assert code == 0, err
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert {"en", "zh_Hans", "es", "word-search grids"} <= set(rows), rows
    assert "Noto Sans Mono CJK SC" in rows["word-search grids"]
    covered = re.search(r"(\d+)/(\d+)", rows["zh_Hans"])
    assert covered and covered[1] == covered[2] and int(covered[2]) > 500


def test_pack_index_names_languages_in_their_own_language(default_pack):
    text = pdftext(default_pack / "index.pdf")
    assert "中文（简体）" in text and "Español" in text and "English" in text
    assert "es/best-practices.pdf" in text


def _es_catalog(minimal: Path, reviewed: bool) -> None:
    from packbuilder.catalogs import document_template, new_catalog
    from packbuilder.content import parse_document
    doc = parse_document(minimal / "content/sample.md")
    catalog = new_catalog(document_template(doc, minimal), "es")
    for m in catalog:
        if m.id == "Sample Handout":
            m.string = "Folleto de muestra"
    if reviewed:
        catalog.set_header("X-Review-Status", "reviewed")
        catalog.set_header("X-Reviewed-By", "Ana Pérez, Colectiva Ejemplo")
        catalog.set_header("X-Review-Date", "2026-03-01")
    write_catalog(minimal / "locales/es/LC_MESSAGES/sample.po", catalog)
    pack = minimal / "pack.toml"
    pack.write_text(pack.read_text().replace('languages = ["en"]', 'languages = ["en", "es"]'))


def test_a_reviewed_catalog_drops_the_draft_line_and_credits_the_reviewer(minimal, tmp_path):
    _es_catalog(minimal, reviewed=True)
    code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path), "--quiet")
    assert code == 0, err
    handout = pdftext(tmp_path / "minimal/es/sample.pdf")
    assert "Folleto de muestra" in handout and "Draft translation" not in handout
    credits = re.sub(r"\s+", " ", pdftext(tmp_path / "minimal/es/credits.pdf"))
    assert "Ana Pérez, Colectiva Ejemplo" in credits and "1 de marzo de 2026" in credits, "the review date as Babel writes it"


def test_a_language_with_few_translations_builds_with_english_fallback_counted(minimal, tmp_path):
    import json
    _es_catalog(minimal, reviewed=False)
    code, out, _ = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path), "--quiet")
    assert code == 0
    entry = next(f for f in json.loads((tmp_path / "minimal/manifest.json").read_text())["files"]
                 if f["path"] == "es/sample.pdf")
    assert entry["segments"]["translated"] == 1 and entry["segments"]["fallback"] == entry["segments"]["total"] - 1
    assert re.search(rf"segments shown in English.*│ {entry['segments']['fallback']} ", out)
    assert "Draft translation" in pdftext(tmp_path / "minimal/es/sample.pdf")
