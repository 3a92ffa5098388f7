"""Discreet cards: a folded card whose outside panels carry only a neutral title and contact.

The flat card is two panels high (3.5 × 4 in folding to 3.5 × 2 in; ID-1: 85.6 × 107.96 mm
folding to 85.6 × 53.98 mm). Page 1 is the outside: the back panel, turned 180°, above the
cover. Page 2 is the inside, both panels turned 180°: the sheet is printed double-sided,
flipped on its long edge, like the card sheets. After rendering, both outside panels are read
back from the PDF and checked for revealing words in the page's language.
"""
from __future__ import annotations

import io
import re

from markupsafe import Markup

from .cards import card_context, card_meta, card_sheets
from .errors import FitError, Problem
from .impose import CARD_SIZES, CardSize
from .pack import Output
from .render import Tally, document_pdf, render_document, render_html, translator
from .textsafety import fold

PANELS = ("cover", "back", "inside-1", "inside-2")
OUTSIDE = {"cover": "outside front panel (the cover)", "back": "outside back panel"}
CJK = ("zh", "ja", "ko")


def flat_size(size: str) -> CardSize:
    """Return the flat (unfolded) size of a folded card of ``size``: two panels high."""
    card = CARD_SIZES[size]
    return CardSize(f"{card.name}-folded", card.width, round(2 * card.height, 2), card.bleed)


def folded_css(size: str, font_stack: str, fonts_css: str, brand_css: str, panel: str) -> str:
    """Return the page CSS: one panel's size for a fit check, else the flat card with its bleed."""
    card = CARD_SIZES[size]
    page = (card if panel else flat_size(size)).css()
    return (f"{fonts_css}\n{brand_css}\n:root {{ --font-stack: {font_stack}; --safe: {card.bleed}mm;"
            f" --bleed: {card.bleed}mm; --panel-w: {card.width}mm; --panel-h: {card.height}mm; }}\n"
            f"@page {{ size: {page}; bleed: {card.bleed}mm; margin: 0; background: #fff;"
            " @top-center { content: none } @bottom-left { content: none } @bottom-right { content: none } }")


def panel_name(panel: str) -> str:
    """Return how messages name a panel: "outside back panel", "inside upper panel (…)"."""
    return {"inside-1": "inside upper panel (title and front text)",
            "inside-2": "inside lower panel (back text and source)"}.get(panel, OUTSIDE.get(panel, panel))


def fold_problem(job, panel: str, pages: int) -> Problem:  # type: ignore[no-untyped-def]
    return Problem(f"card {job.doc.id} [{job.lang.code}] {panel_name(panel)}: text does not fit (needs {pages} panels) "
                   "— shorten the translation, or the neutral name in [brand]")


def layout_folded(job, s, env, cache, *, draft_fit: bool):  # type: ignore[no-untyped-def]
    """Lay out each panel alone (the fit check), then the flat card; return (document, problems)."""
    common = card_context(job, s, translator(job.edition.docs[job.doc.id].get, job.lang.tag, Tally()))
    layouts = s.config.layouts_dir
    sheets = [layouts / "base.css", layouts / "card" / "card.css", layouts / "card" / "folded.css"]
    roots = [layouts, s.config.assets_dir, s.cache_dir]
    fonts = s.fonts[job.lang.code]

    def html(panel: str, overflowing: tuple[str, ...] = ()) -> str:
        return render_html(env, "card/folded.html.j2", {
            **common, "panel": panel, "overflowing": overflowing,
            "page_css": Markup(folded_css(s.config.card_size, fonts.stack, fonts.css, s.config.brand.css(), panel))})

    problems, over = [], []
    for panel in PANELS:
        alone = render_document(html(panel), base_dir=layouts, stylesheets=sheets, roots=roots,
                                job_name=f"{job.output} ({panel})", cache=cache, print_shop=s.print_shop)
        if len(alone.pages) > 1:
            problems.append(fold_problem(job, panel, len(alone.pages)))
            over.append(panel)
    document = render_document(html("", tuple(over) if draft_fit else ()), base_dir=layouts,
                               stylesheets=sheets, roots=roots, job_name=job.output, cache=cache,
                               print_shop=s.print_shop)
    return document, problems


