"""Wallet cards: each face laid out on its own, checked to fit, then imposed on sheets."""
from __future__ import annotations

import hashlib

from markupsafe import Markup

from .content import Document
from .errors import FitError, Problem
from .impose import CARD_SIZES, CardSize, grid, impose, marks_html
from .jobs import brand_context, code_hash, job_key, layout_hash, printed_links
from .markup import plain_text
from .pack import Output, write_atomic
from .render import Tally, document_pdf, render_document, render_html, translator
from .resources import RESOURCES, services_by_category

FACES = ("front", "back")
# Card text: as large as the face allows up to SIZES[0], never under 8 pt (Chinese included);
# at 8 pt the leading may close up to TIGHT, and the spaces between items to a quarter,
# before the face is reported as not fitting.
SIZES = (9.0, 8.75, 8.5, 8.25, 8.0)
LEADING, TIGHT = 1.22, 1.1
SETTINGS = [(size, LEADING) for size in SIZES] + [(SIZES[-1], TIGHT)]


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


def fit_context(job, s) -> str:  # type: ignore[no-untyped-def]
    """Return a hash of what shapes a face besides its HTML: packbuilder's code, the card
    layout's files, the fonts; a fit hint made under another context is not used."""
    parts = [code_hash(), layout_hash(s.config.layouts_dir, "card"), s.fonts[job.lang.code].key,
             s.print_shop, s.config.card_size]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def layout_faces(job, s, env, cache, *, draft_fit: bool) -> tuple[list, list[Problem], Tally, dict]:  # type: ignore[no-untyped-def]
    """Lay out both faces, each at the largest size that fits its safe area; return (documents,
    fit problems, tally, the fit hint for the next build). ``draft_fit`` stamps a face that does
    not fit even at 8 pt. The job's hint from the last build (``job.hints["fit"]``) says where
    each face ended: see search_face."""
    doc, tally = job.doc, Tally()
    context = fit_context(job, s)
    previous = (job.hints or {}).get("fit") or {}
    hints = previous.get("faces", {}) if previous.get("context") == context else {}
    made: dict = {"context": context, "faces": {}}
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
        def digest(i: int) -> str:
            return hashlib.sha256(html(False, *SETTINGS[i]).encode()).hexdigest()[:32]
        hint = hints.get(face)
        valid = isinstance(hint, list) and len(hint) == 2 and isinstance(hint[0], int) and hint[0] in range(len(SETTINGS))
        guess, known = (hint[0], digest(hint[0])) if valid else (None, "")
        document, index = search_face(lambda size, leading=LEADING: lay_out(html(False, size, leading)),
                                      guess, valid and known == hint[1])
        made["faces"][face] = None if index is None else [index, known if index == guess else digest(index)]
        if len(document.pages) > 1:
            problems.append(fit_problem(doc, job.lang.code, face, len(document.pages)))
            if draft_fit:
                stamped = lay_out(html(True, SIZES[-1], TIGHT))
                document = stamped.copy(stamped.pages[:1])
        documents.append(document)
    return documents, problems, tally, made


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
    """Return a face laid out at the largest of SETTINGS whose text stays inside the safe area
    (see search_face)."""
    return search_face(lay_out)[0]


def search_face(lay_out, guess: int | None = None, same: bool = False):  # type: ignore[no-untyped-def]
    """Return (the face laid out at the largest of SETTINGS that fits its safe area, that
    setting's index); a face that does not fit even at the last comes back with a second page
    and None.

    The settings run from the largest size down to 8 pt, then 8 pt with the leading closed up;
    what fits is monotonic in them, so the answer is the first that fits. A face that fits at
    the largest is laid out once; for the others, how far the largest overflows says which
    setting to try first, and halving finds the best from there. ``guess`` is where the last
    build of this face ended (its manifest's hint): tried first, then the one above it, so a
    face whose text changed a little costs two layouts. ``same`` says the face's HTML and
    everything else that shapes it are as they were: the guess is the answer, laid out once.
    """
    settings = SETTINGS
    laid: dict[int, object] = {}
    guess = guess if isinstance(guess, int) and guess in range(len(settings)) else None     # only a hint

    def fits(i: int) -> bool:
        if i not in laid:
            laid[i] = lay_out(*settings[i])
        return face_fill(laid[i]) <= 1.0

    last = len(settings) - 1
    if guess is not None:
        if same:
            return lay_out(*settings[guess]), guess
        if fits(guess):
            if guess == 0 or not fits(guess - 1):
                return laid[guess], guess
            if fits(0):
                return laid[0], 0
            low, high = 0, guess - 1          # low does not fit, high does
        elif guess < last and fits(last):
            low, high = guess, last
        else:
            return _overflowing(laid[last] if last in laid else lay_out(*settings[last])), None
    else:
        if fits(0):
            return laid[0], 0
        # how far the largest overflows says where to look first: text area grows with size squared
        fill = face_fill(laid[0])
        guessed = SIZES[0] / fill ** 0.5 if fill < 2.0 else SIZES[-1]
        first = next((i for i, (size, _) in enumerate(settings) if i and size <= guessed + 0.01), last)
        if fits(first):
            low, high = 0, first            # low does not fit, high does
        elif fits(last):
            low, high = first, last
        else:
            return _overflowing(laid[last]), None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if fits(middle) else (middle, high)
    return laid[high], high


