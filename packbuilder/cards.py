"""Wallet cards: each face laid out on its own, checked to fit, then imposed on sheets."""
from __future__ import annotations

from markupsafe import Markup

from .content import Document
from .errors import FitError, Problem
from .impose import CARD_SIZES, CardSize, grid, impose, marks_html
from .jobs import brand_context, job_key, printed_links
from .markup import plain_text
from .pack import Output
from .render import Tally, document_pdf, render_document, render_html, translator
from .resources import RESOURCES, services_by_category

FACES = ("front", "back")
# Card text: as large as the face allows up to SIZES[0], never under 8 pt (Chinese included);
# at 8 pt the leading may close up to TIGHT, and the spaces between items to a quarter,
# before the face is reported as not fitting.
SIZES = (9.0, 8.75, 8.5, 8.25, 8.0)
LEADING, TIGHT = 1.22, 1.1


def card_css(size: str, face: str, font_stack: str, fonts_css: str, brand_css: str = "",
             type_size: float = SIZES[-1], leading: float = LEADING) -> str:
    """Return the page CSS of one face: trim size, bleed, safe area, background into the bleed."""
    card = CARD_SIZES[size]
    background = "var(--accent)" if face == "back" else "#fff"
    return (f"{fonts_css}\n{brand_css}\n:root {{ --font-stack: {font_stack}; --safe: {card.bleed}mm; "
            f"--bleed: {card.bleed}mm; --card-size: {type_size}pt; --card-leading: {leading}; "
            f"--card-leading-cjk: {leading + 0.1:.2f}; --gap: {1 if leading >= LEADING else 0.25}; }}\n"
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


def card_context(job, s, t) -> dict:  # type: ignore[no-untyped-def]
    """Return what the flat and the folded card templates both need: brand, language, text, services."""
    translation = job.edition.docs[job.doc.id]
    return {**brand_context(job, s), "lang": job.lang, "ui": job.edition.ui, "draft": job.draft,
            "doc": job.doc, "t": t,
            "services": services_by_category(s.config.services) if job.doc.id == RESOURCES else [],
            "plain": lambda seg: plain_text(translation.get(seg) or seg.text)}


def layout_faces(job, s, env, cache, *, draft_fit: bool) -> tuple[list, list[Problem], Tally]:  # type: ignore[no-untyped-def]
    """Lay out both faces, each at the largest size that fits its safe area; return (documents,
    fit problems, tally). ``draft_fit`` stamps a face that does not fit even at 8 pt."""
    doc, tally = job.doc, Tally()
    t = translator(job.edition.docs[doc.id].get, job.lang.tag, tally)
    common = card_context(job, s, t)
    layouts = s.config.layouts_dir
    documents, problems = [], []
    for face in FACES:
        def html(overflowing: bool, size: float, leading: float = LEADING) -> str:
            return render_html(env, "card/card.html.j2", {
                **common, "discreet": s.config.brand.is_discreet(doc.id),
                "face": face, "overflowing": overflowing, "keywords": f"card, {job.lang.english_name}",
                "page_css": Markup(card_css(s.config.card_size, face, s.fonts[job.lang.code].stack,
                                             s.fonts[job.lang.code].css, s.config.brand.css(), size, leading))})
        sheets = [layouts / "base.css", layouts / "card" / "card.css"]
        roots = [layouts, s.config.assets_dir, s.cache_dir]

        def lay_out(text: str):  # type: ignore[no-untyped-def]
            return render_document(text, base_dir=layouts, stylesheets=sheets, roots=roots,
                                   job_name=f"{job.output} ({face})", cache=cache, print_shop=s.print_shop)
        document = fit_face(lambda size, leading=LEADING: lay_out(html(False, size, leading)))
        if len(document.pages) > 1:
            problems.append(fit_problem(doc, job.lang.code, face, len(document.pages)))
            if draft_fit:
                stamped = lay_out(html(True, SIZES[-1], TIGHT))
                document = stamped.copy(stamped.pages[:1])
        documents.append(document)
    return documents, problems, tally


def face_fill(document) -> float:  # type: ignore[no-untyped-def]
    """Return how much of a face's safe area its text uses: over 1 (or a second page) does not fit."""
    if len(document.pages) > 1:
        return 2.0
    from weasyprint.formatting_structure import boxes
    page = document.pages[0]._page_box
    body = page.children[0].children[-1]            # html > body; body's padding is the safe area
    top, bottom = body.content_box_y(), body.content_box_y()
    for child in body.descendants():
        if child is not body and isinstance(getattr(child, "position_y", None), (int, float)) and \
                isinstance(getattr(child, "height", None), (int, float)):
            bottom = max(bottom, child.position_y + child.margin_height() - (child.margin_bottom or 0))
    return (bottom - top) / (page.height - top - body.padding_bottom)


def fit_face(lay_out):  # type: ignore[no-untyped-def]
    """Return a face laid out at the largest of SIZES whose text stays inside the safe area.

    The settings run from the largest size down to 8 pt, then 8 pt with the leading closed up.
    A face that fits at the largest is laid out once; for the others, how far the largest
    overflows says which setting to try first, and halving finds the best from there. A face
    that does not fit even at the last comes back with a second page.
    """
    settings = [(size, LEADING) for size in SIZES] + [(SIZES[-1], TIGHT)]
    laid: dict[int, object] = {}

    def fits(i: int) -> bool:
        if i not in laid:
            laid[i] = lay_out(*settings[i])
        return face_fill(laid[i]) <= 1.0

    last = len(settings) - 1
    if fits(0):
        return laid[0]
    # how far the largest overflows says where to look first: text area grows with size squared
    fill = face_fill(laid[0])
    guess = SIZES[0] / fill ** 0.5 if fill < 2.0 else SIZES[-1]
    first = next((i for i, (size, _) in enumerate(settings) if i and size <= guess + 0.01), last)
    if fits(first):
        low, high = 0, first            # low does not fit, high does
    elif fits(last):
        low, high = first, last
    else:
        return _overflowing(laid[last])
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if fits(middle) else (middle, high)
    return laid[high]


def _overflowing(document):  # type: ignore[no-untyped-def]
    """Return the face as overflowing: a second page, so that the fit check reports it."""
    return document if len(document.pages) > 1 else document.copy(document.pages * 2)


def render_card(job, s, env, cache) -> list[Output]:  # type: ignore[no-untyped-def]
    """Render a card: its two faces at card size, and an N-up sheet per paper size (a discreet
    card: folded.render_folded)."""
    documents, problems, _ = layout_faces(job, s, env, cache, draft_fit=s.draft)
    if problems and not s.draft:
        raise FitError(f"{len(problems)} card face(s) do not fit", problems=problems)
    key = job_key(job, s)
    created = s.built.strftime("%Y-%m-%dT%H:%M:%SZ")
    front, back = documents
    card_pdf = document_pdf(front.copy(front.pages + back.pages), job_name=job.output,
                            created=created, identifier=key, print_shop=s.print_shop)
    meta = {**card_meta(job, s), "key": key, "overflow": [p.message for p in problems]}
    title = plain_text(job.edition.docs[job.doc.id].get(job.doc.title) or job.doc.title.text)
    return [Output(job.output, card_pdf, {**meta, "pages": 2}),
            *card_sheets(job, s, cache, card_pdf, meta, CARD_SIZES[s.config.card_size], title, "print-cards")]


def card_sheets(job, s, cache, card_pdf: bytes, meta: dict, size: CardSize, title: str, how: str,  # type: ignore[no-untyped-def]
                fold: float = 0.0) -> list[Output]:
    """Return a card's N-up sheet per paper size: crop marks (and fold marks ``fold`` mm below
    each card's top), a caption with ``title`` and the ui string ``how`` (how to print), fronts
    and mirrored backs; for a print shop, PDF/X-4 with a gutter so that every card keeps its bleed."""
    created = s.built.strftime("%Y-%m-%dT%H:%M:%SZ")
    fonts, ui = s.fonts[job.lang.code], job.edition.ui
    outputs = []
    for paper in s.config.sheets:
        g = grid(paper, size, gutter=s.print_shop)
        name = f"{job.output} sheet {paper}"
        caption = f"{title} · {job.lang.name} · {ui('per-sheet', count=str(g.count))} · {ui(how)}"
        marks = render_document(marks_html(g, caption, job.lang.tag, fonts.stack, fonts.css, fold=fold),
                                base_dir=s.config.layouts_dir, stylesheets=[],
                                roots=[s.config.layouts_dir, s.cache_dir], job_name=name, cache=cache,
                                print_shop=s.print_shop)
        sheet = document_pdf(marks.copy(marks.pages * 2), job_name=name, created=created,
                             identifier=meta["key"] + paper, print_shop=s.print_shop)
        outputs.append(Output(job.output.replace(".pdf", f"-sheet-{paper}.pdf"), impose(card_pdf, sheet, g),
                              {**meta, "layout": "card-sheet", "paper": paper, "per_sheet": g.count,
                               "grid": [g.cols, g.rows], "pages": 2}))
    return outputs


def card_meta(job, s) -> dict:  # type: ignore[no-untyped-def]
    """Return the manifest entry every card file shares."""
    tr = job.edition.docs[job.doc.id]
    translated = sum(1 for seg in job.doc.segments if tr.get(seg)) if job.lang.code != "en" else len(job.doc.segments)
    return {"language": job.lang.code, "layout": "card", "card": job.doc.id, "size": s.config.card_size,
            "review": "draft" if job.draft else "reviewed", "key": job_key(job, s), "document": job.doc.id,
            "source": {"title": job.doc.source.title, "author": job.doc.source.author,
                       "url": job.doc.source.url, "terms": job.doc.source.terms},
            "segments": {"total": len(job.doc.segments), "translated": translated,
                         "fallback": len(job.doc.segments) - translated}, "links": printed_links(job)}
