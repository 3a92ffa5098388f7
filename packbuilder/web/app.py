"""The ASGI app: a list of routes (one module a page) and a list of middleware, as Starlette has it.

A page module exports ``routes``; add yours to ``PAGES``. Every handler is short: parse the
request, call the library, render a template.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from . import auth, builder, builds, library, review, translate
from .security import CSRFAndLimits, SecurityHeaders
from .runner import Runner
from .settings import Settings
from .templating import HERE, render

log = logging.getLogger("packbuilder.web")

#: Page modules, each exporting ``routes`` (a list of starlette Routes).
PAGES = [library, auth, builder, builds, review, translate]

MESSAGES = {400: "web-error-bad-request", 403: "web-error-forbidden", 404: "web-error-not-found",
            405: "web-error-bad-request", 413: "web-error-too-large", 503: "web-error-busy"}


def error_page(request: Request, status: int, detail: str = "") -> Response:
    """Return the error page for ``status``: what happened and what to do; never a traceback."""
    return render(request, "error.html", {"status": status, "key": MESSAGES.get(status, "web-error-server"),
                                          "detail": detail}, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in _DEFAULT_PHRASES else ""
    return error_page(request, exc.status_code, detail)


async def _bug(request: Request, exc: Exception) -> Response:
    log.exception("packbuilder web: a bug while serving %s", request.url.path, exc_info=exc)
    return error_page(request, 500)


def _reject(status: int, reason: str):  # type: ignore[no-untyped-def]
    """Return an ASGI app answering a request the middleware refused, as an error page."""
    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        request = Request(scope, receive)
        await error_page(request, status, "")(scope, receive, send)
    return app


def create_app(settings: Settings | None = None) -> Starlette:
    """Return the web app for ``settings`` (checked: data folder made, secret key read)."""
    settings = (settings or Settings()).checked()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.warm_pool:
            app.state.runner.warm()
        yield
        for close in app.state.on_shutdown:
            close()

    routes = [route for page in PAGES for route in page.routes]
    routes.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))
    middleware = [Middleware(SecurityHeaders),
                  Middleware(CSRFAndLimits, max_body=settings.max_upload, reject=_reject)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error, Exception: _bug})
    app.state.settings = settings
    app.state.runner = Runner(settings.data_dir, settings.build_workers, settings.queue_limit)
    app.state.on_shutdown = [app.state.runner.close]
    return app


_DEFAULT_PHRASES = {"Not Found", "Method Not Allowed", "Bad Request", "Forbidden", "Internal Server Error"}
