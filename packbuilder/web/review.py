"""The maintainer's review pages: invitations, the queue (report, diff, preview), accept and
reject, conflicts, and the audit log with its CSV. Only a logged-in maintainer reaches them."""
from __future__ import annotations

from functools import wraps

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..i18n import language
from ..review import ReviewError
from ..review.desk import Desk
from .auth import Handler, can_write
from .reviewing import desk, png, preview_of
from .templating import render


def maintainer(handler: Handler) -> Handler:
    """Answer 403 to anyone but the maintainer (a translator's link opens none of these pages)."""
    @wraps(handler)
    async def guarded(request: Request) -> Response:
        if not can_write(request):
            raise HTTPException(403, "The review queue is for the maintainer: log in first.")
        return await handler(request)
    return guarded


def overview(d: Desk) -> dict:
    """Return what the review dashboard shows."""
    invitations = d.store.invitations()
    names = {i.id: i.name for i in invitations}
    return {"invitations": invitations, "queue": d.queue(), "names": names,
            "conflicts": d.conflicts(), "recent": d.store.audit_log(8), "pack": d.config.name,
            "languages": [language(c) for c in d.config.languages if c != "en"]}


@maintainer
async def dashboard(request: Request) -> Response:
    context = await run_in_threadpool(overview, desk(request))
    return render(request, "review-dashboard.html", {**context, "error": "", "done": request.query_params})


@maintainer
async def invite(request: Request) -> Response:
    form = await request.form()
    d = desk(request)
    try:
        days = float(str(form.get("days", "14")) or 14)
        token, inv = d.invite(str(form.get("lang", "")), str(form.get("name", "")),
                              role=str(form.get("role", "translator")), days=days)
    except (ReviewError, ValueError) as exc:
        context = await run_in_threadpool(overview, d)
        message = exc.message if isinstance(exc, ReviewError) else "the number of days must be a number"
        return render(request, "review-dashboard.html", {**context, "error": message, "done": {}}, status_code=400)
    link = str(request.base_url).rstrip("/") + ("/t/" if inv.role == "translator" else "/r/") + token
    return render(request, "review-invited.html", {"inv": inv, "link": link, "lang": language(inv.lang)})


@maintainer
async def revoke(request: Request) -> Response:
    desk(request).revoke(int(request.path_params["id"]))
    return RedirectResponse("/review?revoked=1", status_code=303)


def submission_context(d: Desk, number: int) -> dict:
    sub = d.store.submission(number)
    if sub is None:
        raise HTTPException(404, f"There is no submission #{number}.")
    inv = d.store.invitation(sub.invitation_id) if sub.invitation_id else None
    report = d.report(sub)
    return {"sub": sub, "who": inv.name if inv else "", "report": report,
            "diff": d.diff(sub) if sub.status == "queued" else report.changes,
            "conflicts": d.conflicts_of(sub), "lang": language(sub.lang)}


@maintainer
async def submission(request: Request) -> Response:
    context = await run_in_threadpool(submission_context, desk(request), int(request.path_params["id"]))
    return render(request, "review-submission.html", {**context, "error": ""})


async def _submission_preview(request: Request):  # type: ignore[no-untyped-def]
    d = desk(request)
    sub = d.store.submission(int(request.path_params["id"]))
    if sub is None:
        raise HTTPException(404, "There is no such submission.")
    data = await run_in_threadpool(d.effective, sub)
    return sub, await preview_of(request, sub.lang, sub.filename, data, sub.document)


@maintainer
async def submission_preview(request: Request) -> Response:
    sub, preview = await _submission_preview(request)
    return render(request, "review-preview.html", {"preview": preview, "base": f"/review/submissions/{sub.id}",
                                                   "lang": language(sub.lang)})


@maintainer
async def submission_png(request: Request) -> Response:
    _, preview = await _submission_preview(request)
    return png(preview, int(request.path_params["n"]))


@maintainer
async def accept(request: Request) -> Response:
    form = await request.form()
    number = int(request.path_params["id"])
    choose = {key[len("choose:"):]: str(value) for key, value in form.items() if key.startswith("choose:")}
    d = desk(request)
    try:
        await run_in_threadpool(lambda: d.accept(number, choose=choose))
    except ReviewError as exc:
        context = await run_in_threadpool(submission_context, d, number)
        return render(request, "review-submission.html", {**context, "error": exc.message}, status_code=409)
    return RedirectResponse(f"/review?accepted={number}", status_code=303)


@maintainer
async def reject(request: Request) -> Response:
    form = await request.form()
    number = int(request.path_params["id"])
    d = desk(request)
    try:
        d.reject(number, str(form.get("reason", "")))
    except ReviewError as exc:
        context = await run_in_threadpool(submission_context, d, number)
        return render(request, "review-submission.html", {**context, "error": exc.message}, status_code=400)
    return RedirectResponse(f"/review?rejected={number}", status_code=303)


@maintainer
async def audit(request: Request) -> Response:
    return render(request, "review-audit.html", {"entries": desk(request).store.audit_log()})


@maintainer
async def audit_csv(request: Request) -> Response:
    return Response(desk(request).store.audit_csv(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="review-audit.csv"'})


routes = [
    Route("/review", dashboard), Route("/review/invitations", invite, methods=["POST"]),
    Route("/review/invitations/{id:int}/revoke", revoke, methods=["POST"]),
    Route("/review/submissions/{id:int}", submission),
    Route("/review/submissions/{id:int}/preview", submission_preview),
    Route("/review/submissions/{id:int}/preview/{n:int}.png", submission_png),
    Route("/review/submissions/{id:int}/accept", accept, methods=["POST"]),
    Route("/review/submissions/{id:int}/reject", reject, methods=["POST"]),
    Route("/review/audit", audit), Route("/review/audit.csv", audit_csv),
]
