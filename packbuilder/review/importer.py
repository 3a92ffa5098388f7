"""The one adapter between the review queue and the translator workflow (``packbuilder import``).

Every call the review package makes into ``workflow``, ``checks`` and ``merge`` is here, so a
change to the import's semantics or its report needs changes in this module only. A submitted
file is checked as ``packbuilder check FILE`` checks it, and imported by the very function
``packbuilder import`` runs: first into a private copy of ``locales/`` (the dry run the
translator sees), then, on "Accept", into the real one, with its backup.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from ..catalogs import UI_DOMAIN, catalog_path, read_catalog, render_catalog, write_catalog
from ..checks import check_language
from ..config import Pack
from ..errors import CatalogError, PackbuilderError
from ..submission import ImportReport
from ..workflow import backup_path, import_file

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Finding:
    """One problem in a submitted file, with what a translator needs to find and fix it."""

    severity: str
    check: str
    line: int | None
    message: str
    context: str = ""
    english: str = ""
    translation: str = ""


@dataclass(frozen=True)
class Change:
    """One entry an import would change: old -> new, beside the English."""

    context: str
    english: str
    old: str
    new: str
    fuzzy: bool = False           # taken only as a hint (translated from older English)


@dataclass
class Report:
    """What checking and importing a submitted file finds and would do."""

    filename: str
    lang: str
    document: str = ""
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (msgctxt or count, reason)
    kept: int = 0                      # translations of ours the file does not mention: kept
    notes: list[str] = field(default_factory=list)   # flags, comments, review status, language tag

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.document)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        data = dict(data)
        data["findings"] = [Finding(**f) for f in data.get("findings", [])]
        data["changes"] = [Change(**c) for c in data.get("changes", [])]
        data["skipped"] = [tuple(s) for s in data.get("skipped", [])]
        return cls(**data)


def domains(config: Pack) -> list[str]:
    """Return every catalog a language has in this pack: documents, cards, layout strings."""
    return [*config.domains, UI_DOMAIN]


def safe_filename(name: str) -> str:
    """Return an uploaded file's name reduced to a plain ``.po`` file name."""
    base = SAFE_NAME.sub("-", Path(name.replace("\\", "/")).name).strip(".-") or "upload"
    return base if base.endswith(".po") else base + ".po"


def value(message) -> str:  # type: ignore[no-untyped-def]
    """Return what an entry prints: its translation, or '' when empty or fuzzy."""
    return str(message.string) if message is not None and message.string and not message.fuzzy else ""


def current_strings(locales_dir: Path, lang: str, document: str) -> dict[str, str]:
    """Return msgctxt -> usable translation of one of our catalogs."""
    path = catalog_path(locales_dir, lang, document)
    return {str(m.context): value(m) for m in read_catalog(path, lang) if m.id and m.context} if path.is_file() else {}


@contextmanager
def staged(config: Pack, lang: str, data: bytes, filename: str, document: str | None = None) -> Iterator[tuple[Report, Path]]:
    """Check ``data`` and import it into a private copy of ``locales/``; yield (report, that copy).

    Nothing under the pack's own ``locales/`` is touched. The copy lives until the block ends.
    """
    name = safe_filename(filename)
    with tempfile.TemporaryDirectory(prefix="pb-review-") as tmp:
        locales = Path(tmp) / "locales"
        shutil.copytree(config.locales_dir, locales, ignore=shutil.ignore_patterns("*.bak", "*.tmp"))
        upload = Path(tmp) / "upload" / name
        upload.parent.mkdir()
        upload.write_bytes(data)
        report = Report(name, lang)
        report.findings = _findings(locales, lang, upload, config)
        try:
            target, result = import_file(locales, lang, upload, domains(config), document)
        except CatalogError as exc:
            if not exc.problems:                    # not a check: which document, which language
                if all(f.message != exc.message for f in report.findings):     # (a syntax error is one)
                    report.findings.insert(0, Finding("error", "import", exc.lineno, exc.message))
            elif not report.errors:                 # import refused on a check that check did not report
                report.findings += [Finding(p.severity, p.check or "import", p.lineno, p.message)
                                    for p in exc.problems]
            yield report, locales
            return
        report.document = target.stem
        _summarise(report, result)
        report.changes = diff(config.locales_dir, locales, lang, report.document)
        yield report, locales


