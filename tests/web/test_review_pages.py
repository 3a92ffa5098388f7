"""The review pages in-process: who can reach what, and the flow from link to accepted catalog."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from packbuilder.workflow import backups
from packbuilder.catalogs import read_catalog, render_catalog
from packbuilder.web.auth import hash_password
from tests.conftest import copy_repo

from .conftest import csrf_of, make_client

PASSWORD = "maintainer password 1"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "project")


@pytest.fixture()
def site(root: Path):  # type: ignore[no-untyped-def]
    with make_client(root, admin_password_hash=hash_password(PASSWORD)) as client:
        yield client


def log_in(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"password": PASSWORD, "next": "/review", "csrftoken": token})
    assert r.status_code == 200 and "Translation review" in r.text


def invite(client, lang: str = "es", role: str = "translator", name: str = "Ana") -> str:  # type: ignore[no-untyped-def]
    page = client.get("/review")
    r = client.post("/review/invitations", data={"lang": lang, "name": name, "role": role, "days": "14",
                                                 "csrftoken": csrf_of(page.text)})
    assert r.status_code == 200, r.text
    link = re.search(r'id="link" class="link-box" readonly value="([^"]+)"', r.text).group(1)
    return link.split("127.0.0.1:8000", 1)[1]


def post(client, url: str, data: dict | None = None, files: dict | None = None, page: str = "/review"):  # type: ignore[no-untyped-def]
    return client.post(url, data={**(data or {}), "csrftoken": csrf_of(client.get(page).text)}, files=files,
                       follow_redirects=False)


def test_the_queue_log_and_links_are_the_maintainers_only(site, root):
    for url in ("/review", "/review/audit", "/review/audit.csv", "/review/submissions/1",
                "/review/submissions/1/preview"):
        r = site.get(url)
        assert r.status_code == 403 and "log in" in r.text and "Traceback" not in r.text, url
    log_in(site)
    es = invite(site)
    site.cookies.clear()                                  # the translator has no session
    assert site.get(es).status_code == 200
    for url in ("/review", "/review/audit", "/review/audit.csv"):
        assert site.get(url).status_code == 403
    po = site.get(f"{es}/po/safety-street.po")
    assert po.status_code == 200 and "Language: es" in po.text and 'msgctxt "safety-street/title"' in po.text
    for url in (f"{es}/po/..%2Fzh_Hans%2Fsafety-street.po", f"{es}/po/zh_Hans.po", f"{es}?lang=zh_Hans&doc=x",
                es.replace("/t/", "/r/"), es[:-2] + "xx", "/t/" + "A" * 43):
        r = site.get(url)
        assert r.status_code in (403, 404) or "Español" in r.text, url
        assert "中文" not in r.text.split("<main", 1)[1] if r.status_code == 200 else True, url


def test_a_withdrawn_or_expired_link_is_refused_and_no_secret_is_stored(site, root):
    log_in(site)
    es = invite(site)
    zh = invite(site, "zh_Hans", name="Li")
    raw = b"".join(p.read_bytes() for p in (root / ".packbuilder-data").glob("review.sqlite3*"))
    assert es.rsplit("/", 1)[1].encode() not in raw and zh.rsplit("/", 1)[1].encode() not in raw
    assert PASSWORD.encode() not in b"".join(p.read_bytes() for p in (root / ".packbuilder-data").rglob("*")
                                             if p.is_file())
    page = site.get("/review").text
    number = re.findall(r'/review/invitations/(\d+)/revoke', page)
    post(site, f"/review/invitations/{max(map(int, number))}/revoke")
    r = site.get(zh)
    assert r.status_code == 403 and "withdrawn" in r.text
    from packbuilder.review.store import Store
    store = Store(root / ".packbuilder-data")
    with store.transaction() as db:
        db.execute("UPDATE invitations SET expires = '2020-01-01T00:00:00+00:00'")
    store.close()
    r = site.get(es)
    assert r.status_code == 403 and "expired" in r.text


def test_from_link_to_accepted_catalog(site, root):
    log_in(site)
    es = invite(site)
    po_path = root / "locales/es/LC_MESSAGES/safety-street.po"
    catalog = read_catalog(po_path, "es")
    message = next(m for m in catalog if m.context == "safety-street/front/li2")
    message.string = "Lleva siempre tu equipo: condones, lubricante, juguetes."
    good = render_catalog(catalog)
    broken = good.replace(b"condones, lubricante", b"**condones, lubricante")
    r = post(site, f"{es}/upload", files={"file": ("safety-street.po", broken, "text/plain")}, page=es)
    assert r.status_code == 303
    report = site.get(r.headers["location"])
    assert "1 error" in report.text and "safety-street/front/li2" in report.text and "Submit" not in report.text
    r = post(site, f"{es}/upload", files={"file": ("safety-street.po", good, "text/plain")}, page=es)
    report = site.get(r.headers["location"])
    assert "No errors" in report.text and "Lleva siempre tu equipo" in report.text
    frame = site.get(r.headers["location"] + "/preview")
    assert "fits" in frame.text and "does not fit" not in frame.text
    image = site.get(r.headers["location"] + "/preview/1.png")
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    before = po_path.read_bytes()
    done = post(site, r.headers["location"] + "/submit", page=es)
    assert done.status_code == 303 and po_path.read_bytes() == before
    assert "submission #1 is in the maintainer" in site.get(done.headers["location"]).text
    log_in(site)
    page = site.get("/review/submissions/1")
    assert "Lleva siempre tu equipo" in page.text and "Carry your own equipment" in page.text
    r = post(site, "/review/submissions/1/accept", page="/review/submissions/1")
    assert r.status_code == 303
    assert read_catalog(po_path, "es").get(message.id, context=message.context).string == message.string
    assert [b.read_bytes() for b in backups(po_path)] == [before]
    csv = site.get("/review/audit.csv").text
    assert [line.split(",")[3] for line in csv.splitlines()[1:]] == ["invite", "upload", "upload", "submit", "accept"]


def test_a_reviewer_reads_the_pages_as_the_catalogs_stand_and_signs(site, root):
    log_in(site)
    reviewer = invite(site, role="reviewer", name="Marta")
    translator = invite(site)
    site.cookies.clear()
    page = site.get(reviewer)
    assert page.status_code == 200 and f"{reviewer}/read/safety-street" in page.text
    frame = site.get(f"{reviewer}/read/safety-street")
    assert frame.status_code == 200 and "safety-street, front" in frame.text
    assert site.get(f"{reviewer}/read/safety-street/preview/1.png").content.startswith(b"\x89PNG")
    for url in (f"{reviewer}/read/..%2F..%2Fpackbuilder", f"{translator.replace('/t/', '/r/')}/read/safety-street",
                reviewer.replace("/r/", "/t/")):
        assert site.get(url).status_code in (403, 404), url
    r = post(site, f"{reviewer}/sign", {"name": "Marta Ruiz", "organisation": "Colectiva Ejemplo"}, page=reviewer)
    assert r.status_code == 200 and "signed off" in r.text
    po = read_catalog(root / "locales/es/LC_MESSAGES/safety-street.po", "es")
    assert po.header("X-Review-Status") == "reviewed" and po.header("X-Reviewed-By") == "Marta Ruiz, Colectiva Ejemplo"


def test_a_kept_preview_is_drawn_again_once_the_catalogs_change(site, root, monkeypatch):
    import asyncio
    from types import SimpleNamespace

    from packbuilder.web import reviewing
    drawn: list[str] = []
    monkeypatch.setattr(reviewing, "_render", lambda d, lang, *rest: drawn.append(lang) or object())
    request = SimpleNamespace(app=site.app)
    po = root / "locales/es/LC_MESSAGES/advocacy.po"
    data = po.read_bytes()
    ask = lambda: asyncio.run(reviewing.preview_of(request, "es", "advocacy.po", data, "advocacy"))  # noqa: E731
    ask(), ask()
    assert drawn == ["es"]                              # kept for the next request
    po.write_bytes(data.replace(b'msgstr "', b'msgstr "X', 1))   # another submission was accepted
    ask()
    assert drawn == ["es", "es"]                        # not the page as the catalog stood before
