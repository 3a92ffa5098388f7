"""Live preview: the card's front and back and a handout's title block, rendered by the library.

Runs in a warm worker. It calls the build's own stages (load_pack, load_content, load_catalogs,
plan_jobs, prepare_fonts, render_one) for one language and one or two outputs, then draws the
pages with PDFium: what the preview shows is what the build prints.
"""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path


def render_preview(pack_path: str, lang: str, part: str) -> dict[str, bytes]:
    """Return PNGs of ``part``: "card" -> {"front", "back"}, "handout" -> {"title"}."""
    from ..build import build_date, plan_jobs, prepare_fonts
    from ..catalogs import load_catalogs
    from ..config import load_pack
    from ..content import load_content
    from ..fontsubset import cache_dir
    from ..jobs import Setting
    from ..scheduler import render_one
    from ..render import RenderCache, environment

    config = load_pack(Path(pack_path))
    lang = lang if lang in config.languages else config.languages[0]
    docs = load_content(config.content_dir, list(config.documents[:1]), list(config.cards[:1]))
    config = replace(config, languages=(lang,), sheets=(), activities=())
    jobs = plan_jobs(config, (lang,), docs, load_catalogs(config.locales_dir, (lang,), docs))
    cards = [j for j in jobs if j.layout == "card"]
    wanted = ([cards[-1]] if cards else []) if part == "card" else [j for j in jobs if j.layout == "handout"][:1]
    if not wanted:
        return {}
    built = build_date()
    fonts = prepare_fonts(wanted, cache_dir(), config, built)
    setting = Setting(config, tuple(docs), fonts, built, cache_dir(), True)
    outputs = render_one(replace(wanted[0], extra=()), setting, environment(config.layouts_dir), RenderCache())
    pdf = outputs[0].data
    if part == "card":
        return {"front": _png(pdf, 0, 360), "back": _png(pdf, 1, 360)}
    return {"title": _png(pdf, 0, 480, crop_top=0.42)}


def _png(pdf_bytes: bytes, page: int, width: int, crop_top: float = 1.0) -> bytes:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        sheet = pdf[page]
        image = sheet.render(scale=width / sheet.get_width()).to_pil()
    finally:
        pdf.close()
    if crop_top < 1.0:
        image = image.crop((0, 0, image.width, int(image.height * crop_top)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
