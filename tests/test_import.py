"""Import as translators and maintainers meet it: strict reading, whose file, which language, what lands."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOTS, cli, run_cli
from packbuilder.catalogs import read_catalog

TARGET = "locales/es/LC_MESSAGES/sample.po"




def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def submission(project: Path, tmp_path: Path, old: str = "", new: str = "", name: str = "sub.po") -> Path:
    text = (project / TARGET).read_text(encoding="utf-8")
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    exact = [n for n, line in enumerate(lines, 1) if line == needle]
    return exact[0] if exact else next(n for n, line in enumerate(lines, 1) if needle in line)


def strings(project: Path) -> dict[str, str]:
    return {str(m.context): m.string for m in read_catalog(project / TARGET, "es") if m.id}


# --- a strict reader ---------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    ('msgstr "Pregunte primero."', "msgstr Pregunte primero.", "text that is not in quotes: 'Pregunte primero.'"),
    ('msgstr "Pregunte primero."', 'msgstr "Pregunte primero.', "a quoted string is not closed"),
    ('msgstr "Pregunte primero."', 'msgstr "Pregunte "primero"."', "text after the closing quote: 'primero"),
    ('msgstr "Pregunte primero."', 'msgstr "Pregunte \\q primero."', "unknown escape sequence \\q"),
    ('msgstr "Pregunte primero."', 'msgstr "Pregunte primero."\nPregunte', "unknown keyword or unquoted text"),
])
def test_a_broken_line_is_an_error_at_its_line_and_nothing_is_imported(project, tmp_path, old, new, expected):
    sub = submission(project, tmp_path, old, new)
    line = line_of(sub, new.splitlines()[-1])
    code, out, err = cli(project, "check", str(sub), "--lang", "es")
    assert code == 1 and f"error: {sub}:{line}: [syntax] {expected}" in out, out
    before = snapshot(project / "locales")
    code, _, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 1 and f"{sub}:{line}:" in err and "Traceback" not in err
    assert snapshot(project / "locales") == before            # no backup either


@pytest.mark.parametrize("charset, encoding, expected", [
    ("ISO-8859-1", "utf-8", "the file is UTF-8 but its header declares charset=ISO-8859-1"),
    ("klingon", "utf-8", "unknown charset 'klingon'"),
    ("utf-8", "latin-1", "the file is not valid UTF-8"),
])
def test_a_charset_mismatch_is_an_error_at_the_content_type_line(project, tmp_path, charset, encoding, expected):
    sub = tmp_path / "sub.po"
    text = (project / TARGET).read_text(encoding="utf-8").replace("charset=utf-8", f"charset={charset}")
    sub.write_bytes(text.encode(encoding))
    code, out, _ = cli(project, "check", str(sub), "--lang", "es")
    assert code == 1 and expected in out and "Traceback" not in out


def test_a_real_latin1_file_is_read_in_its_charset(project, tmp_path):
    sub = tmp_path / "sub.po"
    text = (project / TARGET).read_text(encoding="utf-8").replace("charset=utf-8", "charset=ISO-8859-1")
    sub.write_bytes(text.encode("latin-1"))
    assert read_catalog(sub, "es").get("Do no harm", context="sample/do-no-harm/h").string == "No hacer daño"


def test_what_msgfmt_accepts_is_read_as_msgfmt_reads_it(project, tmp_path):
    sub = submission(project, tmp_path, 'msgctxt "sample/title"\nmsgid "Sample Handout"\nmsgstr "Folleto de muestra"',
                     'msgctxt ""\n"sample/"\n"title"\nmsgid "Sample Handout"\nmsgstr "Folleto " "de muestra"\n\n'
                     '#~| msgid "Old"\n#~ msgctxt "sample/title"\n#~ msgid "Gone"\n#~ msgstr "Ido"\n\n'
                     'msgctxt "sample/title"\nmsgid "Another English"\nmsgstr ""')
    subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(sub)], check=True)
    catalog = read_catalog(sub, "es")
    assert catalog.get("Sample Handout", context="sample/title").string == "Folleto de muestra"
    assert catalog.obsolete[("Gone", "sample/title")].previous_id == ["Old"]
    assert cli(project, "check", str(sub), "--lang", "es")[0] == 0


def test_a_folder_a_fifo_and_a_huge_plural_count_are_refused_at_once(project, tmp_path):
    folder = tmp_path / "x.po"
    folder.mkdir()
    code, out, _ = cli(project, "check", str(folder), "--lang", "es")
    assert code == 1 and "this is a folder, not a PO file" in out
    fifo = tmp_path / "fifo.po"
    os.mkfifo(fifo)
    for command in ("import", "check"):
        result = subprocess.run([sys.executable, "-m", "packbuilder", command, str(fifo), "--lang", "es",
                                 "--pack", str(project / "pack.toml")], capture_output=True, text=True, timeout=60)
        assert result.returncode == 1 and "not a regular file" in result.stdout + result.stderr
    sub = submission(project, tmp_path, "nplurals=2;", "nplurals=100000000;")
    code, out, _ = cli(project, "check", str(sub), "--lang", "es")
    assert code == 1 and f"{sub}:{line_of(sub, 'nplurals=')}: [syntax] Plural-Forms" in out


@pytest.mark.parametrize("body", ['[[avoid]]\nterm = 5\n', 'avoid = "x"\n', '[[preferred]]\nen = ["a", 1]\nuse = "b"\n',
                                  'keep = ["x"]\n', '[[avoid]]\nterm = "x"\nwhy = ["no"]\n'])
def test_a_glossary_with_values_of_the_wrong_type_is_a_clear_error(project, body):
    (project / "locales/es/glossary.toml").write_text(body)
    code, out, err = cli(project, "check", "--lang", "es")
    assert code == 1 and "glossary is not valid" in out + err and "Traceback" not in out + err


# --- whose file, which language ----------------------------------------------------------------------

DJANGO = '''msgid ""
msgstr ""
"Project-Id-Version: django\\n"
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

#: contrib/admin/templates/admin/login.html:12
msgid "Log in"
msgstr "Iniciar sesión"

#: contrib/admin/templates/admin/base.html:40
msgid "Change password"
msgstr "Cambiar contraseña"
'''


@pytest.mark.parametrize("doc", [None, "sample", "ui"])
def test_another_projects_catalog_is_refused_with_or_without_doc(project, tmp_path, doc):
    sub = tmp_path / "django.po"
    sub.write_text(DJANGO)
    before = snapshot(project / "locales")
    code, _, err = cli(project, "import", str(sub), "--lang", "es", *(["--doc", doc] if doc else []))
    assert code == 1 and "not a translation of" in err and "Project-Id-Version 'django'" in err
    assert "*.html" in err and "Traceback" not in err
    assert snapshot(project / "locales") == before


@pytest.mark.parametrize("tag", ["es_MX", "es-MX", "es_419"])
def test_a_regional_tag_maps_to_the_packs_language(project, tmp_path, tag):
    sub = submission(project, tmp_path, '"Language: es\\n"', f'"Language: {tag}\\n"')
    code, out, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 0, err
    assert f"note: the file says Language: {tag}; taken as es" in out


def test_a_tag_in_another_script_or_language_gets_advice_that_works(project, tmp_path):
    sub = submission(project, tmp_path, '"Language: es\\n"', '"Language: zh_TW\\n"')
    code, _, err = cli(project, "import", str(sub), "--lang", "zh_Hans")
    assert code == 1 and "packbuilder init zh_Hant" in err and "--lang zh_Hant" in err
    sub = submission(project, tmp_path, '"Language: es\\n"', '"Language: zh-Hans-CN\\n"', "cn.po")
    from packbuilder.submission import match_language
    assert "taken as zh_Hans" in match_language("zh-Hans-CN", "zh_Hans", sub)
    assert "taken as zh_Hans" in match_language("zh_CN", "zh_Hans", sub)
    sub = submission(project, tmp_path, '"Language: es\\n"', '"Language: fr\\n"', "fr.po")
    code, _, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 1 and "--lang fr" in err and "packbuilder init fr" in err


# --- what lands ----------------------------------------------------------------------------------------

def test_an_older_file_with_inserted_and_moved_paragraphs_loses_no_edit(project, tmp_path):
    """The translator works from today's file; meanwhile a paragraph is inserted above and a list reordered."""
    sub = submission(project, tmp_path, 'msgstr "Pregunte primero."', 'msgstr "Pregunte antes de nada."')
    text = sub.read_text(encoding="utf-8").replace('msgstr "Escuche."', 'msgstr "Escuche con calma."')
    sub.write_text(text.replace('msgstr "No hacer daño"', 'msgstr "No causar daño"'), encoding="utf-8")
    doc = project / "content/sample.md"
    body = doc.read_text(encoding="utf-8")
    body = body.replace("## Do no harm\n\n", "## Do no harm\n\nA new opening paragraph.\n\n", 1)
    body = body.replace("- Ask first.\n  - Listen.\n", "- Listen.\n  - Ask first.\n") if "- Ask first.\n  - Listen.\n" in body \
        else body
    doc.write_text(body, encoding="utf-8")
    assert cli(project, "extract")[0] == 0 and cli(project, "update")[0] == 0
    code, out, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 0, err
    after = read_catalog(project / TARGET, "es")
    by_english = {}
    for m in after:
        if m.id:
            by_english.setdefault(m.id, []).append(m.string)
    assert "Pregunte antes de nada." in by_english["Ask first."]
    assert by_english["Listen."] == ["Escuche con calma."]
    assert by_english["Do no harm"] == ["No causar daño"]
    edited = [line for line in out.splitlines() if line.startswith(("  changed:", "  skipped:"))]
    assert len(edited) == 3 and all("sample/" in line for line in edited), out
    assert "translated from older English" not in out


