"""Write the pack: all of it in a temporary folder, then swapped in at once."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import OutputError



def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` in one step (its folder made if need be): a reader sees the old file or
    the new one, never half; a failed write leaves no temporary file."""
    import tempfile
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

@dataclass(frozen=True)
class Output:
    """One rendered file and what the manifest says of it."""

    path: str               # relative to the pack folder: en/best-practices.pdf
    data: bytes
    meta: dict


_HELD: set[int] = set()          # lock files this process holds: never handed to a forked worker


def _drop_locks() -> None:
    """In a forked child, close the build locks: only the process that took a lock holds it."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_drop_locks)


@contextmanager
def build_lock(out_dir: Path, name: str) -> Iterator[None]:
    """Hold ``dist/.<name>.lock`` for the whole build; a second build gets a clear error.

    Workers forked while it is held do not inherit it, so a killed build frees it at once.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / f".{name}.lock", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write to the output folder {out_dir}: {exc.strerror}; "
                          "choose another with --out or fix its permissions", path=out_dir) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputError(f"another build of '{name}' is writing to {out_dir} right now; "
                          "wait for it to finish, then build again", path=out_dir) from None
    _HELD.add(fd)
    try:
        recover(out_dir / name, out_dir / f"{name}.zip")     # a build killed mid-swap: finish or undo it
        yield
    finally:
        _HELD.discard(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def manifest(outputs: list[Output], header: dict) -> bytes:
    """Return manifest.json: every file with its sha256, language, document and counts."""
    files = [{"path": o.path, "sha256": hashlib.sha256(o.data).hexdigest(), "bytes": len(o.data),
              **o.meta} for o in sorted(outputs, key=lambda o: o.path)]
    return (json.dumps({**header, "files": files}, ensure_ascii=False, indent=2, sort_keys=False)
            + "\n").encode("utf-8")


def _names(target: Path) -> tuple[Path, Path, Path]:
    """Return the staging folder, the retired folder and the zip being written, beside ``target``."""
    parent = target.parent
    return parent / f".{target.name}.partial", parent / f".{target.name}.old", parent / f".{target.name}.zip.partial"


def _manifest_of_zip(path: Path, folder: str) -> bytes | None:
    import zipfile
    try:
        with zipfile.ZipFile(path) as bundle:
            return bundle.read(f"{folder}/manifest.json")
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, EOFError):
        return None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def recover(target: Path, zip_path: Path) -> None:
    """Finish or undo the swap of a build that was killed, so that folder and zip agree.

    The new pack and its zip are complete (and synced) before the swap starts, so: a new folder
    in place with its zip waiting is finished (the zip moves in); a folder missing with the old
    one retired is restored, never deleted; a staging folder or a zip that never went live is removed.
    """
    staging, retired, zip_partial = _names(target)
    if retired.exists() and not target.exists():
        os.replace(retired, target)                        # no new pack went live: the old one is back
    live = _read(target / "manifest.json")
    if zip_partial.exists():
        if live is not None and _manifest_of_zip(zip_partial, target.name) == live:
            os.replace(zip_partial, zip_path)              # killed between the two renames: finish
        else:
            zip_partial.unlink()
    if retired.exists() and live is not None:
        shutil.rmtree(retired, ignore_errors=True)         # the new pack is whole: the old one can go
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)


def _sync(folder: Path) -> None:
    """Flush ``folder``'s file system to disk (one syncfs), so a power cut cannot swap in holes."""
    import ctypes
    fd = os.open(folder, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


#: Test hook: called with the name of each step of the write (a fault test kills the build there).
STEP: list = []


def _step(name: str) -> None:
    for hook in STEP:
        hook(name)


def write_pack(outputs: list[Output], target: Path, header: dict, zip_path: Path | None = None,
               built=None) -> Path:  # type: ignore[no-untyped-def]
    """Write ``outputs``, the manifest and the zip, then swap them in, so folder and zip agree.

    Everything is written and synced first (a full disk fails here, and nothing changes); then
    the folder is swapped in one rename where the system allows it, then the zip is moved in.
    A build killed between those two moves is finished by the next one (``recover``).
    """
    staging, retired, zip_partial = _names(target)
    recover(target, zip_path or target.with_suffix(".zip"))
    try:
        for out in outputs:
            dest = staging / out.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(out.data)
        _step("files")
        (staging / "manifest.json").write_bytes(manifest(outputs, header))
        _step("manifest")
        if zip_path is not None:
            write_zip(staging, zip_partial, built, name=target.name)
            _step("zip")
        _sync(staging)
        _step("sync")
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if zip_partial.exists():
            zip_partial.unlink()
        raise OutputError(f"cannot write the pack to {target}: {exc.strerror or exc}; nothing was "
                          "changed (free some space, then build again)", path=target) from None
    try:
        _swap(staging, target, retired)
        if zip_path is not None:
            os.replace(zip_partial, zip_path)
            _step("zip-swap")
    except OSError as exc:
        recover(target, zip_path or target.with_suffix(".zip"))
        raise OutputError(f"cannot move the new pack into {target}: {exc.strerror or exc}; the "
                          "previous pack is kept", path=target) from None
    shutil.rmtree(retired, ignore_errors=True)
    return target


def _swap(staging: Path, target: Path, retired: Path) -> None:
    """Put ``staging`` in place of ``target``, the old folder left as ``retired``."""
    if target.exists() and _exchange(staging, target):     # one step: new in, old out
        _step("swap")
        os.replace(staging, retired)
        return
    if target.exists():
        os.replace(target, retired)
        _step("retire")
    os.replace(staging, target)
    _step("swap")


def write_zip(folder: Path, target: Path, built, name: str | None = None) -> Path:  # type: ignore[no-untyped-def]
    """Write ``folder`` as a zip bundle, the same bytes for the same files (dates from ``built``);
    entries sit under ``name`` (the folder's own name by default)."""
    import zipfile

    stamp = max(built.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    name = name or folder.name
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{name}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, path.read_bytes())
    return target
