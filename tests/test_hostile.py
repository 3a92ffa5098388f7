"""Hostile and broken input: a clear message for each, nothing lost, nothing leaked, nothing run."""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, ROOTS, children, copy_repo, pdftext, run_cli

HOSTILE = ROOTS / "hostile"
TARGET = "locales/es/LC_MESSAGES/sample.po"

#: corpus file -> what `check` must say about it (file and line are checked too where known)
PO_CASES = {
    "syntax-error.po": ("error", "[syntax]", "a quoted string is not closed"),
    "latin1-declared-utf8.po": ("error", "[syntax]", "not valid UTF-8"),
    "duplicate-msgctxt.po": ("error", "[syntax]", 'msgctxt "sample/in-action/li2" appears twice'),
    "bad-plural-forms.po": ("error", "[syntax]", "Plural-Forms 'nplurals=many; plural=n;' is not valid"),
    "unknown-segment.po": ("warning", "[unknown]", "no segment sample/nowhere/p9 exists"),
    "control-characters.po": ("error", "[control]", "control character U+0007"),
    "other-language.po": ("error", "[header]", "the header says Language: fr"),
    "html-script.po": ("error", "[markup]", "raw HTML '<script>'"),
    "html-img-file.po": ("error", "[markup]", "raw HTML '<img src=\"file:///etc/hostname\">'"),
    "html-style.po": ("error", "[markup]", "raw HTML '<style>'"),
    "html-link.po": ("error", "[markup]", "raw HTML '<link"),
    "md-link-file.po": ("error", "[markup]", "not in the English ['file:///etc/hostname']"),
    "md-link-javascript.po": ("error", "[markup]", "not in the English ['javascript:alert(1)']"),
    "md-link-data-html.po": ("error", "[markup]", "links differ from the English"),
    "md-link-http.po": ("error", "[markup]", "not in the English ['http://example.org/guide']"),
    "md-image-file.po": ("error", "[markup]", "an image ('file:///etc/hostname') is not allowed"),
    "jinja-placeholder.po": ("error", "[placeholders]", "must appear exactly as in the English"),
}


@pytest.fixture
def project(minimal: Path) -> Path:
    pack = minimal / "pack.toml"
    pack.write_text(pack.read_text().replace('languages = ["en"]', 'languages = ["en", "es"]'))
    return minimal


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def generated(tmp_path: Path, name: str) -> Path:
    """Make the cases too large or too odd to commit."""
    base = (ROOTS / "minimal" / TARGET).read_bytes()
    path = tmp_path / name
    if name == "huge-msgstr.po":
        path.write_bytes(base.replace(b'msgstr "Escuche."', b'msgstr "' + b"x" * 1_000_000 + b'"'))
    elif name == "nul-bytes.po":
        path.write_bytes(base.replace(b"Escuche.", b"Escu\x00che."))
    return path


@pytest.mark.parametrize("name", sorted(PO_CASES))
def test_po_corpus_is_reported_and_refused(project, name):
    severity, tag, expected = PO_CASES[name]
    path = HOSTILE / name
    code, out, err = run_cli("check", str(path), "--lang", "es", "--pack", str(project / "pack.toml"))
    assert "Traceback" not in out + err
    line = next((l for l in out.splitlines() if tag in l), "")
    assert line.startswith(f"{severity}: {path}:") and expected in line, out
    assert code == (1 if severity == "error" else 0)
    if severity == "error":        # import refuses it and changes nothing, backup included
        before = snapshot(project / "locales")
        code, _, err = run_cli("import", str(path), "--lang", "es", "--doc", "sample",
                               "--pack", str(project / "pack.toml"))
        assert code == 1 and "Traceback" not in err and err.strip()
        assert snapshot(project / "locales") == before


@pytest.mark.parametrize("name, expected", [("huge-msgstr.po", "[size] the translation is 1,000,000 characters"),
                                            ("nul-bytes.po", "contains NUL bytes")])
