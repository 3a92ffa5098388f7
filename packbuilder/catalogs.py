"""Gettext catalogs: write templates, read translations, know their review status."""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from . import __version__
from .content import Document, Segment
from .errors import CatalogError
from .plurals import plural_forms
from .poread import MAX_PLURALS, decode, parse, read_bytes
from .powrite import OWNED_FLAG, OWNED_PREFIX, dump_po
from .ui import STRINGS
from .textsafety import SAFETY_KEYS, drop_invisible, visible_in_script

UI_DOMAIN = "ui"
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")   # the only thing filled into a translation
FORMAT_FLAGS = frozenset({"python-format", "python-brace-format"})
GENERATED_BY = "packbuilder"   # not the Babel version: catalogs must not change with a library upgrade


class PackCatalog(Catalog):
    """A Babel catalog that keeps the ``X-`` headers (review status) Babel drops."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.extra_headers: list[tuple[str, str]] = []
        self.declared_language = ""          # the Language header as written (es-MX), not as Babel reads it
        self.folded: list[tuple[int, int]] = []   # (line of a #~ copy, line of its live entry), dropped
        super().__init__(*args, **kwargs)
        if self.locale is not None and self._num_plurals is None:
            self._num_plurals, self._plural_expr, _ = plural_forms(str(self.locale))

    def _get_headers(self) -> list[tuple[str, str]]:
        """Babel's headers, with ours, signed by packbuilder (not by Babel's version)."""
        headers = [(k, v) for k, v in Catalog._get_mime_headers(self) if k != "Generated-By"]
        return headers + self.extra_headers + [("Generated-By", f"{GENERATED_BY}\n")]

    def _set_headers(self, headers) -> None:  # type: ignore[no-untyped-def]
        headers = list(headers)
        Catalog._set_mime_headers(self, headers)
        self.extra_headers = [(k, v) for k, v in headers if k.lower().startswith("x-")]

    mime_headers = property(_get_headers, _set_headers)

    def header(self, name: str, default: str = "") -> str:
        """Return the value of an ``X-`` header, or ``default``."""
        for key, value in self.extra_headers:
            if key.lower() == name.lower():
                return value.strip()
        return default

    def set_header(self, name: str, value: str) -> None:
        """Set (or add) an ``X-`` header."""
        self.extra_headers = [(k, v) for k, v in self.extra_headers if k.lower() != name.lower()]
        self.extra_headers.append((name, value))


@dataclass(frozen=True)
class Review:
    """Whether a fluent community reviewer has checked a catalog."""

    reviewed: bool
    reviewer: str = ""
    date: str = ""


@dataclass(frozen=True)
class DocTranslation:
    """The usable translations of one document in one language."""

    path: Path | None
    review: Review
    strings: dict[str, str] = field(repr=False)        # msgctxt -> translation
    lines: dict[str, int] = field(default_factory=dict, repr=False)   # msgctxt -> PO line

    def get(self, segment: Segment) -> str | None:
        """Return the translation of ``segment``, or None (missing, fuzzy or stale)."""
        return self.strings.get(segment.context)


@dataclass(frozen=True)
class Edition:
    """Everything translated for one language: one DocTranslation per domain."""

    lang: str
    docs: dict[str, DocTranslation]
    _typeset: dict[str, str] = field(default_factory=dict, compare=False, repr=False)   # ui strings without values

    @property
    def draft(self) -> bool:
        return any(not t.review.reviewed for t in self.docs.values())

    def ui_text(self, key: str, **values: str) -> tuple[str, str]:
        """Return (a layout string in this language, or English where untranslated; its language)."""
        text = self.docs[UI_DOMAIN].strings.get(f"ui/{key}") if UI_DOMAIN in self.docs else None
        if text and key in SAFETY_KEYS and not visible_in_script(drop_invisible(text), self.lang):
            text = None                       # safety text that shows nothing prints in English
        return fill(text or STRINGS[key][0], values), self.lang if text else "en"

    def ui(self, key: str, **values: str) -> str:
        """Return a layout string as it prints: typeset for its language (quotation marks, CJK last lines)."""
        from .typeset import prepare
        if values:
            return prepare(*self.ui_text(key, **values))
        if key not in self._typeset:           # every output's key asks for every string
            self._typeset[key] = prepare(*self.ui_text(key))
        return self._typeset[key]


def fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders with ``values``; nothing else in a translation is evaluated.

    (``str.format`` would let a translation reach attributes: ``{page.__class__}``.)
    """
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
                           template)


