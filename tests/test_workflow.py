"""Translator workflow: extract, update, check, stats, import; no translation is ever lost."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, ROOTS, cli, copy_repo, run_cli
from packbuilder.catalogs import read_catalog, render_catalog

SUBMISSIONS = ROOTS / "submissions"




def po(project: Path):  # type: ignore[no-untyped-def]
    return read_catalog(project / "locales/es/LC_MESSAGES/sample.po", "es")


def edit(project: Path, old: str, new: str) -> None:
    doc = project / "content/sample.md"
    text = doc.read_text()
    assert old in text
    doc.write_text(text.replace(old, new, 1))


def test_extract_and_update_twice_change_nothing(project):
    assert cli(project, "update")[0] == 0           # creates the missing es/ui.po
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po*")}
    for _ in range(2):
        assert cli(project, "extract")[0] == 0
        assert cli(project, "update")[0] == 0
    assert {p: p.read_bytes() for p in (project / "locales").rglob("*.po*")} == before


def test_repository_catalogs_are_stable_under_extract_and_update(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    before = {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")}
    for _ in range(2):
        assert run_cli("extract", "--pack", str(repo / "packs/default.toml"))[0] == 0
        assert run_cli("update", "--pack", str(repo / "packs/default.toml"))[0] == 0
    assert {p: p.read_bytes() for p in (repo / "locales").rglob("*.po*")} == before


def test_resaving_an_unchanged_catalog_is_byte_identical():
    for path in (REPO / "locales").rglob("*.po"):
        assert render_catalog(read_catalog(path, path.parent.parent.name)) == path.read_bytes(), path


def test_a_one_word_edit_keeps_the_translation_as_fuzzy_with_previous(project):
    edit(project, "Read each term.", "Read every term.")
    assert cli(project, "extract")[0] == 0
    code, out, _ = cli(project, "update")
    assert code == 0 and "Update: es/sample.po +0 new, 1 fuzzy, 0 obsolete" in out
    msg = po(project).get("Read every term.", context="sample/in-action/p1")
    assert msg.fuzzy and msg.string == "Lea cada término." and msg.previous_id == ["Read each term."]
    text = (project / "locales/es/LC_MESSAGES/sample.po").read_text()
    assert '#| msgid "Read each term."' in text


def test_a_whitespace_punctuation_or_case_fix_keeps_the_translation(project):
    edit(project, "Read each term.", "Read  each term")
    edit(project, "Listen.", "listen!")
    cli(project, "extract")
    code, out, _ = cli(project, "update")
    assert "+0 new, 0 fuzzy, 0 obsolete" in out
    catalog = po(project)
    assert catalog.get("Read  each term", context="sample/in-action/p1").string == "Lea cada término."
    assert not catalog.get("listen!", context="sample/in-action/li2").fuzzy


def test_a_markup_change_is_not_just_punctuation(project):
    edit(project, "Read each term.", "Read **each** term.")
    cli(project, "extract")
    cli(project, "update")
    assert po(project).get("Read **each** term.", context="sample/in-action/p1").fuzzy


def test_a_removed_segment_becomes_obsolete_and_comes_back_from_memory(project):
    edit(project, "- Ask first.\n  - Listen.\n", "- Ask first.\n")
    cli(project, "extract")
    code, out, _ = cli(project, "update")
    assert "1 obsolete" in out
    assert '#~ msgid "Listen."' in (project / "locales/es/LC_MESSAGES/sample.po").read_text()
    edit(project, "- Ask first.\n\n|", "- Ask first.\n  - Listen.\n\n|")
    cli(project, "extract")
    code, out, _ = cli(project, "update")
    assert "1 from memory" in out
    assert po(project).get("Listen.", context="sample/in-action/li2").string == "Escuche."


def test_an_inserted_paragraph_does_not_shift_translations(project):
    edit(project, "## Do no harm\n\n", "## Do no harm\n\nA new opening paragraph.\n\n")
    cli(project, "extract")
    code, out, _ = cli(project, "update")
    assert "+1 new, 0 fuzzy, 0 obsolete" in out
    catalog = po(project)
    assert catalog.get("A new opening paragraph.", context="sample/do-no-harm/p1").string == ""
    trust = catalog.get("Effective service delivery is grounded in **trust**, dignity, and respect.",
                        context="sample/do-no-harm/p2")
    assert trust.string.startswith("La prestación") and not trust.fuzzy


def test_import_with_one_broken_link_changes_nothing_and_names_the_entry(project):
    target = project / "locales/es/LC_MESSAGES/sample.po"
    before = target.read_bytes()
    sub = SUBMISSIONS / "broken-link.po"
    line = read_catalog(sub, "es").get("See [the guide](https://example.org/guide) or <https://example.org/>.",
                                       context="sample/do-no-harm/p2").lineno
    code, _, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 1
    assert f"error: {sub}:{line}: [markup] links differ from the English" in err
    assert "https://example.org/otra" in err and "nothing was imported" not in err.splitlines()[0]
    assert target.read_bytes() == before and not list(target.parent.glob("sample.po.*.bak"))


def test_import_of_a_good_file_merges_reports_and_keeps_a_backup(project):
    target = project / "locales/es/LC_MESSAGES/sample.po"
    before = target.read_bytes()
    code, out, _ = cli(project, "import", str(SUBMISSIONS / "good.po"), "--lang", "es")
    assert code == 0
    assert "changed: sample/in-action/li2" in out and "changed: sample/do-no-harm/li2" in out
    assert "2 taken (2 changed, 0 new, 0 fuzzy), 12 unchanged, 0 skipped" in out
    assert po(project).get("Listen.", context="sample/in-action/li2").string == "Escuche con atención."
    [backup] = target.parent.glob("sample.po.*.bak")
    assert backup.read_bytes() == before


def test_a_submission_missing_half_the_entries_drops_none(project):
    before = {m.context: m.string for m in po(project) if m.id}
    code, out, _ = cli(project, "import", str(SUBMISSIONS / "half.po"), "--lang", "es")
    assert code == 0 and "1 changed" in out and "7 of ours not in the file, all kept" in out
    after = {m.context: m.string for m in po(project) if m.id}
    assert after == {**before, "sample/title": "Folleto de ejemplo"}


def test_a_file_from_an_older_template_is_accepted_and_stale_entries_kept(project, tmp_path):
    edit(project, "- Ask first.\n  - Listen.\n", "- Ask first.\n")
    cli(project, "extract")
    cli(project, "update")
    code, out, _ = cli(project, "import", str(SUBMISSIONS / "good.po"), "--lang", "es")
    assert code == 0 and "skipped: sample/in-action/li2: no such segment now; kept as obsolete" in out
    catalog = po(project)
    assert any(m.id == "Listen." and m.string == "Escuche con atención." for m in catalog.obsolete.values())


def test_import_refuses_a_file_in_another_language(project, tmp_path):
    sub = tmp_path / "fr.po"
    sub.write_text((SUBMISSIONS / "good.po").read_text().replace('"Language: es\\n"', '"Language: fr\\n"'))
    code, _, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 1 and "says it is in 'fr'" in err


def test_stats_counts_fuzzy_apart_and_never_as_translated(project):
    edit(project, "Read each term.", "Read every term.")
    cli(project, "extract")
    cli(project, "update")
    code, out, _ = cli(project, "stats", "--format", "json")
    row = next(r for r in json.loads(out) if r["document"] == "sample")
    assert row["fuzzy"] == 1 and row["translated"] == 13 and row["untranslated"] == 0
    assert row["percent"] == round(100 * 13 / 14, 1)
    assert row["fuzzy_words"] == 3


def test_init_validates_the_language_code_and_never_overwrites(project):
    code, _, err = cli(project, "init", "xx_Nope")
    assert code == 1 and "'xx_Nope' is not a language code" in err
    code, out, _ = cli(project, "init", "fr")
    assert code == 0 and "Init: fr: 2 new catalog(s)." in out
    text = (project / "locales/fr/LC_MESSAGES/sample.po").read_text()
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in text and "X-Review-Status: draft" in text
    before = (project / "locales/es/LC_MESSAGES/sample.po").read_bytes()
    assert cli(project, "init", "es")[1].strip().endswith("Init: es: 1 new catalog(s).")
    assert (project / "locales/es/LC_MESSAGES/sample.po").read_bytes() == before


def test_check_flags_silence_one_check_for_one_entry(project):
    target = project / "locales/es/LC_MESSAGES/sample.po"
    catalog = po(project)
    msg = catalog.get("Listen.", context="sample/in-action/li2")
    msg.string = "Listen."
    from packbuilder.catalogs import write_catalog
    write_catalog(target, catalog)
    code, out, _ = cli(project, "check", "--lang", "es")
    assert "[same-as-source]" in out
    msg.flags.add("ignore-same-as-source")
    write_catalog(target, catalog)
    code, out, _ = cli(project, "check", "--lang", "es")
    assert "[same-as-source]" not in out and code == 0


def test_fuzzy_entries_with_previous_msgid_round_trip_byte_identical(project):
    edit(project, "Effective service delivery is grounded in **trust**, dignity, and respect.",
         "Effective service delivery is grounded in **trust**, dignity, respect and care, and it "
         "should operate from a principle of doing no harm to anyone who asks for support.")
    cli(project, "extract")
    cli(project, "update")
    path = project / "locales/es/LC_MESSAGES/sample.po"
    text = path.read_text()
    assert "#| msgid" in text and "# |" not in text
    assert render_catalog(read_catalog(path, "es")) == path.read_bytes()
    cli(project, "update")
    assert render_catalog(read_catalog(path, "es")) == path.read_bytes()
