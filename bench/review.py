"""Measure the browser review's library calls: upload -> report, and upload -> first preview image.

    .venv/bin/python bench/review.py

Targets (issue 18): report < 2 s, first preview image < 5 s on this machine. Each figure is
the median of five rounds in a warm process (the server keeps WeasyPrint loaded), and a cold
figure from a fresh process with an empty font cache (the first upload after a restart). Then the same
steps through a real `packbuilder serve`: POST the file and GET its report page; then GET the
preview frame and its first image. It prints figures; it asserts nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 5
CASES = [("es", "safety-street"), ("es", "core-competencies"), ("zh_Hans", "provider-card"), ("es", "ui")]

CHILD = r"""
import json, sys, time
from pathlib import Path
start = time.monotonic()
from packbuilder.config import load_pack
from packbuilder.review import Desk
repo, data, lang, doc, rounds = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
desk = Desk(load_pack(repo / "packs/default.toml"), data)
_, inv = desk.invite(lang, "Bench")
po = (repo / f"locales/{lang}/LC_MESSAGES/{doc}.po").read_bytes()
out = []
for n in range(rounds):
    t0 = time.monotonic()
    report = desk.check(inv, f"{doc}.po", po)
    t1 = time.monotonic()
    report, preview = desk.preview(lang, f"{doc}.po", po)
    out.append({"report": t1 - t0, "first_image": (t1 - t0) + preview.first_image,
                "all_pages": (t1 - t0) + preview.seconds, "pages": len(preview.pages),
                "since_start": time.monotonic() - start if n == 0 else None})
print(json.dumps(out))
"""


def run(repo: Path, lang: str, doc: str, rounds: int, cache: Path) -> list[dict]:
    """Run the measurement in a child process with its own font cache; return its rounds."""
    data = Path(tempfile.mkdtemp(prefix="pb-bench-data-"))
    env = {**os.environ, "PACKBUILDER_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(repo), str(data), lang, doc, str(rounds)],
                          capture_output=True, text=True, env=env, check=True)
    shutil.rmtree(data, ignore_errors=True)
    return json.loads(done.stdout)


def http(repo: Path, cache: Path) -> None:
    """Time the same steps through `packbuilder serve`: upload -> report page, -> first preview image."""
    import re
    import socket

    import httpx
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PACKBUILDER_CACHE": str(cache)}
    server = subprocess.Popen([sys.executable, "-m", "packbuilder", "serve", "--port", str(port)], cwd=repo,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = httpx.Client(base_url=base, timeout=60)
        for _ in range(400):
            try:
                client.get("/review")
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        token = lambda url: re.search(r'name="csrftoken" value="([^"]+)"', client.get(url).text).group(1)  # noqa: E731
        page = client.post("/review/invitations", data={"csrftoken": token("/review"), "lang": "es", "name": "Bench",
                                                        "role": "translator", "days": "1"})
        link = re.search(r'readonly value="([^"]+)"', page.text).group(1).replace(base, "")
        print(f"\nthrough `packbuilder serve` (HTTP, {ROUNDS} rounds after one to warm up; median):")
        print(f"{'catalog':<28} {'report page':>12} {'1st image':>10}")
        for lang, doc in CASES[:2]:
            po = (repo / f"locales/{lang}/LC_MESSAGES/{doc}.po").read_bytes()
            rounds = []
            for n in range(ROUNDS + 1):
                data = po + f"\n# round {n}\n".encode()       # a new file each time: no cached preview
                t0 = time.monotonic()
                up = client.post(f"{link}/upload", data={"csrftoken": token(link)},
                                 files={"file": (f"{doc}.po", data, "text/plain")})
                client.get(up.headers["location"])
                t1 = time.monotonic()
                client.get(up.headers["location"] + "/preview")
                client.get(up.headers["location"] + "/preview/1.png")
                rounds.append((t1 - t0, time.monotonic() - t0))
            rounds = rounds[1:]
            print(f"{lang + '/' + doc:<28} {statistics.median(r[0] for r in rounds):>11.2f}s "
                  f"{statistics.median(r[1] for r in rounds):>9.2f}s")
    finally:
        server.kill()
        server.wait()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="pb-bench-review-"))
    repo = work / "repo"
    for part in ("content", "locales", "layouts", "packs"):
        shutil.copytree(REPO / part, repo / part)
    (repo / "assets").mkdir()
    print(f"{'catalog':<28} {'cold report':>12} {'cold 1st img':>13} {'warm report':>12} "
          f"{'warm 1st img':>13} {'warm all':>9} {'pages':>6}")
    for lang, doc in CASES:
        cold = run(repo, lang, doc, 1, work / f"cache-{lang}-{doc}")[0]          # empty font cache
        warm = run(repo, lang, doc, ROUNDS + 1, work / f"cache-{lang}-{doc}")[1:]  # round 1 warms up
        med = lambda key: statistics.median(r[key] for r in warm)  # noqa: E731
        print(f"{lang + '/' + doc:<28} {cold['report']:>11.2f}s {cold['first_image']:>12.2f}s "
              f"{med('report'):>11.2f}s {med('first_image'):>12.2f}s {med('all_pages'):>8.2f}s "
              f"{warm[0]['pages']:>6}")
    print("cold: a fresh process (WeasyPrint import included) with an empty font cache; "
          f"warm: median of {ROUNDS} rounds in one process")
    http(repo, work / "cache-http")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
