"""An organisation's brand: name, logo, colours, contact, local services; checked before use."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .hours import Hours, parse_hours
from .links import link_problem
from .svgsafe import png_problem, svg_problem

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-]{5,24}$")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
MAX_LOGO = 1024 * 1024                          # 1 MB: a logo, not a photograph
CATEGORIES = {"primary-care": "cat-primary-care", "mental-health": "cat-mental-health",
              "harm-reduction": "cat-harm-reduction", "hiv-sti": "cat-hiv-sti"}
INK, WHITE = "#1b1b1b", "#ffffff"
#: Keys that would change or hide the credit the sources ask for. They are refused, never ignored.
CREDIT_KEYS = {"credit", "credits", "attribution", "hide_credit", "hide_attribution", "source_line",
               "footer", "hide_source"}
#: Words and topics that reveal what the material is about, checked on both outside panels of a
#: discreet card (word starts in en and es, so "prostitut" finds "prostitution" but "sex" not
#: "Sussex"; words of three letters or fewer only whole, so "STI" is not "Stirling"; anywhere in
#: Chinese). A pack adds its own with [brand.revealing_words].
REVEALING = {
    "en": ["sex", "sexual", "sexy", "prostitut", "escort", "trafficking", "trafficked", "brothel", "condom",
           "lube", "customer", "client", "date", "dating", "outcall", "incall", "massage parlo", "stripper",
           "strip club", "sugar daddy", "sugar baby", "hooker", "pimp", "harm reduction", "hiv", "sti", "std",
           "street economy", "street-based", "buddy system", "fetish", "know your rights", "law enforcement",
           "police", "arrest", "outreach", "drug"],
    "es": ["sexo", "sexual", "prostitu", "trata de personas", "tratante", "escort", "condón", "condon",
           "preservativo", "lubricante", "cliente", "cita", "acompañante", "burdel", "proxeneta",
           "reducción de daños", "vih", "its", "ets", "economía de la calle", "trabajo en la calle", "fetiche",
           "policía", "arresto", "droga"],
    "zh_Hans": ["性工作", "性交易", "性服务", "性行为", "性病", "性传播", "性健康", "卖淫", "贩运", "妓", "安全套",
                "避孕套", "润滑", "客人", "顾客", "嫖", "约会", "陪侍", "按摩", "色情", "艾滋", "减害", "减少伤害",
                "街头", "毒品", "警察", "执法", "逮捕", "恋物"]}
NEUTRAL_NAME_MAX = 60
#: Where the organisation's line (logo, "Adapted and distributed by …", website) prints, by layout;
#: the rest of the contact block (phone, text line, hours, email) prints only on the places
#: ``[brand] contact_on`` names. By default the wallet cards (what a client carries) and the
#: contents sheet (the pack's cover): details that change print where they are used, and a new
#: phone number re-renders those files, not every handout.
CONTACT_PLACES = {"card": "cards", "contents": "contents", "handout": "handouts", "activity": "activities",
                  "index": "index"}
PLACES = tuple(CONTACT_PLACES.values())
CONTACT_ON = ("cards", "contents")
ALWAYS_PRINTED = ("website",)


@dataclass(frozen=True)
class Service:
    name: str
    category: str
    phone: str = ""
    address: str = ""
    hours: str | Hours = ""                                   # free text, or days and times
    notes: dict[str, str] = field(default_factory=dict)      # per language


@dataclass(frozen=True)
class Brand:
    """What an organisation adds to a pack. The sources' credit is never part of it."""

    name: str = ""
    logo: Path | None = None
    primary: str = "#0b5e63"
    accent: str = "#f2e8d5"
    contact: dict[str, dict[str, str | Hours]] = field(default_factory=dict)   # lang or "" -> field -> value
    discreet: tuple[str, ...] = ()          # card ids (or "*") whose outside carries a neutral title
    revealing: dict[str, list[str]] = field(default_factory=dict)
    discreet_name: str = ""                 # on a discreet card's outside: a neutral name...
    discreet_phone: str = ""                # ...and number, if the organisation wants them
    contact_on: tuple[str, ...] = CONTACT_ON     # where the phone, text line, hours and email print

    def contact_for(self, lang: str) -> dict[str, str | Hours]:
        """Return the contact block in ``lang``: the shared fields, with that language's overrides."""
        return {**self.contact.get("", {}), **self.contact.get(lang, {})}

    def printed_contact(self, lang: str, layout: str) -> dict[str, str | Hours]:
        """Return the contact fields a ``layout`` prints in ``lang``: all of them where
        ``contact_on`` names the layout's place, the website alone elsewhere, none on the credits."""
        place = CONTACT_PLACES.get(layout)
        if place is None:
            return {}
        contact = self.contact_for(lang)
        return contact if place in self.contact_on else {k: v for k, v in contact.items() if k in ALWAYS_PRINTED}

    def is_discreet(self, card: str) -> bool:
        return "*" in self.discreet or card in self.discreet

    def css(self) -> str:
        return f":root {{ --primary: {self.primary}; --accent: {self.accent}; }}"


