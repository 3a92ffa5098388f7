"""The build, top to bottom: config -> content -> catalogs -> jobs -> render -> pack."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import __version__
from .catalogs import Edition, load_catalogs
from .config import Pack, load_pack
from .content import Document, load_content
from .errors import ConfigError, Problem
from .fonts import check_texts
from .ui import STRINGS
from .i18n import Language, language
from .markup import plain_text
from markupsafe import Markup

from .pack import Output, build_lock, write_pack
from .render import Tally, environment, page_counter_css, render_html, translator, write_pdf

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Job:
    """One output to render: a layout applied to a document in a language."""

    lang: Language
    edition: Edition
    layout: str                      # handout | credits
    output: str                      # path inside the pack folder
    doc: Document | None = None
    others: tuple = ()               # index: every (Language, Edition) of the pack


@dataclass
class BuildReport:
    """What a build did: where the pack is and what each output contains."""

    pack: Pack
    target: Path
    outputs: list[dict] = field(default_factory=list)

    @property
    def fallbacks(self) -> int:
        return sum(o.get("segments", {}).get("fallback", 0) for o in self.outputs)


def build(pack_path: Path, *, languages: list[str] | None = None, out_dir: Path = Path("dist"),
          progress: Progress | None = None) -> BuildReport:
    """Build the pack at ``pack_path`` into ``out_dir/<name>/``; the old pack stays on failure."""
    config = load_pack(pack_path)                                  # what to build, validated once
    langs = select_languages(config, languages)
    docs = load_content(config.content_dir, list(config.documents))   # English -> segments
    editions = load_catalogs(config.locales_dir, langs, docs)     # PO files -> translations
    jobs = plan_jobs(langs, docs, editions)                        # (lang, doc, layout) -> path
    check_fonts(jobs)                                              # no tofu, before any render
    built = build_date()
    with build_lock(Path(out_dir), config.name):
        outputs = render_all(jobs, config, docs, built, progress)  # HTML -> PDF
        header = {"pack": config.name, "title": config.title, "packbuilder": __version__,
                  "built": built.isoformat(), "languages": list(langs)}
        target = write_pack(outputs, Path(out_dir) / config.name, header)   # atomic swap
    return BuildReport(config, target, [dict(path=o.path, **o.meta) for o in outputs])


def select_languages(config: Pack, wanted: list[str] | None) -> tuple[str, ...]:
    """Return the languages to build: all the pack lists, or the ones asked for."""
    if not wanted:
        return config.languages
    unknown = [w for w in wanted if w not in config.languages]
    if unknown:
        raise ConfigError("", problems=[Problem(
            f"--lang {w}: the pack does not list this language (it lists {', '.join(config.languages)}); "
            f"add it to [pack] languages first", config.path) for w in unknown])
    return tuple(w for w in config.languages if w in wanted)


def build_date() -> datetime:
    """Return the build's date: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else 1735689600      # 2025-01-01, a fixed default
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def plan_jobs(langs: tuple[str, ...], docs: list[Document], editions: dict[str, Edition]) -> list[Job]:
    """Return every output of the pack: a handout per document, and credits, per language."""
    jobs = []
    for code in langs:
        lang, edition = language(code), editions[code]
        jobs += [Job(lang, edition, "handout", f"{code}/{doc.id}.pdf", doc) for doc in docs]
        jobs.append(Job(lang, edition, "credits", f"{code}/credits.pdf"))
    first = langs[0]
    jobs.append(Job(language(first), editions[first], "index", "index.pdf",
                    others=tuple((language(c), editions[c]) for c in langs)))
    return jobs


def check_fonts(jobs: list[Job]) -> None:
    """Refuse to print a character that no font of its language's stack can draw."""
    by_lang: dict[str, tuple[Language, list]] = {}
    for job in jobs:
        lang, texts = by_lang.setdefault(job.lang.code, (job.lang, []))
        if job.doc is None:
            texts += [(job.edition.ui(key), None, None, f"ui/{key}") for key in STRINGS]
            texts.append((job.lang.name, None, None, "language name"))
            continue
        tr = job.edition.docs[job.doc.id]
        for seg in job.doc.segments:
            text = tr.get(seg)
            texts.append((text, tr.path, tr.lines.get(seg.context), seg.context) if text
                         else (seg.text, job.doc.path, seg.lineno, seg.context))
        src = job.doc.source
        texts.append((" ".join([src.title, src.author, src.terms, src.url]), job.doc.path, 1, "[source]"))
        texts += [(" ".join(b.grid + b.words), job.doc.path, b.lineno, "wordsearch")
                  for b in _walk(job.doc.blocks) if b.type == "wordsearch"]
    for lang, texts in by_lang.values():
        check_texts(lang.code, lang.fonts, texts)


