"""The only way WeasyPrint reads anything: data: URLs and files under allowed roots."""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_BYTES = 50 * 1024 * 1024


class RefusedURL(ValueError):
    """WeasyPrint asked for something packbuilder does not serve."""


class SafeFetcher(URLFetcher):
    """Serve ``data:`` and files under ``roots``; refuse the network and every other file."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = [Path(r).resolve() for r in roots]
        self.requests: list[str] = []
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        """Return the local path ``url`` names if it lies under an allowed root."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if any(path == root or root in path.parents for root in self.roots) and path.is_file():
            return path
        return None

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # type: ignore[no-untyped-def]
        self.requests.append(url)
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        path = self.allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"packbuilder does not fetch {url[:200]!r}: only files under "
                             "layouts/, assets/ and the build's own folder are served")
        if path.stat().st_size > MAX_BYTES:
            self.refused.append(url)
            raise RefusedURL(f"{path} is larger than {MAX_BYTES // 2**20} MB")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
