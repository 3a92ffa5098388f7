"""Build a pack from the browser: the library's build() in the warm pool, followed live or by refresh."""
from __future__ import annotations

import asyncio
import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from . import store
from .auth import require_writer
from .runner import Busy
from .templating import render


@require_writer
async def start(request: Request) -> Response:
    settings = request.app.state.settings
    name = request.path_params["name"]
    path = store.pack_path(settings, name)
    runner = request.app.state.runner
    already = name in runner.active
    try:
        state = runner.start(name, path, settings.dist_dir)
    except Busy:
        raise HTTPException(503, "Every build slot is taken and the queue is full. Try again in a minute.") from None
    return RedirectResponse(f"/builds/{state.id}{'?already=1' if already else ''}", status_code=303)


def _state(request: Request):  # type: ignore[no-untyped-def]
    state = request.app.state.runner.builds.get(request.path_params["id"])
    if state is None:
        raise HTTPException(404, "No such build (the server keeps builds only while it runs).")
    return state


async def page(request: Request) -> Response:
    state = _state(request)
    settings = request.app.state.settings
    built = store.pack_name_in(store.pack_path(settings, state.pack))
    zip_ready = (settings.dist_dir / f"{built}.zip").is_file()
    return render(request, "build.html", {"build": state, "progress": state.progress(), "result": state.result,
                                          "already": "already" in request.query_params, "zip_ready": zip_ready})


async def events(request: Request) -> Response:
    """Server-sent events: the build's progress every few tenths of a second, then ``done``."""
    state = _state(request)

    async def stream():  # type: ignore[no-untyped-def]
        last = None
        while True:
            progress = state.progress()
            if progress != last:
                last = progress
                yield f"data: {json.dumps(progress)}\n\n"
            if state.finished:
                yield f"event: done\ndata: /builds/{state.id}\n\n"
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.25)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


routes = [Route("/packs/{name}/build", start, methods=["POST"]), Route("/builds/{id}", page),
          Route("/builds/{id}/events", events)]
