"""What the review pages share: the desk of the served pack, and previews kept for a while."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..config import load_pack
from ..review import AccessDenied, Desk
from ..review.preview import Preview
from ..review.store import Invitation

_LOCK = threading.Lock()
PREVIEWS_KEPT = 8


def desk(request: Request) -> Desk:
    """Return the review desk of the served pack (one per app, closed at shutdown)."""
    state = request.app.state
    with _LOCK:
        if getattr(state, "review_desk", None) is None:
            settings = state.settings
            pack = settings.pack if settings.pack.is_absolute() else settings.root / settings.pack
            state.review_desk = Desk(load_pack(pack), settings.data_dir)
            state.review_previews = OrderedDict()
            state.on_shutdown.append(state.review_desk.close)
    return state.review_desk


def invitation(request: Request, role: str) -> Invitation:
    """Return the invitation of the link's token, or answer 403/404 with the reason."""
    try:
        return desk(request).verify(request.path_params["token"], role)
    except AccessDenied as exc:
        raise HTTPException(404 if "not valid" in exc.message else 403, exc.message) from None


async def preview_of(request: Request, lang: str, filename: str, data: bytes, document: str) -> Preview | None:
    """Return the preview of a file, rendered once and kept for the next few requests, or until
    the language's catalogs change (a preview shows the file over the catalogs as they are)."""
    from ..build import catalog_key
    state = request.app.state
    d = desk(request)
    key = (lang, document, hashlib.sha256(data).hexdigest(), catalog_key(d.config, (lang,)))
    with _LOCK:
        kept = state.review_previews.get(key)
    if kept is None:
        kept = await run_in_threadpool(_render, d, lang, filename, data, document)
        with _LOCK:
            state.review_previews[key] = kept
            while len(state.review_previews) > PREVIEWS_KEPT:
                state.review_previews.popitem(last=False)
    return kept


def _render(d: Desk, lang: str, filename: str, data: bytes, document: str) -> Preview | None:
    return with_pdfium(d.preview, lang, filename, data, document or None)[1]


def with_pdfium(fn, *args):  # type: ignore[no-untyped-def]
    """Call ``fn`` holding the app's pypdfium2 lock (pypdfium2 is not thread-safe; the library's
    thumbnails take the same lock). For desk calls that may render a preview."""
    from .store import _PDFIUM
    with _PDFIUM:
        return fn(*args)


def png(preview: Preview | None, number: int) -> Response:
    """Answer one page image of a preview (numbered from 1, changed pages first)."""
    if preview is None or not 1 <= number <= len(preview.pages):
        raise HTTPException(404, "There is no such preview page.")
    return Response(preview.pages[number - 1].png, media_type="image/png",
                    headers={"cache-control": "private, max-age=600"})
