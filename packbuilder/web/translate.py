"""The pages an invitation link opens: a translator's language (progress, download, upload, report,
preview, submit, their submissions) and a reviewer's sign-off. A link reaches its language only."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import PackbuilderError
from ..i18n import language
from ..review import ReviewError
from ..review.importer import domains
from .reviewing import desk, invitation, png, preview_of, with_pdfium
from .store import valid_name
from .templating import render


def home_context(request: Request, inv) -> dict:  # type: ignore[no-untyped-def]
    d = desk(request)
    return {"inv": inv, "lang": language(inv.lang), "progress": d.progress(inv.lang), "mine": d.mine(inv),
            "documents": domains(d.config), "token": request.path_params["token"]}


async def home(request: Request) -> Response:
    inv = invitation(request, "translator")
    context = await run_in_threadpool(home_context, request, inv)
    return render(request, "translate-home.html", {**context, "error": "",
                                                   "submitted": request.query_params.get("submitted", "")})


async def download(request: Request) -> Response:
    inv = invitation(request, "translator")
    document = request.path_params["document"]
    if not valid_name(document):
        raise HTTPException(404, "There is no such document.")
    try:
        data = desk(request).download(inv, document)
    except PackbuilderError:
        raise HTTPException(404, "There is no such document in your language.") from None
    return Response(data, media_type="text/x-gettext-translation; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{document}.po"'})


async def upload(request: Request) -> Response:
    inv = invitation(request, "translator")
    form = await request.form(max_files=1)
    file = form.get("file")
    document = str(form.get("document", "")) or None
    if not isinstance(file, UploadFile) or not file.filename:
        return await _home_error(request, inv, "Choose the .po file you translated, then press Check.")
    data = await file.read()
    try:
        _, up = await run_in_threadpool(desk(request).upload, inv, file.filename, data, document)
    except ReviewError as exc:
        return await _home_error(request, inv, exc.message)
    return RedirectResponse(f"/t/{request.path_params['token']}/uploads/{up.id}", status_code=303)


async def _home_error(request: Request, inv, message: str) -> Response:  # type: ignore[no-untyped-def]
    context = await run_in_threadpool(home_context, request, inv)
    return render(request, "translate-home.html", {**context, "error": message, "submitted": ""}, status_code=400)


def _upload_of(request: Request):  # type: ignore[no-untyped-def]
    inv = invitation(request, "translator")
    try:
        return inv, desk(request).uploaded(inv, int(request.path_params["id"]))
    except ReviewError:
        raise HTTPException(404, "There is no such upload for this link; upload the file again.") from None


async def show_report(request: Request, inv, up, error: str = "") -> Response:  # type: ignore[no-untyped-def]
    """Render the report on an upload (problems, changes, the preview frame, submit)."""
    result = await run_in_threadpool(desk(request).inspect, inv.lang, up.filename, up.data, up.document or None)
    return render(request, "translate-report.html", {
        "inv": inv, "up": up, "report": result, "lang": language(inv.lang), "error": error,
        "documents": domains(desk(request).config), "token": request.path_params["token"]},
        status_code=400 if error else 200)


async def report(request: Request) -> Response:
    inv, up = _upload_of(request)
    return await show_report(request, inv, up)


async def _preview(request: Request):  # type: ignore[no-untyped-def]
    inv, up = _upload_of(request)
    return up, await preview_of(request, inv.lang, up.filename, up.data, up.document or "")


async def preview_frame(request: Request) -> Response:
    up, preview = await _preview(request)
    base = f"/t/{request.path_params['token']}/uploads/{up.id}"
    return render(request, "review-preview.html", {"preview": preview, "base": base,
                                                   "lang": language(invitation(request, "translator").lang)})


async def preview_png(request: Request) -> Response:
    _, preview = await _preview(request)
    return png(preview, int(request.path_params["n"]))


async def submit(request: Request) -> Response:
    inv, up = _upload_of(request)
    try:
        sub = await run_in_threadpool(with_pdfium, desk(request).submit_upload, inv, up.id)
    except ReviewError as exc:
        return await show_report(request, inv, up, exc.message)
    return RedirectResponse(f"/t/{request.path_params['token']}?submitted={sub.id}", status_code=303)


async def reviewer(request: Request) -> Response:
    inv = invitation(request, "reviewer")
    d = desk(request)
    return render(request, "translate-signoff.html", {"inv": inv, "lang": language(inv.lang), "error": "",
                                                      "signed": [], "pack": d.config.name,
                                                      "documents": domains(d.config),
                                                      "token": request.path_params["token"]})


async def _reading(request: Request):  # type: ignore[no-untyped-def]
    """Return the preview of one document as its catalog stands now (what the reviewer signs)."""
    inv = invitation(request, "reviewer")
    document = request.path_params["document"]
    if document not in domains(desk(request).config):
        raise HTTPException(404, "There is no such document.")
    data = desk(request).download(inv, document)
    return inv, await preview_of(request, inv.lang, f"{document}.po", data, document)


async def read_frame(request: Request) -> Response:
    inv, preview = await _reading(request)
    base = f"/r/{request.path_params['token']}/read/{request.path_params['document']}"
    return render(request, "review-preview.html", {"preview": preview, "base": base, "lang": language(inv.lang)})


async def read_png(request: Request) -> Response:
    _, preview = await _reading(request)
    return png(preview, int(request.path_params["n"]))


async def sign(request: Request) -> Response:
    inv = invitation(request, "reviewer")
    form = await request.form()
    d = desk(request)
    context = {"inv": inv, "lang": language(inv.lang), "pack": d.config.name, "documents": domains(d.config),
               "token": request.path_params["token"]}
    try:
        written = await run_in_threadpool(d.sign_off, inv, str(form.get("name", "")), str(form.get("organisation", "")))
    except ReviewError as exc:
        return render(request, "translate-signoff.html", {**context, "error": exc.message, "signed": []},
                      status_code=400)
    return render(request, "translate-signoff.html", {**context, "error": "", "signed": [p.name for p in written]})


routes = [
    Route("/t/{token}", home), Route("/t/{token}/po/{document}.po", download),
    Route("/t/{token}/upload", upload, methods=["POST"]),
    Route("/t/{token}/uploads/{id:int}", report),
    Route("/t/{token}/uploads/{id:int}/preview", preview_frame),
    Route("/t/{token}/uploads/{id:int}/preview/{n:int}.png", preview_png),
    Route("/t/{token}/uploads/{id:int}/submit", submit, methods=["POST"]),
    Route("/r/{token}", reviewer), Route("/r/{token}/sign", sign, methods=["POST"]),
    Route("/r/{token}/read/{document}", read_frame),
    Route("/r/{token}/read/{document}/preview/{n:int}.png", read_png),
]
