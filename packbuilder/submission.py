"""Judge a translator's submitted file: whose it is, which language, and what each entry changes.

The rules (README, "Importing a translator's file"):
- the translator's work is the msgstr, their fuzzy marks and their comments; the layout, wrap
  width and flag order of the tool they used do not matter;
- flags packbuilder owns (``ignore-*``) and the review status come from our catalog; a file that
  adds one is reported and honoured only with the maintainer's say-so;
- every entry the file changes is taken or reported with the reason; nothing vanishes.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.messages.catalog import Catalog, Message

from .errors import CatalogError
from .powrite import owned_flags

MATCH_THRESHOLD = 0.5        # at least half a file's entries must be this document's English
REVIEW_HEADERS = ("X-Review-Status", "X-Reviewed-By", "X-Review-Date")


@dataclass
class ImportReport:
    """What an import changed in our catalog, and what it left alone (and why)."""

    changed: list[str] = field(default_factory=list)       # msgctxt of changed translations
    added: list[str] = field(default_factory=list)         # previously untranslated or fuzzy
    fuzzied: list[str] = field(default_factory=list)       # the translator marked it fuzzy: taken as fuzzy
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (entry, reason)
    notes: list[str] = field(default_factory=list)         # flags, comments, review status, language
    missing: int = 0                                       # ours translated, file silent: kept
    notes_written: bool = False                            # a note changed our catalog too

    @property
    def taken(self) -> int:
        return len(self.changed) + len(self.added) + len(self.fuzzied)

    @property
    def writes(self) -> bool:
        return bool(self.taken or self.notes_written)


def language_of(tag: str) -> tuple[str, str | None]:
    """Return (language, script) of a tag such as es_MX, es-MX, zh_CN or zh-Hans-CN."""
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, LookupError):
        return tag.split("_")[0].split("-")[0].lower(), None
    script = locale.script
    if script is None:
        likely = get_global("likely_subtags")
        full = likely.get(f"{locale.language}_{locale.territory}" if locale.territory else locale.language) or \
            likely.get(locale.language, "")
        parts = full.split("_")
        script = next((p for p in parts[1:] if len(p) == 4), None)
    return locale.language, script


def match_language(declared: str, lang: str, path: Path) -> str | None:
    """Return a note when ``declared`` (the file's Language) is a regional form of ``lang``; refuse others."""
    if not declared or declared.replace("-", "_").lower() == lang.lower():
        return None
    theirs, ours = language_of(declared), language_of(lang)
    if theirs[0] == ours[0] and (theirs[1] == ours[1] or None in (theirs[1], ours[1])):
        return f"the file says Language: {declared}; taken as {lang}, this pack's {theirs[0]}"
    if theirs[0] == ours[0]:
        script = f"{theirs[0]}_{theirs[1]}"
        raise CatalogError(f"the file says it is in {declared!r} (its Language header), written in the "
                           f"{theirs[1]} script; this pack's {lang} uses {ours[1]}. If that is right, add the "
                           f"language with `packbuilder init {script}` and import with --lang {script}",
                           path=path)
    raise CatalogError(f"the file says it is in {declared!r} (its Language header), not {lang!r}; import it "
                       f"with --lang {theirs[0]} (after `packbuilder init {theirs[0]}` if the pack has no "
                       f"{theirs[0]} yet), or fix the header if it is really {lang}", path=path)


def _entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def match_ratio(submitted: Catalog, english: dict[str, str]) -> float:
    """Return the share of the file's entries whose msgctxt, or English under a msgctxt, is in the document.

    Every entry of ours has a msgctxt, and PO tools keep it; an entry without one is another
    project's, however common its English ("Log in").
    """
    entries = _entries(submitted)
    if not entries:
        return 0.0
    texts = set(english.values())
    hits = sum(1 for m in entries if m.context and (str(m.context) in english or _msgid(m) in texts))
    return hits / len(entries)


def _msgid(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, (list, tuple)) else message.id)


def looks_like(submitted: Catalog) -> str:
    """Describe a file that is not ours: its project header, where its strings come from."""
    project = f"{submitted.project} {submitted.version}".strip()
    files = Counter(loc[0].rsplit(".", 1)[-1] for m in _entries(submitted) for loc in m.locations if "." in loc[0])
    contexts = Counter(str(m.context).split("/", 1)[0] for m in _entries(submitted) if m.context)
    parts = [f"Project-Id-Version {project!r}"] if project and project != "PROJECT VERSION" else []
    if files:
        parts.append("strings from " + ", ".join(f"*.{ext}" for ext, _ in files.most_common(3)) + " files")
    if contexts:
        parts.append("msgctxt " + ", ".join(repr(c) for c, _ in contexts.most_common(2)))
    return "; ".join(parts) or "no msgctxt or references at all"


def identify_document(submitted: Catalog, templates: dict[str, dict[str, str]], path: Path,
                      doc: str | None = None) -> str:
    """Return the document a file translates; refuse a file that matches none well enough."""
    ratios = {d: match_ratio(submitted, english) for d, english in templates.items()}
    best = doc or max(ratios, key=lambda d: ratios[d], default="")
    if doc is not None and doc not in templates:
        raise CatalogError(f"--doc {doc!r} is not a document of this pack ({', '.join(templates)})", path=path)
    total = len(_entries(submitted))
    if not best or ratios.get(best, 0.0) < MATCH_THRESHOLD:
        share = round(100 * ratios.get(best, 0.0)) if best else 0
        likely = max(ratios, key=lambda d: ratios[d], default="")
        hint = (f" (it matches {likely} better: --doc {likely})" if doc and likely != doc
                and ratios[likely] >= MATCH_THRESHOLD else "")
        raise CatalogError(f"this file is not a translation of {best or 'any document of this pack'}: only "
                           f"{share}% of its {total} entries have its English{hint}. It looks like another "
                           f"project's catalog ({looks_like(submitted)}); nothing was imported", path=path)
    return best


