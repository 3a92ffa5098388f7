"""The Plural-Forms header packbuilder writes for a new language: GNU gettext's, not one CLDR release's.

The rule (README, "Plural forms"): a new catalog gets the Plural-Forms that GNU gettext's
`msginit` writes for the language, because that is what msgfmt, Poedit and Weblate's gettext
exports expect. Chinese, Arabic and Thai, which msginit 0.21 leaves to the translator, get the
forms in the GNU gettext manual ("Plural forms"). Only a language in neither falls back to
Babel's CLDR-derived rule, and `packbuilder init` says so. An existing catalog's header always
wins: this table is used only when a catalog is created.
"""
from __future__ import annotations

from babel import Locale
from babel.messages.plurals import get_plural

_ONE = "nplurals=2; plural=(n != 1);"
_SLAVIC = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"

#: msginit (GNU gettext-tools 0.21) output, language by language; tests/test_plurals.py re-runs it.
GETTEXT_PLURALS: dict[str, str] = {
    "bg": _ONE, "da": _ONE, "de": _ONE, "el": _ONE, "en": _ONE, "eo": _ONE, "es": _ONE,
    "et": _ONE, "fi": _ONE, "he": _ONE, "hu": _ONE, "it": _ONE, "nb": _ONE, "nl": _ONE,
    "nn": _ONE, "pt": _ONE, "sv": _ONE, "tr": _ONE,
    "fr": "nplurals=2; plural=(n > 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "cs": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
    "sk": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
    "ga": "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
    "hr": _SLAVIC, "ru": _SLAVIC, "sr": _SLAVIC, "uk": _SLAVIC,
    "lt": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "ro": "nplurals=3; plural=n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2;",
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
    "ja": "nplurals=1; plural=0;", "ko": "nplurals=1; plural=0;", "vi": "nplurals=1; plural=0;",
}

#: From the GNU gettext manual, for languages msginit 0.21 leaves blank.
MANUAL_PLURALS: dict[str, str] = {
    "zh": "nplurals=1; plural=0;",
    "th": "nplurals=1; plural=0;",
    "ar": ("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
           ": n%100>=11 ? 4 : 5;"),
}


def _split(forms: str) -> tuple[int, str]:
    params = dict(part.strip().split("=", 1) for part in forms.split(";") if "=" in part)
    return int(params["nplurals"]), params["plural"].strip()


def plural_forms(lang: str) -> tuple[int, str, bool]:
    """Return (nplurals, plural expression, known) for a new catalog in ``lang``.

    ``known`` is False when the language is in neither table and Babel's CLDR rule was used.
    """
    locale = Locale.parse(lang.replace("-", "_"))
    for key in (f"{locale.language}_{locale.territory}" if locale.territory else None, locale.language):
        if key and key in GETTEXT_PLURALS:
            return (*_split(GETTEXT_PLURALS[key]), True)
        if key and key in MANUAL_PLURALS:
            return (*_split(MANUAL_PLURALS[key]), True)
    number, expr = get_plural(locale)
    return number, expr, False