def _walk(blocks):  # type: ignore[no-untyped-def]
    for b in blocks:
        yield b
        yield from _walk(getattr(b, "blocks", ()))


def render_all(jobs: list[Job], config: Pack, docs: list[Document], built: datetime,
               progress: Progress | None = None) -> list[Output]:
    """Render every job in order; the first failure stops the build."""
    env = environment(config.layouts_dir)
    cache: dict = {}
    outputs = []
    for n, job in enumerate(jobs, 1):
        if progress:
            progress(job.output, n, len(jobs))
        outputs.append(render_job(job, config, env, docs, built, cache))
    return outputs


def _page_css(config: Pack, job: Job) -> str:
    counter = page_counter_css(job.edition.ui("page", page="{page}", pages="{pages}"))
    return (f":root {{ --font-stack: {job.lang.font_css()}; }}\n"
            f"@page {{ size: {config.paper if config.paper == 'letter' else 'A4'}; "
            f"@bottom-right {{ content: {counter}; }} }}")


def render_job(job: Job, config: Pack, env, docs: list[Document], built: datetime,  # type: ignore[no-untyped-def]
               cache: dict) -> Output:
    """Render one job to PDF bytes with its manifest entry."""
    tally = Tally()
    draft = job.lang.code != "en" and (
        job.edition.docs[job.doc.id].review.reviewed is False if job.doc else job.edition.draft)
    context = {"lang": job.lang, "ui": job.edition.ui, "draft": draft,
               "page_css": Markup(_page_css(config, job)), "pack": config}
    if job.doc is not None:
        translation = job.edition.docs[job.doc.id]
        t = translator(translation.get, job.lang.tag, tally)
        context |= {"doc": job.doc, "t": t, "keywords": _keywords(job),
                    "plain": lambda seg: plain_text(translation.get(seg) or seg.text)}
        template = "handout/handout.html.j2"
    elif job.layout == "index":
        context |= {"languages": _index_entries(job, docs), "draft": False}
        template = "index/index.html.j2"
    else:
        context |= {"entries": _credit_entries(job, docs), "built": job.edition.ui(
            "built", date=job.lang.format_date(built.date()))}
        template = "credits/credits.html.j2"
    html = render_html(env, template, context)
    sheets = [config.layouts_dir / "base.css", config.layouts_dir / job.layout / f"{job.layout}.css"]
    pdf, pages = write_pdf(html, base_dir=config.layouts_dir, stylesheets=sheets,
                           roots=[config.layouts_dir, config.assets_dir], job_name=job.output,
                           created=built.strftime("%Y-%m-%dT%H:%M:%SZ"), cache=cache)
    meta = {"language": job.lang.code, "layout": job.layout, "pages": pages,
            "review": "draft" if draft else "reviewed"}
    if job.doc is not None:
        meta |= {"document": job.doc.id,
                 "source": {"title": job.doc.source.title, "author": job.doc.source.author,
                            "url": job.doc.source.url, "terms": job.doc.source.terms},
                 "segments": {"total": len(job.doc.segments), "translated": tally.translated,
                              "fallback": len(tally.fallback)}}
    return Output(job.output, pdf, meta)


def _index_entries(job: Job, docs: list[Document]) -> list[dict]:
    return [{"lang": lang, "ui": edition.ui, "draft": lang.code != "en" and edition.draft,
             "fonts": Markup(lang.font_css()), "credits": f"{lang.code}/credits.pdf",
             "docs": [{"title": plain_text(edition.docs[d.id].get(d.title) or d.title.text),
                       "path": f"{lang.code}/{d.id}.pdf"} for d in docs]}
            for lang, edition in job.others]


def _keywords(job: Job) -> str:
    return ", ".join(["sex work", "people in the sex trades", job.doc.kind if job.doc else "credits",
                      job.lang.english_name])


def _credit_entries(job: Job, docs: list[Document]) -> list[dict]:
    entries = []
    for doc in docs:
        tr = job.edition.docs[doc.id]
        title = plain_text(tr.get(doc.title) or doc.title.text)
        if job.lang.code == "en":
            changes, status, fallback = job.edition.ui("changes-en"), "", ""
        else:
            changes = job.edition.ui("changes-translated", language=job.lang.name)
            status = (job.edition.ui("status-reviewed", reviewer=tr.review.reviewer, date=tr.review.date)
                      if tr.review.reviewed else job.edition.ui("status-draft"))
            missing = sum(1 for s in doc.segments if not tr.get(s))
            fallback = job.edition.ui("fallback", count=str(missing)) if missing else ""
        entries.append({"title": title, "source": doc.source, "changes": changes,
                        "status": status, "fallback": fallback})
    return entries
