"""One job: a layout applied to a document in a language -> PDF bytes, and its cache key."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from . import __version__
from .catalogs import Edition
from .config import Pack
from .content import Document, walk
from .fontsubset import FontSet
from .i18n import GRID, Language
from .markup import plain_text
from .pack import Output
from .render import Tally, page_counter_css, render_html, translator, write_pdf
from .ui import STRINGS

TEMPLATES = {"handout": "handout/handout.html.j2", "credits": "credits/credits.html.j2",
             "card": "card/card.html.j2", "activity": "activity/activity.html.j2",
             "contents": "contents/contents.html.j2",
             "index": "index/index.html.j2"}


@dataclass(frozen=True)
class Job:
    """One output to render: a layout applied to a document in a language."""

    lang: Language
    edition: Edition
    layout: str                      # handout | credits | index
    output: str                      # path inside the pack folder
    doc: Document | None = None
    others: tuple = ()               # index: every (Language, Edition) of the pack
    extra: tuple[str, ...] = ()      # further files the job writes (a card's sheets, a landing page)
    activity: object = None          # an activity sheet: the Activity
    audio: object = None             # ... and where its QR code leads (an Audio, or None)
    listing: tuple = ()              # a contents sheet: ((title, path, pages, formats), ...);
                                     # the index: ((language, title, path), ...)
    audios: tuple = ()               # a handout: ((activity name, Audio), ...) for its QR codes
    # what the last build of this output learned (a card's fit settings): a hint that saves
    # work, never part of the output's key
    hints: dict | None = field(default=None, compare=False)

    @property
    def outputs(self) -> tuple[str, ...]:
        return (self.output, *self.extra)

    @property
    def draft(self) -> bool:
        if self.lang.code == "en" or self.layout == "index":
            return False
        return not self.edition.docs[self.doc.id].review.reviewed if self.doc else self.edition.draft


@dataclass(frozen=True)
class Setting:
    """What every job of a build shares: the pack, its documents, fonts and date."""

    config: Pack
    docs: tuple[Document, ...]
    fonts: dict[str, FontSet]
    built: datetime
    cache_dir: Path
    draft: bool = False              # --draft: print overflowing card faces, stamped
    print_shop: bool = False         # --print-shop: PDF/X-4, text in K, cards ganged with gutters


def layout_hash(layouts_dir: Path, layout: str) -> str:
    """Hash the files that shape a layout: the shared ones and its own folder (read every time:
    a layout edited between two builds in one process must not look unchanged)."""
    files = [layouts_dir / "base.css", layouts_dir / "macros.html.j2",
             *sorted((layouts_dir / layout).rglob("*"))]
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=None)
def code_hash() -> str:
    """Return a hash of packbuilder's own code: a fix between two releases must not leave old
    outputs looking current."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def job_key(job: Job, s: Setting) -> str:
    """Return a hash of everything that shapes this output; an unchanged key means reuse."""
    langs = [(lang, ed) for lang, ed in job.others] or [(job.lang, job.edition)]
    parts = {"packbuilder": code_hash(), "layout": job.layout, "output": job.output,
             "files": layout_hash(s.config.layouts_dir, job.layout), "paper": s.config.paper,
             "title": [s.config.title, s.config.titles], "built": s.built.isoformat(), "draft": job.draft,
             "size": s.config.card_size if job.layout == "card" else "", "extra": job.extra,
             "draft_fit": s.draft and job.layout == "card", "listing": job.listing,
             "print_shop": s.print_shop,
             # the brand, less what this output cannot print: the contact is keyed below, and the
             # neutral name and number of a discreet card are on cards only
             "brand": [{k: v for k, v in s.config.brand.__dict__.items()
                        if k not in ("contact", "contact_on")
                        and (job.layout == "card" or k not in ("discreet_name", "discreet_phone"))},
                       hashlib.sha256(s.config.brand.logo.read_bytes()).hexdigest() if s.config.brand.logo else ""],
             # the contact fields the output prints, in each of its languages (brand.contact_on)
             "contact": [s.config.brand.printed_contact(lang.code, job.layout) for lang, _ in langs],
             "fonts": [s.fonts[lang.code].key for lang, _ in langs], "lang": job.lang.code,
             "grid_font": s.fonts[GRID].key if GRID in s.fonts and prints_grid(job) else "",
             "ui": {k: job.edition.ui(k) for k in STRINGS}, "services": repr(s.config.services)}
    if job.activity is not None:
        from .activities import audio_file
        parts["activity"] = [job.activity.name, repr(job.activity.blocks), repr(job.audio), s.config.site_url]
        supplied = audio_file(s.config.assets_dir, job.lang.code, job.activity.name)
        parts["audio_file"] = hashlib.sha256(supplied.read_bytes()).hexdigest() if supplied else ""
    if job.audios:
        parts["audios"] = repr(job.audios)
    if job.doc is not None:
        tr = job.edition.docs[job.doc.id]
        parts["doc"] = [job.doc.source.__dict__, [(seg.context, seg.text, tr.get(seg)) for seg in job.doc.segments],
                        repr(job.doc.blocks)]
    else:   # credits and index show titles, review status and how much fell back
        parts["docs"] = [[lang.code, ed.ui("draft"), d.source.__dict__, _title(ed, d), ed.docs[d.id].review.__dict__,
                          sum(1 for seg in d.segments if not ed.docs[d.id].get(seg))]
                         for lang, ed in langs for d in s.docs]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def plural_ui(ui, lang: str, key: str, count: int) -> str:  # type: ignore[no-untyped-def]
    """Return ``key-one`` or ``key-other`` filled with ``count``, as CLDR's plural rule for ``lang`` picks."""
    from babel import Locale
    form = Locale.parse(lang).plural_form(count)
    return ui(f"{key}-one" if form == "one" else f"{key}-other", count=str(count))