def logo_uri(path: Path) -> str:
    """Return the logo as a data: URI, so the renderer never opens the pack's folder."""
    import base64
    return f"data:{LOGO_TYPES[path.suffix.lower()]};base64," + base64.b64encode(path.read_bytes()).decode()


def luminance(colour: str | tuple[int, ...]) -> float:
    """Return the WCAG relative luminance of a ``#rrggbb`` colour or an (r, g, b) of 0–255."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)] if isinstance(colour, str) else colour[:3]
    channels = [v / 255 for v in rgb]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str | tuple[int, ...], b: str | tuple[int, ...]) -> float:
    """Return the WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _text(table: dict, key: str, where: str, bad) -> str:  # type: ignore[no-untyped-def]
    value = table.get(key, "")
    if not isinstance(value, str):
        bad(where, "must be a string")
        return ""
    return value


def parse_brand(data: dict, folder: Path, bad, roots: tuple[Path, ...] | None = ()) -> Brand:  # type: ignore[no-untyped-def]
    """Return the [brand] of a pack config; ``bad(key, message)`` collects every problem.

    The logo must lie inside ``folder`` or ``roots`` after symlinks (``roots`` None: anywhere)."""
    from .trust import confine
    for key in sorted(CREDIT_KEYS & set(data)):
        bad(f"brand.{key}", "the sources' credit line cannot be changed or hidden; it stays on every "
                            "page as the sources ask. Remove this key")
    name = _text(data, "name", "brand.name", bad)
    primary, accent = data.get("primary", "#0b5e63"), data.get("accent", "#f2e8d5")
    for key, colour in (("primary", primary), ("accent", accent)):
        if not isinstance(colour, str) or not HEX.match(colour):
            bad(f"brand.{key}", f"{colour!r} is not a colour like \"#0b5e63\"")
    if isinstance(primary, str) and HEX.match(primary) and isinstance(accent, str) and HEX.match(accent):
        for fg, bg, what in ((primary, WHITE, "primary text on white"), (WHITE, primary, "white text on primary"),
                             (INK, accent, "body text on accent")):
            ratio = contrast(fg, bg)
            if ratio < 4.5:
                bad(f"brand.{'accent' if bg == accent else 'primary'}",
                    f"{what} has a contrast of {ratio:.2f}:1, below the 4.5:1 WCAG AA needs for text; "
                    "choose a darker primary or a lighter accent")
    logo = None
    if "logo" in data:
        value = _text(data, "logo", "brand.logo", bad)
        path, why = confine(folder, value, roots if roots != () else (folder.resolve(),)) if value else (None, "is empty")
        if path is None:
            bad("brand.logo", f"the path {value!r} {why}")
        elif not path.is_file():
            bad("brand.logo", f"the path {value!r} isn't an existing file")
        elif why := logo_problem(value, path.stat().st_size, path.read_bytes):
            bad("brand.logo", why)
        else:
            logo = path
    contact = _contact(data.get("contact", {}), bad)
    discreet = data.get("discreet", [])
    if discreet is True:
        discreet = ["*"]
    if not isinstance(discreet, list) or not all(isinstance(x, str) for x in discreet):
        bad("brand.discreet", "must be true, or a list of card ids such as [\"safety-street\"]")
        discreet = []
    revealing = dict(REVEALING)
    extra = data.get("revealing_words", {})
    if not isinstance(extra, dict) or not all(isinstance(v, list) for v in extra.values()):
        bad("brand.revealing_words", "must be a table of language = [\"word\", …]")
    else:
        revealing |= {k: [str(w) for w in v] for k, v in extra.items()}
    discreet_name = _text(data, "discreet_name", "brand.discreet_name", bad).strip()
    if len(discreet_name) > NEUTRAL_NAME_MAX:
        bad("brand.discreet_name", f"is {len(discreet_name)} characters; a neutral name on a folded card "
                                   f"must be at most {NEUTRAL_NAME_MAX}")
    discreet_phone = _text(data, "discreet_phone", "brand.discreet_phone", bad).strip()
    if discreet_phone and not PHONE.match(discreet_phone):
        bad("brand.discreet_phone", f"{discreet_phone!r} is not a phone number (digits, spaces, + - ( ) . only; "
                                    "no letters)")
    contact_on = data.get("contact_on", list(CONTACT_ON))
    if not isinstance(contact_on, list) or not all(isinstance(x, str) and x in PLACES for x in contact_on):
        bad("brand.contact_on", f"must be a list of where the phone, text line, hours and email print, "
                                f"from {', '.join(repr(p) for p in PLACES)} (default {list(CONTACT_ON)!r})")
        contact_on = list(CONTACT_ON)
    return Brand(name, logo, primary, accent, contact, tuple(discreet), revealing, discreet_name, discreet_phone,
                 tuple(p for p in PLACES if p in contact_on))


