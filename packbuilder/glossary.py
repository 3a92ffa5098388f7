"""Per-language terminology: preferred renderings, avoided words, names kept as they are."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

from .errors import CatalogError


@dataclass(frozen=True)
class Preferred:
    english: tuple[str, ...]
    use: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Avoided:
    terms: tuple[str, ...]
    use: str
    why: str
    source: str


@dataclass(frozen=True)
class Glossary:
    lang: str
    preferred: tuple[Preferred, ...] = ()
    avoided: tuple[Avoided, ...] = ()
    keep: tuple[str, ...] = ()


def _tuple(value) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """Return a term or list of terms as strings; anything else (numbers, tables) is a TypeError."""
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise TypeError(f"expected a term or a list of terms (text), got {value!r}")
    return tuple(values)


def _text(value) -> str:  # type: ignore[no-untyped-def]
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def load_glossary(locales_dir: Path, lang: str) -> Glossary:
    """Return ``locales/<lang>/glossary.toml`` (an empty glossary where there is none)."""
    path = locales_dir / lang / "glossary.toml"
    if not path.is_file():
        return Glossary(lang)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("preferred", []), list) or not isinstance(data.get("avoid", []), list):
            raise TypeError("[[preferred]] and [[avoid]] must be arrays of tables")
        return Glossary(
            lang,
            tuple(Preferred(_tuple(p["en"]), _tuple(p["use"]), _text(p.get("note", "")))
                  for p in data.get("preferred", [])),
            tuple(Avoided(_tuple(a["term"]), _text(a.get("use", "")), _text(a.get("why", "")),
                          _text(a.get("source", ""))) for a in data.get("avoid", [])),
            _tuple(data.get("keep", {}).get("terms", [])) if data.get("keep", {}).get("terms") else ())
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError, UnicodeDecodeError, OSError) as exc:
        raise CatalogError(f"glossary is not valid: {exc}; see locales/es/glossary.toml for the format",
                           path=path) from None


@lru_cache(maxsize=None)
def term_pattern(term: str) -> re.Pattern[str]:
    """Match ``term`` as a whole word where the script has words, anywhere in CJK text."""
    escaped = re.escape(term)
    if re.search(r"[A-Za-zÀ-ÿ]", term):
        return re.compile(rf"(?<![\w-]){escaped}(?![\w])", re.IGNORECASE)
    return re.compile(escaped)


URL = re.compile(r"<[^<>\s]+>|\]\([^)\]]*\)|https?://\S+")      # linear: no scan past the next start


def mask(text: str, names: tuple[str, ...]) -> str:
    """Return ``text`` with URLs and kept names blanked, so they are not read as terms."""
    text = URL.sub(" ", text)
    for name in names:
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return text


def glossary_problems(glossary: Glossary, english: str, translation: str) -> list[str]:
    """Return every avoided term used and every preferred rendering missed in one entry."""
    from .textsafety import fold
    problems = []
    target = fold(mask(translation, glossary.keep))       # as a reader sees it: no zero-width, no look-alikes
    for avoided in glossary.avoided:
        for term in avoided.terms:
            if term_pattern(fold(term)).search(target):
                problems.append(f"avoided term {term!r}: {avoided.why} Use {avoided.use!r} "
                                f"(guidance: {avoided.source}).")
    source = mask(english, glossary.keep)
    for pref in glossary.preferred:
        hits = [t for t in pref.english if term_pattern(t).search(source)]
        if hits and not any(term_pattern(fold(u)).search(target) for u in pref.use):
            problems.append(f"{hits[0]!r} should be rendered as {' / '.join(repr(u) for u in pref.use)}"
                            f"{f' ({pref.note})' if pref.note else ''}.")
    return problems
