"""Jinja2 -> HTML -> WeasyPrint -> PDF bytes, for one job at a time."""
from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import jinja2
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from .errors import LayoutError, RenderError
from .markup import inline_links, plain_text, render_inline
from .typeset import prepare

PAPER_SIZES = {"letter": "letter", "a4": "A4"}
# --print-shop: PDF/X-4 with a CMYK output intent (Ghostscript's generic CMYK profile, from the
# Debian package libgs-common), and text that is black or grey in K alone, never four-colour black
CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
PRINT_SHOP_CSS = f"""@color-profile device-cmyk {{ src: url({CMYK_PROFILE.as_uri()});
  components: cyan, magenta, yellow, black }}
:root {{ --ink: device-cmyk(0 0 0 1); --muted: device-cmyk(0 0 0 0.72); }}
html, body {{ color: device-cmyk(0 0 0 1); }}
"""


@dataclass
class Tally:
    """How many segments a job printed translated, and which fell back to English."""

    translated: int = 0
    fallback: list[str] = field(default_factory=list)


def css_string(text: str) -> str:
    """Return ``text`` as a CSS string literal, every special character escaped."""
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def page_counter_css(template: str) -> str:
    """Turn 'Page {page} of {pages}' (translated) into a CSS ``content`` value."""
    parts = []
    rest = template
    while rest:
        idx = [(rest.find(k), k) for k in ("{page}", "{pages}") if rest.find(k) >= 0]
        if not idx:
            parts.append(css_string(rest))
            break
        pos, key = min(idx)
        if pos:
            parts.append(css_string(rest[:pos]))
        parts.append("counter(page)" if key == "{page}" else "counter(pages)")
        rest = rest[pos + len(key):]
    return " ".join(parts) or '""'


