"""Fonts owned by packbuilder: each face subset once to the characters a language uses.

WeasyPrint subsets again when it writes, but from a 65k-glyph CJK font that costs time and
leaves a large font in every PDF; from a font that holds only the pack's characters it is
fast and small. Subsets are cached on disk, keyed by (font file hash, character set).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from .errors import FontError
from .fonts import PACKAGES, coverage, resolve
from .pack import write_atomic

FACES = ((400, "normal", "Regular"), (700, "normal", "Bold"), (400, "italic", "Italic"),
         (700, "italic", "Bold Italic"))
#: Characters the layouts and the renderer add on their own: bullets, counters, hyphens, quotes.
LAYOUT_TEXT = "".join(chr(c) for c in range(0x20, 0x7F)) + "•–—‐‑’‘“”…·«»¿¡ "
PREFIX = "pb "


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    style: str
    path: Path
    index: int


@dataclass(frozen=True)
class FontSet:
    """The subset fonts of one language: CSS to load them, and the stack that uses them."""

    css: str
    stack: str
    files: tuple[Path, ...]
    key: str


def cache_dir() -> Path:
    """Return the per-user font cache: $PACKBUILDER_CACHE, else $XDG_CACHE_HOME/packbuilder."""
    if os.environ.get("PACKBUILDER_CACHE"):
        return Path(os.environ["PACKBUILDER_CACHE"]).resolve() / "fonts"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).resolve() / "packbuilder" / "fonts"


@lru_cache(maxsize=None)
def faces(family: str) -> tuple[Face, ...]:
    """Return the installed faces of ``family`` (a family without italics has none)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(len(FACES)) as pool:        # fc-match mostly waits: ask at once
        found = pool.map(lambda face: _match_face(family, *face), FACES)
        return tuple(face for face in found if face is not None)


def _match_face(family: str, weight: int, style: str, name: str) -> Face | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\n%{style}\n%{file}\n%{index}",
                              f"{family}:style={name}"], capture_output=True, text=True,
                             check=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    fams, styles, file, index = (out.split("\n") + ["", "", "", "0"])[:4]
    if family.lower() in [f.strip().lower() for f in fams.split(",")] and \
            name.lower() in [s.strip().lower() for s in styles.split(",")]:
        return Face(family, weight, style, Path(file), int(index or 0))
    return None


def file_hash(path: Path, cache_dir: Path) -> str:
    """Return the sha256 of a font file, remembered by (path, size, mtime) between builds."""
    index_path = cache_dir / "hashes.json"
    try:
        known = json.loads(index_path.read_text())
    except (OSError, ValueError):
        known = {}
    stat = path.stat()
    tag = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
    if tag not in known:
        known[tag] = hashlib.sha256(path.read_bytes()).hexdigest()
        write_atomic(index_path, json.dumps(known, indent=0, sort_keys=True).encode())
    return known[tag]


def subset_face(face: Face, chars: str, cache_dir: Path) -> Path:
    """Return a cached subset of ``face`` holding ``chars`` (the ones it has glyphs for)."""
    wanted = sorted({ord(c) for c in chars} & coverage_of(face))
    key = hashlib.sha256(f"v4:{file_hash(face.path, cache_dir)}:{face.index}:{wanted}".encode()).hexdigest()[:24]
    suffix = ".otf" if face.path.suffix.lower() in (".otf", ".ttc", ".otc") else ".ttf"
    out = cache_dir / f"{key}{suffix}"
    if out.is_file():
        return out
    import uharfbuzz as hb

    # HarfBuzz's subsetter: what fontTools took two seconds over for a CJK face takes ten
    # milliseconds, so a first build, or a new character in a catalog, costs no wait
    subset_input = hb.SubsetInput()
    subset_input.unicode_set.update(wanted)
    subset_input.layout_feature_tag_set.invert()     # every feature: kerning, ligatures, CJK forms
    subset_input.name_id_set.invert()                # every name record
    subset_input.flags = (hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
                          | hb.SubsetFlags.NOTDEF_OUTLINE)
    subset = hb.subset(hb.Face(hb.Blob.from_file_path(str(face.path)), face.index), subset_input)
    if subset is None:
        raise FontError(f"HarfBuzz could not subset {face.path} (face {face.index}); reinstall the "
                        f"package that provides it ({PACKAGES.get(face.family, 'unknown')})")
    data = identity_cids(subset.blob.data)
    write_atomic(out, data)
    return out