def catalog_path(locales_dir: Path, lang: str, domain: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{domain}.po"


def template_path(locales_dir: Path, domain: str) -> Path:
    return locales_dir / "templates" / f"{domain}.pot"


def read_catalog(path: Path, locale: str | None = None) -> PackCatalog:
    """Read a PO file strictly (see poread); a broken file raises CatalogError with its line."""
    entries = parse(decode(read_bytes(path), path), path)
    catalog = PackCatalog(locale=locale, domain=path.stem, charset="utf-8")
    header = next((e for e in entries if not e.obsolete and e.fields["msgid"] == "" and "msgctxt" not in e.fields),
                  None)
    if header is not None:
        _read_header(catalog, header, path)
    seen: dict[tuple[str, str | None], int] = {}
    for entry in entries:
        if entry is header:
            continue
        key = (entry.fields["msgid"], entry.fields.get("msgctxt"))
        if key in seen:
            if entry.obsolete:                  # an old copy of a live entry: the live one wins
                catalog.folded.append((entry.lineno, seen[key]))
                continue
            context = f'msgctxt "{key[1]}"' if key[1] is not None else f'msgid "{key[0][:40]}"'
            raise CatalogError(f"{context} appears twice with the same msgid (first at line {seen[key]}); "
                               "keep one entry", path=path, lineno=entry.lineno)
        seen[key] = entry.lineno
        message = _message(entry)
        if entry.obsolete:
            catalog.obsolete[catalog._key_for(message.id, message.context)] = message
        else:
            catalog._messages[catalog._key_for(message.id, message.context)] = message
    catalog.charset = "utf-8"                   # we write UTF-8, whatever the file came in
    return catalog


def _message(entry) -> Message:  # type: ignore[no-untyped-def]
    """Return a Babel message holding exactly what the entry says (Babel guesses nothing)."""
    fields = entry.fields
    plural = "msgid_plural" in fields
    msgid = (fields["msgid"], fields["msgid_plural"]) if plural else fields["msgid"]
    string = tuple(entry.plurals[i] for i in sorted(entry.plurals)) if plural else fields["msgstr"]
    message = Message(msgid, string, context=fields.get("msgctxt"), lineno=entry.lineno)
    owned, comments = set(), []
    for comment in entry.comments:
        named = [f.strip() for f in comment[len(OWNED_PREFIX):].split(",")]
        if comment.startswith(OWNED_PREFIX) and all(OWNED_FLAG.fullmatch(f) for f in named):
            owned |= set(named)
        else:
            comments.append(comment)
    message.flags = set(entry.flags) | owned
    message.user_comments = comments
    message.auto_comments = list(entry.auto_comments)
    message.locations = [(ref.rsplit(":", 1)[0], int(ref.rsplit(":", 1)[1]))
                         if re.fullmatch(r".+:\d+", ref) else (ref, None) for ref in entry.references]
    previous = entry.previous
    message.previous_id = [previous[k] for k in ("msgid", "msgid_plural") if k in previous]
    message.previous_context = previous.get("msgctxt")       # type: ignore[attr-defined]
    return message


def _read_header(catalog: PackCatalog, header, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Set the catalog's headers from the header entry; refuse values that cannot be used."""
    lineno = header.field_lines.get("msgstr", header.lineno)
    headers = []
    for line in header.fields["msgstr"].split("\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            headers.append((key.strip(), value.strip()))
    for n, (key, value) in enumerate(headers, lineno + 1):
        if key.lower() == "plural-forms":
            number = re.search(r"nplurals\s*=\s*(\d+)\s*;", value)
            if not number or not 1 <= int(number.group(1)) <= MAX_PLURALS or "plural" not in value.replace(
                    "nplurals", ""):
                raise CatalogError(f"Plural-Forms {value!r} is not valid (nplurals must be 1 to {MAX_PLURALS}); "
                                   "write your language's rule, e.g. nplurals=2; plural=(n != 1);",
                                   path=path, lineno=n)
    catalog.declared_language = next((v for k, v in headers if k.lower() == "language"), "")
    try:
        catalog.mime_headers = headers
    except Exception as exc:  # noqa: BLE001 - Babel raises many kinds on a bad Language or date
        raise CatalogError(f"the catalog header is not valid ({exc}); check its Language, "
                           "POT-Creation-Date and PO-Revision-Date lines", path=path, lineno=lineno) from None
    catalog.header_comment = "\n".join(f"# {c}" if c else "#" for c in header.comments)
    catalog.fuzzy = "fuzzy" in header.flags


_PARSED: dict[tuple, PackCatalog] = {}


def read_catalog_once(path: Path, locale: str | None = None) -> PackCatalog:
    """Return the parsed catalog for reading only, parsed once while the file's bytes are unchanged.

    (The build reads each catalog for its translations, then again for its checks.) Code that
    changes a catalog (update, import) calls ``read_catalog`` and gets its own copy.
    """
    import hashlib
    digest = hashlib.sha256(read_bytes(path)).hexdigest()      # a folder, FIFO or huge file: CatalogError
    key = (str(path), locale, digest)
    if key not in _PARSED:
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = read_catalog(path, locale)
    return _PARSED[key]


def format_flags(message: Message) -> set[str]:
    """Return the format flags a message should carry: ours, not the Babel release's guess.

    Only layout strings are filled (by :func:`fill`), so only a ``ui/`` entry with a ``{name}``
    placeholder is a format string; "100% scale" and a document's literal braces are not.
    """
    context = str(message.context or "")
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    if context.startswith(f"{UI_DOMAIN}/") and msgid and PLACEHOLDER.search(msgid):
        return {"python-brace-format"}
    return set()


def render_catalog(catalog: Catalog) -> bytes:
    """Return a catalog as PO bytes, exactly as GNU gettext's msgcat would re-save them."""
    for message in [*catalog, *catalog.obsolete.values()]:
        if message.id:
            message.flags = (set(message.flags) - FORMAT_FLAGS) | format_flags(message)
    return dump_po(catalog).encode("utf-8")


def write_catalog(path: Path, catalog: Catalog, backup: Path | None = None) -> bool:
    """Write ``catalog`` to ``path`` unless the file already holds those bytes; say if written.
    With ``backup``, the file as it was is copied there first (only when it is about to change).
    The new file replaces the old in one step and is on disk when this returns: a crash or a
    power cut leaves the old catalog or the new one, never half of one."""
    data = render_catalog(catalog)
    if path.is_file() and path.read_bytes() == data:
        return False
    if backup is not None and path.is_file():
        shutil.copy2(path, backup)
        _fsync(backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    _fsync(tmp)
    tmp.replace(path)
    _fsync(path.parent)
    return True


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_template(domain: str) -> PackCatalog:
    catalog = PackCatalog(domain=domain, project="packbuilder", version=__version__,
                          creation_date=EPOCH, charset="utf-8",
                          msgid_bugs_address="", copyright_holder="", fuzzy=False)
    catalog.header_comment = (f"# Translation template for {domain}.\n"
                              "# Made by `packbuilder extract` from content/; do not edit by hand.\n#")
    return catalog


def document_template(doc: Document, root: Path) -> PackCatalog:
    """Return the template of one document: one message per segment, with where it appears."""
    catalog = _new_template(doc.id)
    try:
        rel = doc.path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = doc.path.name
    for seg in doc.segments:
        where = f"{doc.id}, {seg.section}" if seg.section else doc.id
        comments = [f"{_KIND_NAMES[seg.kind]} in {where}"]
        if seg.slot:
            comments.append(f"Slot: {seg.slot} (fixed size). Length budget: {seg.budget} "
                            "(characters; a CJK character counts 2). `packbuilder check --fit` lays it out.")
        catalog.add(seg.text, context=seg.context, locations=[(rel, seg.lineno)], auto_comments=comments)
    return catalog


def ui_template() -> PackCatalog:
    """Return the template of the layout strings."""
    catalog = _new_template(UI_DOMAIN)
    for key, (text, comment) in STRINGS.items():
        catalog.add(text, context=f"ui/{key}", auto_comments=[comment],
                    locations=[("packbuilder/ui.py", None)])
    return catalog


_KIND_NAMES = {"title": "Title", "subtitle": "Subtitle", "h": "Heading", "p": "Paragraph",
               "li": "List item", "th": "Table header", "td": "Table cell"}


def extract(docs: list[Document], locales_dir: Path, root: Path) -> list[Path]:
    """Write every template; return those whose content changed."""
    written = []
    for domain, catalog in [(d.id, document_template(d, root)) for d in docs] + [(UI_DOMAIN, ui_template())]:
        path = template_path(locales_dir, domain)
        if write_catalog(path, catalog):
            written.append(path)
    return written


def _review(catalog: PackCatalog) -> Review:
    status = catalog.header("X-Review-Status", "draft").lower()
    return Review(status == "reviewed", catalog.header("X-Reviewed-By"), catalog.header("X-Review-Date"))


def _usable(message: Message, english: dict[str, str] | None) -> bool:
    if not message.id or not message.string or message.fuzzy or not isinstance(message.string, str):
        return False
    return english is None or english.get(str(message.context)) == message.id


def load_translation(path: Path, lang: str, english: dict[str, str] | None) -> DocTranslation:
    """Return the usable translations in ``path``: translated, not fuzzy, msgid still current."""
    if not path.is_file():
        return DocTranslation(None, Review(False), {})
    catalog = read_catalog_once(path, lang)
    usable = [m for m in catalog if m.context and _usable(m, english)]
    return DocTranslation(path, _review(catalog), {str(m.context): m.string for m in usable},
                          {str(m.context): m.lineno for m in usable})


def load_catalogs(locales_dir: Path, languages: tuple[str, ...], docs: list[Document]) -> dict[str, Edition]:
    """Return an Edition per language; English is the source and needs no catalog."""
    english = {d.id: {s.context: s.text for s in d.segments} for d in docs}
    english[UI_DOMAIN] = {f"ui/{k}": v[0] for k, v in STRINGS.items()}
    editions: dict[str, Edition] = {}
    problems = []
    for lang in languages:
        if lang == "en":
            reviewed = Review(True)
            editions[lang] = Edition(lang, {d: DocTranslation(None, reviewed, {}) for d in english})
            continue
        docs_tr = {}
        for domain, source in english.items():
            try:
                docs_tr[domain] = load_translation(catalog_path(locales_dir, lang, domain), lang, source)
            except CatalogError as exc:
                problems.append(exc)
        editions[lang] = Edition(lang, docs_tr)
    if problems:
        raise CatalogError(f"{len(problems)} catalog(s) cannot be read",
                           problems=[p for exc in problems for p in exc.as_problems()])
    return editions




def new_catalog(template: Catalog, lang: str) -> PackCatalog:
    """Return an empty catalog for ``lang`` from ``template``, marked as a draft."""
    catalog = PackCatalog(locale=lang, domain=template.domain, project="packbuilder",
                          version=__version__, creation_date=EPOCH, revision_date=EPOCH,
                          charset="utf-8", msgid_bugs_address="", copyright_holder="",
                          last_translator="", language_team="", fuzzy=False)
    catalog.header_comment = (f"# {lang} translation of {template.domain}.\n"
                              "# Made by `packbuilder init`; translate in Poedit or Weblate, then\n"
                              "# `packbuilder import` it. Set X-Review-Status to reviewed (with\n"
                              "# X-Reviewed-By and X-Review-Date) only after a fluent community\n"
                              "# reviewer has checked every entry.\n#")
    catalog.set_header("X-Review-Status", "draft")
    for message in template:
        if message.id:
            catalog.add(message.id, context=message.context, locations=message.locations,
                        auto_comments=message.auto_comments)
    return catalog


def init_language(locales_dir: Path, lang: str, domains: list[str]) -> list[Path]:
    """Create missing catalogs for ``lang`` from the templates; never overwrite one."""
    created = []
    for domain in domains:
        path = catalog_path(locales_dir, lang, domain)
        if path.exists():
            continue
        template = read_catalog(template_path(locales_dir, domain))
        write_catalog(path, new_catalog(template, lang))
        created.append(path)
    return created
