"""Our own fuzz campaign: pack configs, SVG logos, Markdown sources and PO files, generated.

Every input either passes or is refused with a packbuilder error; never a traceback, never a
hang (each input has a time limit), and a refused import changes nothing. Bounded: a fixed
number of examples per target, derandomized, so the whole file runs in well under a minute.
`bench/hostile.py` runs the same campaign and prints what the worst input cost.
"""
from __future__ import annotations

import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import campaign
from packbuilder.errors import PackbuilderError

PER_INPUT = 20          # seconds: a hang detector, not a speed test (bench/hostile.py measures)
EXAMPLES = {"toml": 200, "svg": 120, "markdown": 150, "po": 150}


class Hang(Exception):
    pass


@contextmanager
def hang_guard(seconds: float):  # type: ignore[no-untyped-def]
    def expire(signum, frame):  # type: ignore[no-untyped-def]
        raise Hang(f"an input took more than {seconds} s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def work() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        yield campaign.workspace(Path(tmp))


def run(target: str, data, work: Path) -> None:  # type: ignore[no-untyped-def]
    """Run one input; only a packbuilder error may come out of it."""
    with hang_guard(PER_INPUT):
        try:
            campaign.TARGETS[target](data, work)
        except PackbuilderError as exc:
            assert exc.lines() and all(line.strip() for line in exc.lines())


def campaign_test(target: str):  # type: ignore[no-untyped-def]
    @settings(max_examples=EXAMPLES[target], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=campaign.STRATEGIES[target])
    def test(work, data) -> None:  # type: ignore[no-untyped-def]
        run(target, data, work)
    test.__name__ = f"test_generated_{target}_inputs_never_raise_a_bug"
    return test


test_generated_toml_inputs_never_raise_a_bug = campaign_test("toml")
test_generated_svg_inputs_never_raise_a_bug = campaign_test("svg")
test_generated_markdown_inputs_never_raise_a_bug = campaign_test("markdown")
test_generated_po_inputs_never_raise_a_bug = campaign_test("po")


WORST = [(target, name, data) for target, cases in campaign.worst_cases().items() for name, data in cases]


@pytest.mark.parametrize("target, name, data", WORST, ids=[f"{t}: {n}" for t, n, _ in WORST])
def test_known_worst_inputs_are_refused_or_harmless(work, target, name, data):
    run(target, data, work)