def test_a_translators_fuzzy_mark_is_honoured_and_their_comment_kept(project, tmp_path):
    sub = submission(project, tmp_path, 'msgctxt "sample/in-action/li2"',
                     '# Not sure about the register here.\n#, fuzzy\nmsgctxt "sample/in-action/li2"')
    code, out, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 0, err
    assert "marked fuzzy by the translator (prints in English until confirmed): sample/in-action/li2" in out
    assert "note: sample/in-action/li2: translator's comment kept" in out
    message = read_catalog(project / TARGET, "es").get("Listen.", context="sample/in-action/li2")
    assert message.fuzzy and message.user_comments == ["Not sure about the register here."]
    subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(project / TARGET)], check=True)


GLOSSARY = '[[avoid]]\nterm = "prostituta"\nuse = "trabajadora sexual"\nwhy = "Stigmatising."\nsource = "test"\n'


def test_an_ignore_flag_added_in_a_submitted_file_needs_allow_flags(project, tmp_path):
    (project / "locales/es/glossary.toml").write_text(GLOSSARY)
    sub = submission(project, tmp_path, 'msgctxt "sample/in-action/li2"\nmsgid "Listen."\nmsgstr "Escuche."',
                     '#, ignore-glossary\nmsgctxt "sample/in-action/li2"\nmsgid "Listen."\nmsgstr "Escuche, prostituta."')
    before = snapshot(project / "locales")
    code, out, err = cli(project, "import", str(sub), "--lang", "es")
    assert code == 1 and "[glossary] avoided term 'prostituta'" in err
    assert snapshot(project / "locales") == before
    code, out, err = cli(project, "import", str(sub), "--lang", "es", "--allow-flags")
    assert code == 0, err
    assert "the file adds the flag ignore-glossary; allowed (--allow-flags)" in out
    assert "ignore-glossary" in read_catalog(project / TARGET, "es").get("Listen.", context="sample/in-action/li2").flags
    assert "# packbuilder: ignore-glossary" in (project / TARGET).read_text(encoding="utf-8")
    # a later file from a tool that dropped the flag: the flag stays ours, and is reported
    again = submission(project, tmp_path, "# packbuilder: ignore-glossary\n", "", "again.po")
    code, out, err = cli(project, "import", str(again), "--lang", "es")
    assert code == 0 and "the file drops the flag ignore-glossary; kept" in out, err


