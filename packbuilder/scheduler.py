"""Render a build's jobs: reuse what has not changed, run the rest in a worker pool, longest first.

A job may wait for others: a language's contents sheet lists the page counts of that
language's files, so it starts as soon as they are done, not after the whole pack.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import replace
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Callable, Hashable, Iterator

from .attribution import check_outputs
from .errors import BuildErrors, PackbuilderError, RenderError
from .cards import render_card
from .folded import render_folded
from .jobs import Job, Setting, job_key, job_segments, render_job
from .pack import Output
from .preflight import check_outputs as record_preflight
from .render import RenderCache, environment

Progress = Callable[[str, int, int, bool], None]      # (output, done, total, reused)
Outcome = list[Output] | PackbuilderError

_WORKER: dict = {}
#: A process that builds again and again (a ``packbuilder serve`` build worker) keeps its render
#: workers from one build to the next, with their fonts, shaping caches and stylesheets loaded;
#: they start afresh after this many builds, so that what they hold cannot grow without end.
KEEP_BUILDS = 25
_KEPT: dict = {}                 # "renderer": the render pool kept for the next build (see keep_workers)


def keep_workers() -> None:
    """Keep the render workers between builds in this process (the server's build workers do)."""
    import threading
    from multiprocessing import util
    if not _KEPT.get("on"):
        _KEPT["on"] = True
        # Stop them when this process ends, before anything waits for them: a process of a pool
        # (a server's build worker) runs multiprocessing's finalizers and then joins its children,
        # which would wait for ever on workers idling for the next build; a main process runs
        # threading's exit hooks first, and one registered after concurrent.futures' runs before
        # the pool's own (see Renderer.__exit__)
        util.Finalize(None, release_workers, exitpriority=10)
        getattr(threading, "_register_atexit", lambda f: None)(release_workers)


def release_workers() -> None:
    """Stop the render workers kept for the next build, if any."""
    _KEPT["on"] = False
    kept = _KEPT.pop("renderer", None)
    if kept is not None:                 # idle workers: stop them as after a failure, at once
        kept.__exit__(SystemExit)


JOB_SECONDS = 120             # a job that takes longer is a hostile input, not a long document


def _import_weasyprint() -> None:
    import weasyprint  # noqa: F401 - once per worker process, not once per job


def _start_worker(lifeline: int, parents_end: int) -> None:
    """Set up a worker: Ctrl-C is the parent's to handle, and the worker exits when the parent
    dies (its end of the lifeline pipe closes), however it dies."""
    import signal
    import threading
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.close(parents_end)                     # a forked copy: only the parent may keep it open

    def watch() -> None:
        try:
            os.read(lifeline, 1)              # returns only when every writer is gone
        finally:
            os._exit(3)
    threading.Thread(target=watch, daemon=True, name="lifeline").start()
    _import_weasyprint()


def render_one(job: Job, setting: Setting, env, cache) -> list[Output]:  # type: ignore[no-untyped-def]
    """Render one job to its files: cards face by face (discreet ones folded), everything else in one document."""
    if job.layout != "card":
        return render_job(job, setting, env, cache)
    render = render_folded if setting.config.brand.is_discreet(job.doc.id) else render_card
    return render(job, setting, env, cache)


def _render(token: str, setting: Setting, job: Job) -> list[Output]:
    """Render one job within its time limit; a worker sets up its Jinja environment and caches
    once per build."""
    if _WORKER.get("token") != token:
        _import_weasyprint()
        # the caches hold only what is named by its content (subset fonts, stylesheets by path,
        # size and time, images by URL), so a worker kept for the next build keeps them too
        fresh = _WORKER.get("builds", KEEP_BUILDS) >= KEEP_BUILDS or _WORKER.get("layouts") != setting.config.layouts_dir
        _WORKER.update(token=token, env=environment(setting.config.layouts_dir), layouts=setting.config.layouts_dir,
                       cache=RenderCache() if fresh else _WORKER["cache"],
                       builds=1 if fresh else _WORKER["builds"] + 1)
    with time_limit(JOB_SECONDS, job.output):
        outputs = render_one(job, setting, _WORKER["env"], _WORKER["cache"])
        check_outputs(job, outputs, setting.docs)        # every page shows its source, whatever the layout
    return record_preflight(outputs)                     # read back here, so a reused file is not read again


@contextmanager
def time_limit(seconds: float, name: str) -> Iterator[None]:
    """Stop the block with a RenderError after ``seconds`` (in a process's main thread; elsewhere
    the limit is the caller's)."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):  # type: ignore[no-untyped-def]
        raise RenderError(f"{name}: rendering took longer than {seconds:g} s and was stopped; "
                          "look for a very large or deeply nested input (text, SVG, table)")
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def job_cost(job: Job) -> float:
    """Guess a job's render time in seconds (2-core VM, WeasyPrint 70), to start the longest
    first: about 0.04 s per 1,000 characters of text, 0.3 s for a card's faces and sheets."""
    if job.layout == "card":
        return 0.3
    if job.doc is None:
        return 0.15
    return 0.05 + sum(len(s.text) for s in job_segments(job)) / 25_000


class Renderer:
    """Run jobs for a whole build: one worker pool, shared by every job of the build.

    Each worker imports WeasyPrint once and keeps its Jinja environment and caches across jobs.
    On a first build the workers start at once (``warm``), so that their import overlaps the
    loading and checking; an incremental build starts them only if more than one job must
    render (one job renders faster here than a new worker can import WeasyPrint).
    """

    def __init__(self, workers: int | None, warm: bool = False) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.pool: ProcessPoolExecutor | None = None
        self.warm_start = warm
        self.serial = self.workers == 1
        self.token = ""
        self.setting: Setting | None = None
        self.queue: deque[Job] = deque()
        self.futures: dict[Future, Job] = {}
        self.waiting: deque[Job] = deque()           # not yet handed to the pool

    def __enter__(self) -> Renderer:
        kept = _KEPT.pop("renderer", None)
        if kept is not None and kept.workers == self.workers and not getattr(kept.pool, "_broken", True):
            self.pool, self.lifeline = kept.pool, kept.lifeline      # warm from the last build
        elif kept is not None:                    # another size, or a worker died: stop them
            kept.__exit__(SystemExit)
        if self.warm_start:
            self.warm()
        return self

    def __exit__(self, kind, *exc) -> None:  # type: ignore[no-untyped-def]
        if kind is None and _KEPT.get("on") and self.pool is not None and not self.futures and not self.waiting:
            _KEPT["renderer"] = self              # the next build in this process uses these workers
            return
        if self.pool is not None:
            if kind is not None:                  # a failure or Ctrl-C: stop the workers now
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    process.terminate()
            # Always wait: the pool's manager thread must be gone before the interpreter exits.
            # Python 3.11's exit hook otherwise races it on a closed pipe and prints a traceback
            # under the one-line "interrupted" message (CPython gh-109047, fixed in 3.12). With
            # the workers terminated, the wait is for the manager thread only (milliseconds).
            self.pool.shutdown(wait=True, cancel_futures=kind is not None)
            os.close(self.lifeline[1])
            os.close(self.lifeline[0])

    def start_pool(self) -> ProcessPoolExecutor:
        """Start the workers, each tied to this process by a pipe it watches."""
        self.lifeline = os.pipe()                 # the parent keeps the write end until the end
        self.pool = ProcessPoolExecutor(self.workers, initializer=_start_worker,
                                        initargs=self.lifeline)
        for _ in range(self.workers):
            self.pool.submit(int)
        return self.pool

    def warm(self) -> None:
        """Start the workers now; they import WeasyPrint while the build goes on loading."""
        if self.workers > 1 and self.pool is None:
            self.start_pool()

    def begin(self, setting: Setting, expected: int) -> None:
        """Get ready to render about ``expected`` jobs with ``setting``."""
        self.token, self.setting = f"{os.getpid()}:{id(setting)}", setting
        self.serial = self.workers == 1 or expected <= 1 and self.pool is None

    def submit(self, job: Job, first: bool = False) -> None:
        """Queue ``job``; ``first`` puts it ahead of the jobs still waiting (a contents sheet
        whose language is done starts next, rather than after every other language's cards)."""
        if self.serial:
            self.queue.appendleft(job) if first else self.queue.append(job)
            return
        if self.pool is None:
            self.start_pool()
        self.waiting.appendleft(job) if first else self.waiting.append(job)
        self._fill()

    def _fill(self) -> None:
        """Hand the pool a job per worker and one more, so that none idles and the rest can be reordered."""
        while self.waiting and len(self.futures) <= self.workers:
            job = self.waiting.popleft()
            self.futures[self.pool.submit(_render, self.token, self.setting, job)] = job  # type: ignore[union-attr]

    def results(self) -> Iterator[tuple[Job, Outcome]]:
        """Yield (job, its outputs or the PackbuilderError it raised) as jobs finish, including
        jobs submitted while this runs."""
        while self.queue or self.futures or self.waiting:
            if self.queue:
                job = self.queue.popleft()
                try:
                    yield job, _render(self.token, self.setting, job)      # here: the limit applies too
                except PackbuilderError as exc:
                    yield job, exc
                continue
            self._fill()
            done, _ = wait(list(self.futures), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: self.futures[f].output):
                job = self.futures.pop(future)
                self._fill()                        # the next job starts before this one is handled
                try:
                    yield job, future.result()
                except PackbuilderError as exc:
                    yield job, exc


def previous_outputs(target: Path) -> dict[str, dict]:
    """Return the previous pack's manifest entries by path (empty when there is none)."""
    try:
        return {f["path"]: f for f in json.loads((target / "manifest.json").read_text())["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def reuse(job: Job, setting: Setting, target: Path, previous: dict[str, dict]) -> list[Output] | None:
    """Return the previous files of ``job`` if nothing that shapes them has changed."""
    key, outputs = job_key(job, setting), []
    for path in job.outputs:
        entry = previous.get(path)
        if not entry or entry.get("key") != key:
            return None
        try:
            data = (target / path).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            return None
        outputs.append(Output(path, data, {k: v for k, v in entry.items() if k not in ("path", "sha256", "bytes")}))
    return outputs


def with_hints(job: Job, previous: dict[str, dict]) -> Job:
    """Return ``job`` carrying what its last build recorded that can save work (a card's fit)."""
    entry = previous.get(job.output) or {}
    return replace(job, hints={"fit": entry["fit"]}) if isinstance(entry.get("fit"), dict) else job


def render_all(jobs: list[Job], setting: Setting, target: Path, renderer: Renderer,
               progress: Progress | None = None, *, group: Callable[[Job], Hashable] | None = None,
               then: Callable[[list[Job], list[Output]], list[Job]] | None = None) -> tuple[list[Output], set[str]]:
    """Render the jobs whose inputs changed, longest first, in parallel; reuse the others.

    When every job of a ``group`` is done, ``then(its jobs, their outputs)`` gives the jobs that
    need them (a contents sheet), which start at once. Every job runs even when one fails, so
    that all the problems are reported at once. Return the outputs in job order (the jobs,
    then the follow-ups in group order) and the paths of the files reused.
    """
    previous = previous_outputs(target)
    results: dict[str, list[Output]] = {}
    reused: set[str] = set()
    errors: list[PackbuilderError] = []
    first = {job.output for job in jobs}
    members: dict[Hashable, list[Job]] = {}
    for job in jobs:
        if then is not None and group is not None and (g := group(job)) is not None:
            members.setdefault(g, []).append(job)
    waiting = Counter({g: len(js) for g, js in members.items()})
    followups: dict[Hashable, list[Job]] = {}
    total = len(jobs) + len(members)                     # a follow-up per group, as a first guess

    def finish(job: Job, outcome: Outcome, was_reused: bool) -> None:
        nonlocal total
        if isinstance(outcome, PackbuilderError):
            errors.append(outcome)
        else:
            results[job.output] = outcome
            if was_reused:
                reused.add(job.output)
        if progress:
            progress(job.output, len(results) + len(errors), total, was_reused)
        g = group(job) if group is not None and job.output in first else None
        if g is None or g not in waiting:
            return
        waiting[g] -= 1
        if waiting[g] == 0 and all(j.output in results for j in members[g]):
            followups[g] = then(members[g], [o for j in members[g] for o in results[j.output]])  # type: ignore[misc]
            total += len(followups[g]) - 1
            for extra in followups[g]:
                start(extra)

    def start(job: Job) -> None:
        old = reuse(job, setting, target, previous)
        if old is not None:
            finish(job, old, True)
        else:
            renderer.submit(with_hints(job, previous), first=True)

    fresh = {job.output: reuse(job, setting, target, previous) for job in jobs}
    renderer.begin(setting, sum(1 for old in fresh.values() if old is None))
    for job in jobs:
        if (old := fresh[job.output]) is not None:
            finish(job, old, True)
    for job in sorted((j for j in jobs if fresh[j.output] is None), key=job_cost, reverse=True):
        renderer.submit(with_hints(job, previous))
    for job, outcome in renderer.results():
        finish(job, outcome, False)
    if errors:
        raise BuildErrors(sorted(errors, key=lambda e: str(e))) if len(errors) > 1 else errors[0]
    order = jobs + [j for g in members if g in followups for j in followups[g]]
    return [o for job in order for o in results[job.output]], {o.path for p in reused for o in results[p]}
