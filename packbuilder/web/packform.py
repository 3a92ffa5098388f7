"""The pack form: a pack.toml as form fields and back, validated by the CLI's own load_pack.

Field names are the config keys the CLI's messages name (``brand.primary``,
``brand.contact.es.hours``, ``services[2].phone``), so each message lands beside its field.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tomlkit
from tomlkit.items import Table

from ..attribution import load_sources
from ..brand import CATEGORIES, CONTACT_FIELDS, CONTACT_ON, PLACES, logo_problem
from ..config import CARD_SIZES, PAPERS, Pack, load_pack
from ..content import parse_document
from ..errors import ConfigError, ContentError, PackbuilderError, Problem
from .settings import Settings

KEY = re.compile(r"Config value '([^']+)': ")
SERVICE_FIELDS = ("name", "category", "phone", "address", "hours")


@dataclass
class PackForm:
    """What the form shows: values by config key, services as rows, and problems by key."""

    name: str
    values: dict[str, object] = field(default_factory=dict)
    services: list[dict[str, object]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)        # problems that name no field
    logo: str = ""                                           # the saved logo's file name

    def value(self, key: str, default: object = "") -> object:
        return self.values.get(key, default)

    def add_error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


@lru_cache(maxsize=4)
def available(content_dir: Path) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Return the (id, title) of every handout and every card packbuilder's content holds."""
    handouts, cards = [], []
    for path in sorted(content_dir.glob("*.md")):
        try:
            doc = parse_document(path)
        except ContentError:
            continue
        (cards if doc.kind == "card" else handouts).append((doc.id, doc.title.text))
    return tuple(handouts), tuple(cards)


def languages_of(locales_dir: Path) -> list[str]:
    """Return the languages packbuilder has catalogs for (English first)."""
    return ["en", *sorted(p.name for p in locales_dir.iterdir() if (p / "LC_MESSAGES").is_dir() and p.name != "en")]


HOURS_PART = re.compile(r"\s*([a-z]{3}(?:\s*,\s*[a-z]{3})*)\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*")


def hours_to_form(value: object) -> str:
    """Return opening hours as the form shows them: days and times as "tue,thu 12:00-16:00" (several
    joined by "; "), which the build prints in each language; free text as it is."""
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return "; ".join(f"{','.join(v.get('days', []))} {v.get('from', '')}-{v.get('to', '')}" for v in value)
    return str(value or "")


def hours_from_form(text: str):  # type: ignore[no-untyped-def]
    """Return what the form's hours field means in the pack file: days and times as tables (printed
    in each language), or free text, kept as written."""
    from ..hours import DAYS
    parts = [HOURS_PART.fullmatch(part) for part in text.lower().split(";")]
    if not text.strip() or not all(parts) or any(d.strip() not in DAYS for m in parts for d in m.group(1).split(",")):
        return text
    tables = []
    for m in parts:
        table = tomlkit.inline_table()
        table.update({"days": [d.strip() for d in m.group(1).split(",")], "from": m.group(2), "to": m.group(3)})
        tables.append(table)
    return tables[0] if len(tables) == 1 else tables