def test_a_reviewers_status_is_reported_and_applied_only_with_accept_review(project, tmp_path):
    sub = submission(project, tmp_path, '"Generated-By: packbuilder\\n"',
                     '"X-Reviewed-By: A. Reviewer\\n"\n"X-Review-Date: 2026-11-01\\n"\n"Generated-By: packbuilder\\n"')
    sub.write_text(sub.read_text(encoding="utf-8").replace("X-Review-Status: draft", "X-Review-Status: reviewed"),
                   encoding="utf-8")
    code, out, _ = cli(project, "import", str(sub), "--lang", "es")
    assert code == 0 and "X-Review-Status: the file says 'reviewed', ours stays 'draft'" in out
    assert "X-Review-Status: draft" in (project / TARGET).read_text(encoding="utf-8")
    code, out, _ = cli(project, "import", str(sub), "--lang", "es", "--accept-review")
    assert code == 0 and "accepted with --accept-review" in out
    text = (project / TARGET).read_text(encoding="utf-8")
    assert "X-Review-Status: reviewed" in text and "X-Reviewed-By: A. Reviewer" in text


def test_backups_stack_and_undo_restores_them_in_turn(project, tmp_path):
    target = project / TARGET
    first = target.read_bytes()
    one = submission(project, tmp_path, 'msgstr "Escuche."', 'msgstr "Escuche bien."', "one.po")
    assert cli(project, "import", str(one), "--lang", "es")[0] == 0
    second = target.read_bytes()
    two = submission(project, tmp_path, 'msgstr "Escuche bien."', 'msgstr "Escuche con calma."', "two.po")
    assert cli(project, "import", str(two), "--lang", "es")[0] == 0
    assert len(list(target.parent.glob("sample.po.*.bak"))) == 2
    code, out, _ = cli(project, "import", "--undo", "--lang", "es")
    assert code == 0 and target.read_bytes() == second and "Import undone" in out
    assert cli(project, "import", "--undo", "--lang", "es")[0] == 0 and target.read_bytes() == first
    code, _, err = cli(project, "import", "--undo", "--lang", "es")
    assert code == 1 and "no import backup" in err
    assert len(list(target.parent.glob("sample.po.*.undone"))) == 2      # nothing is lost