def pages_text(ui, lang: str, count: int) -> str:  # type: ignore[no-untyped-def]
    """Return "1 page" / "3 pages" in ``lang``."""
    return plural_ui(ui, lang, "pages", count)


def review_date(value: str, lang: Language) -> str:
    """Return an ISO review date (2026-09-13) as the language writes it; anything else as given."""
    from datetime import date
    try:
        return lang.format_date(date.fromisoformat(value.strip()))
    except ValueError:
        return value


def _title(edition: Edition, doc: Document) -> str:
    return plain_text(edition.docs[doc.id].get(doc.title) or doc.title.text)


def brand_context(job: Job, s: Setting) -> dict:
    """Return what layouts need of the brand: the brand, its logo as a data: URI, the contact."""
    from .brand import logo_uri
    from .hours import text
    brand, code, ui = s.config.brand, job.lang.code, job.edition.ui
    return {"brand": brand, "logo": logo_uri(brand.logo) if brand.logo else "",
            "contact": {k: text(v, code, ui) for k, v in brand.printed_contact(code, job.layout).items()},
            "hours": lambda value: text(value, code, ui)}


def prints_grid(job: Job) -> bool:
    """Whether the job prints a word-search grid (in the grid's own monospaced font)."""
    if job.doc is None or job.layout == "card":
        return False
    blocks = job.activity.blocks if job.activity is not None else job.doc.blocks
    return any(b.type == "wordsearch" for b in walk(blocks))


def _page_css(job: Job, s: Setting) -> Markup:
    counter = page_counter_css(job.edition.ui("page", page="{page}", pages="{pages}"))
    langs = [lang for lang, _ in job.others] or [job.lang]
    faces = "\n".join(s.fonts[lang.code].css for lang in langs)
    grid = s.fonts.get(GRID) if prints_grid(job) else None
    if grid is not None:
        faces += f"\n{grid.css}\n:root {{ --grid-font: {grid.stack}; }}"
    return Markup(f"{faces}\n{s.config.brand.css()}\n:root {{ --font-stack: {s.fonts[job.lang.code].stack}; }}\n"
                  f"@page {{ size: {'letter' if s.config.paper == 'letter' else 'A4'}; "
                  f"@bottom-right {{ content: {counter}; }} }}")


