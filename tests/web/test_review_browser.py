"""The review journey in Debian's Chromium (Playwright, never `playwright install`): a maintainer
invites a Spanish translator, who downloads safety-street.po, uploads it with a broken link, then
with a card line too long, then a good version, and submits; the maintainer accepts; a reviewer
signs Spanish off and the rebuilt Spanish pages lose the draft notice."""
from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from packbuilder.workflow import backups
from packbuilder.catalogs import read_catalog, render_catalog
from packbuilder.web.auth import hash_password
from tests.conftest import copy_repo, pdftext, run_cli

from .test_browser import AXE, axe

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "maintainer password 1"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture()
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Serve a copy of the project on a free port (a real uvicorn server); yield (root, base URL)."""
    import uvicorn

    from packbuilder.web import Settings, create_app
    root = copy_repo(tmp_path / "project")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings(root=root, port=port, admin_password_hash=hash_password(PASSWORD)))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield root, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture()
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def catalog_with(data: bytes, context: str, text: str, tmp: Path) -> bytes:
    """Return a downloaded catalog with one entry's translation replaced."""
    path = tmp / "edit.po"
    path.write_bytes(data)
    catalog = read_catalog(path, "es")
    next(m for m in catalog if m.context == context).string = text
    return render_catalog(catalog)


