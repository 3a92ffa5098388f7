"""The build, top to bottom: config -> content -> catalogs -> jobs -> fonts -> render -> pack."""
from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from . import __version__
from .activities import audio_file, resolve_audio
from .activities import select as select_activities
from .attribution import load_sources
from .cards import layout_faces
from .catalogs import DocTranslation, Edition, Review, load_catalogs
from .config import Pack, load_pack
from .content import Document, load_content, walk
from .errors import CatalogError, ConfigError, OutputError, Problem
from .folded import layout_folded
from .fonts import check_texts, resolve
from .hours import text as hours_text
from .fontsubset import FontSet, faces, font_set, subset_all
from .fontsubset import cache_dir as font_cache
from .fontsubset import plan as subset_plan
from .i18n import GRID, GRID_FONTS, language
from .jobs import Job, Setting
from .pack import Output, build_lock, write_pack
from .resources import RESOURCES, resources_card
from .render import RenderCache, environment
from .scheduler import Progress, Renderer, render_all
from .ui import STRINGS

UI_EN = DocTranslation(None, Review(True), {})


@dataclass
class BuildReport:
    """What a build did: where the pack is, what each output holds, what was reused."""

    pack: Pack
    target: Path
    outputs: list[dict] = field(default_factory=list)
    reused_paths: set[str] = field(default_factory=set)    # the files kept from the last build
    seconds: float = 0.0

    @property
    def reused(self) -> int:
        return len(self.reused_paths)

    @property
    def notes(self) -> list[str]:
        """Return what the pack says of its QR code targets ("url: note"), each once."""
        return sorted({f"{o['audio']['url']}: {o['audio']['note']}" for o in self.outputs
                       if o.get("audio", {}).get("note")})

    @property
    def built(self) -> int:
        return len(self.outputs) - self.reused

    @property
    def fallbacks(self) -> int:
        return sum(o.get("segments", {}).get("fallback", 0) for o in self.outputs)

    @property
    def drafts(self) -> int:
        return sum(o.get("review") == "draft" for o in self.outputs)


def build(pack_path: Path, *, languages: list[str] | None = None, out_dir: Path = Path("dist"),
          jobs: int | None = None, progress: Progress | None = None, draft: bool = False,
          print_shop: bool = False, trust_pack: bool = False) -> BuildReport:
    """Build the pack at ``pack_path`` into ``out_dir/<name>/``; the old pack stays on failure.

    ``trust_pack`` lets the pack read files outside its folder and packbuilder's (the CLI's
    --trust-pack, for a maintainer's own checkout; never for a pack someone sent)."""
    start = time.monotonic()
    config = load_pack(pack_path, trust=trust_pack)                # what to build, validated once
    out_dir = Path(out_dir)
    target = out_dir / config.name
    # a first build starts its workers now, so that they import WeasyPrint while we load
    with Renderer(jobs, warm=not (target / "manifest.json").is_file()) as renderer:
        langs = select_languages(config, languages)
        docs = load_sources(config)                         # -> segments; the sources' terms kept
        editions = load_catalogs(config.locales_dir, langs, docs)         # PO files -> translations
        checked = catalog_key(config, langs)
        if not draft and checked != previous_header(target).get("catalogs"):
            refuse_catalog_errors(config, langs)                           # checked before any render
        planned = plan_jobs(config, langs, docs, editions)                 # (lang, doc, layout) -> paths
        with build_lock(out_dir, config.name):
            built = build_date()
            fonts = prepare_fonts(planned, font_cache(), config, built)   # no tofu; subsets
            setting = Setting(config, tuple(docs), fonts, built, font_cache(), draft, print_shop)
            outputs, reused = render_all(planned, setting, target, renderer, progress,   # -> PDF
                                         group=contents_group, then=contents_sheet)
            checked_pdfs = preflight(outputs, draft)                        # read every PDF back
            header = {"pack": config.name, "title": config.title, "packbuilder": __version__,
                      "built": setting.built.isoformat(), "languages": list(langs),
                      "links": link_list(outputs), "catalogs": checked if not draft else "",
                      "preflight": checked_pdfs.verdict()}
            write_pack(outputs, target, header,                            # folder and zip, then
                       out_dir / f"{config.name}.zip", setting.built)      # one swap each
    return BuildReport(config, target, [dict(path=o.path, **o.meta) for o in outputs], reused,
                       time.monotonic() - start)


