"""Catalog checks: every problem in one pass, compiler-style, silenced per entry by a flag."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from .catalogs import UI_DOMAIN, catalog_path, read_catalog_once, template_path
from .errors import CatalogError, Problem
from .glossary import Glossary, glossary_problems, load_glossary
from .markup import images, inline_links, plain_text, raw_html
from .textsafety import SAFETY_KEYS, drop_invisible, fold, has_words, visible_in_script

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
NUMBER = re.compile(r"\d+")
CJK = ("zh", "ja")
HEADINGS = ("/h", "/title", "/subtitle")     # headings may drop a final full stop
END_PUNCT = {".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}


@dataclass(frozen=True)
class Entry:
    """A translated message with what the checks need to know about it."""

    message: Message
    lang: str
    glossary: Glossary

    @property
    def source(self) -> str:
        return str(self.message.id)

    @property
    def target(self) -> str:
        return str(self.message.string)


Check = Callable[[Entry], Iterator[tuple[str, str]]]      # yields (severity, message)
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn
    return register


def _emphasis(text: str) -> tuple[int, int]:
    return text.count("**"), len(re.findall(r"(?<![*\w])\*(?![*\s])", text))


@check("markup")
def markup_parity(e: Entry) -> Iterator[tuple[str, str]]:
    src, dst = inline_links(e.source), inline_links(e.target)
    if src != dst:
        missing = [u for u in src if u not in dst]
        extra = [u for u in dst if u not in src]
        detail = "; ".join(filter(None, [f"missing {missing}" if missing else "",
                                          f"not in the English {extra}" if extra else ""]))
        yield "error", f"links differ from the English ({detail or 'order or count'}); keep the same links"
    if _emphasis(e.source) != _emphasis(e.target):
        yield "error", "bold/italic markers (** and *) differ from the English; keep the same emphasis"
    for tag in raw_html(e.target):
        yield "error", f"raw HTML {tag!r} is not allowed; it would print as text"
    seen = fold(e.target)                 # what a reader sees: no zero-width tricks, no look-alikes
    if seen != e.target and dst == src:
        hidden = [u for u in inline_links(seen) if u not in src]
        if hidden or _emphasis(seen) != _emphasis(e.target) or raw_html(seen) != raw_html(e.target):
            yield "error", ("invisible characters or look-alike letters change the markup "
                            f"({', '.join(hidden) or 'links, emphasis or tags'}); type it plainly")
    for src in images(e.target):
        yield "error", f"an image ({src[:60]!r}) is not allowed in a translation; remove it"


@check("placeholders")
def placeholders(e: Entry) -> Iterator[tuple[str, str]]:
    if sorted(PLACEHOLDER.findall(e.source)) != sorted(PLACEHOLDER.findall(e.target)):
        yield "error", (f"placeholders {sorted(set(PLACEHOLDER.findall(e.source)))} must appear "
                        "exactly as in the English")


@check("numbers")
def numbers(e: Entry) -> Iterator[tuple[str, str]]:
    strip = lambda t: re.sub(r"<[^<>]+>|\]\([^)\]]*\)", " ", t)  # noqa: E731 - URLs are checked as links
    missing = sorted(set(NUMBER.findall(strip(e.source))) - set(NUMBER.findall(strip(e.target))))
    if missing:
        yield "warning", f"numbers {missing} from the English are not in the translation"


@check("glossary")
def glossary(e: Entry) -> Iterator[tuple[str, str]]:
    for problem in glossary_problems(e.glossary, e.source, e.target):
        yield "error", problem


@check("whitespace")
def whitespace(e: Entry) -> Iterator[tuple[str, str]]:
    if e.target != e.target.strip() and e.source == e.source.strip():
        yield "error", "leading or trailing whitespace; remove it"
    if "  " in e.target and "  " not in e.source:
        yield "warning", "double space"


@check("punctuation")
def end_punctuation(e: Entry) -> Iterator[tuple[str, str]]:
    src_end, dst_end = e.source.rstrip("*_ ")[-1:], e.target.rstrip("*_ ")[-1:]
    if src_end not in END_PUNCT or str(e.message.context).endswith(HEADINGS):
        return
    expected = {src_end, END_PUNCT[src_end]} if e.lang.startswith(CJK) else {src_end}
    if e.lang.startswith(CJK) and src_end == ".":
        expected.add("…")
    if dst_end not in expected and dst_end not in ".。?？!！:：;；…)）\"”’」":
        yield "warning", f"the English ends with {src_end!r}; the translation ends with {dst_end!r}"
    elif e.lang.startswith(CJK) and dst_end in END_PUNCT and not e.target.rstrip().endswith(("...",)):
        yield "warning", f"use full-width {END_PUNCT[dst_end]!r} at the end of Chinese text"


@check("same-as-source")
def same_as_source(e: Entry) -> Iterator[tuple[str, str]]:
    words = re.sub(r"[\W\d_]+", " ", re.sub(r"<[^<>]+>", " ", e.source)).split()
    names = " ".join(e.glossary.keep).lower()
    if e.source == e.target and words and not all(w.lower() in names for w in words):
        yield "warning", "the translation is the same as the English; translate it or flag it ignore-same-as-source"


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_GROWTH, MAX_EXTRA = 10, 400       # a translation 10x the English (+400) is not a translation


@check("control")
def control_characters(e: Entry) -> Iterator[tuple[str, str]]:
    for ch in sorted(set(CONTROL.findall(e.target))):
        yield "error", f"control character U+{ord(ch):04X} in the translation; remove it"


@check("size")
def size(e: Entry) -> Iterator[tuple[str, str]]:
    if len(e.target) > MAX_GROWTH * len(e.source) + MAX_EXTRA:
        yield "error", (f"the translation is {len(e.target):,} characters long and the English "
                        f"{len(e.source):,}; is this the right text?")


@check("visible")
def visible(e: Entry) -> Iterator[tuple[str, str]]:
    shown = drop_invisible(e.target)
    if has_words(e.source) and not has_words(shown):
        yield "error", ("the translation prints no words (only invisible characters, spaces or "
                        "punctuation); translate it, or leave it empty to show the English")
    elif str(e.message.context).removeprefix("ui/") in SAFETY_KEYS and str(e.message.context).startswith("ui/") \
            and not visible_in_script(shown, e.lang):
        yield "error", (f"this text keeps readers safe and must show words in {e.lang}'s own script; "
                        "translate it, or leave it empty to show the English")


#: Checks a flag in the file cannot switch off: they guard what the page must show.
UNSILENCED = ("size", "visible")
BUDGET = re.compile(r"Length budget: (\d+)")


def width(text: str) -> int:
    """Return the printed width of ``text`` in budget units: a wide (CJK) character counts 2."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in plain_text(text))


