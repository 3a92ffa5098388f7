"""Middleware that makes the app safe by default: security headers, body limits and CSRF.

CSRF is the double-submit cookie of Datasette's ``asgi-csrf``: a random token in a
``SameSite=Strict`` cookie, repeated in every form as ``csrftoken`` (or in an ``X-CSRF-Token``
header for fetch); a POST whose two copies differ, or that a browser marks cross-site, gets 403.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Awaitable, Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "pb_csrf"
CSRF_FIELD = "csrftoken"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'self'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
           "referrer-policy": "no-referrer", "x-frame-options": "SAMEORIGIN",
           "cross-origin-opener-policy": "same-origin", "cross-origin-resource-policy": "same-origin",
           "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()"}

Reject = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """Add the security headers to every response (CSP without inline scripts, no referrer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def cookie_value(scope: Scope, name: str) -> str:
    """Return the value of the cookie ``name`` in the request ``scope`` ("" if none), read as the
    handlers read cookies (Starlette's parser: one odd cookie set by another app on localhost
    does not hide ours)."""
    return HTTPConnection(scope).cookies.get(name, "")


class CSRFAndLimits:
    """Refuse bodies over ``max_body`` bytes (413) and unsafe requests without the CSRF token (403)."""

    def __init__(self, app: ASGIApp, max_body: int, reject: Callable[[int, str], Reject]) -> None:
        self.app, self.max_body, self.reject = app, max_body, reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        token = cookie_value(scope, CSRF_COOKIE)
        fresh = not token or len(token) < 20
        if fresh:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrftoken"] = token

        async def with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict")
            await send(message)

        if scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, with_cookie)
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            return await self.reject(413, "too-large")(scope, receive, with_cookie)
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                return await self.reject(413, "too-large")(scope, receive, with_cookie)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        if not await self._token_ok(scope, replay, token, fresh):
            return await self.reject(403, "csrf")(scope, receive, with_cookie)
        replayed = False
        await self.app(scope, replay, with_cookie)

    async def _token_ok(self, scope: Scope, receive: Receive, token: str, fresh: bool) -> bool:
        headers = dict(scope["headers"])
        if fresh or headers.get(b"sec-fetch-site", b"same-origin") not in (b"same-origin", b"none"):
            return False
        sent = headers.get(CSRF_HEADER.encode(), b"").decode("latin-1")
        if not sent:
            request = Request(scope, receive)
            try:
                form = await request.form(max_files=4, max_fields=400)
                sent = str(form.get(CSRF_FIELD, ""))
                await form.close()
            except Exception:  # noqa: BLE001 - a body that is not a form has no token
                return False
        return hmac.compare_digest(sent.encode(), token.encode())