def preflight(outputs: list[Output], draft: bool):  # type: ignore[no-untyped-def]
    """Read the built PDFs back; stop on any error unless this is a --draft build."""
    from .preflight import PreflightError, preflight_outputs
    report = preflight_outputs(outputs)
    if report.errors and not draft:
        raise PreflightError(f"preflight: {len(report.errors)} error(s) in the built PDFs; fix them, "
                             "or build with --draft", findings=report.errors)
    return report


def handout_audios(config: Pack, doc: Document, lang: str) -> tuple:
    """Return the QR targets of a handout's audio activities that the pack configures."""
    from .activities import find_activities
    return tuple((name, audio) for name, act in find_activities([doc]).items()
                 if act.kind == "audio" and name in config.audio
                 and (audio := resolve_audio(config, act, lang)) is not None)


def contents_group(job: Job) -> str | None:
    """Return the language whose contents sheet lists ``job`` (the index is in none)."""
    return None if job.layout == "index" else job.lang.code


def contents_sheet(jobs: list[Job], outputs: list[Output]) -> list[Job]:
    """Return the contents sheet of one language: each material once, with its formats and pages."""
    meta = {o.path: o.meta for o in outputs}
    first = jobs[0]
    listing = tuple((output_title(j), j.output, meta.get(j.output, {}).get("pages", 0), material_formats(j, meta))
                    for j in jobs if j.output.endswith(".pdf"))
    return [Job(first.lang, first.edition, "contents", contents_path(first.lang.code), listing=listing)]


def contents_path(code: str) -> str:
    """Return where a language's contents sheet is written."""
    return f"{code}/contents.pdf"


