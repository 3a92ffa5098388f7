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


@dataclass(frozen=True)
class Output:
    """One rendered file and what the manifest says of it."""

    path: str               # relative to the pack folder: en/best-practices.pdf
    data: bytes
    meta: dict


@contextmanager
def build_lock(out_dir: Path, name: str) -> Iterator[None]:
    """Hold ``dist/.<name>.lock`` for the whole build; a second build gets a clear error."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = open(out_dir / f".{name}.lock", "w")
    except OSError as exc:
        raise OutputError(f"cannot write to the output folder {out_dir}: {exc.strerror}; "
                          "choose another with --out or fix its permissions", path=out_dir) from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise OutputError(f"another build of '{name}' is writing to {out_dir} right now; "
                          "wait for it to finish, then build again", path=out_dir) from None
    try:
        yield
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def manifest(outputs: list[Output], header: dict) -> bytes:
    """Return manifest.json: every file with its sha256, language, document and counts."""
    files = [{"path": o.path, "sha256": hashlib.sha256(o.data).hexdigest(), "bytes": len(o.data),
              **o.meta} for o in sorted(outputs, key=lambda o: o.path)]
    return (json.dumps({**header, "files": files}, ensure_ascii=False, indent=2, sort_keys=False)
            + "\n").encode("utf-8")


def write_pack(outputs: list[Output], target: Path, header: dict) -> Path:
    """Write ``outputs`` and the manifest into ``target``, replacing it atomically."""
    parent = target.parent
    staging = parent / f".{target.name}.partial"
    retired = parent / f".{target.name}.old"
    for stale in (staging, retired):          # left behind by a build that was killed
        if stale.exists():
            shutil.rmtree(stale)
    try:
        for out in outputs:
            dest = staging / out.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(out.data)
        (staging / "manifest.json").write_bytes(manifest(outputs, header))
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
    except OSError as exc:
        if retired.exists() and not target.exists():
            os.replace(retired, target)
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the pack to {target}: {exc.strerror or exc}", path=target) from None
    shutil.rmtree(retired, ignore_errors=True)
    return target


def write_zip(folder: Path, target: Path, built) -> Path:  # type: ignore[no-untyped-def]
    """Write ``folder`` as a zip bundle, the same bytes for the same files (dates from ``built``)."""
    import zipfile

    stamp = max(built.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    tmp = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, path.read_bytes())
    os.replace(tmp, target)
    return target