@check("length")
def length_budget(e: Entry) -> Iterator[tuple[str, str]]:
    budget = next((int(m.group(1)) for c in e.message.auto_comments if (m := BUDGET.search(c))), None)
    if budget is not None and width(e.target) > budget:
        yield "warning", (f"{width(e.target)} units over a budget of {budget} for a fixed-size slot; "
                          "shorten it, and run `packbuilder check --fit` to see whether it still fits")


def check_catalog(path: Path, lang: str, glossary: Glossary, template: dict[str, str] | None = None,
                  catalog: Catalog | None = None) -> list[Problem]:
    """Return every problem in one catalog file (syntax errors stop at the first, with its line).

    ``template`` (msgctxt -> English) lets it name entries for segments that do not exist;
    ``catalog`` is the file already read (import passes it with our ``ignore-*`` flags on it).
    """
    try:
        catalog = catalog if catalog is not None else read_catalog_once(path, lang)
    except CatalogError as exc:
        return [Problem(exc.message, exc.path, exc.lineno, "error", "syntax")]
    problems = []
    declared = str(catalog.locale_identifier or "")
    if declared and not _same_language(declared, lang):
        problems.append(Problem(f"the header says Language: {declared}, but this is the {lang} catalog; "
                                "fix the header (or put the file in its own language's folder)",
                                path, 1, "error", "header"))
    for copy, live in getattr(catalog, "folded", []):
        problems.append(Problem(f"an obsolete (#~) copy of the entry at line {live}; msgfmt and msgmerge reject "
                                "the file until `packbuilder update` folds it in", path, copy, "warning", "duplicate"))
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        if template is not None and message.context and str(message.context) not in template:
            problems.append(Problem(f"no segment {message.context} exists in the English; this entry will "
                                    "never print (`packbuilder update` keeps it as obsolete)",
                                    path, message.lineno, "warning", "unknown"))
            continue
        entry = Entry(message, lang, glossary)
        if too_long := list(size(entry)):        # size first: nothing else reads a huge string
            problems += [Problem(text, path, message.lineno, severity, "size") for severity, text in too_long]
            continue
        for name, fn in CHECKS.items():
            if f"ignore-{name}" in message.flags and name not in UNSILENCED:
                continue
            for severity, text in fn(entry):
                problems.append(Problem(text, path, message.lineno, severity, name))
    return problems


def _same_language(declared: str, lang: str) -> bool:
    """Say whether a Language header names ``lang`` or a regional form of it (es_MX for es)."""
    from .submission import match_language
    try:
        match_language(declared, lang, Path())
    except CatalogError:
        return False
    return True


def check_language(locales_dir: Path, lang: str, domains: list[str],
                   files: list[Path] | None = None) -> list[Problem]:
    """Return the problems of every catalog of ``lang`` (or of ``files``)."""
    glossary = load_glossary(locales_dir, lang)
    paths = files or [catalog_path(locales_dir, lang, d) for d in [*domains, UI_DOMAIN]]
    return [p for path in paths if files or path.is_file()        # a named file that is not one: say so
            for p in check_catalog(path, lang, glossary,
                                   template_english(locales_dir, path.stem) or template_english(locales_dir, _domain_of(path)))]


def _domain_of(path: Path) -> str:
    """Guess a translator's file's document from its contexts ('best-practices/…')."""
    from collections import Counter
    if not path.is_file():                 # a FIFO would block the read; the reader reports it
        return ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    found = Counter(re.findall(r'^msgctxt "([^/"]+)/', text, re.MULTILINE)).most_common(1)
    return found[0][0] if found else ""


def template_english(locales_dir: Path, domain: str) -> dict[str, str] | None:
    """Return msgctxt -> English of a document's template, or None if it has none."""
    path = template_path(locales_dir, domain)
    if not path.is_file():
        return None
    return {str(m.context): str(m.id) for m in read_catalog_once(path) if m.id and m.context}