def test_generated_po_cases(project, tmp_path, name, expected):
    path = generated(tmp_path, name)
    code, out, err = run_cli("check", str(path), "--lang", "es", "--pack", str(project / "pack.toml"))
    assert code == 1 and expected in out and "Traceback" not in out + err


def test_a_bom_is_harmless(project):
    code, out, _ = run_cli("check", str(HOSTILE / "bom.po"), "--lang", "es", "--pack", str(project / "pack.toml"))
    assert code == 0, out


def test_a_broken_catalog_in_place_stops_the_build_and_keeps_the_pack(project, tmp_path):
    out = tmp_path / "dist"
    assert run_cli("build", "--pack", str(project / "pack.toml"), "--out", str(out), "--quiet")[0] == 0
    before = snapshot(out)
    shutil.copy(HOSTILE / "md-link-file.po", project / TARGET)
    code, _, err = run_cli("build", "--pack", str(project / "pack.toml"), "--out", str(out))
    assert code == 1 and "[markup]" in err and "build with --draft" in err
    assert snapshot(out) == before


class Recorder:
    """Record every URL WeasyPrint asks for and every network connection attempted."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        from packbuilder import fetcher
        self.urls: list[str] = []
        self.connections: list[object] = []
        original = fetcher.SafeFetcher.fetch

        def fetch(inner, url, headers=None):  # type: ignore[no-untyped-def]
            self.urls.append(url)
            return original(inner, url, headers)

        def connect(sock, address):  # type: ignore[no-untyped-def]
            self.connections.append(address)
            raise OSError("network use in a test")

        monkeypatch.setattr(fetcher.SafeFetcher, "fetch", fetch)
        monkeypatch.setattr(socket.socket, "connect", connect)


def test_hostile_translations_print_as_text_and_open_nothing(project, tmp_path, monkeypatch):
    from packbuilder.catalogs import read_catalog, write_catalog
    recorder = Recorder(monkeypatch)
    catalog = read_catalog(project / TARGET, "es")
    payloads = {
        "sample/do-no-harm/li1": '<img src="file:///etc/hostname"> {{ 7*7 }}',
        "sample/do-no-harm/li2": '{% include "/etc/passwd" %} <script>alert(1)</script>',
        "sample/in-action/li1": "url(file:///etc/hostname) ![x](file:///etc/hostname)",
        "sample/in-action/li2": "[evil](https://evil.example/) [js](javascript:alert(1)) <style>p{}</style>",
    }
    for m in catalog:
        if str(m.context) in payloads:
            m.string = payloads[str(m.context)]
    write_catalog(project / TARGET, catalog)
    code, _, err = run_cli("build", "--pack", str(project / "pack.toml"), "--out", str(tmp_path / "dist"),
                           "--quiet", "--draft", "--jobs", "1")
    assert code == 0, err
    text = pdftext(tmp_path / "dist/minimal/es/sample.pdf")
    # printed as text, with Spanish quotation marks (set at render time) for the straight ones
    flat = re.sub(r"\s+", " ", text).replace("«", '"').replace("»", '"')
    assert '<img src="file:///etc/hostname"> {{ 7*7 }}' in flat and "49" not in flat
    assert '{% include "/etc/passwd" %} <script>alert(1)</script>' in flat
    assert "url(file:///etc/hostname)" in flat and "evil" in flat and "root:x:0" not in flat
    hostname = Path("/etc/hostname").read_text().strip()
    assert hostname not in flat.split()
    allowed = [str(REPO / "layouts"), str(project / "layouts"), os.environ["PACKBUILDER_CACHE"]]
    opened = [u for u in recorder.urls if not u.startswith("data:")]
    assert all(any(u.startswith("file://" + a) for a in allowed) for u in opened), opened
    assert recorder.connections == []
    links = json.loads((tmp_path / "dist/minimal/manifest.json").read_text())["links"]
    assert "https://evil.example/" not in [l["url"] for l in links]


def write_pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pack.toml"
    path.write_text('[pack]\nname = "h"\ndocuments = ["sample"]\n'
                    f'[paths]\ncontent = "{ROOTS / "minimal/content"}"\nlocales = "{ROOTS / "minimal/locales"}"\n'
                    f'layouts = "{REPO / "layouts"}"\n' + body)
    return path


@pytest.mark.parametrize("body, expected", [
    ('[brand]\nname = "O"\nlogo = "../../etc/passwd"\n', "outside the pack's folder"),
    ('[brand]\nname = "O"\nlogo = "/etc/hostname"\n', "outside the pack's folder"),
    ('[brand]\nname = "O"\nlogo = "script.svg"\n', "contains a script or event handler"),
    ('[brand]\nname = "O"\nlogo = "external.svg"\n', "refers to 'file:///etc/passwd' outside the file"),
    ('[brand]\nname = "O"\nlogo = "entity-bomb.svg"\n', "declares XML entities or a DOCTYPE"),
    ('[brand]\nname = "O"\nlogo = "huge.png"\n', "a logo must be under 1024 KB"),
    ('[brand]\nname = "O"\nlogo = "link.svg"\n', "outside the pack's folder"),
    ('[brand]\nnmae = "O"\n', "Config value 'brand.nmae': unknown key; did you mean 'name'?"),
    ('[pakc]\nname = "x"\n', "unknown section [pakc]; did you mean [pack]?"),
    ('[cards]\ninclude = "safety-street"\n', "'cards.include': must be a list"),
    ('[brand]\nprimary = 12\n', "12 is not a colour"),
])
def test_config_corpus(tmp_path, body, expected):
    for logo in ("script.svg", "external.svg", "entity-bomb.svg"):
        shutil.copy(HOSTILE / "logos" / logo, tmp_path / logo)
    with open(tmp_path / "huge.png", "wb") as f:          # a sparse 200 MB file: only its size matters
        f.truncate(200 * 1024 * 1024)
    (tmp_path / "link.svg").symlink_to("/etc/hostname")
    path = write_pack(tmp_path, body)
    code, _, err = run_cli("build", "--pack", str(path), "--out", str(tmp_path / "dist"))
    assert code == 1 and expected in err and "Traceback" not in err, err
    assert not (tmp_path / "dist/h").exists()


def test_a_missing_font_is_named_with_the_package_to_install(minimal, tmp_path, monkeypatch):
    from packbuilder import i18n
    monkeypatch.setitem(i18n.FONT_STACKS, "Latn", ("Noto Sans Imaginary",))
    code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path))
    assert code == 1 and "font: font 'Noto Sans Imaginary' for en is not installed" in err


def test_an_output_folder_that_cannot_be_written(minimal, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(tmp_path / "file/dist"))
    assert code == 1 and err.startswith("output: ") and "cannot write to the output folder" in err
    assert "choose another with --out" in err


def test_a_second_build_into_the_same_output_is_refused(minimal, tmp_path):
    out = tmp_path / "dist"
    out.mkdir()
    with open(out / ".minimal.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        code, _, err = run_cli("build", "--pack", str(minimal / "pack.toml"), "--out", str(out))
    assert code == 1 and "another build of 'minimal' is writing" in err



def test_a_build_killed_midway_leaves_the_previous_pack_and_the_next_succeeds(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    pack, out = repo / "packs/default.toml", tmp_path / "dist"
    cmd = [sys.executable, "-m", "packbuilder", "build", "--pack", str(pack), "--out", str(out), "--quiet", "--lang", "es"]
    subprocess.run(cmd, check=True, capture_output=True)
    before = snapshot(out / "default")
    (repo / "layouts/base.css").write_text((repo / "layouts/base.css").read_text() + "\n/* changed */\n")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # a rebuild starts its worker pool only when something must render: kill it then
    deadline = time.monotonic() + 60
    while not children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the build finished before it could be killed"
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(out / "default") == before
    subprocess.run(cmd, check=True, capture_output=True)
    assert snapshot(out / "default") != before and not (out / ".default.partial").exists()
