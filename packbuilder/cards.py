"""Wallet cards: each face laid out on its own, checked to fit, then imposed on sheets."""
from __future__ import annotations

from markupsafe import Markup

from .content import Document

from .errors import FitError, Problem
from .impose import CARD_SIZES, grid, impose, marks_html
from .markup import plain_text
from .pack import Output
from .render import Tally, document_pdf, render_document, render_html, translator

FACES = ("front", "back")
RESOURCES = "local-resources"


def services_by_category(services) -> list[tuple[str, list]]:  # type: ignore[no-untyped-def]
    """Return the services grouped under the ui key of their category, in the seeds' order."""
    from .brand import CATEGORIES
    return [(ui_key, [s for s in services if s.category == cat]) for cat, ui_key in CATEGORIES.items()
            if any(s.category == cat for s in services)]


def resources_card(config):  # type: ignore[no-untyped-def]
    """Return the local resources card as a document whose source is the organisation itself."""
    from .content import Container, Segment, Source
    org = config.brand.name or "the organisation that distributes this pack"
    source = Source(title="Local resources", author=org,
                    terms="Local information provided by the organisation that distributes this pack.")
    title = Segment(f"{RESOURCES}/title", "Local resources", 1, "title", "", "card front", None)
    return Document(RESOURCES, "card", config.path, source, title, None,
                    (Container("front", "", ()), Container("back", "", ())), ())


def card_css(size: str, face: str, font_stack: str, fonts_css: str, brand_css: str = "") -> str:
    """Return the page CSS of one face: trim size, bleed, safe area, background into the bleed."""
    card = CARD_SIZES[size]
    background = "var(--accent)" if face == "back" else "#fff"
    return (f"{fonts_css}\n{brand_css}\n:root {{ --font-stack: {font_stack}; --safe: {card.bleed}mm; --bleed: {card.bleed}mm; }}\n"
            f"@page {{ size: {card.css()}; bleed: {card.bleed}mm; margin: 0; background: {background};"
            " @top-center { content: none } @bottom-left { content: none } @bottom-right { content: none } }")


def face_segments(doc: Document, face: str) -> list[str]:
    """Return the msgctxt of every segment printed on ``face``."""
    from .content import block_segments
    title = [doc.title] if face == "front" else []
    return [seg.context for seg in title + block_segments(doc.face(face).blocks)]


def fit_problem(doc: Document, lang: str, face: str, pages: int) -> Problem:
    return Problem(f"card {doc.id} [{lang}] {face}: text does not fit (needs {pages} faces) — "
                   f"segments: {', '.join(face_segments(doc, face))}")


def layout_faces(job, s, env, cache, *, draft_fit: bool) -> tuple[list, list[Problem], Tally]:  # type: ignore[no-untyped-def]
    """Lay out both faces; return (documents, fit problems, tally). ``draft_fit`` stamps overflow."""
    from .jobs import brand_context
    doc, tally = job.doc, Tally()
    translation = job.edition.docs[doc.id]
    t = translator(translation.get, job.lang.tag, tally)
    layouts = s.config.layouts_dir
    documents, problems = [], []
    for face in FACES:
        def html(overflowing: bool) -> str:
            return render_html(env, "card/card.html.j2", {
                **brand_context(job, s), "discreet": s.config.brand.is_discreet(doc.id),
                "services": services_by_category(s.config.services) if doc.id == RESOURCES else [],
                "lang": job.lang, "ui": job.edition.ui, "draft": job.draft, "doc": doc, "t": t,
                "face": face, "overflowing": overflowing, "keywords": f"card, {job.lang.english_name}",
                "page_css": Markup(card_css(s.config.card_size, face, s.fonts[job.lang.code].stack,
                                             s.fonts[job.lang.code].css, s.config.brand.css())),
                "plain": lambda seg: plain_text(translation.get(seg) or seg.text)})
        sheets = [layouts / "base.css", layouts / "card" / "card.css"]
        roots = [layouts, s.config.assets_dir, s.cache_dir]
        document = render_document(html(False), base_dir=layouts, stylesheets=sheets, roots=roots,
                                   job_name=f"{job.output} ({face})", cache=cache)
        if len(document.pages) > 1:
            problems.append(fit_problem(doc, job.lang.code, face, len(document.pages)))
            if draft_fit:
                stamped = render_document(html(True), base_dir=layouts, stylesheets=sheets, roots=roots,
                                          job_name=f"{job.output} ({face})", cache=cache)
                document = stamped.copy(stamped.pages[:1])
        documents.append(document)
    return documents, problems, tally