def index_listing(jobs: list[Job], langs: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """Return what the index lists, as (language, title, path): per language each planned output,
    then its contents sheet, then its credits."""
    listing: list[tuple[str, str, str]] = []
    for code in langs:
        mine = [j for j in jobs if j.lang.code == code]
        listing += [(code, output_title(j), j.output) for j in mine if j.layout != "credits"]
        listing.append((code, mine[0].edition.ui("contents-sheet"), contents_path(code)))
        listing += [(code, output_title(j), j.output) for j in mine if j.layout == "credits"]
    return tuple(listing)


def material_formats(job: Job, meta: dict[str, dict]) -> tuple[tuple[str, str], ...]:
    """Return the formats a material comes in, as (ui key, paper): a card, its sheets, a handout…"""
    if job.layout != "card":
        return ((f"format-{job.layout}", ""),)
    main = "format-folded" if meta.get(job.output, {}).get("folded") else "format-card"
    return ((main, ""), *(("format-sheet", meta.get(p, {}).get("paper", "")) for p in job.extra
                          if p.endswith(".pdf")))


def output_title(job: Job) -> str:
    """Return the title a person would give an output, in its language."""
    from .markup import plain_text
    if job.layout == "credits":
        return job.edition.ui("credits-title")
    if job.doc is not None and job.doc.id == RESOURCES:
        return job.edition.ui("local-resources")
    if job.activity is not None:
        seg = job.activity.blocks[0].segment if job.activity.blocks[0].type == "heading" else None
        return plain_text(job.edition.docs[job.doc.id].get(seg) or seg.text) if seg else job.activity.name
    return plain_text(job.edition.docs[job.doc.id].get(job.doc.title) or job.doc.title.text)


def link_list(outputs: list[Output]) -> list[dict]:
    """Return every link and QR code target in the pack, with the files that print it."""
    found: dict[tuple[str, str], list[str]] = {}
    for out in outputs:
        for link in out.meta.get("links", []):
            found.setdefault((link["url"], link["kind"]), []).append(out.path)
    return [{"url": url, "kind": kind, "files": files} for (url, kind), files in sorted(found.items())]


def catalog_key(config: Pack, langs: tuple[str, ...]) -> str:
    """Hash every catalog, template and glossary a build reads: unchanged means already checked."""
    import hashlib
    digest = hashlib.sha256(__version__.encode())
    folders = [config.locales_dir / "templates"] + [config.locales_dir / lang for lang in langs]
    for path in sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*")
                       if p.suffix in (".po", ".pot", ".toml")):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def previous_header(target: Path) -> dict:
    """Return the previous pack's manifest header (without its file list), or {}."""
    try:
        data = json.loads((target / "manifest.json").read_text())
        return {k: v for k, v in data.items() if k != "files"} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def refuse_catalog_errors(config: Pack, langs: tuple[str, ...]) -> None:
    """Stop the build on any error `packbuilder check` would report (markup, glossary, …)."""
    from .checks import check_language
    problems = [p for lang in langs if lang != "en"
                for p in check_language(config.locales_dir, lang, config.domains) if p.severity == "error"]
    if problems:
        raise CatalogError(f"{len(problems)} catalog error(s); fix them, or build with --draft", problems=problems)


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
    """Return the build's date: SOURCE_DATE_EPOCH when set (reproducible builds), else today (UTC).

    The credits print it ("Built on …"), so without SOURCE_DATE_EPOCH it is the true day, taken at
    midnight: builds on one day are byte-identical, and the first build of a new day re-renders.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def plan_jobs(config: Pack, langs: tuple[str, ...], docs: list[Document],
              editions: dict[str, Edition]) -> list[Job]:
    """Return every output of the pack: per language a handout per document, the cards with their
    sheets, and credits; and one index."""
    jobs = []
    for code in langs:
        lang, edition = language(code), editions[code]
        jobs += [Job(lang, edition, "handout", f"{code}/{doc.id}.pdf", doc, audios=handout_audios(config, doc, code))
                 for doc in docs if doc.kind == "handout"]
        cards = [doc for doc in docs if doc.kind == "card"]
        if config.services:                      # only when the pack names real local services
            cards.append(resources_card(config))
            # the organisation's own text has no catalog; it is reviewed by whoever wrote it
            edition.docs.setdefault(RESOURCES, DocTranslation(None, edition.docs.get("ui", UI_EN).review, {}))
        jobs += [Job(lang, edition, "card", f"{code}/cards/{doc.id}.pdf", doc,
                     extra=tuple(f"{code}/cards/{doc.id}-sheet-{paper}.pdf" for paper in config.sheets))
                 for doc in cards]
        jobs.append(Job(lang, edition, "credits", f"{code}/credits.pdf"))
    for code in langs:
        for act in select_activities(config, docs):
            audio = resolve_audio(config, act, code) if act.kind == "audio" else None
            extra = ()
            if audio is not None and config.site_url:
                supplied = audio_file(config.assets_dir, code, act.name)
                extra = (f"web/{code}/{act.name}/index.html",) + (
                    (f"web/{code}/{act.name}/{supplied.name}",) if supplied else ())
            jobs.append(Job(language(code), editions[code], "activity", f"{code}/activities/{act.name}.pdf",
                            act.doc, extra=extra, activity=act, audio=audio))
    jobs.append(Job(language(langs[0]), editions[langs[0]], "index", "index.pdf",
                    others=tuple((language(c), editions[c]) for c in langs), listing=index_listing(jobs, langs)))
    return jobs


def made_texts(job: Job, built: datetime) -> list[tuple]:
    """Return the text a language prints that no segment holds: the build date (every month of
    its year, so that the subsets change once a year) and the review lines of the credits."""
    lang, year = job.lang, built.year
    out = [(" ".join(lang.format_date(date(year, month, 1)) for month in range(1, 13)), None, None, "build date")]
    return out + [(f"{tr.review.reviewer} {tr.review.date}", tr.path, None, "review header")
                  for tr in job.edition.docs.values() if tr.review.reviewed]


def language_texts(jobs: list[Job], config: Pack | None = None,
                   built: datetime | None = None) -> dict[str, list[tuple]]:
    """Return, per language, every text its outputs print, with where it comes from."""
    texts: dict[str, list[tuple]] = {}
    names = " ".join(lang.name for job in jobs for lang, _ in job.others)
    built = built or build_date()
    for job in jobs:
        first = job.lang.code not in texts
        out = texts.setdefault(job.lang.code, [(names, None, None, "language names")])
        out += made_texts(job, built) if first else []
        out += [(job.lang.name_of(a.lang), None, None, "audio language")      # "音频为英语。"
                for a in [job.audio, *(a for _, a in job.audios)] if a is not None]
        if config is not None and first:              # the brand's and services' own text
            brand, code, ui = config.brand, job.lang.code, job.edition.ui
            out += [(" ".join([brand.name, config.title_in(code), brand.discreet_name, brand.discreet_phone,
                               *(hours_text(v, code, ui) for v in brand.contact_for(code).values())]),
                     config.path, None, "[brand]")]
            out += [(" ".join([s.name, s.phone, hours_text(s.hours, code, ui), s.address, s.notes.get(code, "")]),
                     config.path, None, f"[[services]] {s.name}") for s in config.services]
        if job.doc is None:
            out += [(job.edition.ui(key), job.edition.docs.get("ui") and job.edition.docs["ui"].path,
                     None, f"ui/{key}") for key in STRINGS]
            continue
        tr = job.edition.docs[job.doc.id]
        for seg in job.doc.segments:
            text = tr.get(seg)
            out.append((text, tr.path, tr.lines.get(seg.context), seg.context) if text
                       else (seg.text, job.doc.path, seg.lineno, seg.context))
        src = job.doc.source
        out.append((" ".join([src.title, src.author, src.terms, src.url, str(src.year or "")]),
                    job.doc.path, 1, "[source]"))
        out += [(" ".join(b.words), job.doc.path, b.lineno, "wordsearch")
                for b in walk(job.doc.blocks) if b.type == "wordsearch"]
    return texts


def grid_texts(jobs: list[Job]) -> list[tuple]:
    """Return the letters of every word-search grid the outputs print (in the grid's font)."""
    docs = {job.doc.id: job.doc for job in jobs if job.doc is not None}
    return [(" ".join(b.grid), doc.path, b.lineno, "wordsearch grid")
            for doc in docs.values() for b in walk(doc.blocks) if b.type == "wordsearch"]


def font_texts(jobs: list[Job], config: Pack | None = None,
               built: datetime | None = None) -> tuple[dict[str, tuple[str, ...]], dict[str, list[tuple]]]:
    """Return the font stacks and the texts they must draw: per language, and the word-search
    grids' monospaced face (under ``GRID``) if any output prints a grid."""
    stacks = {job.lang.code: job.lang.fonts for job in jobs}
    texts = language_texts(jobs, config, built)
    if grids := grid_texts(jobs):
        stacks[GRID], texts[GRID] = GRID_FONTS, grids
    return stacks, texts


def prepare_fonts(jobs: list[Job], cache_dir: Path, config: Pack | None = None,
                  built: datetime | None = None) -> dict[str, FontSet]:
    """Refuse tofu, then subset each language's fonts to the characters it prints."""
    try:
        return _prepare_fonts(jobs, cache_dir, config, built)
    except OSError as exc:                     # a full disk or a read-only cache
        raise OutputError(f"cannot write the font cache {cache_dir}: {exc.strerror or exc}; free some "
                          "space there or point PACKBUILDER_CACHE at another folder", path=cache_dir) from None


def _prepare_fonts(jobs: list[Job], cache_dir: Path, config: Pack | None,
                   built: datetime | None) -> dict[str, FontSet]:
    stacks, texts = font_texts(jobs, config, built)
    families = sorted({f for stack in stacks.values() for f in stack})
    with ThreadPoolExecutor(8) as pool:                 # fontconfig lookups, all at once
        list(pool.map(resolve, families))
        list(pool.map(faces, families))
    plans = {}
    for code, mine in texts.items():
        check_texts(code, stacks[code], mine)
        plans[code] = subset_plan(stacks[code], "".join(sorted({c for t in mine for c in t[0]})))
    made = subset_all(plans, cache_dir)
    return {code: font_set(stacks[code], plan, made) for code, plan in plans.items()}


def fit_problems(config: Pack, langs: tuple[str, ...]) -> list[Problem]:
    """Lay out every card face in every language, without writing anything; return what overflows
    (`packbuilder check --fit`)."""
    docs = load_content(config.content_dir, list(config.documents), list(config.cards))
    jobs = [j for j in plan_jobs(config, langs, docs, load_catalogs(config.locales_dir, langs, docs))
            if j.layout == "card"]
    fonts = {j.lang.code: FontSet("", j.lang.font_css(), (), "system") for j in jobs}
    setting = Setting(config, tuple(docs), fonts, build_date(), font_cache())
    env, cache = environment(config.layouts_dir), RenderCache()
    return [p for job in jobs for p in (
        layout_folded(job, setting, env, cache, draft_fit=False)[1]    # a discreet card: four panels
        if config.brand.is_discreet(job.doc.id)
        else layout_faces(job, setting, env, cache, draft_fit=False)[1])]
