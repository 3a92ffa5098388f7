"""Builds from the browser, in-process: progress, the result, a failure in the CLI's words, one build per pack."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from packbuilder.web.runner import Busy, Runner

from .conftest import csrf_of, make_client


def slow(seconds: float, status_path: str = "") -> dict:
    """Stand in for a build in the pool's bookkeeping tests (imported by the worker)."""
    time.sleep(seconds)
    return {"ok": True}


@pytest.fixture()
def site(project: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "site"
    root.mkdir()
    for part in ("content", "locales", "layouts"):
        (root / part).symlink_to(project / part)
    shutil.copytree(project / "packs", root / "packs")
    (root / "assets").mkdir()
    shutil.copytree(project / "dist", root / "dist")
    with make_client(root) as c:
        yield c, root


def wait_for(c, url: str, timeout: float = 240) -> str:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        page = c.get(url).text
        if "The pack is ready" in page or "The build stopped" in page:
            return page
        assert '<meta http-equiv="refresh" content="2">' in page          # refresh works without JS
        time.sleep(0.3)
    raise AssertionError("the build did not finish")


def test_a_failed_build_says_what_the_cli_says_and_keeps_the_old_pack(site) -> None:  # type: ignore[no-untyped-def]
    c, root = site
    token = csrf_of(c.get("/packs").text)
    c.post("/packs", data={"csrftoken": token, "name": "broken", "from": "default"})
    (root / "dist" / "broken").mkdir()
    shutil.copy(root / "dist" / "default.zip", root / "dist" / "broken.zip")        # "the previous pack"
    pack = root / "packs" / "broken" / "pack.toml"
    pack.write_text(pack.read_text().replace('"advocacy"', '"no-such-document"'))  # a hand edit gone wrong
    r = c.post("/packs/broken/build", data={"csrftoken": token}, follow_redirects=False)
    assert r.status_code == 303
    page = wait_for(c, r.headers["location"])
    assert "content: " in page and "document &#39;no-such-document&#39; not found" in page
    assert "Download the previous pack (zip)" in page and "Traceback" not in page
    assert c.get("/zip/broken.zip").status_code == 200


def test_build_streams_progress_and_shows_the_result(site) -> None:  # type: ignore[no-untyped-def]
    c, root = site
    token = csrf_of(c.get("/packs").text)
    c.post("/packs", data={"csrftoken": token, "name": "small", "from": "default"})
    pack = root / "packs" / "small" / "pack.toml"
    text = pack.read_text().replace('languages = ["en", "zh_Hans", "es"]', 'languages = ["en"]')
    pack.write_text(text.replace('"brief-guide", "best-practices", "advocacy", "what-is-sex-work"', ""))
    r = c.post("/packs/small/build", data={"csrftoken": token}, follow_redirects=False)
    url = r.headers["location"]
    again = c.post("/packs/small/build", data={"csrftoken": token}, follow_redirects=False)
    assert again.headers["location"].startswith(url)             # the same build, not a second one
    with c.stream("GET", url + "/events") as events:
        body = "".join(events.iter_text())
    assert "data: {" in body and f"event: done\ndata: {url}" in body
    page = wait_for(c, url)
    assert "The pack is ready" in page and "Files made now" in page and "Download the pack (zip)" in page
    assert (root / "dist" / "small.zip").is_file()


def test_the_queue_is_bounded_and_one_build_per_pack(tmp_path: Path) -> None:
    runner = Runner(tmp_path, workers=1, queue_limit=1)
    try:
        first = runner.submit(slow, 0)                            # start the worker
        first.result(timeout=60)
        a = runner.start_call("a", slow, 2)
        assert runner.start_call("a", slow, 2) is a               # same pack: that build
        runner.start_call("b", slow, 2)                           # waits in the queue
        with pytest.raises(Busy):
            runner.start_call("c", slow, 2)                       # "busy, try again in a minute"
    finally:
        runner.close()


def test_busy_page(project: Path) -> None:
    with make_client(project, queue_limit=0, build_workers=1) as c:
        runner = c.app.state.runner
        runner.start_call("x", slow, 3)
        token = csrf_of(c.get("/packs").text)
        r = c.post("/packs/default/build", data={"csrftoken": token})
        assert r.status_code == 503 and "Try again in a minute" in r.text


def test_a_packs_next_build_goes_back_to_the_worker_that_built_it(tmp_path: Path) -> None:
    runner = Runner(tmp_path, workers=2, queue_limit=2)
    try:
        a = runner.start_call("a", slow, 0)
        a.future.result(timeout=60)
        home = runner.home["a"]
        runner.start_call("a", slow, 0).future.result(timeout=60)
        assert runner.home["a"] == home                        # its render workers are warm there
        b = runner.start_call("b", slow, 3)                     # the other worker is free: b goes there
        assert runner.home["b"] != home
        runner.start_call("c", slow, 3)                         # a takes a's worker...
        assert runner.home["c"] == home
        runner.start_call("a", slow, 0)                         # ...and a waits for the less busy one
        assert sum(runner.load) == 3
        b.future.result(timeout=60)
    finally:
        runner.close()
