"""The trust boundary: which files a pack may make packbuilder read.

A pack may name files inside its own folder and inside packbuilder's own tree (the
repository's content/, locales/, layouts/ and assets/), after every symlink is followed; a pack
kept in a project's ``packs/`` folder may read that project's four folders too.
Anything else is refused, unless a maintainer builds their own checkout with ``--trust-pack``.
"""
from __future__ import annotations

import os
from pathlib import Path

#: packbuilder's own tree: the folders a stock pack reads.
HOME = Path(__file__).resolve().parent.parent
OWN_FOLDERS = ("content", "locales", "layouts", "assets")
MAX_ENTRIES = 20_000           # files and folders under one [paths] folder: a pack, not a disk


def allowed_roots(pack_folder: Path) -> tuple[Path, ...]:
    """Return the folders an untrusted pack may read: its own, and packbuilder's.

    A pack file in a folder named ``packs`` (``packs/x.toml``), or in its own folder under one
    (``packs/<name>/pack.toml``, as the web app writes them), is part of a project laid out like
    packbuilder's repository: it may also read that project's content/, locales/, layouts/ and
    assets/. Those are the project's (its operator's) folders, not the pack's, so they are taken
    with their symlinks followed.
    """
    folder = Path(pack_folder).resolve()
    projects = [p.parent for p in (folder, folder.parent) if p.name == "packs"]
    project = [resolve(p / name) for p in projects for name in OWN_FOLDERS]
    return (folder, *(r for r in project if r is not None), *(HOME / name for name in OWN_FOLDERS))


def resolve(path: Path) -> Path | None:
    """Return ``path`` with every symlink followed, or None if it cannot be (a loop, a NUL)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def within(path: Path, roots: tuple[Path, ...]) -> bool:
    """Return True if the resolved ``path`` lies in (or is) one of ``roots``."""
    return any(path == root or root in path.parents for root in roots)


def confine(base: Path, value: str, roots: tuple[Path, ...] | None) -> tuple[Path | None, str]:
    """Resolve ``value`` against ``base``; return (path, "") or (None, why and how to fix it).

    ``roots`` None means trusted: any path that resolves is accepted.
    """
    if "\0" in value:
        return None, "contains a NUL character; write the path plainly"
    path = resolve(Path(base) / value)
    if path is None:
        return None, "cannot be resolved (a symlink loop, or a name the system refuses)"
    if roots is not None and not within(path, roots):
        return None, (f"leads to {path}, outside the pack's folder and packbuilder's own folders; "
                      "copy the files into the pack's folder (a maintainer building their own "
                      "checkout may pass --trust-pack)")
    return path, ""


def escaping_links(folder: Path, roots: tuple[Path, ...]) -> list[str]:
    """Return a line for each symlink under ``folder`` that leads outside ``roots`` or nowhere,
    and one if the folder holds more than MAX_ENTRIES entries."""
    found: list[str] = []
    seen = 0
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            seen += 1
            if seen > MAX_ENTRIES:
                return found + [f"{folder} holds more than {MAX_ENTRIES:,} files; a pack's folders hold its own files only"]
            entry = Path(top) / name
            if not entry.is_symlink():
                continue
            target = resolve(entry)
            if target is None:
                found.append(f"{entry} is a symlink that cannot be followed (a loop?); remove it")
            elif not within(target, roots):
                found.append(f"{entry} is a symlink to {target}, outside the pack's folder and "
                             "packbuilder's own folders; copy the file in instead of linking it")
    return found