def job_html(job: Job, s: Setting, env, tally: Tally | None = None) -> str:  # type: ignore[no-untyped-def]
    """Return the HTML of one job: its layout filled with the job's text."""
    tally = tally if tally is not None else Tally()
    context = {"lang": job.lang, "ui": job.edition.ui, "draft": job.draft, "page_css": _page_css(job, s),
               "pack": s.config, **brand_context(job, s)}
    if job.layout == "handout":
        translation = job.edition.docs[job.doc.id]
        from .activities import qr_data_uri
        context["qrs"] = {name: {"uri": qr_data_uri(a.url), "url": a.url, "website": a.website,
                                 "note": job.edition.ui("audio-language", language=job.lang.name_of(a.lang))
                                 if a.fallback else ""} for name, a in job.audios}
        context |= {"doc": job.doc, "t": translator(translation.get, job.lang.tag, tally),
                    "keywords": ", ".join(["sex work", "people in the sex trades", job.doc.kind, job.lang.english_name]),
                    "plain": lambda seg: plain_text(translation.get(seg) or seg.text)}
    elif job.layout == "activity":
        from .activities import key_uri, qr_data_uri
        translation = job.edition.docs[job.doc.id]
        context |= {"doc": job.doc, "activity": job.activity, "audio": job.audio,
                    "t": translator(translation.get, job.lang.tag, tally),
                    "plain": lambda seg: plain_text(translation.get(seg) or seg.text),
                    "qr": qr_data_uri(job.audio.url) if job.audio else "",
                    "audio_language": job.lang.name_of(job.audio.lang) if job.audio else "",
                    "key": key_uri(job.activity.block) if job.activity.kind == "wordsearch" else ""}
    elif job.layout == "contents":
        ui = job.edition.ui
        papers = {"letter": "Letter", "a4": "A4"}
        context |= {"listing": [{"title": t_, "path": p_, "pages": pages_text(ui, job.lang.code, n_),
                                 "formats": " · ".join(ui(k, paper=papers.get(x, x)) for k, x in f_)}
                                for t_, p_, n_, f_ in job.listing],
                    "discreet": s.config.brand.is_discreet("*"), "folded": any(k == "format-folded" for *_, f_ in job.listing for k, _ in f_),
                    "paper": "Letter" if s.config.paper == "letter" else "A4"}
    elif job.layout == "index":
        context["languages"] = [
            {"lang": lang, "ui": ed.ui, "draft": lang.code != "en" and ed.draft, "title": s.config.title_in(lang.code),
             "fonts": Markup(s.fonts[lang.code].stack),
             "docs": [{"title": title, "path": path} for code, title, path in job.listing if code == lang.code]}
            for lang, ed in job.others]
    else:
        context |= {"entries": [_credit(job, d, s.docs, s.config.brand.name) for d in s.docs],
                    "built": job.edition.ui("built", date=job.lang.format_date(s.built.date()))}
    return render_html(env, TEMPLATES[job.layout], context)


def render_job(job: Job, s: Setting, env, cache: dict) -> list[Output]:  # type: ignore[no-untyped-def]
    """Render one job to its files, each with its manifest entry (cards: cards.render_card)."""
    tally = Tally()
    html = job_html(job, s, env, tally)
    key = job_key(job, s)
    if job.layout == "activity":
        layout_css = s.config.layouts_dir / "activity" / "activity.css"
    else:
        layout_css = s.config.layouts_dir / job.layout / f"{job.layout}.css"          # independent of where the pack and its font cache live
    layouts = s.config.layouts_dir
    pdf, pages = write_pdf(html, base_dir=layouts, stylesheets=[layouts / "base.css", layout_css],
                           roots=[layouts, s.config.assets_dir, s.cache_dir], job_name=job.output,
                           created=s.built.strftime("%Y-%m-%dT%H:%M:%SZ"), cache=cache, identifier=key,
                           fit=True, pages=(2 if prints_grid(job) else 1) if job.layout == "activity" else None,
                           print_shop=s.print_shop, cover=job.layout == "contents")
    meta = {"language": job.lang.code, "layout": job.layout, "pages": pages,
            "review": "draft" if job.draft else "reviewed", "key": key}
    if job.doc is not None:
        src = job.doc.source
        meta |= {"document": job.doc.id,
                 "source": {"title": src.title, "author": src.author, "url": src.url, "terms": src.terms},
                 "segments": {"total": len(job_segments(job)), "translated": tally.translated,
                              "fallback": len(tally.fallback)}}
        meta["links"] = printed_links(job) + [{"url": a.url, "kind": "qr"} for _, a in job.audios]
    outputs = [Output(job.output, pdf, meta)]
    if job.activity is not None:
        meta["activity"] = job.activity.name
        if job.audio is not None:
            meta["links"].append({"url": job.audio.url, "kind": "qr"})
            meta["audio"] = {"url": job.audio.source_url or job.audio.url, "language": job.audio.lang,
                             "fallback": job.audio.fallback, "note": job.audio.note,
                             "leads_to": "website" if job.audio.website else "recording"}
        if job.extra:
            outputs += landing(job, s, env, {k: v for k, v in meta.items() if k != "links"})
    return outputs