def identity_cids(data: bytes) -> bytes:
    """Return the font ``data`` with, if it is a CID-keyed CFF font, each glyph's CID set to its
    glyph id.

    WeasyPrint writes glyph ids as CIDs, and viewers that follow the CFF charset (MuPDF, and
    every viewer once ``fontembed`` makes the font a bare CFF) would otherwise find the wrong
    glyph or none. HarfBuzz's subsetter numbers CIDs this way already (fontTools' kept the full
    font's: 一 stayed CID 14,129 at glyph 300); this makes sure of it, on a cache miss only.
    Only the CFF table changes; the others refer to glyphs by id already.
    """
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    font = TTFont(BytesIO(data), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    if "CFF " not in font:
        return data
    cff = CFFFontSet()
    cff.decompile(BytesIO(font.reader["CFF "]), font)
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return data
    names = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(top.charset))]
    if names == top.charset:
        return data
    strings = top.CharStrings
    strings.charStrings = {new: strings.charStrings[old] for old, new in zip(top.charset, names)}
    top.charset = names
    out = BytesIO()
    cff.compile(out, font)
    table = DefaultTable("CFF ")
    table.data = out.getvalue()
    font["CFF "] = table
    result = BytesIO()
    font.save(result, reorderTables=False)
    return result.getvalue()


def coverage_of(face: Face) -> frozenset[int]:
    from .fonts import FontFile
    return coverage(FontFile(face.family, face.path, face.index))


def plan(families: tuple[str, ...], chars: str) -> list[tuple[Face, str]]:
    """Return the (face, characters) subsets a language needs.

    A family gets only the characters the families before it in the stack cannot draw, so the
    CJK fallback of a Spanish pack holds a few glyphs, not the whole Latin alphabet again.
    """
    wanted = []
    remaining = set(chars + LAYOUT_TEXT)
    for family in families:
        font = resolve(family)
        if font is None:
            continue
        mine = "".join(sorted(c for c in remaining if ord(c) in coverage(font)))
        remaining -= set(mine)
        if mine.strip():
            # spaces and punctuation next to a fallback run are shaped with the fallback font
            wanted += [(face, "".join(sorted(set(mine + LAYOUT_TEXT)))) for face in faces(family)]
    return wanted


def subset_all(plans: dict[str, list[tuple[Face, str]]], cache_dir: Path) -> dict:
    """Make every planned subset that is not cached yet; return {(face, chars): path}."""
    jobs = sorted({(face, chars) for plan_ in plans.values() for face, chars in plan_},
                  key=lambda fc: (str(fc[0].path), fc[0].index, fc[1]))
    return {(face, chars): subset_face(face, chars, cache_dir) for face, chars in jobs}


def font_set(families: tuple[str, ...], wanted: list[tuple[Face, str]], made: dict) -> FontSet:
    """Return the CSS that loads a language's subsets, and the font stack that uses them."""
    rules, files, stack = [], [], []
    for face, chars in wanted:
        path = made[(face, chars)]
        files.append(path)
        # a family name per set of characters: a worker lays out every language with one font
        # configuration, and the index shows several languages, so two different subsets of
        # one family never share a name (its faces do: they hold the same characters)
        tag = hashlib.sha256(chars.encode()).hexdigest()[:6]
        family = f'"{PREFIX}{face.family} {tag}"'
        rules.append(f"@font-face {{ font-family: {family}; src: url(\"{path.as_uri()}\"); "
                     f"font-weight: {face.weight}; font-style: {face.style}; }}")
        if family not in stack:
            stack.append(family)
    # the installed families stay behind the subsets, so a character missed here still prints
    stack += [f'"{family}"' for family in families] + ["sans-serif"]
    key = hashlib.sha256("".join(p.name for p in files).encode()).hexdigest()[:16]
    return FontSet("\n".join(rules), ", ".join(stack), tuple(files), key)
