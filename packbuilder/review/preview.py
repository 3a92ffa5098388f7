"""Preview a submitted catalog in print: render the outputs it affects, from a private copy of
``locales/``, as page images (the pages that show its changes first), with the card fit check's
verdict for each card face."""
from __future__ import annotations

import dataclasses
import io
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..catalogs import UI_DOMAIN
from ..config import Pack
from ..markup import plain_text

CARD_DPI, PAGE_DPI = 200, 80         # a card 700 px wide, a Letter page 680 px
_RENDER = threading.Lock()           # WeasyPrint and pdfium: one render at a time per process
_ENV: dict = {}


@dataclass(frozen=True)
class PageImage:
    """One rendered page as PNG, and whether it shows text the submission changes."""

    output: str           # the file in the pack: es/cards/safety-street.pdf
    page: int             # 1-based
    label: str            # "front", "back" or "page 3 of 4"
    png: bytes = field(repr=False)
    changed: bool = False


@dataclass(frozen=True)
class FaceVerdict:
    """The card fit check's verdict on one face (the layout ``packbuilder check --fit`` runs)."""

    card: str
    face: str
    fits: bool
    message: str = ""


@dataclass
class Preview:
    """Every page image of the affected outputs, changed pages first, and the cards' verdicts."""

    pages: list[PageImage] = field(default_factory=list)
    faces: list[FaceVerdict] = field(default_factory=list)
    seconds: float = 0.0
    first_image: float = 0.0

    @property
    def fits(self) -> bool:
        return all(f.fits for f in self.faces)


def affected_jobs(config: Pack, lang: str, document: str, locales_dir: Path):  # type: ignore[no-untyped-def]
    """Return the jobs that print ``document`` in ``lang``, planned from ``locales_dir``, and their setting."""
    from ..build import build_date, plan_jobs, prepare_fonts
    from ..catalogs import load_catalogs
    from ..content import load_content
    from ..fontsubset import cache_dir
    from ..jobs import Setting

    config = dataclasses.replace(config, locales_dir=locales_dir, sheets=())   # no N-up sheets: faces only
    docs = load_content(config.content_dir, list(config.documents), list(config.cards))
    jobs = plan_jobs(config, (lang,), docs, load_catalogs(locales_dir, (lang,), docs))
    if document == UI_DOMAIN:
        mine = [j for j in jobs if j.layout == "credits"] + [j for j in jobs if j.layout == "handout"][:1]
    else:
        mine = [j for j in jobs if j.doc is not None and j.doc.id == document and j.layout != "index"]
        mine.sort(key=lambda j: j.layout == "activity")            # the document itself first
    built = build_date()
    fonts = prepare_fonts(mine, cache_dir(), config, built)
    return mine, Setting(config, tuple(docs), fonts, built, cache_dir(), draft=True)


def preview_pages(config: Pack, lang: str, document: str, locales_dir: Path,
                  changed: list[str] = ()) -> Iterator[PageImage | FaceVerdict]:  # type: ignore[assignment]
    """Yield each affected output's verdicts and page images as soon as it is rendered."""
    from ..folded import PANELS, panel_name
    from ..scheduler import render_one
    from ..render import RenderCache, environment

    with _RENDER:
        jobs, setting = affected_jobs(config, lang, document, locales_dir)
        key = str(config.layouts_dir)
        if _ENV.get("key") != key:
            _ENV.update(key=key, env=environment(config.layouts_dir), cache=RenderCache())
        needles = [n[:40] for n in (_squeeze(text) for text in changed) if n]
        for job in jobs:
            output = render_one(job, setting, _ENV["env"], _ENV["cache"])[0]
            if job.layout == "card":           # a flat card's two faces, or a folded card's four panels
                faces = [panel_name(p) for p in PANELS] if output.meta.get("folded") else ["front", "back"]
                for face in faces:
                    over = [m for m in output.meta.get("overflow", []) if f"] {face}:" in m]
                    yield FaceVerdict(job.doc.id, face, not over, over[0] if over else "")
            yield from _images(output.path, output.data, job.layout == "card", needles)


def preview(config: Pack, lang: str, document: str, locales_dir: Path, changed: list[str] = ()) -> Preview:  # type: ignore[assignment]
    """Render the whole preview; changed pages first, then the others in print order."""
    start, result = time.monotonic(), Preview()
    for item in preview_pages(config, lang, document, locales_dir, changed):
        if isinstance(item, FaceVerdict):
            result.faces.append(item)
        else:
            result.first_image = result.first_image or time.monotonic() - start
            result.pages.append(item)
    result.pages.sort(key=lambda p: not p.changed)                  # stable: print order kept
    result.seconds = time.monotonic() - start
    return result


def _images(path: str, pdf: bytes, card: bool, needles: list[str]) -> Iterator[PageImage]:
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        count = len(document)
        for index in range(count):
            page = document[index]
            text = _squeeze(page.get_textpage().get_text_range())
            bitmap = page.render(scale=(CARD_DPI if card else PAGE_DPI) / 72)
            out = io.BytesIO()
            bitmap.to_pil().save(out, format="PNG", optimize=False)
            label = ("front", "back")[index] if card and index < 2 else f"page {index + 1} of {count}"
            yield PageImage(path, index + 1, label, out.getvalue(), any(n in text for n in needles))
    finally:
        document.close()


def _squeeze(text: str) -> str:
    """Return text reduced to what survives line breaking: no spaces, no hyphens, no markup."""
    text = plain_text(text) if "*" in text or "[" in text or "<" in text else text
    return re.sub(r"[\s\u00ad\u2010\u2011-]+", "", text)
