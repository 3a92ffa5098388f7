"""The default pack, end to end: files, words on the page, metadata, atomic writes."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import shutil

import pytest
from pypdf import PdfReader

from conftest import copy_repo, REPO, page_count, pdftext, run_cli
from packbuilder.catalogs import read_catalog, write_catalog

DOCS = ["core-competencies", "brief-guide", "best-practices", "advocacy", "what-is-sex-work"]


def words(text: str) -> str:
    """Fold line breaks and hyphenation so phrases can be searched for."""
    return re.sub(r"\s+", " ", re.sub(r"-\n", "", text))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "es"])
def test_every_language_has_five_handouts_and_credits(default_pack, lang):
    names = sorted(p.name for p in (default_pack / lang).iterdir())
    assert names == sorted([f"{d}.pdf" for d in DOCS] + ["credits.pdf", "contents.pdf", "cards", "activities"])
    assert (default_pack / "manifest.json").is_file()


@pytest.mark.parametrize("doc, heading", [
    ("core-competencies", "Recognize that everyone has a unique constellation of experiences"),
    ("brief-guide", "Most Common Mistakes"),
    ("best-practices", "Do no harm"),
    ("advocacy", "Speak Up"),
    ("what-is-sex-work", "Sex Work vs. Sex Trafficking"),
])
def test_english_handouts_carry_their_own_headings(default_pack, doc, heading):
    assert heading in words(pdftext(default_pack / "en" / f"{doc}.pdf"))


def test_every_page_of_core_competencies_names_reframe(default_pack):
    for lang in ("en", "zh_Hans", "es"):
        path = default_pack / lang / "core-competencies.pdf"
        pages = page_count(path)
        assert pages >= 3
        for page in range(1, pages + 1):
            assert "Reframe Health and Justice" in words(pdftext(path, page)), (lang, page)


def test_every_page_names_its_source(default_pack):
    for doc in DOCS:
        path = default_pack / "en" / f"{doc}.pdf"
        source = json.loads((default_pack / "manifest.json").read_text())
        title = next(f["source"]["title"] for f in source["files"] if f.get("document") == doc)
        for page in range(1, page_count(path) + 1):
            assert title[:25] in words(pdftext(path, page)), (doc, page)


def test_links_print_without_tracking(default_pack):
    text = words(pdftext(default_pack / "en" / "brief-guide.pdf"))
    assert "how-to-be-an-ally-to-sex-workers" in text and "fbclid" not in text


def test_word_search_grid_is_printed(default_pack):
    text = pdftext(default_pack / "en" / "core-competencies.pdf", layout=True)
    assert "Sex Workers Fight Back" in text and "LasHorizontales" in text
    for row in ("GUIFSYNMAYDVRMMXHJJX", "NFHAHGAAVOOMWHUPLWSP"):     # first and last rows
        assert re.search(r"\s*".join(row), text), row


@pytest.mark.parametrize("lang, tag", [("en", "en"), ("zh_Hans", "zh-Hans"), ("es", "es")])
def test_pdf_metadata_language_title_author(default_pack, lang, tag):
    reader = PdfReader(default_pack / lang / "core-competencies.pdf")
    assert reader.trailer["/Root"]["/Lang"] == tag
    assert reader.metadata.title and reader.metadata.author == "Reframe Health and Justice"
    assert "/StructTreeRoot" in reader.trailer["/Root"], "tagged PDF for screen readers"


def test_manifest_lists_every_file_with_its_hash(default_pack):
    manifest = json.loads((default_pack / "manifest.json").read_text())
    assert len(manifest["files"]) == 70     # 3 x (5 handouts + 4 cards x 3 files + 4 activities + credits
                                            #      + contents) + index
    for entry in manifest["files"]:
        data = (default_pack / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        if entry["layout"] in ("handout", "card", "activity"):
            seg = entry["segments"]
            assert seg["translated"] + seg["fallback"] == seg["total"]
            assert entry["source"]["title"]
    en = next(f for f in manifest["files"] if f["path"] == "en/best-practices.pdf")
    assert en["segments"]["fallback"] == 0 and en["language"] == "en"


def test_credits_list_title_author_and_terms(default_pack):
    text = words(pdftext(default_pack / "en" / "credits.pdf"))
    assert "Reframe Health and Justice" in text and "Not intended for commercial use" in text
    assert "Equitable Care certification" in text and "https://www.equitablecarecert.com/" in text
    assert "Can Anti-Trafficking Be Rescued?" in text and "Heartland Alliance" in text


def test_two_builds_are_byte_identical(minimal, tmp_path):
    for out in ("a", "b"):
        assert run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path / out),
                       "--quiet")[0] == 0
    assert tree(tmp_path / "a/minimal") == tree(tmp_path / "b/minimal")


def test_one_worker_and_a_pool_give_the_same_bytes(default_pack, tmp_path):
    """Workers share fonts and stylesheets across the jobs they happen to get; no output may
    depend on which jobs ran before it in the same process."""
    code, _, err = run_cli("build", "--pack", str(REPO / "packs/default.toml"), "--out", str(tmp_path),
                           "--jobs", "1", "--quiet")
    assert code == 0, err
    assert tree(tmp_path / "default") == tree(default_pack)


def test_a_failed_render_leaves_the_previous_pack_untouched(minimal, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(out), "--quiet")[0] == 0
    before, bundle = tree(out / "minimal"), (out / "minimal.zip").read_bytes()
    layout = minimal / "layouts/handout/handout.html.j2"
    layout.write_text(layout.read_text().replace("<main>", '<main><img src="file:///etc/passwd">'))
    code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(out))
    assert code == 1 and err.startswith("render: en/sample.pdf") and "Traceback" not in err
    assert tree(out / "minimal") == before and (out / "minimal.zip").read_bytes() == bundle
    assert sorted(p.name for p in out.iterdir()) == [".minimal.lock", "minimal", "minimal.zip"]


def test_a_content_error_leaves_the_previous_pack_untouched(minimal, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(out), "--quiet")[0] == 0
    before = tree(out / "minimal")
    doc = minimal / "content/sample.md"
    doc.write_text(doc.read_text() + "\nSee [this](http://example.org/?utm_source=x).\n")
    code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(out))
    assert code == 1 and f"content: {doc}:" in err and "uses http://" in err
    assert tree(out / "minimal") == before


def test_a_template_mistake_is_a_layout_error(minimal, tmp_path):
    layout = minimal / "layouts/handout/handout.html.j2"
    layout.write_text(layout.read_text().replace("{{ t(doc.title) }}", "{{ t(doc.title }}"))
    code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path))
    assert code == 1 and err.startswith("layout: ") and "handout.html.j2:" in err


def retranslate(repo: Path, document: str, context: str, text: str) -> None:
    """Give one Spanish entry of ``document`` a new translation, as a translator's import would."""
    po = repo / f"locales/es/LC_MESSAGES/{document}.po"
    catalog = read_catalog(po, "es")
    next(m for m in catalog if m.context == context).string = text
    write_catalog(po, catalog)


