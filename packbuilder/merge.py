"""Merge templates into catalogs, and translators' files into ours, never losing a translation."""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog, Message

from .powrite import owned_flags

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
    flags = set(owned_flags(old)) | {f for f in new.flags if f != "fuzzy"}
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
            memory.remove(remembered)
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
    # what is left is obsolete, kept as translation memory (#~); an untranslated leftover is dropped.
    # A remembered entry that came back is folded into it: never a live and a #~ copy of one entry.
    live = {(m.id, m.context) for m in result.values()}
    obsolete = {k: m for k, m in catalog.obsolete.items()
                if (m in memory or not m.string) and (m.id, m.context) not in live}
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
