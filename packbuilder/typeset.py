"""Typesetting rules applied at render time, per language: quotation marks and CJK last lines.

Quotation marks (the catalogs keep whatever the translator typed; the page gets the language's own):
- en: “double” and ‘single’, apostrophe ’.
- es: «angulares» first, “inglesas” inside them: the Real Academia Española and ASALE's
  Ortografía (2010, §3.4.8) give this order for printed text, for every Spanish-speaking country.
- zh_Hans: “” and ‘’ (GB/T 15834-2011, the mainland standard for horizontal text); 「」 belongs
  to vertical text and to Traditional Chinese usage.
"""
from __future__ import annotations

import re

QUOTES = {"en": ("“", "”", "‘", "’"), "es": ("«", "»", "“", "”"), "zh": ("“", "”", "‘", "’"),
          "ja": ("「", "」", "『", "』")}
# what must never change: link targets, autolinks and bare URLs
PROTECTED = re.compile(r"(\]\([^)]*\)|<[^>\s]+>|https?://\S+|mailto:\S+|\{[a-z_]+\})")
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_JOINER = "\u2060"
LAST_TWO = re.compile(rf"([{CJK}])([{CJK}][^{CJK}]*)$")


def quotes(text: str, lang: str) -> str:
    """Return ``text`` with straight and English quotation marks set in the language's own."""
    marks = QUOTES.get(lang.split("-")[0].split("_")[0])
    if marks is None:
        return text
    open1, close1, open2, close2 = marks
    parts = PROTECTED.split(text)
    for i in range(0, len(parts), 2):                 # even parts are text, odd parts are protected
        parts[i] = _quote_part(parts[i], open1, close1, open2, close2)
    return "".join(parts)


def _quote_part(s: str, open1: str, close1: str, open2: str, close2: str) -> str:
    out, inner, outer = [], 0, 0                     # quotations open, single and double
    for i, ch in enumerate(s):
        before = s[i - 1] if i else " "
        opening = before.isspace() or before in "([{—–-/" or before in (open1, open2)
        if ch == '"':                                # opens unless a quotation is open: 他说"不要"
            out.append(close1 if outer and not opening else open1)
            outer = outer - 1 if outer and not opening else outer + 1
        elif ch == "“":
            out.append(open1)
            outer += 1
        elif ch == "”":
            out.append(close1)
            outer = max(outer - 1, 0)
        elif ch == "‘" or (ch == "'" and opening):
            out.append(open2)
            inner += 1
        elif ch in "'’" and inner and not (before.isalpha() and i + 1 < len(s) and s[i + 1].isalpha()):
            out.append(close2)
            inner -= 1
        elif ch == "'":
            out.append("’")                          # an apostrophe
        else:
            out.append(ch)
    return "".join(out)


def cjk_last_line(text: str, lang: str) -> str:
    """Join a CJK paragraph's last two characters, so that its last line never holds one alone."""
    if not lang.startswith(("zh", "ja")):
        return text
    return LAST_TWO.sub(lambda m: m.group(1) + WORD_JOINER + m.group(2), text)


def prepare(text: str, lang: str) -> str:
    """Apply the language's typesetting rules to a segment's (Markdown) text before it renders."""
    return cjk_last_line(quotes(text, lang), lang)
