"""`packbuilder serve`: a thin web face on the library (Starlette, Jinja2, server-rendered)."""
from __future__ import annotations

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
