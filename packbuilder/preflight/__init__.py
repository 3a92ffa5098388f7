"""Preflight: read every built PDF back and report what a print shop or a reader would reject.

    report = preflight_folder(Path("dist/default"))     # or preflight_outputs(outputs) in a build
    for finding in report.findings: ...                  # file, page, what, and the fix
"""
from __future__ import annotations

import hashlib
import json
import time
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import PackbuilderError
from .checks import (Finding, cjk_runts, hyphenation, last_page, safe_area, text_contrast, type_size,
                     writing_lines)
from .reader import read_pdf

PAGE_CHECKS = (safe_area, text_contrast, writing_lines)
DOCUMENT_CHECKS = (last_page, hyphenation, cjk_runts, type_size)


@dataclass
class FileReport:
    """What preflight found in one PDF."""

    path: str
    kind: str
    pages: int
    smallest: float                         # the smallest type size it prints, pt
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Report:
    """What preflight found in a pack."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def verdict(self) -> dict:
        """Return what the manifest records: pass or fail, counts, and every finding."""
        return {"verdict": "fail" if self.errors else "pass", "errors": len(self.errors),
                "warnings": len(self.findings) - len(self.errors), "files": len(self.files),
                "pages": sum(r.pages for r in self.files),
                "smallest_type": {r.path: round(r.smallest, 2) for r in self.files},
                "findings": [{"file": f.path, "page": f.page, "check": f.check, "severity": f.severity,
                              "message": f.message, "fix": f.fix} for f in self.findings]}


class PreflightError(PackbuilderError):
    """The built PDFs fail preflight."""

    category = "preflight"

    def __init__(self, message: str, *, findings: list[Finding] | None = None, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(message, **kw)
        self.findings = list(findings or [])

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (self.message, self.findings))

    def lines(self) -> list[str]:
        return [f"{f.severity}: {f}" for f in self.findings] or super().lines()


def _rebuild(message: str, findings: list[Finding]) -> PreflightError:
    return PreflightError(message, findings=findings)


def kind_of(path: str) -> str:
    """Return the layout of a pack file from its path, for a folder without a manifest."""
    if "/cards/" in f"/{path}":
        return "card-sheet" if "-sheet-" in path else "card"
    return "activity" if "/activities/" in f"/{path}" else "handout"


def check_pdf(path: str, data: bytes, kind: str) -> FileReport:
    """Run every check on one PDF."""
    if kind == "card-sheet":              # the cards are checked in their own PDF; here, the paper
        pages = read_pdf(data, boxes_only=True)       # its margins need where ink is, not its type
        findings = [f for page in pages for f in safe_area(path, page, kind)]
    else:
        pages = read_pdf(data)
        findings = [f for page in pages for check in PAGE_CHECKS for f in check(path, page, kind)]
        findings += [f for check in DOCUMENT_CHECKS for f in check(path, pages, kind)]
    smallest = min((ln.smallest for p in pages for ln in p.lines if ln.smallest), default=0.0)  # 0: not measured
    return FileReport(path, kind, len(pages), smallest, findings)


def preflight_files(files: Iterable[tuple[str, bytes, str]]) -> Report:
    """Check each (path, PDF bytes, layout) in turn."""
    start = time.monotonic()
    report = Report([check_pdf(path, data, kind) for path, data, kind in files])
    report.seconds = time.monotonic() - start
    return report


@lru_cache(maxsize=None)
def checks_version() -> str:
    """Return a hash of preflight's own code: findings stored by another version are redone."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def file_entry(report: FileReport) -> dict:
    """Return what an output's manifest entry keeps of its preflight (so a reused file is not re-read)."""
    return {"version": checks_version(), "pages": report.pages, "smallest": round(report.smallest, 2),
            "findings": [{"page": f.page, "check": f.check, "severity": f.severity, "message": f.message,
                          "fix": f.fix} for f in report.findings]}


def check_outputs(outputs: list) -> list:  # type: ignore[type-arg]
    """Preflight each PDF among ``outputs`` (``pack.Output`` values) and record it in its meta."""
    for out in outputs:
        if out.path.endswith(".pdf"):
            out.meta["preflight"] = file_entry(check_pdf(out.path, out.data, out.meta.get("layout", kind_of(out.path))))
    return outputs


def preflight_outputs(outputs) -> Report:  # type: ignore[no-untyped-def]
    """Return the preflight of a build's PDFs: what the workers recorded, checked again where the
    record is missing or was made by another version of the checks."""
    start, files = time.monotonic(), []
    for out in (o for o in outputs if o.path.endswith(".pdf")):
        entry = out.meta.get("preflight")
        if not isinstance(entry, dict) or entry.get("version") != checks_version():
            check_outputs([out])
            entry = out.meta["preflight"]
        files.append(FileReport(out.path, out.meta.get("layout", kind_of(out.path)), entry["pages"], entry["smallest"],
                                [Finding(out.path, **f) for f in entry["findings"]]))
    return Report(files, time.monotonic() - start)


def preflight_folder(folder: Path) -> Report:
    """Check every PDF of a built pack folder; layouts come from its manifest where it has one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PreflightError(f"{folder} is not a folder; build the pack first (packbuilder build), "
                             "then run preflight on dist/<pack>", path=folder)
    try:
        listed = {f["path"]: f.get("layout", "") for f in json.loads((folder / "manifest.json").read_text())["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        listed = {}
    paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf"))
    return preflight_files((p, (folder / p).read_bytes(), listed.get(p) or kind_of(p)) for p in paths)


__all__ = ["Finding", "FileReport", "Report", "PreflightError", "preflight_folder", "preflight_outputs",
           "preflight_files"]