def _findings(locales: Path, lang: str, upload: Path, config: Pack) -> list[Finding]:
    """Return every problem ``packbuilder check FILE`` reports, with the entry it is about."""
    problems = check_language(locales, lang, domains(config), [upload])
    try:
        by_line = {m.lineno: m for m in read_catalog(upload, lang) if m.id}
    except PackbuilderError:
        by_line = {}
    found = []
    for p in problems:
        m = by_line.get(p.lineno)
        found.append(Finding(p.severity, p.check or "", p.lineno, p.message,
                             str(m.context or "") if m else "", str(m.id) if m else "",
                             str(m.string) if m else ""))
    return sorted(found, key=lambda f: (f.severity != "error", f.line or 0))


def _summarise(report: Report, result: ImportReport) -> None:
    """Turn the import's report into taken / unchanged / skipped-with-reason, with its notes."""
    report.taken = [*result.changed, *result.added, *result.fuzzied]
    report.unchanged = result.unchanged
    report.skipped = [tuple(s) for s in result.skipped]
    report.notes = list(result.notes)
    report.kept = result.missing


def diff(before: Path, after: Path, lang: str, document: str) -> list[Change]:
    """Return every entry of one catalog whose printed text differs between two locales folders."""
    old = {str(m.context or m.id): m for m in read_catalog(catalog_path(before, lang, document), lang) if m.id}
    changes = []
    for m in read_catalog(catalog_path(after, lang, document), lang):
        if not m.id:
            continue
        was = old.get(str(m.context or m.id))
        if str(m.string or "") != str(was.string or "" if was else "") or (was is not None and m.fuzzy != was.fuzzy):
            changes.append(Change(str(m.context or m.id), str(m.id), value(was), str(m.string or ""), m.fuzzy))
    return changes


def apply(config: Pack, lang: str, data: bytes, filename: str, document: str) -> Report:
    """Import a submitted file into the pack's own catalogs, as ``packbuilder import`` does (with
    its backup); the catalog is on disk when this returns (write_catalog syncs it)."""
    with tempfile.TemporaryDirectory(prefix="pb-accept-") as tmp:
        upload = Path(tmp) / safe_filename(filename)
        upload.write_bytes(data)
        target, result = import_file(config.locales_dir, lang, upload, domains(config), document)
    report = Report(filename, lang, target.stem)
    _summarise(report, result)
    return report


def only(data: bytes, lang: str, contexts: set[str]) -> bytes:
    """Return a submitted file with every entry outside ``contexts`` emptied (so the import keeps
    ours there): what a translator did not change must not undo what was accepted since."""
    with tempfile.TemporaryDirectory(prefix="pb-only-") as tmp:
        catalog = read_catalog_bytes(data, Path(tmp) / "submitted.po", lang)
    for message in catalog:
        if message.id and str(message.context or message.id) not in contexts:
            message.string = ""
    return render_catalog(catalog)


def read_catalog_bytes(data: bytes, path: Path, lang: str):  # type: ignore[no-untyped-def]
    """Parse PO bytes (written to ``path`` first) with the project's reader."""
    path.write_bytes(data)
    return read_catalog(path, lang)


def sign_off(config: Pack, lang: str, reviewer: str, date: str) -> list[Path]:
    """Mark every catalog of ``lang`` reviewed by ``reviewer`` on ``date``; keep a backup of each."""
    written = []
    for document in domains(config):
        path = catalog_path(config.locales_dir, lang, document)
        if not path.is_file():
            continue
        catalog = read_catalog(path, lang)
        catalog.set_header("X-Review-Status", "reviewed")
        catalog.set_header("X-Reviewed-By", reviewer)
        catalog.set_header("X-Review-Date", date)
        if write_catalog(path, catalog, backup=backup_path(path)):
            written.append(path)
    return written


def catalog_bytes(config: Pack, lang: str, document: str) -> bytes:
    """Return our current catalog of one document, as the translator downloads it."""
    path = catalog_path(config.locales_dir, lang, document)
    if not path.is_file():
        raise CatalogError(f"there is no {lang} catalog for {document!r}", path=path)
    return path.read_bytes()
