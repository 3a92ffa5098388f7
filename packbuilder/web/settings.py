"""What one web server needs to know: where packs, outputs and its own files live, who may write."""
from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

PASSWORD_ENV = "PACKBUILDER_ADMIN_PASSWORD"
DATA_DIR = ".packbuilder-data"


def is_loopback(host: str) -> bool:
    """Return True if ``host`` only listens on this machine (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """The web app's settings; every folder resolves against ``root`` (the project folder)."""

    root: Path = field(default_factory=Path.cwd)
    pack: Path = Path("packs/default.toml")      # the pack the library shows first
    host: str = "127.0.0.1"
    port: int = 8000
    admin_password_hash: str = ""                 # scrypt hash (see auth.hash_password); "" = none
    max_upload: int = 2 * 1024 * 1024             # bytes of one request body (a logo is under 1 MB)
    build_workers: int = 2                        # warm build processes (two packs side by side)
    queue_limit: int = 4                          # builds that may wait before "busy, try again"
    secret_key: str = ""                          # signs session cookies; made and kept in data_dir
    warm_pool: bool = False                       # start the build workers with the server

    @property
    def packs_dir(self) -> Path:
        return (self.root / "packs").resolve()

    @property
    def dist_dir(self) -> Path:
        return (self.root / "dist").resolve()

    @property
    def data_dir(self) -> Path:
        """The web app's own files (secret key, previews, build logs, issue 18's database)."""
        return (self.root / DATA_DIR).resolve()

    @property
    def content_root(self) -> Path:
        """packbuilder's own content, locales, layouts and assets: the only ones a browser pack uses."""
        return self.root.resolve()

    @property
    def open_writes(self) -> bool:
        """True when anyone who can reach the server may write (loopback, no password set)."""
        return not self.admin_password_hash and is_loopback(self.host)

    def checked(self) -> Settings:
        """Return these settings ready to serve: refuse an open non-loopback bind; make the data folder."""
        if not is_loopback(self.host) and not self.admin_password_hash:
            raise ConfigError(f"serving on {self.host} lets other machines in; set an admin password with "
                              f"--admin-password or the {PASSWORD_ENV} environment variable, or serve on "
                              "127.0.0.1")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = self.secret_key or _secret(self.data_dir / "secret.key")
        return Settings(**{**self.__dict__, "secret_key": key})


def _secret(path: Path) -> str:
    """Return the key kept in ``path``, making it (readable by this user only) the first time."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:                   # another server made it a moment ago
            return path.read_text().strip()
        with os.fdopen(fd, "w") as out:
            out.write(key)
        return key
