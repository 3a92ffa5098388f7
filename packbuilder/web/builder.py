"""The pack builder: make or edit a pack in a form; the CLI's own checks say what is wrong."""
from __future__ import annotations

import base64
import os
import shutil
import tempfile
from pathlib import Path

import tomlkit
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..brand import LOGO_TYPES, MAX_LOGO
from ..errors import PackbuilderError
from ..pack import write_atomic
from . import packform as pfm
from . import store
from .auth import require_writer
from .templating import render, render_cached


def editable(settings, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Return packs/<name>/pack.toml if the browser may edit it (packbuilder's own packs/*.toml: no)."""
    path = store.pack_path(settings, name)
    if path.name != "pack.toml":
        raise HTTPException(403, f"The pack {name!r} is one of packbuilder's own files; start a new pack from it "
                                 "on the Pack builder page instead.")
    return path


@require_writer
async def packs_page(request: Request) -> Response:
    settings = request.app.state.settings
    packs = [{"name": n, "editable": p.name == "pack.toml", "built": store.manifest(settings, store.pack_name_in(p)) is not None}
             for n, p in store.pack_files(settings).items()]
    return render(request, "packs.html", {"packs": packs, "error": "", "new_name": ""})


@require_writer
async def create_pack(request: Request) -> Response:
    settings = request.app.state.settings
    form = await request.form()
    name, source = str(form.get("name", "")).strip(), str(form.get("from", "default"))
    packs = store.pack_files(settings)
    error = ""
    if not store.valid_name(name):
        error = f"{name[:64]!r} must be a plain name: letters, digits, - and _ (for example harbor-light)"
    elif name in packs or (settings.packs_dir / name).exists():
        error = f"there is already a pack called {name!r}; choose another name or edit that one"
    elif source not in packs:
        error = f"there is no pack called {source[:64]!r} to start from"
    if error:
        listing = [{"name": n, "editable": p.name == "pack.toml", "built": False} for n, p in packs.items()]
        return render(request, "packs.html", {"packs": listing, "error": error, "new_name": name}, status_code=400)
    await run_in_threadpool(copy_pack, settings, packs[source], name)
    return RedirectResponse(f"/packs/{name}?created=1", status_code=303)


def copy_pack(settings, source: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Make packs/<name>/pack.toml from ``source`` (comments kept), with its logo, on packbuilder's content."""
    target = store.new_pack_path(settings, name)
    target.parent.mkdir(parents=True)
    doc = tomlkit.parse(source.read_text(encoding="utf-8"))
    doc["pack"]["name"] = name
    doc["paths"] = doc.get("paths") or tomlkit.table()
    for key, value in pfm.own_paths(target.parent, settings).items():
        doc["paths"][key] = value
    logo = doc.get("brand", {}).get("logo")
    if isinstance(logo, str) and (found := _inside(source.parent, logo)) and found.suffix.lower() in LOGO_TYPES:
        shutil.copyfile(found, target.parent / f"logo{found.suffix.lower()}")
        doc["brand"]["logo"] = f"logo{found.suffix.lower()}"
    write_atomic(target, tomlkit.dumps(doc).encode())
    return target


def _inside(folder: Path, value: str) -> Path | None:
    from ..trust import confine
    path, _ = confine(folder, value, (folder.resolve(),))
    return path if path is not None and path.is_file() else None


def context(settings, pf: pfm.PackForm, **extra) -> dict:  # type: ignore[no-untyped-def]
    """Return what the form template needs: the form, the choices, the preview if any."""
    handouts, cards = pfm.available(settings.content_root / "content")
    langs = pfm.languages_of(settings.content_root / "locales")
    from .templating import language
    return {"pf": pf, "handouts": handouts, "cards": cards, "all_languages": [language(c) for c in langs],
            "language_options": [(c, f"{language(c).english_name} ({language(c).name})") for c in langs],
            "choices": pfm.CHOICES, "preview_lang": "en", **extra}


@require_writer
async def edit_page(request: Request) -> Response:
    settings = request.app.state.settings
    name = request.path_params["name"]
    path = editable(settings, name)
    notice = "saved" if "saved" in request.query_params else "created" if "created" in request.query_params else ""
    # the form is the same for everyone until the pack file, its logo or the languages on offer
    # change (the handouts and cards on offer are packbuilder's own, read once per process)
    stamp = tuple(_stamp(p) for p in (path, path.parent, settings.content_root / "locales"))
    return render_cached(request, "pack_form.html", (str(path), stamp, notice),
                         lambda: context(settings, pfm.read_form(path, name)[0], notice=notice, preview={}))


def _stamp(path: Path) -> tuple[int, int, int]:
    """Return when ``path`` last changed, its size and inode (a folder changes when a file comes or
    goes; an atomic save is a new inode)."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size, st.st_ino


async def posted_form(request: Request) -> tuple:
    """Return what a POST of the pack form holds: (settings, the pack file, the form data, the
    PackForm it describes, nothing checked yet)."""
    settings = request.app.state.settings
    name = request.path_params["name"]
    path = editable(settings, name)
    form = await request.form()
    pf = pfm.form_from_post(name, form, pfm.languages_of(settings.content_root / "locales"))
    return settings, path, form, pf


async def check_form(settings, path: Path, form, pf: pfm.PackForm, save: bool) -> Path | None:  # type: ignore[no-untyped-def]
    """Check the form as the CLI would (problems go into ``pf``), with its logo upload if any;
    then save it, or write the preview pack whose file this returns."""
    upload = form.get("logo")
    return await run_in_threadpool(save_or_preview, settings, path, pf,
                                   upload_of(upload) if isinstance(upload, UploadFile) else None,
                                   save, bool(form.get("remove_logo")))


@require_writer
async def edit_post(request: Request) -> Response:
    settings, path, form, pf = await posted_form(request)
    action = str(form.get("action", "save"))
    if action == "add-service":
        pf.services.append({})
    elif action.startswith(("remove-", "up-", "down-")):
        verb, _, index = action.partition("-")
        move_row(pf.services, verb, int(index) - 1 if index.isdigit() else -1)
    if action not in ("save", "preview"):
        return render(request, "pack_form.html", context(settings, pf, notice="", preview={}))
    saved = await check_form(settings, path, form, pf, action == "save")
    if pf.errors or pf.general:
        return render(request, "pack_form.html", context(settings, pf, notice="", preview={}), status_code=400)
    if action == "save":
        return RedirectResponse(f"/packs/{pf.name}?saved=1", status_code=303)
    lang = str(form.get("preview_lang", "en"))
    try:
        images = await preview_images(request, saved, lang)
    except PackbuilderError as exc:              # what the live preview shows beside the form
        pf.general.extend(exc.lines())
        return render(request, "pack_form.html", context(settings, pf, notice="", preview={}), status_code=400)
    return render(request, "pack_form.html", context(settings, pf, notice="", preview=images, preview_lang=lang))


def upload_of(upload: UploadFile) -> tuple[str, bytes] | None:
    """Return (file name, bytes) of an upload, or None when no file was chosen."""
    if not upload.filename:
        return None
    upload.file.seek(0)
    return upload.filename, upload.file.read(MAX_LOGO + 1)


def move_row(rows: list, verb: str, i: int) -> None:
    """Remove row ``i``, or move it up or down one place."""
    if not 0 <= i < len(rows):
        return
    if verb == "remove":
        del rows[i]
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i < len(rows) - 1:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]


def save_or_preview(settings, path: Path, pf: pfm.PackForm, upload: tuple[str, bytes] | None,  # type: ignore[no-untyped-def]
                    save: bool, remove_logo: bool) -> Path | None:
    """Validate the form as the CLI would; then save it (atomically) or write a preview pack.

    Return the pack file a preview renders, or None. Problems go into ``pf``."""
    folder = path.parent
    pf.services = [row for row in pf.services if any(row.values())]      # a row left empty is no service
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    current = str(doc.get("brand", {}).get("logo", "") or "")
    logo = "" if remove_logo else current
    staged: Path | None = None
    if upload is not None:
        suffix, problem = pfm.check_logo(*upload)
        if problem:
            pf.add_error("brand.logo", problem)
        else:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=suffix)
            with os.fdopen(fd, "wb") as out:
                out.write(upload[1])
            staged, logo = Path(tmp), Path(tmp).name
    work = folder if save else Path(tempfile.mkdtemp(dir=_previews(settings), prefix=".preview-"))
    try:
        if not save and logo:
            shutil.copyfile(folder / logo, work / logo)
        pfm.apply(doc, pf, pfm.own_paths(work, settings), logo)
        config = pfm.validate(doc, work, pf)
        if config is None or pf.errors:
            return None
        if not save:
            write_atomic(work / "pack.toml", tomlkit.dumps(doc).encode())
            return work / "pack.toml"
        if staged is not None:
            final = f"logo{staged.suffix}"
            os.replace(staged, folder / final)
            staged = None
            doc["brand"]["logo"] = final
        write_atomic(path, tomlkit.dumps(doc).encode())
        return path
    finally:
        if staged is not None:
            staged.unlink(missing_ok=True)
        if not save and not (work / "pack.toml").is_file():
            shutil.rmtree(work, ignore_errors=True)


def _previews(settings) -> Path:  # type: ignore[no-untyped-def]
    """Return where preview packs are written: packs/ itself (as packs/.preview-…/, which no listing
    shows), so that a preview reads packbuilder's folders exactly as the saved pack will."""
    folder = settings.packs_dir
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def preview_images(request: Request, pack_file: Path | None, lang: str) -> dict[str, str]:
    """Render the card and the handout title block in the warm pool; return data: URIs."""
    import asyncio

    from .preview import render_preview
    if pack_file is None:
        return {}
    runner = request.app.state.runner
    try:
        parts = await asyncio.gather(*(asyncio.wrap_future(runner.submit(render_preview, str(pack_file), lang, part))
                                       for part in ("card", "handout")))
    finally:
        shutil.rmtree(pack_file.parent, ignore_errors=True)
    return {key: "data:image/png;base64," + base64.b64encode(png).decode()
            for part in parts for key, png in part.items()}


@require_writer
async def preview(request: Request) -> Response:
    """The live preview (JavaScript): the form as it is now -> images, or the problems to fix first."""
    settings, path, form, pf = await posted_form(request)
    pack_file = await check_form(settings, path, form, pf, False)
    if pf.errors or pf.general:
        return JSONResponse({"ok": False, "errors": pf.errors, "general": pf.general})
    try:
        images = await preview_images(request, pack_file, str(form.get("preview_lang", "en")))
    except PackbuilderError as exc:
        return JSONResponse({"ok": False, "errors": {}, "general": exc.lines()})
    return JSONResponse({"ok": True, "images": images})


routes = [Route("/packs", packs_page, methods=["GET"]), Route("/packs", create_pack, methods=["POST"]),
          Route("/packs/{name}", edit_page, methods=["GET"]), Route("/packs/{name}", edit_post, methods=["POST"]),
          Route("/packs/{name}/preview", preview, methods=["POST"])]