def test_changing_one_spanish_segment_rebuilds_only_its_handout(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    pack, out = str(repo / "packs/default.toml"), str(tmp_path / "dist")
    assert run_cli("build", "--pack", pack, "--out", out, "--lang", "es", "--quiet")[0] == 0
    first = tree(tmp_path / "dist/default")
    code, stdout, _ = run_cli("build", "--pack", pack, "--out", out, "--lang", "es")
    assert code == 0 and len(re.findall(r"^\[\d+/16\] reused", stdout, re.M)) == 16 and re.search(r"outputs built\s*│ 0 ", stdout)
    assert tree(tmp_path / "dist/default") == first

    retranslate(repo, "advocacy", "advocacy/speak-up/h", "¡Alce la voz!")
    code, stdout, _ = run_cli("build", "--pack", pack, "--out", out, "--lang", "es")
    assert code == 0 and re.search(r"outputs built\s*│ 1 ", stdout), stdout
    assert "built  es/advocacy.pdf" in stdout and len(re.findall(r"^\[\d+/16\] reused", stdout, re.M)) == 15
    second = tree(tmp_path / "dist/default")
    changed = {p for p in first if first[p] != second.get(p)}
    assert changed == {"es/advocacy.pdf", "manifest.json"}
    assert "¡Alce la voz!" in pdftext(tmp_path / "dist/default/es/advocacy.pdf")


def test_the_build_date_comes_from_source_date_epoch(minimal, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")        # 2026-01-01
    assert run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path), "--quiet")[0] == 0
    reader = PdfReader(tmp_path / "minimal/en/sample.pdf")
    assert reader.metadata["/CreationDate"].startswith("D:20260101")
    assert json.loads((tmp_path / "minimal/manifest.json").read_text())["built"].startswith("2026-01-01")


