"""Our catalogs against the real tools: GNU gettext (msgcat, msgmerge, msgfmt) and translate-toolkit."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, ROOTS, copy_repo
from packbuilder.catalogs import PackCatalog, read_catalog, render_catalog, template_path
from packbuilder.stats import progress
from packbuilder.workflow import import_file

BIN = Path(sys.executable).parent
CATALOGS = sorted(REPO.glob("locales/*/LC_MESSAGES/*.po"))
TEMPLATES = sorted(REPO.glob("locales/templates/*.pot"))
OURS = CATALOGS + TEMPLATES + sorted(p for p in ROOTS.glob("*/locales/**/*.po*"))
DOMAINS = sorted(p.stem for p in TEMPLATES)


def msgcat(data: bytes, *args: str) -> bytes:
    result = subprocess.run(["msgcat", *args, "-"], input=data, capture_output=True, check=True)
    return result.stdout


def test_every_catalog_is_byte_identical_to_msgcats_resave():
    assert len(OURS) >= 34
    for path in OURS:
        assert msgcat(path.read_bytes()) == path.read_bytes(), path


def test_msgfmt_check_passes_on_every_catalog_in_the_test_roots():
    for path in sorted(ROOTS.glob("*/locales/**/*.po*")):
        result = subprocess.run(["msgfmt", "-c", "--check-format", "-o", os.devnull, str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{path}: {result.stderr}"


PIECES = st.sampled_from(list("abc xyz  ,.;:!?-/()[]\"\\\n\t—–“”«»é中文的，。、「」：！？…") +
                         ["https://example.org/a/b", "palabra ", "{name}", "100%", "  ", "**", "\u00a0"])
TEXT = st.lists(PIECES, max_size=60).map("".join)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(TEXT.filter(bool), TEXT, st.booleans(), TEXT), min_size=1, max_size=8))
def test_random_strings_are_written_as_msgcat_writes_them(entries):
    catalog = PackCatalog(locale="es", domain="x", charset="utf-8")
    for n, (msgid, msgstr, fuzzy, previous) in enumerate(entries):
        message = Message(msgid, msgstr, context=f"ui/k{n}" if n % 2 else f"doc/s/p{n}",
                          flags=["fuzzy"] if fuzzy else [], previous_id=[previous] if fuzzy and previous else [])
        catalog[message.id] = message
    data = render_catalog(catalog)
    assert msgcat(data) == data
    back = read_catalog_bytes(data)
    assert [(m.id, m.string) for m in back if m.id] == [(m.id, m.string) for m in catalog if m.id]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(TEXT.filter(bool), TEXT, st.booleans()), min_size=1, max_size=6),
       st.one_of(st.integers(min_value=10, max_value=120).map(lambda w: [f"--width={w}"]), st.just(["--no-wrap"])))
def test_whatever_width_msgcat_writes_is_read_back_the_same(entries, width):
    catalog = PackCatalog(locale="es", domain="x", charset="utf-8")
    for n, (msgid, msgstr, fuzzy) in enumerate(entries):
        catalog[msgid] = Message(msgid, msgstr, context=f"doc/s/p{n}", flags=["fuzzy"] if fuzzy else [])
    back = read_catalog_bytes(msgcat(render_catalog(catalog), *width))
    expected = [(m.context, m.id, m.string, m.fuzzy and bool(m.string)) for m in catalog if m.id]
    assert [(m.context, m.id, m.string, m.fuzzy) for m in back if m.id] == expected
    assert render_catalog(back) == render_catalog(catalog)


def read_catalog_bytes(data: bytes) -> PackCatalog:
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.po"
        path.write_bytes(data)
        return read_catalog(path, "es")


# --- round trips: re-saved by a tool, edited in one entry, imported --------------------------------

def _resave(tool: str, edited: Path, template: Path, out: Path) -> None:
    runs = {
        "msgcat": ["msgcat", str(edited), "-o", str(out)],
        "msgcat-width-60": ["msgcat", "--width=60", str(edited), "-o", str(out)],
        "msgcat-no-wrap": ["msgcat", "--no-wrap", str(edited), "-o", str(out)],
        "msgmerge-previous": ["msgmerge", "--quiet", "--previous", "-o", str(out), str(edited), str(template)],
        "pot2po": [str(BIN / "pot2po"), "--progress=none", "-t", str(edited), str(template), "-o", str(out)],
        "pomerge": [str(BIN / "pomerge"), "--progress=none", "-t", str(edited), "-i", str(edited), "-o", str(out)],
    }
    if tool == "crlf-bom":
        out.write_bytes(b"\xef\xbb\xbf" + msgcat(edited.read_bytes(), "--width=40").replace(b"\n", b"\r\n"))
        return
    subprocess.run(runs[tool], check=True, capture_output=True)


TOOLS = ["msgcat", "msgcat-width-60", "msgcat-no-wrap", "msgmerge-previous", "pot2po", "pomerge", "crlf-bom"]
PREFIX = {"es": "Nota: ", "zh_Hans": "注意："}


def _state(path: Path) -> dict:
    catalog = read_catalog(path, path.parent.parent.name)
    return {str(m.context): (m.string, m.fuzzy, sorted(m.flags - {"python-brace-format"}), m.user_comments)
            for m in catalog if m.id}


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("repo"))


@pytest.mark.parametrize("tool", TOOLS)
def test_a_resaved_and_edited_catalog_imports_with_exactly_that_change(repo_copy, tmp_path, tool):
    """Every catalog, re-saved by the tool with one entry edited: that entry, and nothing else, changes."""
    locales = repo_copy / "locales"
    done = 0
    for path in sorted(locales.glob("*/LC_MESSAGES/*.po")):
        lang, domain = path.parent.parent.name, path.stem
        before_bytes, before = path.read_bytes(), _state(path)
        catalog = read_catalog(path, lang)
        flagged = [m for m in catalog if m.id and m.string and not m.fuzzy and any(
            f.startswith("ignore-") for f in m.flags)]
        plain = [m for m in catalog if m.id and m.string and not m.fuzzy and m.context != "ui/draft"]
        if not plain:
            continue
        pick = (flagged or plain)[0]
        pick.string = PREFIX[lang] + pick.string
        edited = tmp_path / f"{lang}-{domain}-edited.po"
        edited.write_bytes(render_catalog(catalog))
        resaved = tmp_path / f"{lang}-{domain}-{tool}.po"
        _resave(tool, edited, template_path(locales, domain), resaved)
        target, report = import_file(locales, lang, resaved, DOMAINS)
        assert target == path
        assert report.changed == [str(pick.context)], (tool, path, report)
        assert not report.added and not report.fuzzied and not report.skipped, (tool, path, report)
        after = _state(path)
        assert {k for k in before if before[k] != after[k]} == {str(pick.context)}
        assert after[str(pick.context)][0] == pick.string
        assert msgcat(path.read_bytes()) == path.read_bytes()
        subprocess.run(["msgfmt", "-c", "--check-format", "-o", os.devnull, str(path)], check=True,
                       capture_output=True)
        path.write_bytes(before_bytes)
        for backup in path.parent.glob(f"{path.name}.*.bak"):
            backup.unlink()
        done += 1
    assert done == len(CATALOGS)


# --- stats against msgfmt --statistics and pocount --------------------------------------------------

def _msgfmt_counts(path: Path) -> tuple[int, int, int]:
    err = subprocess.run(["msgfmt", "--statistics", "-o", os.devnull, str(path)], capture_output=True,
                         text=True, check=True).stderr
    number = lambda word: int(m.group(1)) if (m := re.search(rf"(\d+) {word}", err)) else 0  # noqa: E731
    return number("translated"), number("fuzzy"), number("untranslated")


def test_stats_agree_with_msgfmt_statistics_and_pocount():
    out = subprocess.run([str(BIN / "pocount"), "--csv", *map(str, CATALOGS)], capture_output=True, text=True,
                         check=True).stdout
    rows = {Path(r["Filename"]).resolve(): r for r in csv.DictReader(io.StringIO(out))}
    for path in CATALOGS:
        ours = progress(REPO / "locales", path.parent.parent.name, path.stem)
        counts = (ours.translated, ours.fuzzy, ours.untranslated)
        assert counts == _msgfmt_counts(path), path
        row = rows[path.resolve()]
        assert counts == (int(row["Translated Messages"]), int(row["Fuzzy Messages"]),
                          int(row["Untranslated Messages"])), path


def test_stats_agree_with_msgfmt_when_entries_are_fuzzy_and_missing(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOTS / "minimal", project)
    path = project / "locales/es/LC_MESSAGES/sample.po"
    catalog = read_catalog(path, "es")
    messages = [m for m in catalog if m.id]
    messages[0].flags.add("fuzzy")
    messages[1].string = ""
    path.write_bytes(render_catalog(catalog))
    ours = progress(project / "locales", "es", "sample")
    assert (ours.translated, ours.fuzzy, ours.untranslated) == _msgfmt_counts(path)


def test_without_libunistring_the_fallback_still_writes_valid_po_that_reads_back(monkeypatch):
    from packbuilder import powrite
    monkeypatch.setattr(powrite, "_LINEBREAKS", None)
    for path in CATALOGS[:4] + [p for p in CATALOGS if p.parent.parent.name == "zh_Hans"][:2]:
        catalog = read_catalog(path, path.parent.parent.name)
        data = render_catalog(catalog)
        back = read_catalog_bytes(data)
        assert [(m.context, m.string) for m in back if m.id] == [(m.context, m.string) for m in catalog if m.id]
        assert msgcat(data)                     # GNU reads it too


def test_every_owned_flag_the_writer_keeps_the_reader_takes_back(tmp_path):
    catalog = PackCatalog(locale="es")
    catalog.add("Listen.", "Escuche.", context="sample/in-action/li2",
                flags={"ignore-same-as-source", "ignore-x2", "fuzzy"})
    path = tmp_path / "es.po"
    path.write_bytes(render_catalog(catalog))
    assert "# packbuilder: ignore-same-as-source, ignore-x2" in path.read_text(encoding="utf-8")
    back = read_catalog(path, "es").get("Listen.", context="sample/in-action/li2")
    assert back.flags == {"ignore-same-as-source", "ignore-x2", "fuzzy"} and back.user_comments == []
