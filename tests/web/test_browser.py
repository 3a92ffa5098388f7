"""Real-browser journeys in Debian's Chromium (Playwright; never `playwright install`), with axe-core."""
from __future__ import annotations

import io
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import copy_repo

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-dev-shm-usage"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def server(project: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real uvicorn server on a free port, serving a copy of the project."""
    import uvicorn

    from packbuilder.web import Settings, create_app
    root = copy_repo(tmp_path_factory.mktemp("served"))
    shutil.copytree(project / "dist", root / "dist")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings(root=root, port=port, warm_pool=True))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", root
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright
    if not AXE.is_file():                   # as `make test` does: exactly the committed lock
        subprocess.run(["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=True,
                       capture_output=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def axe(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core in the page; return its WCAG 2.1 A/AA violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
                           ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))", WCAG)
    return result


def assert_accessible(page, seen: dict) -> None:  # type: ignore[no-untyped-def]
    violations = axe(page)
    seen[page.url] = len(violations)
    assert violations == [], f"{page.url}: {violations}"


def new_pack(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/packs")
    page.fill("#new-name", name)
    page.select_option("#new-from", "default")
    page.click("button:has-text('Make the pack')")
    page.wait_for_url(f"**/packs/{name}*")


def trim(page) -> None:  # type: ignore[no-untyped-def]
    """Keep the build small: English, one handout (the one the activity sheets come from)."""
    for code in ("zh_Hans", "es"):
        page.uncheck(f"input[name='pack.languages'][value='{code}']")
    for box in page.query_selector_all("input[name='pack.documents']"):
        if box.get_attribute("value") != "core-competencies":
            box.uncheck()


def build_and_wait(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button:has-text('Build this pack')")
    page.wait_for_selector("text=The pack is ready", timeout=240_000)


def test_organisation_journey(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, root = server
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    seen: dict = {}
    new_pack(page, base, "harbor")
    assert_accessible(page, seen)
    trim(page)
    page.fill("#f-brand-name", "Harbor Light Outreach (example)")
    page.fill("#f-brand-primary", "#5b2a86")
    page.fill("#f-brand-accent", "#777777")                       # too dark behind body text
    page.fill("#f-brand-contact-phone", "+1 401-555-0142")
    for _ in range(2):
        page.click("button:has-text('Add a service')")
        page.wait_for_load_state()
    page.fill("#f-services-1-name", "Drop-in Clinic (example)")
    page.select_option("#f-services-1-category", "primary-care")
    page.fill("#f-services-1-phone", "+1 401-555-0150")
    page.fill("#f-services-2-name", "Peer Support Line (example)")
    page.select_option("#f-services-2-category", "mental-health")
    page.fill("#f-services-2-phone", "+1 401-555-0151")
    page.set_input_files("#f-brand-logo", str(root / "packs" / "example-branded" / "logo.svg"))
    page.click("#save")
    error = page.locator("#f-brand-accent-errors")
    assert "contrast of" in error.inner_text() and ":1" in error.inner_text()     # the CLI's message, by the field
    assert page.get_attribute("#f-brand-accent", "aria-invalid") == "true"
    assert_accessible(page, seen)
    page.fill("#f-brand-accent", "#f3edf8")
    page.set_input_files("#f-brand-logo", str(root / "packs" / "example-branded" / "logo.svg"))
    page.click("#save")
    page.wait_for_selector("text=Saved packs/harbor/pack.toml")
    saved = (root / "packs" / "harbor" / "pack.toml").read_text()
    assert 'accent = "#f3edf8"' in saved and 'logo = "logo.svg"' in saved and "# The default pack" in saved
    page.wait_for_selector("#preview-status:has-text('Preview updated')", timeout=60_000)
    assert_accessible(page, seen)
    build_and_wait(page)
    assert_accessible(page, seen)
    with page.expect_download() as info:
        page.click("a:has-text('Download the pack (zip)')")
    data = Path(info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        card = bundle.read("harbor/en/cards/local-resources.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=card, capture_output=True, check=True).stdout.decode()
    assert "+1 401-555-0150" in text and "Drop-in Clinic (example)" in text
    context.close()


def test_outreach_worker_on_a_phone(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    context = browser.new_context(viewport={"width": 375, "height": 740}, accept_downloads=True, bypass_csp=True,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    seen: dict = {}
    page.goto(base + "/")
    assert_accessible(page, seen)
    page.select_option("#pick-lang", "zh_Hans")
    page.click(".pickers button[type=submit]")
    page.wait_for_url("**lang=zh_Hans")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375          # nothing wider than the phone
    assert_accessible(page, seen)
    sheet = page.locator("a[href*='/zh_Hans/cards/'][href*='-sheet-letter.pdf']").first
    with page.expect_download() as info:
        sheet.click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)                     # Chinese on the sheet
    context.close()


def test_javascript_off_still_builds(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, root = server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 800})
    page = context.new_page()
    new_pack(page, base, "nojs")
    trim(page)
    page.fill("#f-brand-contact-phone", "+1 401-555-0199")
    page.click("#save")
    page.wait_for_selector("text=Saved packs/nojs/pack.toml")
    page.click("button:has-text('Show the preview')")
    assert page.get_attribute("#preview-front", "src").startswith("data:image/png")
    build_and_wait(page)                                           # the page refreshes itself
    assert (root / "dist" / "nojs.zip").is_file()
    context.close()


def test_every_page_passes_axe_and_works_by_keyboard(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    page = context.new_page()
    seen: dict = {}
    for path in ("/", "/?lang=es", "/?lang=zh_Hans", "/library/example-branded", "/packs", "/login",
                 "/no-such-page", "/packs/nope"):
        page.goto(base + path)
        assert_accessible(page, seen)
    page.goto(base + "/packs")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(40):                          # Tab to the name field, as a keyboard user would
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "new-name":
            break
    page.keyboard.type("keyboard-pack")
    page.keyboard.press("Enter")
    page.wait_for_url("**/packs/keyboard-pack*")
    page.focus("#f-pack-title")
    page.keyboard.press("Control+A")
    page.keyboard.type("Typed with the keyboard")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "save":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved packs/keyboard-pack/pack.toml")
    assert page.input_value("#f-pack-title") == "Typed with the keyboard"
    context.close()
