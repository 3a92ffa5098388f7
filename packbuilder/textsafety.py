"""Text as a reader sees it: invisible characters dropped, look-alike letters folded.

Checks compare what prints, not what a file holds: a zero-width space, a soft hyphen or a
Cyrillic "а" must not hide an avoided term, a link or the draft notice from them.

The look-alike table is derived, not hand-written: Unicode's confusables data (UTS #39,
``confusables.txt``) as shipped by the ``confusable-homoglyphs`` package. Every non-ASCII
character Unicode lists as confusable with an ASCII letter or digit folds to that character.
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

#: Keys of the ui catalog whose text keeps a reader safe: each must show words in the page's script.
SAFETY_KEYS = ("draft", "source", "neutral-title", "status-draft")
#: Letters a language's pages are written in (Unicode character-name prefixes); others: any letter.
SCRIPTS = {"zh": ("CJK",), "ja": ("CJK", "HIRAGANA", "KATAKANA"), "ko": ("HANGUL", "CJK"),
           "ar": ("ARABIC",), "fa": ("ARABIC",), "ur": ("ARABIC",), "he": ("HEBREW",),
           "ru": ("CYRILLIC",), "uk": ("CYRILLIC",), "el": ("GREEK",)}


@lru_cache(maxsize=1)
def lookalikes() -> dict[int, str]:
    """Return the fold table: non-ASCII look-alike -> the ASCII letter or digit it imitates."""
    import confusable_homoglyphs
    data = json.loads((Path(confusable_homoglyphs.__file__).parent / "confusables.json").read_text("utf-8"))
    table: dict[int, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii():
            continue
        target = next((g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()), None)
        if target is not None:
            table[ord(char)] = target
    return table


def invisible(ch: str) -> bool:
    """Return True for a character that prints nothing: format characters (zero-width, soft
    hyphen, direction marks, BOM) and variation selectors."""
    return unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f"


def drop_invisible(text: str) -> str:
    """Return ``text`` without the characters that print nothing."""
    return "".join(ch for ch in text if not invisible(ch))


def fold(text: str) -> str:
    """Return the skeleton checks compare: invisible characters dropped, compatibility forms
    (full-width, ligatures) normalised, look-alike letters folded to the ASCII they imitate."""
    return unicodedata.normalize("NFKC", drop_invisible(text)).translate(lookalikes())


def visible_in_script(text: str, lang: str) -> bool:
    """Return True if ``text`` shows at least one letter of ``lang``'s script (any letter or
    digit where the script is not listed)."""
    prefixes = SCRIPTS.get(lang.split("_")[0].split("-")[0])
    for ch in text:
        if unicodedata.category(ch)[0] not in "LN":
            continue
        if prefixes is None or unicodedata.name(ch, "").startswith(prefixes):
            return True
    return False


def has_words(text: str) -> bool:
    """Return True if ``text`` prints a letter or a digit (not only spaces, marks, punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
