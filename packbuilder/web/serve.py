"""Run the web app with uvicorn (what `packbuilder serve` calls)."""
from __future__ import annotations

import os
from pathlib import Path

from .auth import hash_password
from .settings import PASSWORD_ENV, Settings


def settings_from(pack: Path, host: str, port: int, password: str | None) -> Settings:
    """Return checked settings for the command line: the password from the flag or the environment."""
    password = password if password is not None else os.environ.get(PASSWORD_ENV, "")
    return Settings(root=Path.cwd(), pack=pack, host=host, port=port,
                    admin_password_hash=hash_password(password) if password else "", warm_pool=True).checked()


def serve(settings: Settings) -> None:
    """Serve until interrupted."""
    import uvicorn

    from .app import create_app
    # no access log: an invitation link's path (/t/<token>, /r/<token>) is a secret, and a log of
    # who asked for what page is not something the people this serves should leave behind
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                access_log=False, server_header=False, proxy_headers=False)
