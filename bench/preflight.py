"""Time `packbuilder preflight` on built packs; prints figures, asserts nothing.

    .venv/bin/python bench/preflight.py dist/default dist/example-branded
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from packbuilder.preflight import preflight_folder  # noqa: E402


def main(folders: list[str], rounds: int = 5) -> None:
    for folder in folders:
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            report = preflight_folder(Path(folder))
            times.append(time.perf_counter() - start)
        pages = sum(r.pages for r in report.files)
        median = statistics.median(times)
        print(f"{folder}: {len(report.files)} PDFs, {pages} pages, {len(report.findings)} finding(s); "
              f"median of {rounds}: {median:.2f} s ({1000 * median / pages:.1f} ms a page); "
              f"min {min(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:] or ["dist/default"])
