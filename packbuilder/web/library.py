"""The library: every material of a built pack in one language, to open, download and print."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from .templating import language
from . import store
from .templating import page_language, render

PAPER_NAMES = {"letter": "Letter", "a4": "A4"}
GROUPS = (("handout", "web-handouts"), ("card", "web-cards"), ("activity", "web-activities"),
          ("other", "web-other"))


@dataclass
class Material:
    """One file of the library, as a row: its title, pages, review status and its card sheets."""

    path: str
    title: str
    pages: int
    draft: bool
    layout: str
    sheets: list[tuple[str, str]] = field(default_factory=list)     # (paper, path)


def dist_of(settings, name: str) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """Return the built folder of pack ``name`` and the name it was built under."""
    built = store.pack_name_in(store.pack_path(settings, name))
    return store.pack_dist(settings, built), built


def materials(settings, built: str, manifest: dict, lang: str) -> dict[str, list[Material]]:  # type: ignore[no-untyped-def]
    """Return the files in ``lang`` of the pack built as ``built``, by group (handouts, cards,
    activities, other)."""
    groups: dict[str, list[Material]] = {g: [] for g, _ in GROUPS}
    sheets: dict[str, list[tuple[str, str]]] = {}
    for entry in manifest.get("files", []):
        path, layout = str(entry.get("path", "")), entry.get("layout", "")
        if not path.endswith(".pdf") or (entry.get("language") != lang and layout != "index"):
            continue
        if layout == "card-sheet":
            paper = path.rsplit("-", 1)[-1][:-4]
            sheets.setdefault(str(entry.get("card")), []).append((PAPER_NAMES.get(paper, paper), path))
            continue
        info = store.pdf_info(settings, store.dist_file(settings, built, path), str(entry.get("sha256")))
        group = layout if layout in groups else "other"
        groups[group].append(Material(path, info.title, entry.get("pages") or info.pages,
                                      entry.get("review") == "draft", layout))
    for card in groups["card"]:
        card.sheets = sorted(sheets.get(Path(card.path).stem, []))
    return groups


async def home(request: Request) -> Response:
    settings = request.app.state.settings
    name = settings.pack.stem if settings.pack.name != "pack.toml" else settings.pack.parent.name
    return await show(request, name)


async def library_page(request: Request) -> Response:
    return await show(request, request.path_params["pack"])


async def show(request: Request, name: str) -> Response:
    settings = request.app.state.settings
    _, built = dist_of(settings, name)
    manifest = store.manifest(settings, built)
    offered = tuple(manifest.get("languages", [])) if manifest else ("en",)
    lang = page_language(request, offered if "en" in offered else offered + ("en",))
    groups = await run_in_threadpool(materials, settings, built, manifest, lang) if manifest else {}
    context = {"pack": name, "manifest": manifest, "groups": groups, "group_keys": GROUPS,
               "pack_languages": [language(c) for c in offered], "material_lang": language(lang),
               "packs": sorted(store.pack_files(settings))}
    return render(request, "library.html", context,
                  lang=lang if lang in ("en", "zh_Hans", "es") else None)


async def file(request: Request) -> Response:
    settings = request.app.state.settings
    _, built = dist_of(settings, request.path_params["pack"])
    path = store.dist_file(settings, built, request.path_params["path"])
    if path.suffix != ".pdf":
        raise HTTPException(404, "No such file in this pack.")
    download = "download" in request.query_params
    return FileResponse(path, media_type="application/pdf", filename=path.name if download else None,
                        content_disposition_type="attachment" if download else "inline")


async def thumb(request: Request) -> Response:
    settings = request.app.state.settings
    name, rel = request.path_params["pack"], request.path_params["path"]
    _, built = dist_of(settings, name)
    path = store.dist_file(settings, built, rel)
    entry = next((f for f in (store.manifest(settings, built) or {}).get("files", []) if f.get("path") == rel), None)
    if entry is None or path.suffix != ".pdf":
        raise HTTPException(404, "No such file in this pack.")
    png = await run_in_threadpool(store.thumbnail, settings, path, str(entry["sha256"]))
    return FileResponse(png, media_type="image/png", headers={"cache-control": "private, max-age=3600"})


async def whole_zip(request: Request) -> Response:
    settings = request.app.state.settings
    folder, built = dist_of(settings, request.path_params["pack"])
    path = folder.parent / f"{built}.zip"
    if not path.is_file():
        raise HTTPException(404, "This pack has not been built yet.")
    return FileResponse(path, media_type="application/zip", filename=path.name)


async def language_zip(request: Request) -> Response:
    settings = request.app.state.settings
    folder, built = dist_of(settings, request.path_params["pack"])
    manifest = store.manifest(settings, built)
    lang = request.path_params["lang"]
    if not manifest or lang not in manifest.get("languages", []) or not (folder / lang).is_dir():
        raise HTTPException(404, "This pack has no such language.")
    path = await run_in_threadpool(zip_language, settings, folder, built, lang, manifest)
    return FileResponse(path, media_type="application/zip", filename=f"{built}-{lang}.zip")


def zip_language(settings, folder: Path, built: str, lang: str, manifest: dict) -> Path:  # type: ignore[no-untyped-def]
    """Return a zip of one language's folder of the pack, made once per build."""
    import hashlib
    from datetime import datetime

    from ..pack import write_zip
    stamp = hashlib.sha256(repr(sorted((f["path"], f["sha256"]) for f in manifest["files"])).encode()).hexdigest()[:16]
    target = settings.data_dir / "zips" / f"{built}-{lang}-{stamp}.zip"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_zip(folder / lang, target, datetime.fromisoformat(manifest.get("built", "2025-01-01T00:00:00+00:00")))
    return target


async def choose(request: Request) -> Response:
    """Without JavaScript, the language and pack pickers submit here (GET form)."""
    pack = request.query_params.get("pack", "")
    lang = request.query_params.get("lang", "en")
    if not store.valid_name(pack):
        raise HTTPException(404, "No such pack.")
    return RedirectResponse(f"/library/{pack}?lang={lang if store.valid_name(lang) else 'en'}", status_code=303)


routes = [Route("/", home), Route("/library", choose), Route("/library/{pack}", library_page),
          Route("/files/{pack}/{path:path}", file), Route("/thumbs/{pack}/{path:path}", thumb),
          Route("/zip/{pack}.zip", whole_zip), Route("/zip/{pack}/{lang}.zip", language_zip)]
