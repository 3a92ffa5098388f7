"""A review server killed (SIGKILL) mid-submit or mid-accept loses no submission and leaves no
half-written catalog: every accepted file is in the catalog, every other is still queued."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from packbuilder.catalogs import read_catalog, render_catalog
from packbuilder.config import load_pack
from packbuilder.review import Desk

CHILD = r"""
import sys
from pathlib import Path
from packbuilder.config import load_pack
from packbuilder.review import Desk
pack, data_dir, mode, token = sys.argv[1:5]
desk = Desk(load_pack(Path(pack)), Path(data_dir))
inv = desk.verify(token)
if mode == "submit":
    for path in sys.argv[5:]:
        sub = desk.submit(inv, Path(path).name, Path(path).read_bytes())
        print("done", sub.id, flush=True)
else:
    for sub in desk.queue():
        desk.accept(sub.id)
        print("done", sub.id, flush=True)
print("finished", flush=True)
"""


@pytest.fixture
def project(minimal: Path) -> Path:
    pack = minimal / "pack.toml"
    pack.write_text(pack.read_text().replace('languages = ["en"]', 'languages = ["en", "es"]'))
    return minimal


def variants(project: Path, folder: Path) -> list[tuple[Path, str, str]]:
    """Write one file per translated entry, each changing only that entry; return (file, msgctxt, text)."""
    folder.mkdir()
    po = project / "locales/es/LC_MESSAGES/sample.po"
    contexts = [str(m.context) for m in read_catalog(po, "es") if m.id and m.string and "**" not in m.string
                and "](" not in m.string and "<" not in m.string]
    out = []
    for n, context in enumerate(contexts):
        catalog = read_catalog(po, "es")
        message = next(m for m in catalog if m.context == context)
        message.string = f"Revisado {n}: {message.string}"
        path = folder / f"v{n}.po"
        path.write_bytes(render_catalog(catalog))
        out.append((path, context, message.string))
    return out


def run_and_kill(args: list[str], after: int, delay: float) -> list[int]:
    """Start the child, SIGKILL it ``delay`` s after its ``after``-th confirmation; return the ids it confirmed."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, *args], stdout=subprocess.PIPE, text=True)
    confirmed: list[int] = []
    try:
        for line in child.stdout:                        # type: ignore[union-attr]
            if line.startswith("done"):
                confirmed.append(int(line.split()[1]))
                if len(confirmed) >= after:
                    time.sleep(delay)
                    break
            elif line.startswith("finished"):
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        rest = child.stdout.read() if child.stdout else ""     # confirmations printed before it died
        child.stdout.close()                                   # type: ignore[union-attr]
    return confirmed + [int(line.split()[1]) for line in rest.splitlines() if line.startswith("done")]


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03])
def test_kill_mid_submit_then_mid_accept(project, tmp_path, delay):
    data_dir = tmp_path / "data"
    pack = project / "pack.toml"
    desk = Desk(load_pack(pack), data_dir)
    token, _ = desk.invite("es", "Ana")
    desk.close()
    files = variants(project, tmp_path / "files")
    by_name = {path.name: (context, text) for path, context, text in files}

    submitted = run_and_kill([str(pack), str(data_dir), "submit", token, *map(str, (f for f, _, _ in files))],
                             after=2, delay=delay)
    desk = Desk(load_pack(pack), data_dir)              # "restart"
    assert desk.store.query("PRAGMA integrity_check")[0][0] == "ok"
    queued = {s.id: s for s in desk.queue()}
    assert set(submitted) <= set(queued)                  # every confirmed submission survived
    for sub in queued.values():                           # and each is whole, byte for byte
        assert sub.data == (tmp_path / "files" / sub.filename).read_bytes()
    desk.close()

    accepted = run_and_kill([str(pack), str(data_dir), "accept", token], after=1, delay=delay)
    desk = Desk(load_pack(pack), data_dir)
    catalog = read_catalog(project / "locales/es/LC_MESSAGES/sample.po", "es")   # whole, parseable
    strings = {str(m.context): m.string for m in catalog if m.id}
    for sub in desk.store.submissions():
        context, text = by_name[sub.filename]
        if sub.id in accepted:
            assert sub.status == "accepted" and strings[context] == text
        else:
            assert sub.status in ("queued", "accepted")
            if sub.status == "accepted":                   # accepted but killed before it could say so
                assert strings[context] == text
    # what is still queued can be accepted after the restart, and lands
    for sub in desk.queue():
        desk.accept(sub.id)
    catalog = read_catalog(project / "locales/es/LC_MESSAGES/sample.po", "es")
    strings = {str(m.context): m.string for m in catalog if m.id}
    for sub in desk.store.submissions():
        assert strings[by_name[sub.filename][0]] == by_name[sub.filename][1]
    desk.close()
