"""Builds and previews in the server's warm worker pool: processes that imported WeasyPrint once.

One build per pack at a time; a bounded number waiting; progress goes to a small JSON file the
pages read (server-sent events, or a plain refresh). The work itself is the library's: ``build()``
with its progress callback, as ``packbuilder build`` calls it.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import threading
import time
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


class Busy(Exception):
    """Too many builds are waiting: try again in a minute."""


def _warm() -> None:
    # a build's render workers fork from this process, WeasyPrint already imported (a spawned
    # worker would otherwise pass "spawn" on to them, and each would import it again)
    multiprocessing.set_start_method("fork", force=True)
    import weasyprint  # noqa: F401 - each worker imports WeasyPrint once, then stays warm

    from .. import build  # noqa: F401
    from ..scheduler import keep_workers
    keep_workers()          # each build's render workers stay for the next: fonts and caches warm


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(data, ensure_ascii=False))
    os.replace(tmp, path)


def run_build(pack_path: str, out_dir: str, status_path: str) -> dict:
    """Build a pack in a worker; write progress to ``status_path``; return what the result page shows."""
    from ..build import build
    from ..errors import PackbuilderError

    status = Path(status_path)
    last = [0.0]

    def progress(name: str, n: int, total: int, reused: bool) -> None:
        now = time.monotonic()
        if now - last[0] > 0.1 or n == total:
            last[0] = now
            _write_json(status, {"state": "running", "done": n, "total": total, "current": name})

    try:
        # the build's renderer forks its workers from this warm process: WeasyPrint is imported already
        report = build(Path(pack_path), out_dir=Path(out_dir), jobs=None, progress=progress)
    except PackbuilderError as exc:
        return {"ok": False, "lines": exc.report_lines()}
    except Exception:  # noqa: BLE001 - a bug: keep the trace in the server log, not on the page
        return {"ok": False, "bug": traceback.format_exc(limit=8),
                "lines": ["packbuilder hit a bug while building; nothing was changed. The server log "
                          "has the details for a bug report."]}
    outputs = [{**{k: o.get(k) for k in ("path", "language", "layout", "review", "pages", "overflow", "segments")},
                "reused": o["path"] in report.reused_paths} for o in report.outputs]
    return {"ok": True, "name": report.pack.name, "built": report.built, "reused": report.reused,
            "fallbacks": report.fallbacks, "drafts": report.drafts, "seconds": round(report.seconds, 2),
            "outputs": outputs, "overflow": sum(1 for o in report.outputs if o.get("overflow")),
            "notes": report.notes}


@dataclass
class BuildState:
    """One build the server knows of."""

    id: str
    pack: str
    status_path: Path
    started: float = field(default_factory=time.time)
    future: Future | None = None
    result: dict | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None

    def progress(self) -> dict:
        """Return {state, done, total, current}: queued, running, done or failed."""
        if self.result is not None:
            return {"state": "done" if self.result.get("ok") else "failed", "done": 1, "total": 1, "current": ""}
        try:
            return json.loads(self.status_path.read_text())
        except (OSError, ValueError):
            return {"state": "queued", "done": 0, "total": 0, "current": ""}


class Runner:
    """The server's build pool: ``workers`` warm processes and at most ``queue_limit`` waiting.

    Each worker is a process of its own (a one-process pool), so that a pack's next build goes
    back to the worker that built it last, when that worker is free: its render workers are
    still running there, with the pack's fonts loaded and its card sheets drawn
    (scheduler.keep_workers). A build goes elsewhere rather than wait for its own worker.
    """

    def __init__(self, data_dir: Path, workers: int = 2, queue_limit: int = 4) -> None:
        self.folder = data_dir / "builds"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.workers, self.limit = max(1, workers), queue_limit
        self._slots: list[ProcessPoolExecutor | None] = [None] * self.workers
        self.load = [0] * self.workers                   # calls handed to each worker, not yet done
        self.home: dict[str, int] = {}                   # pack -> the worker that built it last
        self._lock = threading.Lock()
        self.builds: dict[str, BuildState] = {}
        self.active: dict[str, BuildState] = {}          # pack -> its running or waiting build

    def _slot(self, i: int) -> ProcessPoolExecutor:
        """Return worker ``i``'s pool, started (again, if its process died) when needed."""
        pool = self._slots[i]
        if pool is None or getattr(pool, "_broken", False):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            pool = self._slots[i] = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                        initializer=_warm)
        return pool

    def _pick(self, pack: str | None) -> int:
        """Return the worker for a call: the pack's own if it is free, else a free one (the one
        fewest other packs call their own), else the least busy (the pack's own first)."""
        home = self.home.get(pack) if pack else None
        if home is not None and self.load[home] == 0:
            return home
        claims = [sum(1 for h in self.home.values() if h == i) for i in range(self.workers)]
        return min(range(self.workers), key=lambda i: (self.load[i], i != home, claims[i], i))

    def _submit(self, pack: str | None, fn, *args) -> Future:  # type: ignore[no-untyped-def]
        with self._lock:
            i = self._pick(pack)
            self.load[i] += 1
            if pack:
                self.home[pack] = i
            pool = self._slot(i)
        try:               # not under the lock: a pool that breaks runs the callbacks, which take it
            future = pool.submit(fn, *args)
        except BaseException:
            self._done(i)
            raise
        future.add_done_callback(lambda f, i=i: self._done(i))
        return future

    def _done(self, i: int) -> None:
        with self._lock:
            self.load[i] -= 1

    def warm(self) -> None:
        """Start the workers now, so that the first build or preview does not wait for imports."""
        for i in range(self.workers):
            with self._lock:
                pool = self._slot(i)
            pool.submit(int)

    def start(self, pack: str, pack_path: Path, out_dir: Path) -> BuildState:
        """Queue a build of ``pack``; return its state (the one already under way, if any)."""
        return self.start_call(pack, run_build, str(pack_path), str(out_dir))

    def start_call(self, pack: str, fn, *args) -> BuildState:  # type: ignore[no-untyped-def]
        """Queue ``fn(*args, status_path)`` as the build of ``pack``, unless one is under way; raise Busy
        when every worker is taken and the queue is full."""
        with self._lock:
            if pack in self.active:
                return self.active[pack]
            if len(self.active) >= self.workers + self.limit:
                raise Busy()
            state = BuildState(secrets.token_hex(8), pack, self.folder / f"{secrets.token_hex(8)}.json")
            self.builds[state.id], self.active[pack] = state, state
        state.future = self._submit(pack, fn, *args, str(state.status_path))
        state.future.add_done_callback(lambda f, s=state: self._finish(s, f))
        return state

    def _finish(self, state: BuildState, future: Future) -> None:
        try:
            state.result = future.result()
        except Exception as exc:  # noqa: BLE001 - the worker died (killed, out of memory)
            state.result = {"ok": False, "lines": [f"the build stopped unexpectedly ({type(exc).__name__}); "
                                                   "nothing was changed. Try again."]}
        if state.result.get("bug"):
            import logging
            logging.getLogger("packbuilder.web").error("build of %s hit a bug:\n%s", state.pack, state.result["bug"])
        with self._lock:
            if self.active.get(state.pack) is state:
                del self.active[state.pack]
        state.status_path.unlink(missing_ok=True)

    def submit(self, fn, *args):  # type: ignore[no-untyped-def]
        """Run ``fn(*args)`` in a warm worker (a preview); return its Future."""
        return self._submit(None, fn, *args)

    def close(self) -> None:
        for pool in self._slots:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