class ConfinedLoader(jinja2.FileSystemLoader):
    """Load templates from one folder only: a symlink that leads out of it is not a template."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder), followlinks=False)
        self.root = Path(folder).resolve()

    def get_source(self, environment, template):  # type: ignore[no-untyped-def]
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if self.root not in real.parents:
            raise jinja2.TemplateNotFound(f"{template} (it leads outside {self.root})")
        return source, filename, uptodate


def environment(layouts_dir: Path) -> jinja2.Environment:
    """Return the Jinja environment: sandboxed and immutable (a layout cannot reach Python's
    internals or change what it is given, whoever wrote it), autoescape on, undefined names are
    errors. Templates load only from ``layouts_dir`` (followlinks off)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(
        loader=ConfinedLoader(layouts_dir),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
    env.filters["typeset"] = prepare           # a language's quotation marks and CJK last lines
    return env


def translator(get: Callable, lang_tag: str, tally: Tally) -> Callable:
    """Return ``t(segment)``: the segment's translation as safe HTML, else the English."""
    def t(segment) -> Markup:  # type: ignore[no-untyped-def]
        if segment is None:
            return Markup("")
        text = get(segment)
        if text:
            tally.translated += 1
            return render_inline(prepare(text, lang_tag), allowed_links=inline_links(segment.text))
        if lang_tag != "en":
            tally.fallback.append(segment.context)
            return Markup('<span lang="en" dir="ltr">') + render_inline(prepare(segment.text, "en")) + Markup("</span>")
        tally.translated += 1
        return render_inline(prepare(segment.text, "en"))
    return t


def render_html(env: jinja2.Environment, template: str, context: dict) -> str:
    """Render one layout template, turning template mistakes into LayoutError."""
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise LayoutError(f"template syntax: {exc.message}", path=exc.filename, lineno=exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise LayoutError(f"layout template {exc.name!r} not found in {env.loader.searchpath}") from None  # type: ignore[union-attr]
    except jinja2.UndefinedError as exc:
        raise LayoutError(f"{template}: {exc.message}") from None
    except SecurityError as exc:
        raise LayoutError(f"{template}: the layout tried something a layout may not do ({exc}); "
                          "layouts run in a sandbox: use only the values packbuilder passes them") from None
    except (RecursionError, MemoryError, TypeError, ValueError, ArithmeticError) as exc:
        raise LayoutError(f"{template}: the layout failed: {type(exc).__name__}: {str(exc)[:200]}") from None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_log() -> Iterator[list[str]]:
    """Collect every warning and error WeasyPrint logs while the block runs."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    old = logger.propagate
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = old


def _fail_on(logged: list[str], fetcher, job_name: str) -> None:  # type: ignore[no-untyped-def]
    problems = logged + [f"refused to fetch {u[:120]}" for u in fetcher.refused
                         if not any(u[:60] in m for m in logged)]
    if problems:
        raise RenderError(f"{job_name}: WeasyPrint reported: " + "; ".join(dict.fromkeys(problems)))


@dataclass
class RenderCache:
    """What one process keeps across the documents it lays out.

    One font configuration: each subset font is loaded into fontconfig once, and Pango keeps
    its fonts and shaping caches from one document to the next (subset fonts have a family
    name of their own, so languages cannot pick up each other's). The layout stylesheets are
    parsed once, and WeasyPrint's image cache is shared.
    """

    images: dict = field(default_factory=dict)
    sheets: dict = field(default_factory=dict)
    fonts: object = None

    def font_config(self):  # type: ignore[no-untyped-def]
        if self.fonts is None:
            from weasyprint.text.fonts import FontConfiguration
            self.fonts = FontConfiguration()
        return self.fonts

    def stylesheet(self, path: Path, fetcher):  # type: ignore[no-untyped-def]
        """Return the parsed stylesheet at ``path``, parsed again only when the file changes."""
        import weasyprint
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self.sheets:
            self.sheets[key] = weasyprint.CSS(filename=str(path), url_fetcher=fetcher,
                                              font_config=self.font_config())
        return self.sheets[key]


def print_shop_profile() -> Path:
    """Return the CMYK profile print-shop PDFs name as their output intent, or say how to get it."""
    if not CMYK_PROFILE.is_file():
        raise RenderError(f"--print-shop needs a CMYK colour profile at {CMYK_PROFILE}; install it with "
                          "`apt-get install libgs-common` (make pack does)")
    return CMYK_PROFILE


#: What WeasyPrint raises on input it cannot draw (rather than logging it).
WEASYPRINT_FAILURES = (ValueError, TypeError, AttributeError, KeyError, IndexError, ArithmeticError,
                       RecursionError)


def render_document(html: str, *, base_dir: Path, stylesheets: list[Path], roots: list[Path],
                    job_name: str, cache: RenderCache | None = None,
                    print_shop: bool = False):  # type: ignore[no-untyped-def]
    """Lay out ``html`` with WeasyPrint; any warning it logs (or a refused URL) fails the job.
    ``print_shop`` adds the CMYK profile and sets text in K alone."""
    import weasyprint

    from .fetcher import SafeFetcher       # imports WeasyPrint: only when something renders
    cache = cache if cache is not None else RenderCache()
    fetcher = SafeFetcher([*roots, print_shop_profile().parent] if print_shop else roots)
    with weasyprint_log() as logged:
        doc = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher)
        sheets = [cache.stylesheet(s, fetcher) for s in stylesheets]
        profiles: dict = {}                # the output intent's profile, read by the PDF/X writer
        if print_shop:
            sheets.append(weasyprint.CSS(string=PRINT_SHOP_CSS, url_fetcher=fetcher, font_config=cache.font_config(),
                                         color_profiles=profiles))
        try:
            document = doc.render(stylesheets=sheets, pdf_variant="pdf/x-4" if print_shop else "pdf/ua-1",
                                  cache=cache.images, font_config=cache.font_config(), color_profiles=profiles)
        except WEASYPRINT_FAILURES as exc:          # a hostile image (an SVG logo) can trip it
            raise RenderError(f"{job_name}: WeasyPrint could not lay it out ({type(exc).__name__}: "
                              f"{str(exc)[:160]}); check the brand logo and the layout's images") from None
    _fail_on(logged, fetcher, job_name)
    return document


def document_pdf(document, *, job_name: str, created: str, identifier: str,  # type: ignore[no-untyped-def]
                 compact: bool = True, print_shop: bool = False) -> bytes:
    """Write a laid-out document as PDF bytes: tagged, dated, with a fixed identifier, and with
    its CFF fonts cut down to the glyphs it shows (``compact``); PDF/X-4 for a print shop."""
    from .fontembed import compact_fonts
    document.metadata.created = document.metadata.modified = created
    if document.metadata.title:           # typesetting's word joiners belong on the page, not in the title
        document.metadata.title = document.metadata.title.replace("\u2060", "")
    variant = {"pdf_variant": "pdf/x-4", "pdf_tags": True} if print_shop else {"pdf_variant": "pdf/ua-1"}
    with weasyprint_log() as logged:
        pdf = document.write_pdf(pdf_identifier=identifier[:32].encode(),
                                 finisher=compact_fonts if compact else None, **variant)
    if logged:
        raise RenderError(f"{job_name}: WeasyPrint reported: " + "; ".join(dict.fromkeys(logged)))
    return pdf


def write_pdf(html: str, *, base_dir: Path, stylesheets: list[Path], roots: list[Path],
              job_name: str, created: str, cache: RenderCache | None = None,
              identifier: str | None = None, fit: bool = False, pages: int | None = None,
              print_shop: bool = False, cover: bool = False) -> tuple[bytes, int]:
    """Return (PDF bytes, page count) of ``html``; any warning WeasyPrint logs fails the job.

    ``fit`` copy-fits the document (packbuilder/copyfit.py) to ``pages`` pages, or to a last page
    that is not nearly empty (after a ``cover`` page, which stands alone)."""
    from .copyfit import fit as copyfit

    def lay_out(text: str):  # type: ignore[no-untyped-def]
        return render_document(text, base_dir=base_dir, stylesheets=stylesheets, roots=roots,
                               job_name=job_name, cache=cache, print_shop=print_shop)
    document = copyfit(lay_out, html, pages, cover) if fit else lay_out(html)
    pdf = document_pdf(document, job_name=job_name, created=created, print_shop=print_shop,
                       identifier=identifier or hashlib.sha256(html.encode()).hexdigest())
    return pdf, len(document.pages)


__all__ = ["RenderCache", "Tally", "translator", "render_html", "write_pdf", "environment", "page_counter_css",
           "css_string", "plain_text", "escape", "PAPER_SIZES"]
