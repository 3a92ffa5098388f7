"""Where a pack's files live, by name; no name or path from a request can leave packs/ or dist/."""
from __future__ import annotations

import json
import re
import threading
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.exceptions import HTTPException

from ..pack import write_atomic
from .settings import Settings

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_PDFIUM = threading.Lock()                     # pypdfium2 is not thread-safe


def valid_name(name: str) -> bool:
    """Return True if ``name`` is a pack name: letters, digits, - and _, no dots or slashes."""
    return bool(NAME.fullmatch(name))


def pack_files(settings: Settings) -> dict[str, Path]:
    """Return every pack under packs/ by name: packs/<name>.toml and packs/<name>/pack.toml."""
    found: dict[str, Path] = {}
    folder = settings.packs_dir
    for path in sorted([*folder.glob("*.toml"), *folder.glob("*/pack.toml")]):
        name = path.stem if path.name != "pack.toml" else path.parent.name
        if valid_name(name):
            found.setdefault(name, path)
    return found


def pack_path(settings: Settings, name: str) -> Path:
    """Return the config file of the pack ``name``, or answer 404."""
    path = pack_files(settings).get(name) if valid_name(name) else None
    if path is None:
        raise HTTPException(404, f"There is no pack called {name[:64]!r}.")
    return path


def new_pack_path(settings: Settings, name: str) -> Path:
    """Return packs/<name>/pack.toml for a pack made in the browser."""
    if not valid_name(name):
        raise ValueError(name)
    return settings.packs_dir / name / "pack.toml"


def pack_dist(settings: Settings, name: str) -> Path:
    """Return dist/<name>, where the pack ``name`` is built."""
    if not valid_name(name):
        raise HTTPException(404, "No such pack.")
    return settings.dist_dir / name


def dist_file(settings: Settings, name: str, rel: str) -> Path:
    """Return the built file ``rel`` of pack ``name``: every part a plain file name, inside dist/<name>."""
    parts = rel.split("/")
    if not rel or len(parts) > 4 or not all(FILE.fullmatch(p) and ".." not in p for p in parts):
        raise HTTPException(404, "No such file in this pack.")
    folder = pack_dist(settings, name).resolve()
    path = (folder / rel).resolve()
    if folder not in path.parents or not path.is_file():
        raise HTTPException(404, "No such file in this pack.")
    return path


def manifest(settings: Settings, name: str) -> dict | None:
    """Return the built pack's manifest.json, or None if the pack was never built."""
    path = pack_dist(settings, name) / "manifest.json"
    try:
        return _manifest(path, path.stat().st_mtime_ns)
    except OSError:
        return None


@lru_cache(maxsize=16)
def _manifest(path: Path, mtime: int) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class PdfInfo:
    title: str
    pages: int


_INFO: dict[str, PdfInfo] = {}                 # by the PDF's sha256: a built file never changes


def pdf_info(settings: Settings, path: Path, sha: str) -> PdfInfo:
    """Return a built PDF's title (from its metadata) and page count, cached by its hash."""
    if sha in _INFO:
        return _INFO[sha]
    cache = settings.data_dir / "pdfinfo" / f"{sha}.json"
    try:
        data = json.loads(cache.read_text())
        _INFO[sha] = PdfInfo(data["title"], data["pages"])
        return _INFO[sha]
    except (OSError, ValueError, KeyError):
        pass
    import pypdfium2 as pdfium
    with _PDFIUM:
        pdf = pdfium.PdfDocument(path)
        try:
            info = PdfInfo(str(pdf.get_metadata_dict().get("Title", "")) or path.stem, len(pdf))
        finally:
            pdf.close()
    write_atomic(cache, json.dumps({"title": info.title, "pages": info.pages}).encode())
    _INFO[sha] = info
    return info


def thumbnail(settings: Settings, path: Path, sha: str, width: int = 180, page: int = 0) -> Path:
    """Return a PNG of page ``page`` of a built PDF, ``width`` pixels wide, cached by its hash."""
    cache = settings.data_dir / "thumbs" / f"{sha}-{page}-{width}.png"
    if cache.is_file():
        return cache
    import io

    import pypdfium2 as pdfium
    with _PDFIUM:
        pdf = pdfium.PdfDocument(path)
        try:
            sheet = pdf[min(page, len(pdf) - 1)]
            image = sheet.render(scale=width / sheet.get_width()).to_pil()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    write_atomic(cache, out.getvalue())
    return cache


def pack_name_in(path: Path) -> str:
    """Return the name a pack config gives itself (its file's name when it says none); the file
    is read again only when it changes (every library page and thumbnail asks)."""
    try:
        st = path.stat()
        return _pack_name_in(path, st.st_mtime_ns, st.st_size)
    except OSError:
        return _pack_name_in(path, 0, 0)


@lru_cache(maxsize=64)
def _pack_name_in(path: Path, mtime: int, size: int) -> str:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        name = data.get("pack", {}).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return name if isinstance(name, str) and valid_name(name) else (
        path.stem if path.name != "pack.toml" else path.parent.name)
