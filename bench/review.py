"""Measure the browser review's library calls: upload -> report, and upload -> first preview image.

    .venv/bin/python bench/review.py

Targets (issue 18): report < 2 s, first preview image < 5 s on this machine. Each figure is
the median of five rounds in a warm process (the server keeps WeasyPrint loaded), and a cold
figure from a fresh process with an empty font cache (the first upload after a restart). It
prints figures; it asserts nothing. The web layer adds its own request time (see bench/serve.py
once the web app has it).
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
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
