"""The translator workflow on disk: update catalogs from templates, import submitted files."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from .catalogs import PackCatalog, catalog_path, new_catalog, read_catalog, template_path, write_catalog
from .checks import check_catalog
from .errors import CatalogError
from .glossary import load_glossary
from .merge import ImportReport, MergeReport, import_catalog, update_catalog


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


def identify_document(submitted: PackCatalog, domains: list[str], path: Path) -> str:
    """Return the document a submitted file belongs to, from its contexts."""
    prefixes = Counter(str(m.context).split("/", 1)[0] for m in submitted if m.id and m.context)
    known = [(doc, n) for doc, n in prefixes.most_common() if doc in domains]
    if not known:
        raise CatalogError("cannot tell which document this file translates (its msgctxt values name none "
                           f"of {', '.join(domains)}); say it with --doc ID", path=path)
    return known[0][0]


def import_file(locales_dir: Path, lang: str, file: Path, domains: list[str],
                doc: str | None = None) -> tuple[Path, ImportReport]:
    """Take a translator's file: check it all, then merge it; on any error change nothing."""
    submitted = read_catalog(file, lang)
    header_lang = str(submitted.locale_identifier or "")
    if header_lang and header_lang.replace("-", "_").lower() != lang.lower():
        raise CatalogError(f"the file says it is in {header_lang!r} (its Language header), not {lang!r}; "
                           f"import it with --lang {header_lang} or fix the header", path=file)
    domain = doc or identify_document(submitted, domains, file)
    if domain not in domains:
        raise CatalogError(f"--doc {domain!r} is not a document of this pack ({', '.join(domains)})", path=file)
    problems = [p for p in check_catalog(file, lang, load_glossary(locales_dir, lang)) if p.severity == "error"]
    if problems:
        raise CatalogError(f"{len(problems)} error(s); nothing was imported", problems=problems)
    target = catalog_path(locales_dir, lang, domain)
    if not target.is_file():
        raise CatalogError(f"there is no catalog {target} yet; run `packbuilder init {lang}` first", path=file)
    ours = read_catalog(target, lang)
    report = import_catalog(ours, submitted)
    if report.updated or report.added or report.stale or report.unknown:
        shutil.copy2(target, target.with_name(target.name + ".bak"))
        write_catalog(target, ours)
    return target, report


