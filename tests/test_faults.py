"""Kills, Ctrl-C and full disks: the previous pack or the new one, whole, never a mix."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, ROOTS, children

PACK = ROOTS / "minimal" / "pack.toml"
STEPS = ("files", "manifest", "zip", "sync", "swap", "zip-swap")


def build_cmd(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "packbuilder", "build", "--pack", str(PACK), "--out", str(out), "--quiet", *extra]


def env(epoch: int) -> dict:
    return {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}


def state(out: Path, name: str = "minimal") -> tuple[bytes, dict[str, str]]:
    """Return the live manifest and the sha256 of every file in the pack folder."""
    folder = out / name
    files = {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(folder.rglob("*")) if p.is_file()}
    return (folder / "manifest.json").read_bytes(), files


def zip_state(out: Path, name: str = "minimal") -> tuple[bytes, dict[str, str]]:
    with zipfile.ZipFile(out / f"{name}.zip") as bundle:
        files = {n.split("/", 1)[1]: hashlib.sha256(bundle.read(n)).hexdigest() for n in bundle.namelist()}
        return bundle.read(f"{name}/manifest.json"), files


def agree(out: Path) -> tuple[bytes, dict[str, str]]:
    """Assert the folder and the zip hold the same pack, and every file the manifest lists."""
    import json
    folder, bundle = state(out), zip_state(out)
    assert folder == bundle, "folder and zip disagree"
    listed = {f["path"]: f["sha256"] for f in json.loads(folder[0])["files"]}
    assert {k: v for k, v in folder[1].items() if k != "manifest.json"} == listed, "the pack is not whole"
    return folder



def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except (OSError, IndexError):
        return False


def lock_holders(out: Path, pid: int) -> list[int]:
    """Return [pid] if that process has the pack's lock file open."""
    lock = str(out / ".minimal.lock")

    def target(fd: Path) -> str:
        try:
            return os.readlink(fd)
        except OSError:                   # closed while we looked
            return ""
    try:
        return [pid] if any(target(fd) == lock for fd in Path(f"/proc/{pid}/fd").iterdir()) else []
    except OSError:
        return []


def workers_of(pid: int) -> list[int]:
    """Return the build's worker processes: its Python children, not a passing fc-match or pdftotext
    (which, between fork and exec, still shows the parent's descriptors)."""
    def python(child: int) -> bool:
        try:
            return Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0] == sys.executable.encode()
        except OSError:
            return False
    return [c for c in children(pid) if python(c)]


def wait_for_workers(proc: subprocess.Popen, count: int = 1) -> list[int]:
    deadline = time.monotonic() + 60
    while len(workers_of(proc.pid)) < count and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    return workers_of(proc.pid)


