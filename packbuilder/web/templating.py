"""Jinja2 pages: one environment, the page language from the ui catalogs, the CSRF token in every form."""
from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from ..catalogs import UI_DOMAIN, DocTranslation, Edition, catalog_path, load_translation
from ..i18n import Language
from ..i18n import language as _language
from ..ui import STRINGS
from .security import CSRF_FIELD

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.auto_reload = False               # templates ship with the package; read once
LANG_COOKIE = "pb_lang"
UI_LANGUAGES = ("en", "zh_Hans", "es")          # languages the app's own words are translated into


@lru_cache(maxsize=64)
def language(code: str) -> Language:
    """Return the page facts of ``code`` (Babel's names, looked up once)."""
    return _language(code)


@lru_cache(maxsize=32)
def _ui(locales_dir: Path, code: str, mtime: float) -> Edition:
    english = {f"ui/{k}": v[0] for k, v in STRINGS.items()}
    path = catalog_path(locales_dir, code, UI_DOMAIN)
    tr = load_translation(path, code, english) if code != "en" and path.is_file() else \
        DocTranslation(None, None, {})  # type: ignore[arg-type]
    return Edition(code, {UI_DOMAIN: tr})


def ui_edition(locales_dir: Path, code: str) -> Edition:
    """Return the ui catalog of ``code`` (re-read when the file changes)."""
    path = catalog_path(locales_dir, code, UI_DOMAIN)
    return _ui(locales_dir, code, path.stat().st_mtime if path.is_file() else 0.0)


def page_language(request: Request, offered: tuple[str, ...] = UI_LANGUAGES) -> str:
    """Return the language asked for (``?lang=``, then the cookie, then the browser), else en."""
    for wanted in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if wanted in offered:
            return wanted
    accept = request.headers.get("accept-language", "").lower()
    for part in accept.split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("zh") and "zh_Hans" in offered:
            return "zh_Hans"
        if tag[:2] in offered:
            return tag[:2]
    return "en"


# A page rendered once per change of what it shows, for every visitor: the CSRF token (the only
# part that differs between visitors) is rendered as this placeholder and put in per request.
_TOKEN_SLOT = f"csrf-{secrets.token_hex(16)}"
_PAGES: OrderedDict[tuple, str] = OrderedDict()
_PAGES_KEPT = 64


def render_cached(request: Request, name: str, key: tuple, context: Callable[[], dict]) -> HTMLResponse:
    """Render ``name`` as :func:`render` does, but only when ``key`` (what the page shows) changes.

    ``context`` is called only to render. The key must name everything the page depends on;
    the page language, who is logged in and whether writes are open are added here.
    """
    from .auth import can_write, current_user
    code = page_language(request)
    full = (name, key, code, can_write(request), current_user(request), request.app.state.settings.open_writes)
    html = _PAGES.get(full)
    if html is None:
        html = render(request, name, context(), lang=code, token=_TOKEN_SLOT).body.decode()
        _PAGES[full] = html
        while len(_PAGES) > _PAGES_KEPT:
            _PAGES.popitem(last=False)
    else:
        _PAGES.move_to_end(full)
    token = str(escape(request.scope.get("state", {}).get("csrftoken", "")))
    return _remember_language(request, code, HTMLResponse(html.replace(_TOKEN_SLOT, token)))


def render(request: Request, name: str, context: dict | None = None, *, status_code: int = 200,
           lang: str | None = None, token: str | None = None) -> HTMLResponse:
    """Render the page ``name`` in the page language, with ``t()``, ``csrf()`` and who is logged in."""
    from .auth import can_write, current_user
    settings = request.app.state.settings
    code = lang or page_language(request)
    edition = ui_edition(settings.root.resolve() / "locales", code)

    def t(key: str, **values: object) -> str:
        return edition.ui_text(key, **{k: str(v) for k, v in values.items()})[0]     # a page, not print

    def tn(key: str, count: int) -> str:
        """Return ``key-one`` or ``key-other`` for ``count``, as the page language's plural rule picks."""
        from ..jobs import plural_ui
        return plural_ui(t, code, key, int(count))

    def csrf() -> Markup:
        value = token if token is not None else request.scope.get("state", {}).get("csrftoken", "")
        return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(value)}">')

    page: Language = language(code)
    ctx = {"request": request, "t": t, "tn": tn, "csrf": csrf, "page_lang": page, "lang_code": code,
           "languages": [language(c) for c in UI_LANGUAGES], "can_write": can_write(request),
           "user": current_user(request), "open_writes": settings.open_writes,
           "static_version": STATIC_VERSION, **(context or {})}
    return _remember_language(request, code, templates.TemplateResponse(request, name, ctx, status_code=status_code))


def _remember_language(request: Request, code: str, response: HTMLResponse) -> HTMLResponse:
    """Keep a language chosen with ``?lang=`` for the visitor's next pages."""
    if request.query_params.get("lang") == code:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="strict", httponly=True)
    return response


STATIC_VERSION = str(int(max((p.stat().st_mtime for p in (HERE / "static").iterdir()), default=0)))