def test_a_segment_removed_and_restored_leaves_no_duplicate(project):
    doc = project / "content/sample.md"
    body = doc.read_text(encoding="utf-8")
    doc.write_text(body.replace("  - Listen.\n", "", 1) if "  - Listen.\n" in body else body.replace("- Listen.\n", ""),
                   encoding="utf-8")
    cli(project, "extract"), cli(project, "update")
    assert '#~ msgid "Listen."' in (project / TARGET).read_text(encoding="utf-8")
    doc.write_text(body, encoding="utf-8")
    cli(project, "extract")
    code, out, _ = cli(project, "update")
    text = (project / TARGET).read_text(encoding="utf-8")
    assert '#~ msgid "Listen."' not in text and 'msgid "Listen."' in text
    for tool in (["msgfmt", "-c", "-o", os.devnull], ["msgcat", "-o", os.devnull]):
        subprocess.run([*tool, str(project / TARGET)], check=True, capture_output=True)
    assert cli(project, "check", "--lang", "es")[0] == 0


def test_a_live_entry_and_its_obsolete_copy_are_reported_and_folded(project):
    target = project / TARGET
    text = target.read_text(encoding="utf-8")
    target.write_text(text + '\n#~ msgctxt "sample/in-action/li2"\n#~ msgid "Listen."\n#~ msgstr "Oiga."\n',
                      encoding="utf-8")
    assert subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(target)], capture_output=True).returncode != 0
    code, out, _ = cli(project, "check", "--lang", "es")
    assert code == 0 and "[duplicate] an obsolete (#~) copy of the entry at line" in out
    assert cli(project, "update")[0] == 0
    subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(target)], check=True)
    assert target.read_text(encoding="utf-8") == text
