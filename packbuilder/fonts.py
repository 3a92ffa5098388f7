"""Font stacks resolved to files, and the check that every character has a glyph."""
from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import FontError, Problem

#: Debian packages that carry each family, for the fix in an error message.
PACKAGES = {"Noto Sans": "fonts-noto-core", "Noto Sans Arabic": "fonts-noto-core",
            "Noto Sans Hebrew": "fonts-noto-core", "Noto Sans Mono": "fonts-noto-mono",
            "Noto Sans CJK SC": "fonts-noto-cjk", "Noto Sans CJK TC": "fonts-noto-cjk",
            "Noto Sans CJK JP": "fonts-noto-cjk", "Noto Sans CJK KR": "fonts-noto-cjk",
            "Noto Sans Mono CJK SC": "fonts-noto-cjk"}
IGNORED = {"Cc", "Cf", "Zl", "Zp"}          # controls and format characters draw nothing


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    index: int


@lru_cache(maxsize=None)
def resolve(family: str) -> FontFile | None:
    """Return the regular face of ``family`` as fontconfig finds it, or None if not installed."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\n%{file}\n%{index}", f"{family}:style=Regular"],
                             capture_output=True, text=True, check=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names, file, index = (out.split("\n") + ["", "", "0"])[:3]
    if family.lower() not in [n.strip().lower() for n in names.split(",")]:
        return None
    return FontFile(family, Path(file), int(index or 0))


@lru_cache(maxsize=None)
def coverage(font: FontFile) -> frozenset[int]:
    """Return the code points the font has glyphs for (HarfBuzz reads a CJK cmap in 2 ms)."""
    import uharfbuzz as hb
    return frozenset(hb.Face(hb.Blob.from_file_path(str(font.path)), font.index).unicodes)


def stack_coverage(families: tuple[str, ...]) -> tuple[frozenset[int], list[str]]:
    """Return (code points the stack covers, families that are not installed)."""
    covered: set[int] = set()
    missing = []
    for family in families:
        font = resolve(family)
        if font is None:
            missing.append(family)
        else:
            covered |= coverage(font)
    return frozenset(covered), missing


def uncovered(text: str, covered: frozenset[int]) -> list[str]:
    """Return the characters of ``text`` no font in the stack can draw."""
    return sorted({ch for ch in text if ord(ch) not in covered and not ch.isspace()
                   and unicodedata.category(ch) not in IGNORED})


def installed_family_for(ch: str) -> str | None:
    """Return an installed font family that has a glyph for ``ch``, if fontconfig knows one."""
    try:
        out = subprocess.run(["fc-list", f":charset={ord(ch):x}", "family"], capture_output=True,
                             text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
    return families[0] if families else None


def package_for(ch: str) -> str:
    """Return the Debian package most likely to cover ``ch`` (a suggestion for the error)."""
    cp = ord(ch)
    if 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF:
        return "fonts-noto-color-emoji"
    if 0x2E80 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF:
        return "fonts-noto-cjk"
    if 0x10000 <= cp <= 0x1BFFF:
        return "fonts-noto-extra"
    return "fonts-noto-core"


def fix_for(ch: str) -> str:
    family = installed_family_for(ch)
    return (f"the installed family {family!r} has it: add it to the language's font stack"
            if family else f"install the Debian package {package_for(ch)} and add its family to the stack")


def check_texts(lang: str, families: tuple[str, ...], texts: list[tuple[str, Path | None, int | None, str]]) -> None:
    """Raise FontError naming every character no font covers, with its segment and a fix."""
    covered, missing = stack_coverage(families)
    problems = [Problem(f"font {family!r} for {lang} is not installed; install the Debian package "
                        f"{PACKAGES.get(family, '(unknown)')}") for family in missing]
    for text, path, lineno, context in texts:
        bad = uncovered(text, covered)
        if bad:
            names = ", ".join(f"{ch!r} U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in bad)
            problems.append(Problem(
                f"[{lang}] {context}: no font in the stack ({', '.join(families)}) has a glyph for {names}; "
                f"it would print as an empty box. Remove the character, or {fix_for(bad[0])}",
                path, lineno))
    if problems:
        raise FontError(f"{len(problems)} font problem(s)", problems=problems)