def test_a_contact_change_rebuilds_only_what_prints_that_contact(tmp_path, monkeypatch):
    repo = copy_repo(tmp_path / "repo")
    pack_file = repo / "packs/example-branded/pack.toml"
    pack, out = str(pack_file), str(tmp_path / "dist")
    assert run_cli("build", "--pack", pack, "--out", out, "--lang", "es", "--quiet")[0] == 0
    first = tree(tmp_path / "dist/example-branded")
    text = pack_file.read_text()
    # a Chinese-only number: no Spanish output prints it
    pack_file.write_text(text + '\n[brand.contact.zh_Hans]\nphone = "+1 401-555-0170"\n')
    code, stdout, _ = run_cli("build", "--pack", pack, "--out", out, "--lang", "es")
    assert code == 0 and re.search(r"outputs built\s*│ 0 ", stdout), stdout
    # the shared number: the cards and the contents sheet print it (brand.contact_on's default);
    # the handouts, activity sheets, index and credits do not, and are reused
    changed = re.sub(r'^phone = "\+1 401-555-0142"', 'phone = "+1 401-555-0171"', text, count=1, flags=re.M)
    pack_file.write_text(changed)
    code, stdout, _ = run_cli("build", "--pack", pack, "--out", out, "--lang", "es")
    assert code == 0, stdout
    second = tree(tmp_path / "dist/example-branded")
    remade = sorted(p for p in first if first[p] != second[p] and p.endswith(".pdf"))
    assert remade and all(p.startswith("es/cards/") or p == "es/contents.pdf" for p in remade), remade
    assert len(remade) == len([p for p in first if p.startswith("es/cards/")]) + 1, remade
    assert "401-555-0171" in pdftext(tmp_path / "dist/example-branded/es/cards/provider-card.pdf")
    assert "401-555-0171" in pdftext(tmp_path / "dist/example-branded/es/contents.pdf")
    brief = pdftext(tmp_path / "dist/example-branded/es/brief-guide.pdf")
    assert "401-555" not in brief and "example.org/harbor-light" in brief      # the website prints everywhere
    # what the rebuild reused (unchanged files, the cards' fit settings, the sheets' marks) leaves
    # every byte as a build from nothing gives
    with monkeypatch.context() as m:
        m.setenv("PACKBUILDER_CACHE", str(tmp_path / "empty-cache"))       # no fonts, no marks kept
        assert run_cli("build", "--pack", pack, "--out", str(tmp_path / "cold"), "--lang", "es", "--quiet")[0] == 0
    cold = tree(tmp_path / "cold/example-branded")
    assert [p for p in cold if p.endswith(".pdf") and cold[p] != second[p]] == []
    # an organisation that wants the number on every handout says so
    pack_file.write_text(changed.replace('discreet_phone =', 'contact_on = ["cards", "contents", "handouts"]\ndiscreet_phone =', 1))
    code, stdout, _ = run_cli("build", "--pack", pack, "--out", out, "--lang", "es")
    assert code == 0 and "reused es/cards/provider-card.pdf" in stdout and "reused es/credits.pdf" in stdout, stdout
    assert "401-555-0171" in pdftext(tmp_path / "dist/example-branded/es/brief-guide.pdf")


def test_the_index_follows_the_activities_the_pack_includes(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    pack_file = repo / "packs/default.toml"
    pack, out, index = str(pack_file), str(tmp_path / "dist"), tmp_path / "dist/default/index.pdf"
    assert run_cli("build", "--pack", pack, "--out", out, "--lang", "es", "--quiet")[0] == 0
    assert "es/activities/word-search.pdf" in pdftext(index)
    # one activity instead of four: the index is re-rendered and lists only the sheet that exists
    text = pack_file.read_text()
    cut = text.replace('include = ["listen-and-reflect", "what-do-i-see", "what-i-bring", "word-search"]',
                       'include = ["what-i-bring"]')
    assert cut != text
    pack_file.write_text(cut)
    code, stdout, _ = run_cli("build", "--pack", pack, "--out", out, "--lang", "es")
    assert code == 0 and "built  index.pdf" in stdout, stdout
    listed = words(pdftext(index))
    assert "es/activities/what-i-bring.pdf" in listed and "Autorreflexión: Lo que traigo conmigo" in listed
    for gone in ("listen-and-reflect", "what-do-i-see", "word-search"):
        assert f"es/activities/{gone}.pdf" not in listed
        assert not (tmp_path / f"dist/default/es/activities/{gone}.pdf").exists()
    # a new translation of the sheet's heading: the index prints it
    retranslate(repo, "core-competencies", "core-competencies/self-reflection-what-i-bring/h",
                "Autorreflexión: Lo que aporto")
    code, stdout, _ = run_cli("build", "--pack", pack, "--out", out, "--lang", "es")
    assert code == 0 and "built  index.pdf" in stdout, stdout
    assert "Autorreflexión: Lo que aporto" in words(pdftext(index))


def test_a_process_that_builds_again_keeps_its_render_workers(tmp_path):
    from packbuilder import scheduler
    from packbuilder.build import build
    scheduler.keep_workers()                      # what `packbuilder serve`'s build workers do
    try:
        build(REPO / "packs/default.toml", languages=["es"], out_dir=tmp_path / "a", jobs=2)
        kept = scheduler._KEPT["renderer"]
        processes = dict(kept.pool._processes)
        assert len(processes) == 2 and all(p.is_alive() for p in processes.values())
        build(REPO / "packs/default.toml", languages=["es"], out_dir=tmp_path / "b", jobs=2)
        assert scheduler._KEPT["renderer"].pool is kept.pool and kept.pool._processes == processes
        a, b = tree(tmp_path / "a/default"), tree(tmp_path / "b/default")
        assert [p for p in a if p.endswith(".pdf") and a[p] != b[p]] == []     # warm workers, same bytes
    finally:
        scheduler.release_workers()
    assert "renderer" not in scheduler._KEPT
    for process in processes.values():
        process.join(10)
        assert not process.is_alive()
