"""Run the hostile-input campaign and print what the worst input cost (seconds, MB).

    .venv/bin/python bench/hostile.py            # the known worst cases + 40 generated inputs a target
    .venv/bin/python bench/hostile.py --n 200    # more generated inputs

Each input runs in a child process of its own (forked, so the figures do not add up), with a
30 s limit. Memory is that child's peak resident set (ru_maxrss): the pages it touched,
including the interpreter's and the libraries' it used; the "baseline" line shows what a
child that does nothing touches. It prints
figures and any input that raised something other than a packbuilder error (a bug); it asserts
nothing. The goal: every input under 5 s and 500 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import campaign  # noqa: E402

LIMIT = 30.0


def measure(target: str, data, work: Path) -> dict:  # type: ignore[no-untyped-def]
    """Run one input in a forked child; return its seconds, peak MB and outcome."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                        # the child
        os.close(read)
        outcome = "ok"
        start = time.monotonic()
        try:
            from packbuilder.errors import PackbuilderError
            try:
                if target != "baseline":
                    campaign.TARGETS[target](data, work)
            except PackbuilderError:
                outcome = "refused"
        except BaseException as exc:  # noqa: BLE001 - a bug: report it
            outcome = f"BUG {type(exc).__name__}: {str(exc)[:200]}"
        seconds = time.monotonic() - start
        mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        os.write(write, json.dumps({"seconds": seconds, "mb": mb, "outcome": outcome}).encode())
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.005)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        return {"seconds": LIMIT, "mb": float("nan"), "outcome": f"HANG (killed after {LIMIT:g} s)"}
    result = os.read(read, 65536)
    os.close(read)
    return json.loads(result) if result else {"seconds": 0, "mb": float("nan"), "outcome": "BUG: the child died"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40, help="generated inputs per target (default: %(default)s)")
    parser.add_argument("--target", action="append", choices=sorted(campaign.TARGETS), help="only these targets")
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "packbuilder-hostile",
                        help="where an input that found a bug is saved (default: %(default)s)")
    args = parser.parse_args()
    import packbuilder.checks  # noqa: F401 - in the parent, so children do not pay for the imports
    import packbuilder.config  # noqa: F401
    import packbuilder.content  # noqa: F401
    import packbuilder.workflow  # noqa: F401
    import weasyprint  # noqa: F401
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = campaign.workspace(Path(tmp))
        base = measure("baseline", None, work)
        print(f"baseline (the interpreter and packbuilder's libraries): {base['mb']:.0f} MB")
        wanted = args.target or sorted(campaign.TARGETS)
        for target, cases in campaign.worst_cases().items():
            for name, data in cases if target in wanted else []:
                rows.append((target, name, measure(target, data, work)))
        warnings.simplefilter("ignore")                 # Hypothesis: .example() outside a test
        for target, strategy in campaign.STRATEGIES.items():
            for n in range(args.n if target in wanted else 0):
                data = strategy.example()
                rows.append((target, f"generated #{n + 1}", measure(target, data, work)))
                if rows[-1][2]["outcome"].startswith(("BUG", "HANG")):
                    args.keep.mkdir(parents=True, exist_ok=True)
                    kept = args.keep / f"{target}-{n + 1}"
                    kept.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
                    rows[-1][2]["outcome"] += f" (input saved as {kept})"
    print(f"{'target':9} {'input':32} {'seconds':>8} {'MB':>7}  outcome")
    for target, name, r in sorted(rows, key=lambda row: -row[2]["seconds"])[:12]:
        print(f"{target:9} {name[:32]:32} {r['seconds']:8.2f} {r['mb']:7.0f}  {r['outcome']}")
    slowest = max(rows, key=lambda row: row[2]["seconds"])
    hungriest = max(rows, key=lambda row: row[2]["mb"] if row[2]["mb"] == row[2]["mb"] else 0)
    bugs = [row for row in rows if row[2]["outcome"].startswith(("BUG", "HANG"))]
    print(f"\n{len(rows)} inputs: {sum(r[2]['outcome'] == 'refused' for r in rows)} refused, "
          f"{sum(r[2]['outcome'] == 'ok' for r in rows)} accepted, {len(bugs)} bugs or hangs")
    print(f"slowest:   {slowest[2]['seconds']:.2f} s   ({slowest[0]}: {slowest[1]})")
    print(f"hungriest: {hungriest[2]['mb']:.0f} MB  ({hungriest[0]}: {hungriest[1]})")
    for target, name, r in bugs:
        print(f"  {target}: {name}: {r['outcome']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
