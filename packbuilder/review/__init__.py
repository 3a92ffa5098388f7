"""Browser review of translations: invitations, a queue in SQLite, previews, sign-off, audit.

No web code lives here: ``packbuilder.web`` calls these functions, as the CLI calls the rest.
"""
from __future__ import annotations

from .desk import AccessDenied, Conflict, Desk, ReviewError
from .importer import Change, Finding, Report
from .store import DEFAULT_DATA_DIR, Store

__all__ = ["AccessDenied", "Change", "Conflict", "DEFAULT_DATA_DIR", "Desk", "Finding", "Report",
           "ReviewError", "Store"]