def render_folded(job, s, env, cache) -> list[Output]:  # type: ignore[no-untyped-def]
    """Render a discreet card: the flat folded card, checked outside, and its N-up sheets."""
    from .jobs import job_key
    document, problems = layout_folded(job, s, env, cache, draft_fit=s.draft)
    if problems and not s.draft:
        raise FitError(f"{len(problems)} panel(s) of a folded card do not fit", problems=problems)
    key = job_key(job, s)
    created = s.built.strftime("%Y-%m-%dT%H:%M:%SZ")
    card_pdf = document_pdf(document, job_name=job.output, created=created, identifier=key,
                            print_shop=s.print_shop)
    if found := revealing_problems(card_pdf, job, s):
        raise FitError(f"{len(found)} revealing word(s) on the outside of a discreet card", problems=found)
    flat = flat_size(s.config.card_size)
    meta = {**card_meta(job, s), "layout": "card-folded", "folded": True, "pages": 2, "key": key,
            "overflow": [p.message for p in problems], "flat_mm": [flat.width, flat.height]}
    return [Output(job.output, card_pdf, meta),
            *card_sheets(job, s, cache, card_pdf, meta, flat, job.edition.ui("neutral-title"), "print-folded",
                         fold=CARD_SIZES[s.config.card_size].height)]


def panel_texts(card_pdf: bytes) -> dict[str, str]:
    """Return the text PDFium reads in each outside panel of a flat card's first page."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(io.BytesIO(card_pdf))
    try:
        page = pdf[0]
        left, bottom, right, top = page.get_mediabox()
        tl, tb, tr, tt = page.get_trimbox()
        fold = (tb + tt) / 2
        text = page.get_textpage()
        return {"cover": text.get_text_bounded(left, bottom, right, fold),
                "back": text.get_text_bounded(left, fold, right, top)}
    finally:
        pdf.close()


def revealing_found(text: str, words: list[str], lang: str) -> list[str]:
    """Return the words of ``words`` that ``text`` shows: as word starts (whole words when three
    letters or fewer), or anywhere in Chinese and Japanese. Both sides are compared as the other
    safety checks compare them (textsafety.fold): a zero-width space or a Cyrillic "а" hides nothing."""
    if lang.startswith(CJK):
        flat = "".join(fold(text).split()).lower()
        return [w for w in words if "".join(fold(w).split()).lower() in flat]
    flat = " ".join(fold(text).split()).lower()
    # a short word (HIV, STI, its) only as a whole word, so that "Stirling" is not "STI"
    return [w for w in words if re.search(r"(?<!\w)" + re.escape(fold(w).lower()) + (r"(?!\w)" if len(w) <= 3 else ""),
                                          flat)]


def revealing_problems(card_pdf: bytes, job, s) -> list[Problem]:  # type: ignore[no-untyped-def]
    """Return a problem for each revealing word on an outside panel, with the file and the fix."""
    words = s.config.brand.revealing.get(job.lang.code, [])
    found = []
    for panel, text in panel_texts(card_pdf).items():
        for word in revealing_found(text, words, job.lang.code):
            where = ("packbuilder/ui.py, STRINGS['neutral-title']" if job.lang.code == "en"
                     else f"locales/{job.lang.code}/LC_MESSAGES/ui.po")
            fix = (f"change the neutral title (ui entry 'ui/neutral-title' in {where})" if panel == "cover"
                   else "change discreet_name / discreet_phone in the pack's [brand]")
            found.append(Problem(f"{job.output}: card {job.doc.id} [{job.lang.code}] {OUTSIDE[panel]} "
                                 f"(discreet mode) shows {word!r}; {fix}, so that nothing on the outside "
                                 "says what the card is about", s.config.path))
    return found