def printed_links(job: Job) -> list[dict]:
    """Return every link a document's output prints, in the language it prints in."""
    from .markup import inline_links
    tr = job.edition.docs[job.doc.id]
    seen: dict[str, dict] = {}
    for seg in job_segments(job):
        english = inline_links(seg.text)
        # a translation prints only the links its English has (render.translator drops the rest)
        for url in (u for u in inline_links(tr.get(seg) or seg.text) if u in english):
            seen.setdefault(url, {"url": url, "kind": "link"})
    if job.doc.source.url:
        seen.setdefault(job.doc.source.url, {"url": job.doc.source.url, "kind": "link"})
    return list(seen.values())


def job_segments(job: Job) -> list:
    """Return the segments an output prints: its activity's, or its whole document's."""
    if job.activity is None:
        return list(job.doc.segments)
    from .content import block_segments
    return block_segments(job.activity.blocks)


def landing(job: Job, s: Setting, env, meta: dict) -> list[Output]:  # type: ignore[no-untyped-def]
    """Return a script-free landing page for an audio activity, and its audio file if supplied."""
    from .activities import AUDIO_TYPES, audio_file
    tr = job.edition.docs[job.doc.id]
    text = lambda seg: plain_text(tr.get(seg) or seg.text)  # noqa: E731
    paras = [b.segment for b in job.activity.block.blocks if b.type == "paragraph"]
    supplied = audio_file(s.config.assets_dir, job.lang.code, job.activity.name)
    folder = f"web/{job.lang.code}/{job.activity.name}"
    html = render_html(env, "activity/landing.html.j2", {
        "lang": job.lang, "ui": job.edition.ui, "doc": job.doc, "audio": job.audio,
        "title": text(job.activity.blocks[0].segment), "instructions": text(paras[0]) if paras else "",
        "questions": [text(p) for p in paras[1:]], "audio_src": supplied.name if supplied else "",
        "audio_language": job.lang.name_of(job.audio.lang)})
    outputs = [Output(f"{folder}/index.html", html.encode("utf-8"), {**meta, "layout": "landing-page"})]
    if supplied is not None:
        outputs.append(Output(f"{folder}/{supplied.name}", supplied.read_bytes(),
                              {**meta, "layout": "audio", "type": AUDIO_TYPES[supplied.suffix]}))
    return outputs


def _credit(job: Job, doc: Document, docs: tuple[Document, ...], organisation: str = "") -> dict:
    """Return a credits entry: title, source, and what was changed (condensed, translated, adapted)."""
    entry = _credit_entry(job, doc, docs)
    if organisation:
        entry["changes"] += " " + job.edition.ui("adapted-by", organisation=organisation) + "."
    return entry


def _credit_entry(job: Job, doc: Document, docs: tuple[Document, ...]) -> dict:
    ui, tr = job.edition.ui, job.edition.docs[doc.id]
    if doc.kind == "card":
        base = next((d for d in docs if d.id == doc.based_on), None)
        condensed = ui("condensed", title=_title(job.edition, base) if base else doc.source.title) + " "
    else:
        condensed = ""
    if job.lang.code == "en":
        return {"title": _title(job.edition, doc), "source": doc.source,
                "changes": condensed + ui("changes-en"), "status": "", "fallback": ""}
    missing = sum(1 for s in doc.segments if not tr.get(s))
    return {"title": _title(job.edition, doc), "source": doc.source,
            "changes": condensed + ui("changes-translated", language=job.lang.name),
            "status": ui("status-reviewed", reviewer=tr.review.reviewer, date=review_date(tr.review.date, job.lang))
            if tr.review.reviewed else ui("status-draft"),
            "fallback": plural_ui(ui, job.lang.code, "fallback", missing) if missing else ""}
