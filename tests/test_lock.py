"""A fresh machine gets the same packbuilder: the lock, its check, version-proof catalogs."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from packbuilder.plurals import GETTEXT_PLURALS, plural_forms

LATEST = os.environ.get("PACKBUILDER_LATEST") == "1"   # set by `make test-latest`


def _lock_tool(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(root / "tools/lock.py"), *args],
                          capture_output=True, text=True)


@pytest.mark.skipif(LATEST, reason="`make test-latest` runs with today's newest versions on purpose")
def test_the_venv_holds_exactly_the_locked_versions(tmp_path):
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    (tmp_path / "freeze.txt").write_text(freeze)
    result = _lock_tool(REPO, "compare", str(tmp_path / "freeze.txt"))
    assert result.returncode == 0, result.stdout


def test_the_committed_lock_matches_pyproject():
    result = _lock_tool(REPO, "check")
    assert result.returncode == 0, result.stderr


def test_a_lock_that_no_longer_matches_pyproject_fails_with_the_command_that_refreshes_it(tmp_path):
    for name in ("pyproject.toml", "requirements.lock", "requirements-build.in", "tools/lock.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"tomlkit>=0.13",', '"tomlkit>=0.13",\n  "six",'))
    result = _lock_tool(tmp_path, "check")
    assert result.returncode == 1
    assert "requirements.lock does not match pyproject.toml" in result.stderr
    assert "make lock" in result.stderr


def test_every_lock_entry_is_pinned_with_hashes():
    text = (REPO / "requirements.lock").read_text()
    entries = [line for line in text.splitlines() if line and not line[0].isspace() and not line.startswith("#")]
    assert entries, "the lock is empty"
    for entry in entries:
        assert "==" in entry and entry.endswith("\\"), f"not pinned with hashes: {entry}"


@pytest.mark.parametrize("lang, expected", [
    ("fr", "nplurals=2; plural=(n > 1);"),
    ("es", "nplurals=2; plural=(n != 1);"),
    ("zh_Hans", "nplurals=1; plural=0;"),
    ("ar", "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
           ": n%100>=11 ? 4 : 5;"),
    ("ru", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || "
           "n%100>=20) ? 1 : 2);"),
])
def test_init_writes_gettexts_plural_forms_whatever_babel_says(minimal, lang, expected):
    project = minimal
    code, _, stderr = run_cli("init", lang, "--pack", str(project / "pack.toml"))
    assert code == 0, stderr
    po = project / "locales" / lang / "LC_MESSAGES" / "sample.po"
    header = subprocess.run(["msgcat", "--no-wrap", str(po)], capture_output=True, text=True, check=True).stdout
    assert f"Plural-Forms: {expected}\\n" in header
    assert "Generated-By: packbuilder\\n" in header and "Babel" not in header
    subprocess.run(["msgfmt", "-c", "--check-format", "-o", os.devnull, str(po)], check=True)


@pytest.mark.parametrize("lang", sorted(GETTEXT_PLURALS))
def test_the_plural_table_is_what_msginit_writes(tmp_path, lang):
    pot = tmp_path / "t.pot"
    pot.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
    po = tmp_path / "t.po"
    subprocess.run(["msginit", "--no-translator", "-l", lang, "-i", str(pot), "-o", str(po)],
                   check=True, capture_output=True)
    text = po.read_text(encoding="utf-8")
    header = "".join(re.findall(r'^"(.*)"$', text[text.index("msgstr"):], re.M))
    number, expr, known = plural_forms(lang)
    assert known
    assert f"Plural-Forms: nplurals={number}; plural={expr};\\n" in header


def test_every_catalog_and_template_passes_msgfmt_check():
    files = sorted(REPO.glob("locales/*/LC_MESSAGES/*.po")) + sorted(REPO.glob("locales/templates/*.pot"))
    assert len(files) >= 30
    for path in files:
        result = subprocess.run(["msgfmt", "-c", "--check-format", "-o", os.devnull, str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{path}: {result.stderr}"


def test_no_catalog_names_the_babel_release():
    for path in REPO.glob("locales/**/*.po*"):
        assert "Generated-By: Babel" not in path.read_text(encoding="utf-8"), path
