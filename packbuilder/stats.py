"""Translation progress: translated, fuzzy and untranslated, in segments and words."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from .catalogs import catalog_path, read_catalog, template_path
from .markup import plain_text


@dataclass(frozen=True)
class Progress:
    """Progress of one document in one language. Fuzzy never counts as translated."""

    lang: str
    document: str
    translated: int
    fuzzy: int
    untranslated: int
    translated_words: int
    fuzzy_words: int
    untranslated_words: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return round(100.0 * self.translated / self.total, 1) if self.total else 100.0

    def as_dict(self) -> dict:
        return {**asdict(self), "total": self.total, "percent": self.percent}


def words(text: str) -> int:
    return len(plain_text(text).split())


def progress(locales_dir: Path, lang: str, domain: str) -> Progress:
    """Return the progress of ``domain`` in ``lang``, measured against the current template."""
    template = read_catalog(template_path(locales_dir, domain))
    path = catalog_path(locales_dir, lang, domain)
    ours = {m.context or m.id: m for m in read_catalog(path, lang) if m.id} if path.is_file() else {}
    counts = {"translated": [0, 0], "fuzzy": [0, 0], "untranslated": [0, 0]}
    for message in (m for m in template if m.id):
        have = ours.get(message.context or message.id)
        if have is None or not have.string:
            state = "untranslated"
        elif have.fuzzy or have.id != message.id:
            state = "fuzzy"
        else:
            state = "translated"
        counts[state][0] += 1
        counts[state][1] += words(message.id)
    return Progress(lang, domain, counts["translated"][0], counts["fuzzy"][0], counts["untranslated"][0],
                    counts["translated"][1], counts["fuzzy"][1], counts["untranslated"][1])