def upload(page, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/x-gettext-translation", "buffer": data}])
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()


def check(page, found: dict) -> None:  # type: ignore[no-untyped-def]
    """Run axe-core (WCAG 2.1 A/AA) on the page; keep its violations to assert at the end."""
    if AXE.is_file():
        found[page.url] = axe(page)


def test_review_journey(server, browser, tmp_path):
    root, base = server
    found: dict[str, list] = {}
    maintainer = browser.new_context(bypass_csp=True).new_page()
    maintainer.goto(f"{base}/login?next=/review")
    maintainer.fill("#password", PASSWORD)
    maintainer.get_by_role("button", name="Log in").click()
    maintainer.wait_for_url(f"{base}/review")
    check(maintainer, found)
    maintainer.select_option("#inv-lang", "es")
    maintainer.fill("#inv-name", "Ana")
    maintainer.get_by_role("button", name="Create the link").click()
    link = maintainer.input_value("#link")
    assert link.startswith(f"{base}/t/")
    check(maintainer, found)

    translator = browser.new_context(bypass_csp=True).new_page()
    translator.goto(link)
    assert "Español" in translator.inner_text("h1")
    check(translator, found)
    with translator.expect_download() as download:
        translator.get_by_role("link", name="Download safety-street.po").click()
    original = Path(download.value.path()).read_bytes()
    assert b'msgctxt "safety-street/front/li2"' in original

    # 1. a broken link: the error on its line, with its entry
    broken = catalog_with(original, "safety-street/front/li2",
                          "Lleva siempre tu propio equipo: [condones](https://example.org/x), lubricante.", tmp_path)
    upload(translator, "safety-street.po", broken)
    check(translator, found)
    row = translator.locator("table.report tr.error")
    assert row.count() == 1
    line = int(row.locator("td").first.inner_text())
    lines = broken.decode().splitlines()
    assert lines[line - 1].startswith("msgid")                     # the entry's line, as `check` gives it
    assert "example.org/x" in "".join(lines[line:line + 3])
    assert "safety-street/front/li2" in row.inner_text() and "keep the same links" in row.inner_text()
    assert translator.get_by_role("button", name="Submit to the maintainer").count() == 0

    # 2. a card line too long: the preview shows that face failing the fit check
    long = ("Lleva siempre tu propio equipo: condones, lubricante, juguetes"
            + ", agua, comida, un teléfono cargado y dinero para el taxi" * 8 + ".")
    upload(translator, "safety-street.po", catalog_with(original, "safety-street/front/li2", long, tmp_path))
    frame = translator.frame_locator("iframe.preview-frame")
    verdict = frame.locator(".verdicts li.overflow")
    try:
        verdict.wait_for(timeout=30_000)
    except Exception:
        translator.screenshot(path="/tmp/i18-debug.png", full_page=True)
        Path("/tmp/i18-debug.html").write_text(translator.content())
        raise
    assert "safety-street, front" in verdict.inner_text() and "does not fit" in verdict.inner_text()
    frame.locator(".pages img").first.wait_for(timeout=30_000)
    translator.screenshot(path=str(tmp_path / "translator-preview.png"), full_page=True)
    check(translator, found)
    frame_page = translator.context.new_page()
    frame_page.goto(base + translator.locator("iframe.preview-frame").get_attribute("src"))
    check(frame_page, found)
    frame_page.close()
    translator.get_by_role("button", name="Submit to the maintainer").click()       # refused: it would not print
    translator.wait_for_load_state()
    assert "does not fit (safety-street front)" in translator.inner_text("[role=alert]")

    # 3. a good version, submitted
    good = "Lleva siempre tu equipo: condones, lubricante, juguetes."
    upload(translator, "safety-street.po", catalog_with(original, "safety-street/front/li2", good, tmp_path))
    assert "No errors" in translator.inner_text("main")
    po = root / "locales/es/LC_MESSAGES/safety-street.po"
    before = po.read_bytes()
    translator.get_by_role("button", name="Submit to the maintainer").click()
    translator.wait_for_load_state()
    assert "in the maintainer's queue" in translator.inner_text("main") and po.read_bytes() == before

    # 4. the maintainer sees the diff and accepts
    maintainer.goto(f"{base}/review")
    maintainer.get_by_role("link", name=re.compile("#1 safety-street.po")).click()
    diff = maintainer.locator("table.diff").inner_text()
    assert "Carry your own equipment at all times" in diff and good in diff
    maintainer.screenshot(path=str(tmp_path / "maintainer-submission.png"), full_page=True)
    check(maintainer, found)
    maintainer.get_by_role("button", name="Accept and import").click()
    maintainer.wait_for_url(re.compile(r"/review\?accepted=1"))
    assert read_catalog(po, "es").get("Carry your own equipment at all times: condoms, lube, toys.",
                                      context="safety-street/front/li2").string == good
    assert [b.read_bytes() for b in backups(po)] == [before]

    # 5. a reviewer signs Spanish off; the rebuilt Spanish pages lose the draft notice
    maintainer.goto(f"{base}/review")
    maintainer.select_option("#inv-lang", "es")
    maintainer.select_option("#inv-role", "reviewer")
    maintainer.fill("#inv-name", "Marta")
    maintainer.get_by_role("button", name="Create the link").click()
    reviewer = browser.new_context(bypass_csp=True).new_page()
    reviewer.goto(maintainer.input_value("#link"))
    check(reviewer, found)
    reviewer.fill("#name", "Marta Ruiz")
    reviewer.fill("#organisation", "Colectiva Ejemplo")
    reviewer.get_by_role("button", name=re.compile("sign Español off")).click()
    reviewer.wait_for_load_state()
    assert "signed off" in reviewer.inner_text("main")
    draft = read_catalog(root / "locales/es/LC_MESSAGES/ui.po", "es").get(
        "Draft translation — not yet reviewed by the community.", context="ui/draft").string
    code, _, err = run_cli("build", "--pack", str(root / "packs/default.toml"), "--lang", "es",
                           "--out", str(root / "dist"), "--quiet")
    assert code == 0, err
    card = pdftext(root / "dist/default/es/cards/safety-street.pdf")
    assert good in " ".join(card.split()) and draft not in card
    assert draft not in pdftext(root / "dist/default/es/what-is-sex-work.pdf")
    assert "Marta Ruiz, Colectiva Ejemplo" in " ".join(pdftext(root / "dist/default/es/credits.pdf").split())
    maintainer.goto(f"{base}/review/audit")
    log = maintainer.inner_text("table")
    for action in ("invite", "upload", "submit", "accept", "sign-off"):
        assert action in log
    check(maintainer, found)
    assert len(found) >= 9 or not AXE.is_file()
    assert {url: v for url, v in found.items() if v} == {}, "axe-core: WCAG 2.1 A/AA violations"
    shutil.copy(tmp_path / "translator-preview.png", Path("/tmp/i18-translator-preview.png"))
    shutil.copy(tmp_path / "maintainer-submission.png", Path("/tmp/i18-maintainer-submission.png"))
