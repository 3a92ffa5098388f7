"""Merge templates into catalogs, and translators' files into ours, never losing a translation."""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog, Message

KEEP_MARKS = set("*[]()<>_{}")          # markup is never "just punctuation"
FUZZY_CUTOFF = 0.6                       # difflib ratio, as pybabel uses


def normalize(text: str) -> str:
    """Return ``text`` without case, whitespace and punctuation (markup kept)."""
    return "".join(ch.lower() for ch in text if not ch.isspace() and not (
        unicodedata.category(ch).startswith("P") and ch not in KEEP_MARKS))


def section(context: str | None) -> str:
    return (context or "").rsplit("/", 1)[0]


@dataclass
class MergeReport:
    """What a merge did to one catalog."""

    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0
    kept: int = 0
    moved: int = 0
    revived: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self, name: str) -> str:
        extra = "".join(f", {n} {what}" for n, what in ((self.moved, "moved"), (self.revived, "from memory")) if n)
        return f"Update: {name} +{self.new} new, {self.fuzzy} fuzzy, {self.obsolete} obsolete{extra}"


def _copy(old: Message, new: Message, *, fuzzy: bool) -> Message:
    """Return the template's ``new`` message carrying ``old``'s translation and translator notes."""
    flags = {f for f in old.flags if f.startswith("ignore-")} | {f for f in new.flags if f != "fuzzy"}
    if fuzzy:
        flags.add("fuzzy")
    previous = (old.previous_id or old.id) if fuzzy else ()
    return Message(new.id, old.string, locations=new.locations, flags=flags,
                   auto_comments=new.auto_comments, user_comments=old.user_comments,
                   previous_id=previous, context=new.context)


def update_catalog(catalog: Catalog, template: Catalog) -> MergeReport:
    """Bring ``catalog`` in line with ``template`` in place; every old translation survives."""
    report = MergeReport()
    old = {m.context or m.id: m for m in catalog if m.id}
    memory = [m for m in catalog.obsolete.values() if m.string]
    fresh = [m for m in template if m.id]
    result: dict[str, Message] = {}

    def claim(key: str | None) -> Message | None:
        return old.pop(key, None) if key is not None else None

    # 1. same place, same English
    for msg in fresh:
        key = msg.context or msg.id
        if key in old and old[key].id == msg.id:
            result[key] = _keep(claim(key), msg)
            report.kept += 1
    # 2. same English elsewhere (a paragraph was inserted, a heading renamed): prefer same section
    for msg in fresh:
        key = msg.context or msg.id
        if key in result:
            continue
        candidates = [k for k, m in old.items() if m.id == msg.id]
        if candidates:
            best = min(candidates, key=lambda k: (section(k) != section(msg.context), k))
            result[key] = _keep(claim(best), msg)
            report.moved += 1
    # 3. same place, English changed only in case, spacing or punctuation: translation stays valid
    for msg in fresh:
        key = msg.context or msg.id
        if key not in result and key in old and normalize(old[key].id) == normalize(msg.id):
            result[key] = _keep(claim(key), msg)
            report.kept += 1
    # 4. same place, English changed: keep the translation as fuzzy, with the previous English
    for msg in fresh:
        key = msg.context or msg.id
        if key not in result and key in old:
            was = claim(key)
            result[key] = _copy(was, msg, fuzzy=bool(was.string))
            report.fuzzy += bool(was.string)
    # 5. nothing in place: translation memory (obsolete entries), then the closest leftover
    for msg in fresh:
        key = msg.context or msg.id
        if key in result:
            continue
        remembered = next((m for m in memory if m.id == msg.id), None)
        if remembered is not None:
            result[key] = _keep(remembered, msg)
            report.revived += 1
            continue
        pool = {k: m for k, m in old.items() if m.string and section(k) == section(msg.context)} or \
               {k: m for k, m in old.items() if m.string}
        close = difflib.get_close_matches(msg.id, [m.id for m in pool.values()], n=1, cutoff=FUZZY_CUTOFF)
        if close:
            best = next(k for k, m in pool.items() if m.id == close[0])
            result[key] = _copy(claim(best), msg, fuzzy=True)
            report.fuzzy += 1
        else:
            result[key] = Message(msg.id, "", locations=msg.locations, auto_comments=msg.auto_comments,
                                  flags={f for f in msg.flags if f != "fuzzy"}, context=msg.context)
            report.new += 1
    # what is left is obsolete, kept as translation memory (#~); an untranslated leftover is dropped
    obsolete = dict(catalog.obsolete)
    for key, was in old.items():
        if was.string:
            obsolete[(was.id, was.context) if was.context else was.id] = was
            report.obsolete += 1
    _replace(catalog, [result[m.context or m.id] for m in fresh], obsolete)
    return report


def _keep(old: Message, new: Message) -> Message:
    """Carry ``old``'s translation to ``new`` as it stands: fuzzy stays fuzzy, translated stays."""
    message = _copy(old, new, fuzzy="fuzzy" in old.flags)
    if "fuzzy" in old.flags:
        message.previous_id = old.previous_id
    return message


def _replace(catalog: Catalog, messages: list[Message], obsolete: dict) -> None:
    for message in [m for m in catalog if m.id]:
        catalog.delete(message.id, context=message.context)
    for message in messages:
        catalog[message.id] = message
    catalog.obsolete = obsolete


@dataclass
class ImportReport:
    """What an import changed in our catalog, and what it left alone."""

    updated: list[str] = field(default_factory=list)       # msgctxt of changed translations
    added: list[str] = field(default_factory=list)         # previously untranslated or fuzzy
    unchanged: int = 0
    stale: list[str] = field(default_factory=list)         # translated from older English: kept fuzzy
    unknown: list[str] = field(default_factory=list)       # no such segment now: kept as obsolete
    skipped_fuzzy: int = 0
    missing: int = 0                                       # ours translated, submission silent: kept


def import_catalog(ours: Catalog, submitted: Catalog) -> ImportReport:
    """Merge ``submitted`` into ``ours`` entry by entry; nothing ours has is ever dropped."""
    report = ImportReport()
    by_context = {m.context: m for m in ours if m.id and m.context}
    by_id = {m.id: m for m in ours if m.id and not m.context}
    seen = set()
    for sub in (m for m in submitted if m.id):
        target = by_context.get(sub.context) if sub.context else by_id.get(sub.id)
        if target is None:
            target = next((m for m in ours if m.id == sub.id and m.context not in seen), None) \
                if sub.string and not sub.fuzzy else None
        name = str(sub.context or sub.id)
        if not sub.string or sub.fuzzy:
            report.skipped_fuzzy += bool(sub.string)
            continue
        if target is None:
            report.unknown.append(name)
            ours.obsolete[(sub.id, sub.context) if sub.context else sub.id] = sub
            continue
        seen.add(target.context)
        if target.id != sub.id:
            if not target.string or target.fuzzy:     # better a hint than nothing; a translator re-checks
                target.string, target.previous_id = sub.string, sub.id
                target.flags.add("fuzzy")
            report.stale.append(name)
            continue
        if target.string == sub.string and not target.fuzzy:
            report.unchanged += 1
            continue
        (report.updated if target.string and not target.fuzzy else report.added).append(name)
        target.string = sub.string
        target.flags.discard("fuzzy")
        target.previous_id = ()
        target.flags |= {f for f in sub.flags if f.startswith("ignore-")}
    submitted_contexts = {m.context for m in submitted if m.id and m.string and not m.fuzzy}
    report.missing = sum(1 for m in ours if m.id and m.string and m.context not in submitted_contexts)
    return report
