"""SIGKILL `packbuilder serve` mid-upload and mid-accept, restart it: every submission accepted
before the kill is in the catalog, every other one is still in the queue, and no catalog is
half-written."""
from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from packbuilder.catalogs import read_catalog, render_catalog
from packbuilder.review.store import Store
from tests.conftest import copy_repo

DOC = "what-is-sex-work"


def start(root: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "packbuilder", "serve", "--port", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/review", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError("the server did not start")


def kill(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGKILL)
    server.wait()


def csrf(client: httpx.Client, url: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', client.get(url).text).group(1)


def variants(root: Path) -> list[tuple[str, bytes, str, str]]:
    """One file per plain entry, each changing only that entry: (name, bytes, msgctxt, new text)."""
    po = root / f"locales/es/LC_MESSAGES/{DOC}.po"
    plain = [str(m.context) for m in read_catalog(po, "es") if m.id and m.string and not re.search(r"[*\[<]", m.string)]
    out = []
    for n, context in enumerate(plain[:12]):
        catalog = read_catalog(po, "es")
        message = next(m for m in catalog if m.context == context)
        message.string = f"Revisado {n}: {message.string}"
        out.append((f"v{n}.po", render_catalog(catalog), context, message.string))
    return out


def submit_all(base: str, link: str, files, confirmed: list[int]) -> None:  # type: ignore[no-untyped-def]
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for name, data, _, _ in files:
                up = client.post(f"{link}/upload", data={"csrftoken": csrf(client, link), "document": DOC},
                                 files={"file": (name, data, "text/plain")})
                assert up.status_code == 303, up.text
                done = client.post(up.headers["location"] + "/submit", data={"csrftoken": csrf(client, link)})
                confirmed.append(int(done.headers["location"].rsplit("=", 1)[1]))
    except httpx.HTTPError:
        pass                                     # the server was killed


def accept_all(base: str, ids: list[int], confirmed: list[int]) -> None:
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for number in ids:
                r = client.post(f"/review/submissions/{number}/accept",
                                data={"csrftoken": csrf(client, f"/review/submissions/{number}")})
                assert r.status_code == 303, r.text
                confirmed.append(number)
    except httpx.HTTPError:
        pass


def until(confirmed: list, count: int, worker: threading.Thread) -> None:
    while len(confirmed) < count and worker.is_alive():
        time.sleep(0.005)


@pytest.mark.parametrize("delay", [0.0, 0.05])
def test_killed_server_loses_no_submission_and_half_writes_no_catalog(tmp_path, delay):
    root = copy_repo(tmp_path / "project")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    files = variants(root)
    server = start(root, port)
    with httpx.Client(base_url=base) as client:
        page = client.post("/review/invitations", data={"csrftoken": csrf(client, "/review"), "lang": "es",
                                                        "name": "Ana", "role": "translator", "days": "14"})
        link = re.search(r'readonly value="([^"]+)"', page.text).group(1).replace(base, "")

    submitted: list[int] = []
    worker = threading.Thread(target=submit_all, args=(base, link, files, submitted))
    worker.start()
    until(submitted, 3, worker)
    time.sleep(delay)
    kill(server)
    worker.join()
    assert len(submitted) >= 3
    store = Store(root / ".packbuilder-data")
    queued = {s.id: s for s in store.submissions(status="queued")}
    assert set(submitted) <= set(queued) and store.query("PRAGMA integrity_check")[0][0] == "ok"
    by_name = {name: (data, context, text) for name, data, context, text in files}
    assert all(sub.data == by_name[sub.filename][0] for sub in queued.values())
    store.close()

    server = start(root, port)
    accepted: list[int] = []
    worker = threading.Thread(target=accept_all, args=(base, sorted(queued), accepted))
    worker.start()
    until(accepted, 1, worker)
    time.sleep(delay)
    kill(server)
    worker.join()
    assert accepted
    strings = {str(m.context): m.string for m in read_catalog(root / f"locales/es/LC_MESSAGES/{DOC}.po", "es") if m.id}
    store = Store(root / ".packbuilder-data")
    for sub in store.submissions():
        _, context, text = by_name[sub.filename]
        if sub.id in accepted or sub.status == "accepted":
            assert sub.status == "accepted" and strings[context] == text
        else:
            assert sub.status == "queued"
    store.close()

    server = start(root, port)                   # what is still queued is accepted after the restart
    try:
        rest: list[int] = []
        left = [s.id for s in Store(root / ".packbuilder-data").submissions(status="queued")]
        accept_all(base, left, rest)
        assert rest == left
    finally:
        kill(server)
    strings = {str(m.context): m.string for m in read_catalog(root / f"locales/es/LC_MESSAGES/{DOC}.po", "es") if m.id}
    assert all(strings[by_name[s.filename][1]] == by_name[s.filename][2] for s in Store(root / ".packbuilder-data").submissions())
