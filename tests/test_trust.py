"""The trust boundary: what a pack may read and run, and the credit and safety text it cannot remove."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, ROOTS, run_cli

HOSTILE = ROOTS / "hostile"


def build(pack: Path, out: Path, *extra: str) -> tuple[int, str]:
    code, _, err = run_cli("build", "--pack", str(pack), "--out", str(out), "--quiet", *extra)
    assert "Traceback" not in err and "hit a bug" not in err, err
    return code, err


# -- layouts ------------------------------------------------------------------------------------

def test_a_layout_cannot_run_a_command(minimal, tmp_path):
    marker = tmp_path / "pwned"
    template = (HOSTILE / "layouts/popen.html.j2").read_text().replace("MARKER", str(marker))
    (minimal / "layouts/handout/handout.html.j2").write_text(template)
    code, err = build(minimal / "pack.toml", tmp_path / "dist")
    assert code == 1 and "layout: " in err and "sandbox" in err, err
    assert not marker.exists()


def test_a_layout_without_the_source_line_does_not_print(minimal, tmp_path):
    handout = minimal / "layouts/handout/handout.html.j2"
    text = handout.read_text()
    assert "m.attribution(" in text
    handout.write_text(re.sub(r"\{\{ m\.attribution\([^}]*\) \}\}", "", text))
    code, err = build(minimal / "pack.toml", tmp_path / "dist")
    assert code == 1 and "en/sample.pdf: page 1 does not show its source ('Sample Source')" in err, err
    assert not (tmp_path / "dist/minimal").exists()


def test_credits_without_the_terms_do_not_print(minimal, tmp_path):
    credits = minimal / "layouts/credits/credits.html.j2"
    credits.write_text(credits.read_text().replace("{{ entry.source.terms }}", ""))
    code, err = build(minimal / "pack.toml", tmp_path / "dist")
    assert code == 1 and "en/credits.pdf: the credits leave out the terms of 'Sample Source'" in err, err


def test_a_template_symlinked_out_of_the_layouts_is_refused(minimal, tmp_path):
    (minimal / "layouts/handout/secret.html.j2").symlink_to("/etc/hostname")
    code, err = build(minimal / "pack.toml", tmp_path / "dist")
    assert code == 1 and "'paths.layouts'" in err and "is a symlink to /etc/hostname" in err, err


# -- paths --------------------------------------------------------------------------------------

def test_an_asset_symlinked_to_a_system_file_is_refused(minimal, tmp_path):
    (minimal / "assets/audio/en").mkdir(parents=True)
    (minimal / "assets/audio/en/listen-and-reflect.mp3").symlink_to("/etc/hostname")
    code, err = build(minimal / "pack.toml", tmp_path / "dist")
    assert code == 1 and "'paths.assets'" in err and "copy the file in instead of linking it" in err, err


def test_paths_outside_the_pack_need_trust(tmp_path):
    shutil.copytree(ROOTS / "minimal" / "content", tmp_path / "elsewhere/content")
    shutil.copytree(ROOTS / "minimal" / "locales", tmp_path / "elsewhere/locales")
    pack = tmp_path / "pack/pack.toml"
    pack.parent.mkdir()
    pack.write_text((ROOTS / "minimal/pack.toml").read_text()
                    .replace('content = "content"', 'content = "../elsewhere/content"')
                    .replace('locales = "locales"', 'locales = "../elsewhere/locales"')
                    .replace("../../../", str(REPO) + "/"))
    code, err = build(pack, tmp_path / "dist")
    assert code == 1 and "'paths.content': the path '../elsewhere/content' leads to" in err
    assert "--trust-pack" in err
    code, err = build(pack, tmp_path / "dist", "--trust-pack")
    assert code == 0, err


# -- config: values that used to raise ------------------------------------------------------------

def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pack.toml"
    shutil.copytree(ROOTS / "minimal/content", tmp_path / "content")
    shutil.copytree(ROOTS / "minimal/locales", tmp_path / "locales")
    path.write_text('[pack]\nname = "h"\ndocuments = ["sample"]\n'
                    f'[paths]\ncontent = "content"\nlocales = "locales"\nlayouts = "{REPO / "layouts"}"\n' + body)
    return path


CONFIG_CASES = [
    ('paper = ["a4"]', "'pack.paper': ['a4'] is not one of letter, a4"),
    ('[cards]\nsize = {a = 1}\nsheets = [["a4"]]', "'cards.size'"),
    ('use = ["commercial"]', "'pack.use'"),
    ('[brand]\nlogo = "lo\\u0000go.svg"', "'brand.logo': the path 'lo\\x00go.svg' contains a NUL character"),
    ('[brand]\nlogo = "loop.svg"', "'brand.logo': the path 'loop.svg' cannot be resolved"),
    ('[activities]\ninclude = ["listen-and-reflect"]\n[activities.audio.listen-and-reflect]\n'
     'en = "https://example.org/' + "a" * 3500 + '"', "a QR code holding more than 500 is too dense"),
    ('[activities.audio.listen-and-reflect]\nen = 3', "'activities.audio.listen-and-reflect.en': must be an https:// URL"),
    ('[activities]\nsite_url = ["https://x.example"]', "'activities.site_url': must be a string"),
    ('[activities]\nsite_url = "https://[::1"', "is not a valid address"),
    ('x = ' + "[" * 2000 + "]" * 2000, "nests tables or lists too deeply"),
    ('[[services]]\nname = "A"\ncategory = ["hiv-sti"]', "'services[1].category'"),
]


@pytest.mark.parametrize("body, expected", CONFIG_CASES, ids=[c[1][:30] for c in CONFIG_CASES])
def test_config_values_of_any_shape_are_config_errors(tmp_path, body, expected):
    if body.startswith(("paper", "use", "x =")):
        body = body if body.startswith("x =") else body
    path = _pack(tmp_path, "")
    text = path.read_text()
    if body.startswith(("paper", "use")):
        text = text.replace('documents = ["sample"]\n', f'documents = ["sample"]\n{body}\n')
    elif body.startswith("x ="):
        text = f"{body}\n" + text
    else:
        text += body + "\n"
    path.write_text(text)
    (tmp_path / "loop.svg").symlink_to(tmp_path / "loop.svg")
    code, err = build(path, tmp_path / "dist")
    assert code == 1 and expected in err, err


def test_the_pack_config_may_not_be_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "pack.toml")
    code, err = build(tmp_path / "pack.toml", tmp_path / "dist")
    assert code == 1 and "is not a regular file" in err


@pytest.mark.parametrize("logo, expected", [
    ("use-bomb.svg", "draws more than 20,000 shapes once its <use> copies are expanded"),
    ("use-loop.svg", "has a <use> that refers to itself"),
    ("deep.svg", "nests elements more than 64 deep"),
    ("css-import.svg", "imports a stylesheet from outside the file"),
])
def test_svg_logos_are_read_with_hard_limits(tmp_path, logo, expected):
    shutil.copy(HOSTILE / "logos" / logo, tmp_path / logo)
    path = _pack(tmp_path, f'[brand]\nname = "O"\nlogo = "{logo}"\n')
    code, err = build(path, tmp_path / "dist")
    assert code == 1 and expected in err, err


# -- terms of the stock sources -------------------------------------------------------------------

def test_a_copied_noncommercial_source_keeps_its_terms(tmp_path):
    (tmp_path / "content").mkdir()
    text = (REPO / "content/core-competencies.md").read_text()
    text = text.replace('id = "core-competencies"', 'id = "our-guide"').replace("noncommercial = true\n", "")
    text = text.replace("Not intended for commercial use.", "")
    (tmp_path / "content/our-guide.md").write_text(text)
    shutil.copytree(REPO / "locales/templates", tmp_path / "locales/templates")
    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "c"\ndocuments = ["our-guide"]\nuse = "commercial"\n'
                    f'[paths]\ncontent = "content"\nlocales = "locales"\nlayouts = "{REPO / "layouts"}"\n')
    code, err = build(path, tmp_path / "dist")
    assert code == 1 and 'declares use = "commercial"' in err and "Not intended for commercial use." in err, err


# -- safety text and checks that see what prints ------------------------------------------------------

def _entry(project: Path, context: str, english: str, translation: str, tmp_path: Path) -> Path:
    """Write a catalog whose one entry ``context`` is translated as ``translation``."""
    sample = (ROOTS / "minimal/locales/es/LC_MESSAGES/sample.po").read_text(encoding="utf-8")
    if context.startswith("ui/"):
        po = tmp_path / "ui.po"
        header = sample[:sample.index("#. Title in sample")]
        po.write_text(header + f'msgctxt "{context}"\nmsgid "{english}"\nmsgstr "{translation}"\n', encoding="utf-8")
    else:
        po = tmp_path / "sample.po"
        po.write_text(sample.replace('msgstr "Pregunte primero."', f'msgstr "{translation}"'), encoding="utf-8")
    return po


@pytest.fixture
def es_project(minimal: Path) -> Path:
    pack = minimal / "pack.toml"
    pack.write_text(pack.read_text().replace('languages = ["en"]', 'languages = ["en", "es"]'))
    (minimal / "locales/es/glossary.toml").write_text(
        'language = "es"\n[[avoid]]\nterm = ["prostituta"]\nuse = "trabajadora sexual"\n'
        'why = "Stigmatising."\nsource = "NSWP"\n')
    return minimal


@pytest.mark.parametrize("translation, expected", [
    ("prost\u200bituta", "[glossary] avoided term 'prostituta'"),
    ("pros\u00adtituta", "[glossary] avoided term 'prostituta'"),
    ("prostitut\u0430", "[glossary] avoided term 'prostituta'"),            # a Cyrillic а
    ("\u200b", "[visible] the translation prints no words"),
    ("\u00a0.\u200d", "[visible] the translation prints no words"),
])
def test_checks_read_what_prints(es_project, tmp_path, translation, expected):
    po = _entry(es_project, "sample/do-no-harm/li2", "Ask first.", translation, tmp_path)
    code, out, err = run_cli("check", str(po), "--lang", "es", "--pack", str(es_project / "pack.toml"))
    assert code == 1 and expected in out, out


def test_a_link_hidden_by_a_zero_width_character_is_an_error(es_project, tmp_path):
    po = _entry(es_project, "sample/do-no-harm/li2", "Ask first.",
                "[Pregunte]\u200b(https://evil.example/) primero.", tmp_path)
    code, out, _ = run_cli("check", str(po), "--lang", "es", "--pack", str(es_project / "pack.toml"))
    assert code == 1 and "[markup] invisible characters or look-alike letters change the markup (https://evil.example/)" in out, out


@pytest.mark.parametrize("key, translation", [("draft", "\u200b"), ("source", "..."), ("neutral-title", "\u00ad")])
def test_safety_text_cannot_be_translated_away(minimal, tmp_path, key, translation):
    from packbuilder.catalogs import DocTranslation, Edition, Review, UI_DOMAIN
    from packbuilder.ui import STRINGS
    po = _entry(minimal, f"ui/{key}", STRINGS[key][0], translation, tmp_path)
    code, out, _ = run_cli("check", str(po), "--lang", "es", "--pack", str(minimal / "pack.toml"))
    assert code == 1 and "[visible]" in out, out
    edition = Edition("es", {UI_DOMAIN: DocTranslation(None, Review(False), {f"ui/{key}": translation})})
    assert edition.ui(key) == STRINGS[key][0]            # with --draft it prints in English, never blank


def test_chinese_safety_text_needs_chinese_words(minimal, tmp_path):
    from packbuilder.catalogs import DocTranslation, Edition, Review, UI_DOMAIN
    edition = Edition("zh_Hans", {UI_DOMAIN: DocTranslation(None, Review(False), {"ui/draft": "Draft!"})})
    assert edition.ui("draft") != "Draft!"
    edition = Edition("zh_Hans", {UI_DOMAIN: DocTranslation(None, Review(False), {"ui/draft": "译文草稿"})})
    assert edition.ui("draft").replace("\u2060", "") == "译文草稿"      # typeset keeps the last two characters together


def test_the_manifest_of_a_built_pack_names_no_file_outside_it(minimal, tmp_path):
    code, err = build(minimal / "pack.toml", tmp_path / "dist")
    assert code == 0, err
    files = json.loads((tmp_path / "dist/minimal/manifest.json").read_text())["files"]
    assert all(not f["path"].startswith(("/", "..")) for f in files)


def test_a_render_job_that_runs_too_long_is_stopped():
    import time

    from packbuilder.errors import RenderError
    from packbuilder.scheduler import time_limit
    with pytest.raises(RenderError, match="took longer than 0.2 s and was stopped"):
        with time_limit(0.2, "en/slow.pdf"):
            while True:
                time.sleep(0.01)


def test_trust_pack_works_for_every_command_that_reads_a_pack():
    code, out, err = run_cli("check", "--pack", str(ROOTS / "rtl/pack.toml"))
    assert code == 1 and "--trust-pack" in err
    code, out, err = run_cli("check", "--pack", str(ROOTS / "rtl/pack.toml"), "--trust-pack")
    assert code == 0, err