def _overflowing(document):  # type: ignore[no-untyped-def]
    """Return the face as overflowing: a second page, so that the fit check reports it."""
    return document if len(document.pages) > 1 else document.copy(document.pages * 2)


def render_card(job, s, env, cache) -> list[Output]:  # type: ignore[no-untyped-def]
    """Render a card: its two faces at card size, and an N-up sheet per paper size (a discreet
    card: folded.render_folded)."""
    documents, problems, _, fit = layout_faces(job, s, env, cache, draft_fit=s.draft)
    if problems and not s.draft:
        raise FitError(f"{len(problems)} card face(s) do not fit", problems=problems)
    key = job_key(job, s)
    created = s.built.strftime("%Y-%m-%dT%H:%M:%SZ")
    front, back = documents
    card_pdf = document_pdf(front.copy(front.pages + back.pages), job_name=job.output,
                            created=created, identifier=key, print_shop=s.print_shop)
    meta = {**card_meta(job, s), "key": key, "overflow": [p.message for p in problems], "fit": fit}
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
        html = marks_html(g, caption, job.lang.tag, fonts.stack, fonts.css, fold=fold)

        def draw(html: str = html, name: str = name) -> bytes:
            marks = render_document(html, base_dir=s.config.layouts_dir, stylesheets=[],
                                    roots=[s.config.layouts_dir, s.cache_dir], job_name=name, cache=cache,
                                    print_shop=s.print_shop)
            return document_pdf(marks.copy(marks.pages * 2), job_name=name, created=created,
                                identifier=hashlib.sha256(html.encode()).hexdigest(), print_shop=s.print_shop)
        sheet = marks_pdf(s, html, created, draw)
        outputs.append(Output(job.output.replace(".pdf", f"-sheet-{paper}.pdf"),
                              impose(card_pdf, sheet, g, identifier=meta["key"] + paper),
                              {**{k: v for k, v in meta.items() if k != "fit"}, "layout": "card-sheet", "paper": paper,
                               "per_sheet": g.count, "grid": [g.cols, g.rows], "pages": 2}))
    return outputs


#: Marks sheets older than this many days are removed from the cache when a new one is kept.
MARKS_DAYS = 30


def marks_pdf(s, html: str, created: str, draw) -> bytes:  # type: ignore[no-untyped-def]
    """Return the crop-mark sheet ``html`` describes, as PDF, from the per-user cache beside the
    font cache if it was drawn before by this packbuilder on this build date, else drawn by ``draw()``
    and kept. A card whose text changes (a new phone number) keeps its sheets' marks and caption,
    so its sheets cost an imposition, not a layout."""
    import time
    folder = s.cache_dir.parent / "sheets"
    key = hashlib.sha256(repr((code_hash(), created, s.print_shop, html)).encode()).hexdigest()[:40]
    path = folder / f"{key}.pdf"
    try:
        data = path.read_bytes()
        if data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"):
            return data
    except OSError:
        pass
    data = draw()
    try:
        write_atomic(path, data)
        old = time.time() - MARKS_DAYS * 86400
        for stale in folder.glob("*.pdf"):
            if stale.stat().st_mtime < old:
                stale.unlink(missing_ok=True)
    except OSError:                # a read-only cache: the sheet is drawn each time
        pass
    return data


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