def read_form(path: Path, name: str) -> tuple[PackForm, tomlkit.TOMLDocument]:
    """Return the form of the pack file at ``path`` and its tomlkit document (comments kept)."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    data = doc.unwrap()
    pack, brand, cards = data.get("pack", {}), data.get("brand", {}), data.get("cards", {})
    title = pack.get("title", "")
    values: dict[str, object] = {
        "pack.title": title.get("en", "") if isinstance(title, dict) else title,   # other languages stay in the file
        "pack.languages": pack.get("languages", ["en"]),
        "pack.documents": pack.get("documents", []), "pack.paper": pack.get("paper", "letter"),
        "pack.use": pack.get("use", "non-commercial"), "cards.include": cards.get("include", []),
        "cards.size": cards.get("size", "business-us"), "brand.name": brand.get("name", ""),
        "brand.primary": brand.get("primary", "#0b5e63"), "brand.accent": brand.get("accent", "#f2e8d5"),
        "brand.discreet": ["*"] if brand.get("discreet") is True else brand.get("discreet", []),
        "brand.contact_on": brand.get("contact_on", list(CONTACT_ON))}
    for key, value in brand.get("contact", {}).items():
        if isinstance(value, dict) and key not in CONTACT_FIELDS:          # a language's own contact
            values.update({f"brand.contact.{key}.{k}": hours_to_form(v) if k == "hours" else v
                           for k, v in value.items()})
        else:
            values[f"brand.contact.{key}"] = hours_to_form(value) if key == "hours" else value
    services = []
    for item in data.get("services", []):
        row = {k: item.get(k, "") for k in SERVICE_FIELDS}
        row["hours"] = hours_to_form(row["hours"])
        row.update({f"notes.{lang}": text for lang, text in item.get("notes", {}).items()})
        services.append(row)
    return PackForm(name, values, services, logo=str(brand.get("logo", ""))), doc


def form_from_post(name: str, form, langs: list[str]) -> PackForm:  # type: ignore[no-untyped-def]
    """Return the PackForm a submitted form describes (nothing validated yet)."""
    lists = ("pack.languages", "pack.documents", "cards.include", "brand.discreet", "brand.contact_on")
    values: dict[str, object] = {k: [str(v) for v in form.getlist(k)] for k in lists}
    for key in ("pack.title", "pack.paper", "pack.use", "cards.size", "brand.name", "brand.primary",
                "brand.accent"):
        values[key] = str(form.get(key, "")).strip()
    for lang in ["", *langs]:
        for f in CONTACT_FIELDS:
            key = f"brand.contact.{lang + '.' if lang else ''}{f}"
            if str(form.get(key, "")).strip():
                values[key] = str(form.get(key, "")).strip()
    services = []
    n = 1
    while f"services[{n}].name" in form:
        row = {k: str(form.get(f"services[{n}].{k}", "")).strip() for k in SERVICE_FIELDS}
        row.update({f"notes.{lang}": str(form.get(f"services[{n}].notes.{lang}", "")).strip() for lang in langs})
        services.append(row)
        n += 1
    return PackForm(name, values, services, logo=str(form.get("logo_saved", "")))


def apply(doc: tomlkit.TOMLDocument, pf: PackForm, paths: dict[str, str], logo: str) -> tomlkit.TOMLDocument:
    """Write the form's values into ``doc`` in place; comments and keys the form does not show stay."""
    v = pf.values
    pack = _table(doc, "pack")
    _set(pack, "name", pf.name)
    for key in ("languages", "documents", "paper", "use"):
        _set(pack, key, v.get(f"pack.{key}"))
    if isinstance(pack.get("title"), dict) and v.get("pack.title"):
        pack["title"]["en"] = v["pack.title"]       # the titles in other languages stay as they are
    else:
        _set(pack, "title", v.get("pack.title"))
    doc["paths"] = _table(doc, "paths")
    for key, value in paths.items():             # packbuilder's own content, catalogs and layouts only
        _set(doc["paths"], key, value)
    cards = _table(doc, "cards")
    _set(cards, "include", v.get("cards.include"))
    _set(cards, "size", v.get("cards.size"))
    brand = _table(doc, "brand")
    for key in ("name", "primary", "accent"):
        _set(brand, key, v.get(f"brand.{key}"))
    _set(brand, "logo", logo)
    discreet = v.get("brand.discreet") or []
    _set(brand, "discreet", True if discreet == ["*"] else discreet)
    places = [p for p in PLACES if p in (v.get("brand.contact_on") or [])]
    if "contact_on" in brand:                # none ticked is a choice too: [] is kept, not removed
        if sorted(_plain(brand.item("contact_on"))) != sorted(places):
            brand["contact_on"] = places
    elif places != list(CONTACT_ON):         # the default is not written into a file that lacks it
        brand["contact_on"] = places
    wanted: dict[str, object] = {}
    for key, value in sorted(v.items()):
        if key.startswith("brand.contact.") and key.count(".") in (2, 3) and value not in ("", None):
            parts = key.split(".")[2:]
            field = parts[-1]
            value = hours_from_form(value) if field == "hours" else value
            if len(parts) == 1:
                wanted[field] = value
            else:
                wanted.setdefault(parts[0], {})[field] = value       # type: ignore[index]
    if wanted or "contact" in brand:
        contact = brand["contact"] if isinstance(brand.get("contact"), dict) else tomlkit.table()
        _merge(contact, wanted)
        brand["contact"] = contact
    services = []
    for row in pf.services:
        item = tomlkit.table()
        for key in SERVICE_FIELDS:
            if row.get(key):
                item[key] = hours_from_form(row[key]) if key == "hours" else row[key]
        notes = {k.split(".", 1)[1]: t for k, t in row.items() if k.startswith("notes.") and t}
        if notes:
            inline = tomlkit.inline_table()
            inline.update(notes)
            item["notes"] = inline
        services.append(item)
    if [_plain(t) for t in services] != _plain(doc.get("services", [])):   # unchanged: comments stay
        if not services:
            del doc["services"]
        else:
            rows = tomlkit.aot()
            for item in services:
                rows.append(item)
            rows[-1].add(tomlkit.nl())
            doc["services"] = rows                # in place: where the file had its services
    return doc


