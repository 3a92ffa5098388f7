"""Who may write: the maintainer logs in with the admin password; a signed session cookie follows.

On 127.0.0.1 with no password set, whoever sits at the machine may write (``open_writes``).
Reading the library never needs a login.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from functools import wraps
from typing import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

SESSION_COOKIE = "pb_session"
SESSION_SECONDS = 12 * 3600
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}

Handler = Callable[[Request], Awaitable[Response]]


def hash_password(password: str, salt: bytes | None = None) -> str:
    """Return ``scrypt$<salt>$<hash>`` for ``password`` (hashlib.scrypt, a fresh salt each time)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Return True if ``password`` matches the ``hash_password`` value ``stored``."""
    try:
        scheme, salt, _ = stored.split("$")
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def _sign(key: str, payload: bytes) -> str:
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def make_session(key: str, user: str = "admin", seconds: int = SESSION_SECONDS) -> str:
    """Return a signed session value for ``user``, valid for ``seconds``."""
    payload = base64.urlsafe_b64encode(json.dumps({"u": user, "exp": int(time.time()) + seconds}).encode())
    return f"{payload.decode()}.{_sign(key, payload)}"


def read_session(key: str, value: str) -> str | None:
    """Return the user of a session value signed with ``key`` and not expired, else None."""
    payload, _, signature = value.rpartition(".")
    if not payload or not hmac.compare_digest(_sign(key, payload.encode()), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None
    return data.get("u") if isinstance(data, dict) and data.get("exp", 0) > time.time() else None


def current_user(request: Request) -> str | None:
    """Return who is logged in (``"admin"``), or None."""
    settings = request.app.state.settings
    return read_session(settings.secret_key, request.cookies.get(SESSION_COOKIE, ""))


def can_write(request: Request) -> bool:
    """Return True if this request may change packs or start builds."""
    return request.app.state.settings.open_writes or current_user(request) is not None


def require_writer(handler: Handler) -> Handler:
    """Send a request that may not write to the login page, and back here afterwards."""
    @wraps(handler)
    async def guarded(request: Request) -> Response:
        if not can_write(request):
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(back)}", status_code=303)
        return await handler(request)
    return guarded


def safe_next(value: str) -> str:
    """Return ``value`` if it is a path on this site, else "/" (no open redirect)."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


async def login_form(request: Request) -> Response:
    from .templating import render
    return render(request, "login.html", {"next": safe_next(request.query_params.get("next", "/")), "error": ""})


async def login(request: Request) -> Response:
    from .templating import render
    form = await request.form()
    settings = request.app.state.settings
    target = safe_next(str(form.get("next", "/")))
    if not settings.admin_password_hash or not verify_password(str(form.get("password", "")),
                                                               settings.admin_password_hash):
        return render(request, "login.html", {"next": target, "error": "web-login-failed"}, status_code=400)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, make_session(settings.secret_key), max_age=SESSION_SECONDS,
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response


routes = [Route("/login", login_form, methods=["GET"]), Route("/login", login, methods=["POST"]),
          Route("/logout", logout, methods=["POST"])]
