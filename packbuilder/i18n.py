"""What a language needs on the page: its tag, direction, name and fonts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel import Locale
from babel.dates import format_date

#: Font stacks by script: the first family that has a glyph draws it.
FONT_STACKS: dict[str, tuple[str, ...]] = {
    "Hans": ("Noto Sans CJK SC", "Noto Sans"),
    "Hant": ("Noto Sans CJK TC", "Noto Sans"),
    "Jpan": ("Noto Sans CJK JP", "Noto Sans"),
    "Kore": ("Noto Sans CJK KR", "Noto Sans"),
    "Arab": ("Noto Sans Arabic", "Noto Sans", "Noto Sans CJK SC"),
    "Hebr": ("Noto Sans Hebrew", "Noto Sans", "Noto Sans CJK SC"),
    "Latn": ("Noto Sans", "Noto Sans CJK SC"),
}

#: The word-search grid: a monospaced face (Latin at half an em, CJK at a whole one), so that
#: each row is one line of text on a fixed pitch instead of a table of boxes, which WeasyPrint
#: lays out about seven times slower. Installed with fonts-noto-cjk.
GRID_FONTS: tuple[str, ...] = ("Noto Sans Mono CJK SC",)
#: The key of the grid's fonts among a build's font sets (no language is called this).
GRID = "grid"


@dataclass(frozen=True)
class Language:
    """A catalog language as the layouts need it."""

    code: str            # catalog code: zh_Hans
    tag: str             # BCP 47 for <html lang> and PDF /Lang: zh-Hans
    dir: str             # ltr | rtl
    name: str            # in its own language: 中文（简体）
    english_name: str
    fonts: tuple[str, ...]

    def font_css(self) -> str:
        return ", ".join(f'"{f}"' for f in self.fonts) + ", sans-serif"

    def format_date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.code)

    def name_of(self, code: str) -> str:
        """Return the name of the language ``code`` in this language: 英语 for en in zh_Hans."""
        return Locale.parse(code).get_display_name(Locale.parse(self.code)) or code


def language(code: str) -> Language:
    """Return the page facts of the catalog language ``code``."""
    locale = Locale.parse(code)
    script = locale.script or _likely_script(locale)
    tag = "-".join(p for p in (locale.language, locale.script, locale.territory) if p)
    rtl = locale.character_order == "right-to-left"
    name = locale.get_display_name(locale) or code
    if script in ("Hans", "Hant", "Jpan"):
        name = name.replace(" (", "（").replace(")", "）")   # full-width brackets in CJK text
    return Language(code=code, tag=tag, dir="rtl" if rtl else "ltr",
                    name=name[:1].upper() + name[1:], english_name=locale.get_display_name("en") or code,
                    fonts=FONT_STACKS.get(script, FONT_STACKS["Latn"]))


def _likely_script(locale: Locale) -> str:
    from babel.core import get_global
    likely = get_global("likely_subtags").get(locale.language, "")
    parts = likely.split("_")
    return parts[1] if len(parts) > 1 and len(parts[1]) == 4 else "Latn"