def _plain(value: object) -> object:
    """Return a tomlkit value as plain Python (dicts, lists, strings) for comparing."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def _merge(table, wanted: dict) -> None:  # type: ignore[no-untyped-def]
    """Make ``table`` hold ``wanted``: keys the form cleared go, changed ones are set, the rest
    (with their comments) stay as they are."""
    for key in [k for k in table if k not in wanted]:
        del table[key]
    for key, value in wanted.items():
        if isinstance(value, dict) and not hasattr(value, "unwrap"):
            sub = table[key] if isinstance(table.get(key), dict) else tomlkit.table()
            _merge(sub, value)
            table[key] = sub
        else:
            _set(table, key, value)


def _table(doc, key: str) -> Table:  # type: ignore[no-untyped-def]
    if key not in doc:
        doc[key] = tomlkit.table()
    return doc[key]


def _set(table, key: str, value) -> None:  # type: ignore[no-untyped-def]
    """Set ``key`` (keeping its comment), or remove it when the form left it empty."""
    if value in ("", None, []) and not isinstance(value, bool):
        if key in table:
            del table[key]
        return
    if key in table:
        old = table.item(key)
        current = _plain(old)
        if isinstance(value, list) and isinstance(current, list):       # keep the file's order
            kept = [x for x in current if x in value]
            value = kept + [x for x in value if x not in kept]
        if current == _plain(value):
            return                                   # unchanged: its comment and layout stay
        comment = old.trivia.comment
        table[key] = value
        if comment:
            table.item(key).trivia.comment = comment
            table.item(key).trivia.comment_ws = old.trivia.comment_ws or "  "
    else:
        table[key] = value


def own_paths(folder: Path, settings: Settings) -> dict[str, str]:
    """Return [paths] from ``folder`` to packbuilder's own content, locales, layouts and assets."""
    root = settings.content_root
    return {k: os.path.relpath(root / k, folder) for k in ("content", "locales", "layouts", "assets")}


def check_logo(filename: str, data: bytes) -> tuple[str, str | None]:
    """Return (suffix, problem) for an uploaded logo: a plain name, SVG or PNG, small, no script."""
    if not filename:
        return "", None
    if "/" in filename or "\\" in filename or ".." in filename or filename.startswith("."):
        return "", f"the file name {filename[:80]!r} must be a plain file name, not a path"
    if why := logo_problem(filename, len(data), lambda: data):     # the CLI's checks, the CLI's words
        return "", why
    return Path(filename).suffix.lower(), None


def validate(doc: tomlkit.TOMLDocument, folder: Path, pf: PackForm) -> Pack | None:
    """Check ``doc`` as the CLI does (written beside the real file, then load_pack); file its problems."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".check-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(tomlkit.dumps(doc))
        config = load_pack(Path(tmp))
    except PackbuilderError as exc:
        for problem in exc.as_problems():
            file_problem(pf, problem)
        return None
    finally:
        os.unlink(tmp)
    try:
        load_sources(config)                       # as the build: the sources' terms against the use
        return config
    except ConfigError as exc:
        for problem in exc.problems:
            pf.add_error("pack.use", problem.message)
        return None
    except PackbuilderError as exc:
        for problem in exc.as_problems():
            file_problem(pf, problem)
        return None


def file_problem(pf: PackForm, problem: Problem) -> None:
    """Put a CLI problem beside the field it names (the summary at the top lists them all)."""
    match = KEY.match(problem.message)
    if match:
        pf.add_error(match.group(1), problem.message[match.end():])
    else:
        pf.general.append(problem.message)


CHOICES = {"paper": PAPERS, "size": CARD_SIZES, "categories": CATEGORIES, "contact": CONTACT_FIELDS,
           "contact_on": [("cards", "Wallet cards (the back)"), ("contents", "Contents sheet (the pack's cover)"),
                          ("handouts", "Handouts"), ("activities", "Activity sheets"), ("index", "Index")]}
