"""One error hierarchy: every problem a user can fix is a PackbuilderError.

The CLI prints ``<category>: <message>`` and exits 1. Anything else is a bug.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located where possible."""

    message: str
    path: Path | None = None
    lineno: int | None = None
    severity: str = "error"
    check: str | None = None

    def location(self) -> str:
        """Return ``path:line`` (or what is known of it) for compiler-style output."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.lineno}" if self.lineno else str(self.path)

    def __str__(self) -> str:
        where = self.location()
        tag = f"[{self.check}] " if self.check else ""
        return f"{where}: {tag}{self.message}" if where else f"{tag}{self.message}"


class PackbuilderError(Exception):
    """Base of every error a user can act on; ``category`` is printed before it."""

    category = "error"

    def __init__(self, message: str, *, path: Path | str | None = None,
                 lineno: int | None = None, problems: list[Problem] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.lineno = lineno
        self.problems = list(problems or [])
        super().__init__(message)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # keep path, line and problems when an error crosses from a worker process
        return (_rebuild, (type(self), self.message, self.path, self.lineno, self.problems))

    @property
    def message(self) -> str:
        return str(self.args[0])

    def as_problems(self) -> list[Problem]:
        """Return the problems this error reports (itself, when it has no list)."""
        return self.problems or [Problem(self.message, self.path, self.lineno)]

    def lines(self) -> list[str]:
        """Return the lines the CLI prints: ``category: path:line: message`` each."""
        if self.problems:
            return [f"{p.severity if p.check or p.severity != 'error' else self.category}: {p}"
                    for p in self.problems]
        where = Problem(self.message, self.path, self.lineno)
        return [f"{self.category}: {where}"]

    def report_lines(self) -> list[str]:
        """Return all the CLI prints of this error: each problem, then the summary after them."""
        return self.lines() + ([f"{self.category}: {self.message}"] if self.problems and self.message else [])

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _rebuild(cls, message, path, lineno, problems):  # type: ignore[no-untyped-def]
    return cls(message, path=path, lineno=lineno, problems=problems)


class BuildErrors(PackbuilderError):
    """Several jobs failed; each error keeps its own category."""

    def __init__(self, errors: list[PackbuilderError]) -> None:
        super().__init__(f"{len(errors)} job(s) failed")
        self.errors = errors

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (BuildErrors, (self.errors,))

    def lines(self) -> list[str]:
        return [line for error in self.errors for line in error.lines()]


class FitError(PackbuilderError):
    """Text does not fit the fixed size of a card face."""

    category = "error"


class ConfigError(PackbuilderError):
    """A pack configuration value is wrong."""

    category = "config"


class ContentError(PackbuilderError):
    """A source document cannot be read or breaks the content format."""

    category = "content"


class CatalogError(PackbuilderError):
    """A translation catalog cannot be read or fails its checks."""

    category = "catalog"


class LayoutError(PackbuilderError):
    """A layout template or stylesheet is broken."""

    category = "layout"


class FontError(PackbuilderError):
    """Text would print with a character no font covers."""

    category = "font"


class RenderError(PackbuilderError):
    """WeasyPrint could not render a job cleanly."""

    category = "render"


class OutputError(PackbuilderError):
    """The pack cannot be written where it was asked to go."""

    category = "output"
