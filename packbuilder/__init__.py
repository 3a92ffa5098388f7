"""packbuilder: build multilingual, attributed print resource packs."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    CatalogError, ConfigError, ContentError, FontError, LayoutError, OutputError,
    PackbuilderError, RenderError,
)

__all__ = [
    "__version__", "PackbuilderError", "ConfigError", "ContentError", "CatalogError",
    "LayoutError", "FontError", "RenderError", "OutputError",
]