def render_card(job, s, env, cache) -> list[Output]:  # type: ignore[no-untyped-def]
    """Render a card: its two faces at card size, and an N-up sheet per paper size."""
    from .jobs import job_key

    tr = job.edition.docs[job.doc.id]
    translated = sum(1 for seg in job.doc.segments if tr.get(seg)) if job.lang.code != "en" else len(job.doc.segments)
    if s.config.brand.is_discreet(job.doc.id):            # a folded card
        from .folded import render_folded
        return render_folded(job, s, env, cache, card_meta(job, s, translated))
    documents, problems, _ = layout_faces(job, s, env, cache, draft_fit=s.draft)
    if problems and not s.draft:
        raise FitError(f"{len(problems)} card face(s) do not fit", problems=problems)
    key = job_key(job, s)
    created = s.built.strftime("%Y-%m-%dT%H:%M:%SZ")
    front, back = documents
    card_pdf = document_pdf(front.copy(front.pages + back.pages), job_name=job.output,
                            created=created, identifier=key)
    meta = {**card_meta(job, s, translated), "key": key, "overflow": [p.message for p in problems]}
    outputs = [Output(job.output, card_pdf, {**meta, "pages": 2})]
    for paper in s.config.sheets:
        g = grid(paper, CARD_SIZES[s.config.card_size])
        caption = (f"{plain_text(job.edition.docs[job.doc.id].get(job.doc.title) or job.doc.title.text)}"
                   f" · {job.lang.name} · {g.count}-up · {job.edition.ui('print-cards')}")
        marks = render_document(
            marks_html(g, caption, job.lang.tag, s.fonts[job.lang.code].stack,
                       s.fonts[job.lang.code].css),
            base_dir=s.config.layouts_dir, stylesheets=[], roots=[s.config.layouts_dir, s.cache_dir],
            job_name=f"{job.output} sheet {paper}", cache=cache)
        sheet = document_pdf(marks.copy(marks.pages * 2), job_name=f"{job.output} sheet {paper}",
                             created=created, identifier=key + paper)
        path = job.output.replace(".pdf", f"-sheet-{paper}.pdf")
        outputs.append(Output(path, impose(card_pdf, sheet, g),
                              {**meta, "layout": "card-sheet", "paper": paper, "per_sheet": g.count,
                               "grid": [g.cols, g.rows], "pages": 2}))
    return outputs


def card_meta(job, s, translated: int) -> dict:  # type: ignore[no-untyped-def]
    """Return the manifest entry every card file shares."""
    from .jobs import job_key, printed_links
    return {"language": job.lang.code, "layout": "card", "card": job.doc.id, "size": s.config.card_size,
            "review": "draft" if job.draft else "reviewed", "key": job_key(job, s), "document": job.doc.id,
            "source": {"title": job.doc.source.title, "author": job.doc.source.author,
                       "url": job.doc.source.url, "terms": job.doc.source.terms},
            "segments": {"total": len(job.doc.segments), "translated": translated,
                         "fallback": len(job.doc.segments) - translated}, "links": printed_links(job)}


def fit_problems(config, langs: tuple[str, ...]) -> list[Problem]:  # type: ignore[no-untyped-def]
    """Lay out every card face in every language, without writing anything; return what overflows."""
    from .build import build_date, plan_jobs
    from .catalogs import load_catalogs
    from .content import load_content
    from .fontsubset import FontSet, cache_dir
    from .jobs import Setting
    from .render import RenderCache, environment

    docs = load_content(config.content_dir, list(config.documents), list(config.cards))
    jobs = [j for j in plan_jobs(config, langs, docs, load_catalogs(config.locales_dir, langs, docs))
            if j.layout == "card"]
    fonts = {j.lang.code: FontSet("", j.lang.font_css(), (), "system") for j in jobs}
    setting = Setting(config, tuple(docs), fonts, build_date(), cache_dir())
    env, cache = environment(config.layouts_dir), RenderCache()
    from .folded import layout_folded
    return [p for job in jobs for p in (
        layout_folded(job, setting, env, cache, draft_fit=False)[1]
        if config.brand.is_discreet(job.doc.id)
        else layout_faces(job, setting, env, cache, draft_fit=False)[1])]
