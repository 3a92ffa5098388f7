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
    """The server's build pool: ``workers`` warm processes and at most ``queue_limit`` waiting."""

    def __init__(self, data_dir: Path, workers: int = 2, queue_limit: int = 4) -> None:
        self.folder = data_dir / "builds"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.workers, self.limit = max(1, workers), queue_limit
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.builds: dict[str, BuildState] = {}
        self.active: dict[str, BuildState] = {}          # pack -> its running or waiting build

    @property
    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_warm)
            return self._pool

    def warm(self) -> None:
        """Start the workers now, so that the first build or preview does not wait for imports."""
        for _ in range(self.workers):
            self.pool.submit(int)

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
        state.future = self.pool.submit(fn, *args, str(state.status_path))
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
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
