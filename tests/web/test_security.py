"""Safe by default: headers, CSRF, login for writes, names that cannot leave packs/ or dist/."""
from __future__ import annotations

from pathlib import Path

import pytest

from packbuilder.errors import ConfigError
from packbuilder.web import Settings
from packbuilder.web.auth import hash_password, make_session, read_session, verify_password
from tests.conftest import run_cli

from .conftest import csrf_of, make_client


def test_every_page_has_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in r.text and " on" + "click=" not in r.text     # no inline script


def test_cross_site_post_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/")
    r = client.post("/logout", data={"csrftoken": "forged-token-from-elsewhere-0000"})
    assert r.status_code == 403
    assert "came from another site" in r.text and "Traceback" not in r.text


def test_post_with_the_token_passes_but_not_from_another_site(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    assert client.post("/logout", data={"csrftoken": token}, follow_redirects=False).status_code == 303
    r = client.post("/logout", data={"csrftoken": token}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403


def test_an_odd_cookie_from_another_localhost_app_does_not_hide_the_token(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    # cookies are shared across ports: another app on 127.0.0.1 may set one Python's SimpleCookie refuses
    odd = f'x={{"a":1}}; pb_csrf={token}'
    r = client.post("/logout", data={"csrftoken": token}, headers={"cookie": odd}, follow_redirects=False)
    assert r.status_code == 303


def test_names_cannot_leave_dist(client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/files/default/../../pyproject.toml", "/files/default/%2e%2e/%2e%2e/packs/default.toml",
                "/files/..%2f..%2fpacks/default.toml", "/library/..%2fpacks", "/thumbs/default/../x.pdf",
                "/zip/..%2f..%2fetc/passwd.zip"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Traceback" not in r.text


def test_non_loopback_without_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="admin password"):
        Settings(root=tmp_path, host="0.0.0.0").checked()
    code, _, err = run_cli("serve", "--host", "0.0.0.0", "--port", "8765")
    assert code == 1 and "--admin-password" in err


def test_password_hash_and_session() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and verify_password("correct horse", stored)
    assert not verify_password("wrong", stored)
    value = make_session("k" * 32)
    assert read_session("k" * 32, value) == "admin"
    assert read_session("other-key", value) is None
    assert read_session("k" * 32, make_session("k" * 32, seconds=-1)) is None


def test_writes_need_a_login_off_loopback(project: Path) -> None:
    with make_client(project, host="0.0.0.0", admin_password_hash=hash_password("pw")) as c:
        assert c.get("/").status_code == 200                       # the library stays public
        page = c.get("/login").text
        bad = c.post("/login", data={"csrftoken": csrf_of(page), "password": "nope"})
        assert bad.status_code == 400 and "not right" in bad.text
        ok = c.post("/login", data={"csrftoken": csrf_of(page), "password": "pw", "next": "//evil.example"},
                    follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/"
        cookie = ok.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_a_bug_shows_an_error_page_not_a_traceback(project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from packbuilder.web import create_app, store

    def broken(*_args):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(store, "pack_files", broken)
    with TestClient(create_app(Settings(root=project)), raise_server_exceptions=False) as c:
        r = c.get("/packs")
    assert r.status_code == 500 and "Something went wrong on the server" in r.text
    assert "Traceback" not in r.text and "secret internals" not in r.text


def test_the_server_keeps_no_access_log(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Invitation links carry their token in the path: the server must not write paths to a log."""
    import uvicorn

    from packbuilder.web.serve import serve
    from packbuilder.web.settings import Settings
    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    serve(Settings())
    assert seen["access_log"] is False and seen["host"] == "127.0.0.1"