@pytest.fixture(scope="module")
def first_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the minimal pack once; each kill test starts from a copy of it."""
    out = tmp_path_factory.mktemp("first") / "dist"
    subprocess.run(build_cmd(out), check=True, capture_output=True, env=env(1735689600))
    return out


@pytest.mark.parametrize("step, exchange", [(s, True) for s in STEPS] + [("retire", False), ("swap", False)])
def test_a_kill_at_every_step_of_the_write_leaves_one_whole_pack(tmp_path, first_pack, step, exchange):
    out = tmp_path / "dist"
    shutil.copytree(first_pack, out)
    old = agree(out)
    killer = (f"import os, sys; from packbuilder import pack, cli; "
              f"pack.STEP.append(lambda s: os._exit(9) if s == {step!r} else None); "
              + ("" if exchange else "pack._exchange = lambda a, b: False; ")   # two renames, as without renameat2
              + "sys.exit(cli.main(sys.argv[1:]))")
    argv = build_cmd(out, "--jobs", "1")[3:]
    proc = subprocess.run([sys.executable, "-c", killer, *argv], capture_output=True, env=env(1767225600))
    assert proc.returncode == 9, proc.stderr
    # a reader now finds the old pack or the new one, at worst with the zip still to move in;
    # the next build (which starts by finishing or undoing the swap) sees one whole pack
    from packbuilder.pack import recover
    recover(out / "minimal", out / "minimal.zip")
    now = agree(out)
    assert now == old or step in ("swap", "zip-swap")      # killed after the swap: the new pack
    assert not [p.name for p in out.iterdir() if p.name.endswith((".partial", ".old"))]
    if step == "swap":                 # the most delicate moment: the next build goes through
        subprocess.run(build_cmd(out), check=True, capture_output=True, env=env(1767225600))
        assert agree(out) != old


def test_a_leftover_old_pack_is_restored_not_deleted(tmp_path):
    out = tmp_path / "dist"
    subprocess.run(build_cmd(out), check=True, capture_output=True, env=env(1735689600))
    old = agree(out)
    os.replace(out / "minimal", out / ".minimal.old")        # killed after retiring the old pack
    (out / ".minimal.partial").mkdir()                        # ... with a half-written new one
    (out / ".minimal.partial" / "half.pdf").write_bytes(b"%PDF-")
    proc = subprocess.run(build_cmd(out, "--lang", "xx"), capture_output=True, text=True, env=env(1767225600))
    assert proc.returncode == 1                               # a build that fails early ...
    from packbuilder.pack import recover
    recover(out / "minimal", out / "minimal.zip")             # ... and the recovery: the old pack is back
    assert agree(out) == old


def test_workers_exit_when_the_build_is_killed_and_the_lock_is_free(tmp_path):
    out = tmp_path / "dist"
    subprocess.run(build_cmd(out), check=True, capture_output=True, env=env(1735689600))
    # a rebuild starts its workers only once it holds the lock and knows what must render
    proc = subprocess.Popen(build_cmd(out, "--jobs", "2"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env(1767225600))
    workers = wait_for_workers(proc, 2)
    deadline = time.monotonic() + 60                          # until the build holds its lock
    while not (holders := lock_holders(out, proc.pid)) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert holders == [proc.pid], "the build should hold its lock while its workers run"
    # a worker forked this instant holds it until its at-fork handler has run (microseconds): allow that
    settle = time.monotonic() + 2
    while any(lock_holders(out, w) for w in workers) and time.monotonic() < settle:
        time.sleep(0.01)
    assert not any(lock_holders(out, w) for w in workers), "a worker holds the build's lock"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 20
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "workers outlived the killed build"
    again = subprocess.run(build_cmd(out), capture_output=True, text=True, env=env(1735689600))
    assert again.returncode == 0, again.stderr
    agree(out)


def terminal_signals() -> None:
    """Give the child the SIGINT a terminal gives: a suite started in the background (``make test
    &``) ignores SIGINT, and a child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_the_build_with_one_line(tmp_path):
    out = tmp_path / "dist"
    # the project's default pack (70 outputs, seconds of work): still rendering when Ctrl-C comes,
    # however warm the font cache is
    cmd = [sys.executable, "-m", "packbuilder", "build", "--pack", str(REPO / "packs" / "default.toml"),
           "--out", str(out), "--quiet", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env(1735689600), start_new_session=True,
                            preexec_fn=terminal_signals)
    workers = wait_for_workers(proc, 2)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)                        # as a terminal does: every process
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGINT, err          # ended by SIGINT: the shell shows 130
    assert err.strip().splitlines() == ["interrupted: stopped before finishing (a build keeps the previous pack)"], err
    deadline = time.monotonic() + 20
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers)


def test_a_full_disk_keeps_the_previous_pack_and_its_zip(tmp_path):
    probe = tmp_path / "probe"
    subprocess.run(build_cmd(probe), check=True, capture_output=True, env=env(1735689600))
    size = sum(p.stat().st_blocks * 512 for p in probe.rglob("*") if p.is_file())   # as allocated
    disk = tmp_path / "disk"
    disk.mkdir()
    # room for one pack and a bit, not for a second one beside it
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={int(size * 1.5)}", "tmpfs", str(disk)],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root and mount rights): {mount.stderr.strip()}")
    try:
        out = disk / "dist"
        subprocess.run(build_cmd(out), check=True, capture_output=True, env=env(1735689600))
        old = agree(out)
        proc = subprocess.run(build_cmd(out), capture_output=True, text=True, env=env(1767225600))
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith("output: ") and "nothing was changed" in proc.stderr
        assert agree(out) == old
        assert not [p.name for p in out.iterdir() if p.name.endswith((".partial", ".old"))]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_font_cache_is_an_output_error(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(cache)], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root and mount rights): {mount.stderr.strip()}")
    try:
        proc = subprocess.run(build_cmd(tmp_path / "dist"), capture_output=True, text=True,
                              env={**env(1735689600), "PACKBUILDER_CACHE": str(cache)})
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith("output: ") and "cannot write the font cache" in proc.stderr, proc.stderr
        assert not (tmp_path / "dist/minimal").exists()
    finally:
        subprocess.run(["umount", str(cache)], check=False)
