"""Shared fixtures: the repository, a built default pack, PDF readers."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from packbuilder.cli import main

REPO = Path(__file__).resolve().parent.parent
# Builds date themselves today unless SOURCE_DATE_EPOCH says otherwise (make test sets it from git):
# the tests pin one date, so that their builds compare byte for byte whenever they run.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")


@pytest.fixture(scope="session", autouse=True)
def font_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One font cache for the whole run: tests do not touch the user's, nor pay for it twice."""
    import os
    path = tmp_path_factory.mktemp("cache")
    os.environ["PACKBUILDER_CACHE"] = str(path)
    return path
ROOTS = Path(__file__).resolve().parent / "roots"


def copy_repo(dest: Path) -> Path:
    """Copy the project's content, catalogs, layouts and packs to ``dest``; return it."""
    for part in ("content", "locales", "layouts", "packs"):
        shutil.copytree(REPO / part, dest / part)
    (dest / "assets").mkdir(exist_ok=True)
    return dest


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def pdftext(path: Path, page: int | None = None, layout: bool = False) -> str:
    """Return the text of a PDF (or one page of it) as pdftotext reads it."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def page_count(path: Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(path).pages)


def build_once(factory: pytest.TempPathFactory, pack: str) -> Path:
    """Build ``pack`` (a path in the repository) into a fresh folder; return that folder."""
    out = factory.mktemp("dist")
    code, _, stderr = run_cli("build", "--pack", str(REPO / pack), "--out", str(out), "--quiet")
    assert code == 0, stderr
    return out


@pytest.fixture(scope="session")
def default_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the default pack (every language) once; return dist/default/."""
    return build_once(tmp_path_factory, "packs/default.toml") / "default"


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """Return a private copy of tests/roots/minimal whose layouts may be edited."""
    root = tmp_path / "minimal"
    shutil.copytree(ROOTS / "minimal", root)
    shutil.copytree(REPO / "layouts", root / "layouts")
    text = (root / "pack.toml").read_text().replace("../../../layouts", "layouts")
    (root / "pack.toml").write_text(text.replace("../../../assets", "assets"))
    (root / "assets").mkdir()
    return root


@pytest.fixture(scope="session")
def example_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build packs/example-branded once; return the output folder (holding the pack and its zip)."""
    return build_once(tmp_path_factory, "packs/example-branded/pack.toml")


def assert_gnu_accepts(locales: Path) -> None:
    """msgfmt -c passes on every catalog under ``locales``, and msgcat would re-save none of them."""
    import os
    import subprocess
    for path in sorted(locales.rglob("*.po")) + sorted(locales.rglob("*.pot")):
        result = subprocess.run(["msgfmt", "-c", "--check-format", "-o", os.devnull, str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{path}: {result.stderr}"
        assert subprocess.run(["msgcat", str(path)], capture_output=True).stdout == path.read_bytes(), path


@pytest.fixture
def project(minimal: Path):  # type: ignore[no-untyped-def]
    """A copy of tests/roots/minimal with Spanish in its languages."""
    pack = minimal / "pack.toml"
    pack.write_text(pack.read_text().replace('languages = ["en"]', 'languages = ["en", "es"]'))
    yield minimal
    assert_gnu_accepts(minimal / "locales")       # after every workflow test: GNU gettext accepts what we wrote


def cli(project: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process on ``project``'s pack; return (exit code, stdout, stderr)."""
    return run_cli(*args, "--pack", str(project / "pack.toml"))


def children(pid: int) -> list[int]:
    """Return the process ids of ``pid``'s children."""
    try:
        return [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                for c in (task / "children").read_text().split()]
    except OSError:
        return []
