"""Preflight: read every built PDF back and report what a print shop or a reader would reject.

    report = preflight_folder(Path("dist/default"))     # or preflight_outputs(outputs) in a build
    for finding in report.findings: ...                  # file, page, what, and the fix
"""
from __future__ import annotations

import json
import time
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
    pages = read_pdf(data)
    if kind == "card-sheet":              # the cards are checked in their own PDF; here, the paper
        findings = [f for page in pages for f in safe_area(path, page, kind)]
    else:
        findings = [f for page in pages for check in PAGE_CHECKS for f in check(path, page, kind)]
        findings += [f for check in DOCUMENT_CHECKS for f in check(path, pages, kind)]
    smallest = min((ln.smallest for p in pages for ln in p.lines), default=0.0)
    return FileReport(path, kind, len(pages), smallest, findings)


def preflight_files(files: Iterable[tuple[str, bytes, str]]) -> Report:
    """Check each (path, PDF bytes, layout) in turn."""
    start = time.monotonic()
    report = Report([check_pdf(path, data, kind) for path, data, kind in files])
    report.seconds = time.monotonic() - start
    return report


def preflight_outputs(outputs) -> Report:  # type: ignore[no-untyped-def]
    """Check the PDFs of a build (``pack.Output`` values) before they are written."""
    return preflight_files((o.path, o.data, o.meta.get("layout", kind_of(o.path)))
                           for o in outputs if o.path.endswith(".pdf"))


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
