"""Run the CLI: ``python -m packbuilder``."""
from __future__ import annotations

from .cli import run

run()
