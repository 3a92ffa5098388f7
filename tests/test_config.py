"""Pack config: validated once, every error named with its file and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, run_cli
from packbuilder.config import load_pack
from packbuilder.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "content").mkdir(exist_ok=True)
    path = tmp_path / "pack.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_pack_loads_and_resolves_paths_against_its_folder():
    pack = load_pack(REPO / "packs/default.toml")
    assert pack.name == "default" and pack.paper == "letter"
    assert pack.languages == ("en", "zh_Hans", "es")
    assert pack.content_dir == (REPO / "content").resolve()


def test_every_bad_value_is_reported_at_once(tmp_path):
    path = write(tmp_path, '[pack]\nname = "x"\npaper = "A5"\nlanguages = ["en", "xx_Nope"]\n'
                           'documents = []\nlangauges = ["es"]\n\n[paths]\ncontent = "content"\n'
                           'locales = "nowhere"\nlayouts = "content"\n')
    with pytest.raises(ConfigError) as info:
        load_pack(path)
    lines = info.value.lines()
    assert f"config: {path}:3: Config value 'pack.paper': 'A5' is not one of letter, a4" in lines
    assert any(":4: Config value 'pack.languages': 'xx_Nope' is not a language code" in l for l in lines)
    assert any("'pack.documents': must be a non-empty list" in l for l in lines)
    assert any(":6: Config value 'pack.langauges': unknown key; did you mean 'languages'?" in l for l in lines)
    assert any("'paths.locales': the path 'nowhere' isn't an existing folder" in l for l in lines)
    assert len(lines) == 5


def test_cli_prints_category_and_exits_1_without_traceback(tmp_path):
    path = write(tmp_path, '[pack]\npaper = "A5"\ndocuments = ["x"]\n')
    code, out, err = run_cli("build", "--pack", str(path), "--out", str(tmp_path / "dist"))
    assert code == 1
    assert "config: " in err and "'A5' is not one of letter, a4" in err
    assert "Traceback" not in err


def test_broken_toml_names_the_line(tmp_path):
    path = write(tmp_path, '[pack]\nname = "x"\npaper = \n')
    code, _, err = run_cli("build", "--pack", str(path))
    assert code == 1 and f"{path}:3: not valid TOML" in err


def test_missing_config_file(tmp_path):
    code, _, err = run_cli("build", "--pack", str(tmp_path / "nope.toml"))
    assert code == 1 and "pack config not found" in err


def test_language_not_in_pack_is_refused():
    code, _, err = run_cli("build", "--lang", "fr", "--pack", str(REPO / "packs/default.toml"))
    assert code == 1 and "--lang fr: the pack does not list this language" in err