def _owned(message: Message) -> set[str]:
    return set(owned_flags(message))


def adopt_flags(ours: Catalog, submitted: Catalog, allow: bool) -> list[str]:
    """Give the submitted entries our ``ignore-*`` flags (theirs only if allowed); return notes."""
    index = {(m.context, _msgid(m)): m for m in _entries(ours)}
    notes = []
    for sub in _entries(submitted):
        mine = index.get((sub.context, _msgid(sub)))
        have = _owned(mine) if mine is not None else set()
        theirs = _owned(sub)
        name = str(sub.context or _msgid(sub))
        for flag in sorted(theirs - have):
            notes.append(f"{name}: the file adds the flag {flag}; "
                         + ("allowed (--allow-flags)" if allow else
                            "not honoured (a maintainer can allow it with --allow-flags)"))
        for flag in sorted(have - theirs):
            notes.append(f"{name}: the file drops the flag {flag}; kept (flags are the maintainer's)")
        sub.flags = (sub.flags - theirs) | have | (theirs if allow else set())
    return notes


def review_notes(ours: Catalog, submitted: Catalog, accept: bool) -> list[str]:
    """Compare the review headers; apply the file's only with ``accept`` (--accept-review)."""
    notes = []
    for name in REVIEW_HEADERS:
        mine, theirs = ours.header(name, ""), submitted.header(name, "")  # type: ignore[attr-defined]
        if theirs and theirs != mine:
            if accept:
                ours.set_header(name, theirs)  # type: ignore[attr-defined]
                notes.append(f"{name}: {theirs} (was {mine or 'unset'}), accepted with --accept-review")
            else:
                notes.append(f"{name}: the file says {theirs!r}, ours stays {mine or 'unset'!r} (a maintainer "
                             "applies a reviewer's status with --accept-review)")
    return notes


def _find(ours: dict, by_english: dict, sub: Message, claimed: set) -> Message | None:
    """Return our entry for ``sub``: same place and English, else the same English elsewhere."""
    here = ours.get(sub.context)
    if here is not None and _msgid(here) == _msgid(sub) and id(here) not in claimed:
        return here
    same = [m for m in by_english.get(_msgid(sub), []) if id(m) not in claimed]
    if same:
        section = str(sub.context).rsplit("/", 1)[0]
        return min(same, key=lambda m: str(m.context).rsplit("/", 1)[0] != section)
    return None


def import_catalog(ours: Catalog, submitted: Catalog) -> ImportReport:
    """Merge ``submitted`` into ``ours`` entry by entry; nothing ours has is ever dropped."""
    report = ImportReport()
    live = _entries(ours)
    by_context = {m.context: m for m in live if m.context}
    by_english: dict[str, list[Message]] = {}
    for m in live:
        by_english.setdefault(_msgid(m), []).append(m)
    claimed: set[int] = set()
    answered: set[int] = set()
    for sub in _entries(submitted):
        name = str(sub.context or _msgid(sub))
        target = _find(by_context, by_english, sub, claimed)
        if target is None:
            _unmatched(ours, by_context, sub, name, report)
            continue
        claimed.add(id(target))
        where = str(target.context or name)
        if where != name:
            name = f"{name} (now {where})"
        if _owned(sub) != _owned(target):          # only what adopt_flags let through
            target.flags = (target.flags - _owned(target)) | _owned(sub)
            report.notes_written = True
        if sub.user_comments and sub.user_comments != target.user_comments:
            target.user_comments = list(sub.user_comments)
            report.notes.append(f"{where}: translator's comment kept")
            report.notes_written = True
        if not sub.string:
            continue
        answered.add(id(target))
        if sub.fuzzy:
            if target.fuzzy and target.string == sub.string:
                report.unchanged += 1
                continue
            target.string = sub.string
            target.flags.add("fuzzy")
            report.fuzzied.append(name)
            continue
        if target.string == sub.string and not target.fuzzy:
            report.unchanged += 1
            continue
        (report.changed if target.string and not target.fuzzy else report.added).append(name)
        target.string = sub.string
        target.flags.discard("fuzzy")
        target.previous_id = []
    report.missing = sum(1 for m in live if m.string and id(m) not in answered)
    return report


def _unmatched(ours: Catalog, by_context: dict, sub: Message, name: str, report: ImportReport) -> None:
    """Report (and keep what we can of) an entry whose English we do not have."""
    if not sub.string:
        return
    here = by_context.get(sub.context)
    if here is not None:                        # same place, older English
        reason = f"translated from older English ({_msgid(sub)[:50]!r}); ours is now {_msgid(here)[:50]!r}"
        if not here.string or here.fuzzy:
            here.string, here.previous_id = sub.string, [_msgid(sub)]
            here.flags.add("fuzzy")
            reason += "; kept as a fuzzy suggestion"
            report.notes_written = True
        report.skipped.append((name, reason))
        return
    ours.obsolete[(sub.id, sub.context) if sub.context else sub.id] = sub
    report.notes_written = True
    report.skipped.append((name, "no such segment now; kept as obsolete (translation memory)"))