CONTACT_FIELDS = ("phone", "text", "website", "hours", "email")


def _contact(table, bad) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    if not isinstance(table, dict):
        bad("brand.contact", "must be a table")
        return {}
    out: dict[str, dict[str, str]] = {"": {}}
    for key, value in table.items():
        if isinstance(value, dict) and key not in CONTACT_FIELDS:   # [brand.contact.es]: per-language overrides
            out[key] = {k: _field(f"brand.contact.{key}.{k}", k, v, bad) for k, v in value.items()}
        else:
            out[""][key] = _field(f"brand.contact.{key}", key, value, bad)
    return out


def _field(where: str, key: str, value, bad) -> str:  # type: ignore[no-untyped-def]
    if key not in CONTACT_FIELDS:
        bad(where, f"unknown contact field; use {', '.join(CONTACT_FIELDS)}")
        return ""
    if key == "hours":
        return parse_hours(value, where, bad)        # type: ignore[return-value]
    if not isinstance(value, str):
        bad(where, "must be a string")
        return ""
    if key in ("phone", "text") and not PHONE.match(value):
        bad(where, f"{value!r} is not a phone number (digits, spaces, + - ( ) . only; no letters)")
    if key == "website" and (why := link_problem(value)):
        bad(where, why)
    return value


def parse_services(items, bad) -> tuple[Service, ...]:  # type: ignore[no-untyped-def]
    """Return the pack's [[services]]: name, category, phone, address, hours, notes per language."""
    if not isinstance(items, list):
        bad("services", "must be a list of [[services]] tables")
        return ()
    services = []
    for n, item in enumerate(items, 1):
        where = f"services[{n}]"
        if not isinstance(item, dict):
            bad(where, "must be a table")
            continue
        for key in set(item) - {"name", "category", "phone", "address", "hours", "notes"}:
            bad(f"{where}.{key}", "unknown key; use name, category, phone, address, hours, notes")
        name = _text(item, "name", f"{where}.name", bad)
        if not name:
            bad(f"{where}.name", "a service needs a name")
        category = item.get("category", "")
        if not isinstance(category, str) or category not in CATEGORIES:
            bad(f"{where}.category", f"{category!r} is not one of {', '.join(CATEGORIES)}")
        phone = _text(item, "phone", f"{where}.phone", bad)
        if phone and not PHONE.match(phone):
            bad(f"{where}.phone", f"{phone!r} is not a phone number (digits, spaces, + - ( ) . only; no letters)")
        notes = item.get("notes", {})
        if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
            bad(f"{where}.notes", "must be a table of language = \"text\"")
            notes = {}
        services.append(Service(name, category, phone, _text(item, "address", f"{where}.address", bad),
                                parse_hours(item.get("hours", ""), f"{where}.hours", bad), dict(notes)))
    return tuple(services)


def logo_problem(name: str, size: int, read: Callable[[], bytes]) -> str | None:
    """Return what is wrong with a logo named ``name`` of ``size`` bytes, or None: its type, its
    size, then (read only if small enough) what it holds: an unsafe SVG, a PNG that is no PNG."""
    suffix = Path(name).suffix.lower()
    if suffix not in LOGO_TYPES:
        return f"{name!r} must be an SVG or PNG file"
    if size > MAX_LOGO:
        return f"{name!r} is {size // 1024} KB; a logo must be under {MAX_LOGO // 1024} KB"
    if why := (svg_problem if suffix == ".svg" else png_problem)(read()):
        return f"{name!r}: {why}"
    return None


def commercial_problems(use: str, docs, path: Path) -> list[Problem]:  # type: ignore[no-untyped-def]
    """Return a problem for each source whose terms forbid the commercial use a pack declares."""
    if use != "commercial":
        return []
    return [Problem(f"the pack declares use = \"commercial\", but the source “{d.source.title}” "
                    f"({d.source.author or 'author not named'}) forbids it: {d.source.terms} Remove "
                    f"{d.id!r} from the pack or declare use = \"non-commercial\"", path)
            for d in docs if d.source.noncommercial]
