"""The translator workflow on disk: update catalogs from templates, import submitted files."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from .catalogs import catalog_path, new_catalog, read_catalog, template_path, write_catalog
from .checks import check_catalog, template_english
from .errors import CatalogError
from .glossary import load_glossary
from .merge import MergeReport, update_catalog
from .submission import (ImportReport, adopt_flags, identify_document, import_catalog, match_language,
                         review_notes)


def update_language(locales_dir: Path, lang: str, domains: list[str]) -> list[tuple[Path, MergeReport]]:
    """Merge every template into ``lang``'s catalogs; write only what changed."""
    results = []
    for domain in domains:
        template = read_catalog(template_path(locales_dir, domain))
        path = catalog_path(locales_dir, lang, domain)
        if path.is_file():
            catalog = read_catalog(path, lang)
            report = update_catalog(catalog, template)
        else:
            catalog = new_catalog(template, lang)
            report = MergeReport(new=sum(1 for m in template if m.id))
        write_catalog(path, catalog)
        results.append((path, report))
    return results


def _english(locales_dir: Path, domains: list[str]) -> dict[str, dict[str, str]]:
    """Return msgctxt -> English for every document's template (parsed once per change)."""
    return {d: english for d in domains if (english := template_english(locales_dir, d)) is not None}


def import_file(locales_dir: Path, lang: str, file: Path, domains: list[str], doc: str | None = None, *,
                allow_flags: bool = False, accept_review: bool = False) -> tuple[Path, ImportReport]:
    """Take a translator's file: check it all, then merge it; on any error change nothing."""
    submitted = read_catalog(file)
    declared = submitted.declared_language or str(submitted.locale_identifier or "")
    note = match_language(declared, lang, file)
    domain = identify_document(submitted, _english(locales_dir, domains), file, doc)
    target = catalog_path(locales_dir, lang, domain)
    if not target.is_file():
        raise CatalogError(f"there is no catalog {target} yet; run `packbuilder init {lang}` first", path=file)
    ours = read_catalog(target, lang)
    submitted.locale = lang
    notes = adopt_flags(ours, submitted, allow_flags)
    problems = [p for p in check_catalog(file, lang, load_glossary(locales_dir, lang), catalog=submitted)
                if p.severity == "error"]
    if problems:
        raise CatalogError(f"{len(problems)} error(s); nothing was imported", problems=problems)
    report = import_catalog(ours, submitted)
    review = review_notes(ours, submitted, accept_review)
    report.notes = ([note] if note else []) + notes + report.notes + review
    if report.writes or (review and accept_review):
        write_catalog(target, ours, backup=backup_path(target))
    return target, report


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def backup_path(target: Path) -> Path:
    """Return a new timestamped backup name for ``target``: each import or sign-off keeps its own."""
    return target.with_name(f"{target.name}.{_stamp()}.bak")


def backups(target: Path) -> list[Path]:
    """Return the import backups of one catalog, oldest first."""
    return sorted(target.parent.glob(f"{target.name}.*.bak"))


def undo_import(locales_dir: Path, lang: str, domains: list[str], doc: str | None = None) -> tuple[Path, Path]:
    """Restore the newest import backup of ``lang`` (of ``doc``); the replaced file is kept as .undone."""
    candidates = [b for d in ([doc] if doc else domains) for b in backups(catalog_path(locales_dir, lang, d))]
    if not candidates:
        raise CatalogError(f"there is no import backup for {lang}{f'/{doc}' if doc else ''} to restore")
    newest = max(candidates, key=lambda b: b.name.rsplit(".", 2)[-2])
    target = newest.with_name(newest.name.split(".po.", 1)[0] + ".po")
    shutil.copy2(target, target.with_name(f"{target.name}.{_stamp()}.undone"))
    newest.replace(target)
    return target, newest
