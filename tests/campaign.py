"""The hostile-input campaign: what each input goes through, and how inputs are made.

Shared by tests/test_fuzz.py (Hypothesis, bounded in time) and bench/hostile.py (figures).
A target returns normally or raises PackbuilderError; anything else is a bug.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from hypothesis import strategies as st

ROOTS = Path(__file__).resolve().parent / "roots"
REPO = ROOTS.parent.parent
SAMPLE_PO = (ROOTS / "minimal/locales/es/LC_MESSAGES/sample.po").read_text(encoding="utf-8")
SAMPLE_MD = (ROOTS / "minimal/content/sample.md").read_text(encoding="utf-8")


def workspace(folder: Path) -> Path:
    """Make a small project in ``folder`` (content, locales, a pack) and return it."""
    if not (folder / "content").exists():
        shutil.copytree(ROOTS / "minimal/content", folder / "content")
        shutil.copytree(ROOTS / "minimal/locales", folder / "locales")
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- targets --------------------------------------------------------------------------------------

def pack_config(text: str, work: Path) -> None:
    """Load a pack config (every check the build makes before it renders)."""
    from packbuilder.config import load_pack
    path = work / "pack.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    load_pack(path)


def svg_logo(data: bytes, work: Path) -> None:
    """Check an SVG logo; render it too when the checks accept it (what a build would do)."""
    from packbuilder.errors import ConfigError
    from packbuilder.svgsafe import svg_problem
    if why := svg_problem(data):
        raise ConfigError(why)
    render_logo(data)


def render_logo(data: bytes) -> None:
    """Lay out a page holding the logo, as a card back would."""
    import base64

    from packbuilder.render import RenderCache, render_document
    from packbuilder.scheduler import time_limit
    uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
    html = f'<!DOCTYPE html><html lang="en"><body><img src="{uri}" alt="logo" style="width:3cm"></body></html>'
    with time_limit(10, "logo"):
        render_document(html, base_dir=REPO / "layouts", stylesheets=[], roots=[REPO / "layouts"],
                        job_name="logo", cache=RenderCache())


def markdown(text: str, work: Path) -> None:
    """Parse a source document and render each segment's inline Markdown."""
    from packbuilder.content import parse_document
    from packbuilder.markup import inline_links, plain_text, render_inline
    path = work / "content" / "sample.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    doc = parse_document(path)
    for seg in doc.segments:
        render_inline(seg.text, allowed_links=inline_links(seg.text))
        plain_text(seg.text)


def po_file(data: bytes, work: Path) -> None:
    """Check a submitted catalog, then import it; a refused import changes nothing."""
    from packbuilder.catalogs import UI_DOMAIN
    from packbuilder.checks import check_language
    from packbuilder.errors import PackbuilderError
    from packbuilder.workflow import import_file
    path = work / "submitted.po"
    path.write_bytes(data)
    check_language(work / "locales", "es", ["sample"], [path])
    before = snapshot(work / "locales")
    try:
        import_file(work / "locales", "es", path, ["sample", UI_DOMAIN], "sample")
    except PackbuilderError:
        assert snapshot(work / "locales") == before, "a refused import changed the catalogs"
        raise
    finally:
        shutil.rmtree(work / "locales")
        shutil.copytree(ROOTS / "minimal/locales", work / "locales")


TARGETS = {"toml": pack_config, "svg": svg_logo, "markdown": markdown, "po": po_file}


# -- inputs ---------------------------------------------------------------------------------------

NASTY = st.sampled_from(["", "\0", "\u200b", "\u00ad", "а", "\ufeff", "\ud800", "<", ">", "[", "]", "(", ")",
                         "*", "_", "`", "{", "}", "{{", "}}", "{%", "%}", "\\", '"', "'", "\n", "\r",
                         "https://", "file:///etc/passwd", "javascript:", "../", "/etc/hostname", "#", "=",
                         "\u202e", "𝐚", "x" * 300])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=20)), max_size=30).map("".join)
SCALAR = st.one_of(TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(),
                   st.sampled_from(["a4", "letter", "en", "es", "zh_Hans", "sample", "commercial",
                                    "non-commercial", "https://example.org/a", "content", "locales", "#0b5e63"]))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=12)
KEYS = {"pack": ["name", "title", "languages", "documents", "paper", "use"],
        "brand": ["name", "logo", "primary", "accent", "contact", "discreet", "revealing_words", "footer"],
        "paths": ["content", "locales", "layouts", "assets"],
        "cards": ["include", "size", "sheets"],
        "activities": ["include", "site_url", "allow_missing_audio", "audio"]}


@st.composite
def pack_configs(draw) -> str:  # type: ignore[no-untyped-def]
    """A pack config: known tables and keys with values of any type and shape, or raw text."""
    import tomlkit
    data: dict = {"pack": {"documents": ["sample"], "languages": ["en", "es"]},
                  "paths": {"content": "content", "locales": "locales", "layouts": str(REPO / "layouts")}}
    for table, keys in KEYS.items():
        for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
            data.setdefault(table, {})[key] = draw(VALUE)
    if draw(st.booleans()):
        data["services"] = draw(st.lists(st.dictionaries(st.sampled_from(["name", "category", "phone", "notes"]),
                                                         VALUE, max_size=4), max_size=2))
    try:
        text = tomlkit.dumps(data)
    except Exception:  # noqa: BLE001 - tomlkit cannot write every shape; raw text then
        text = ""
    return text + draw(st.one_of(st.just(""), TEXT, st.just("x = " + "[" * 3000 + "]" * 3000)))


TAGS = ["svg", "g", "use", "rect", "defs", "script", "style", "image", "text", "foreignObject", "path", "symbol"]
ATTRS = ["id", "href", "xlink:href", "style", "onload", "fill", "d", "width", "transform"]


@st.composite
def svgs(draw) -> bytes:  # type: ignore[no-untyped-def]
    """An SVG: nested elements with ids, <use> references, styles and links; or mangled bytes."""
    ids = [f"e{i}" for i in range(6)]

    def element(depth: int) -> str:
        tag = draw(st.sampled_from(TAGS))
        attrs = " ".join(f'{a}="{draw(st.one_of(st.sampled_from(["#" + i for i in ids] + ids), TEXT)).replace(chr(34), "")}"'
                         for a in draw(st.lists(st.sampled_from(ATTRS), max_size=3, unique=True)))
        inner = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 3 if depth < 4 else 0))))
        return f"<{tag} {attrs}>{inner}</{tag}>"
    body = "".join(element(0) for _ in range(draw(st.integers(1, 4))))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'viewBox="0 0 10 10">{body}</svg>').encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(svg)))
        svg = svg[:cut] + draw(st.binary(max_size=20)) + svg[cut:]
    return svg


BLOCKS = ["## Heading {t}\n", "{t}\n", "- {t}\n- {t}\n", "1. {t}\n", "::: front\n{t}\n:::\n", "::: back\n",
          "```wordsearch w\nA B\n---\n{t}\n```\n", "| a | b |\n|---|---|\n| {t} | {t} |\n", "> {t}\n",
          "[{t}](https://example.org/{t})\n", "<script>{t}</script>\n", "![x]({t})\n", "{t}" * 50 + "\n",
          "::: activity audio {t}\n{t}\n:::\n", "    {t}\n", "***{t}***\n"]


@st.composite
def documents(draw) -> str:  # type: ignore[no-untyped-def]
    """A source document: front matter (sometimes broken) and a body of Markdown blocks."""
    head = SAMPLE_MD.split("+++\n", 2)
    front = head[1]
    if draw(st.booleans()):
        kind = draw(st.sampled_from(['card', '[1]', '"x"', '"handout"']))
        front = front.replace('kind = "handout"', f"kind = {kind}")
    if draw(st.booleans()):
        front += draw(TEXT) + "\n"
    body = "".join(draw(st.sampled_from(BLOCKS)).replace("{t}", draw(TEXT)) for _ in range(draw(st.integers(0, 12))))
    return f"+++\n{front}+++\n\n{body}"


PO_PIECES = ['msgstr Pregunte primero.', 'msgstr "Pregunte', 'msgstr "a" " " "b"', '#, ignore-markup',
             '#, fuzzy', 'msgid_plural "x"', 'msgstr[0] "a"', 'msgstr[99999] "a"', 'msgctxt "ui/draft"',
             '"Plural-Forms: nplurals=100000000; plural=n;\\n"', '"Content-Type: text/plain; charset=nope\\n"',
             '"Content-Type: text/plain; charset=latin-1\\n"', '"Language: fr\\n"', 'msgstr "\u200b"',
             '"X-Review-Status: reviewed by Someone on 2025-01-01\\n"', '#~ msgid "old"', '"', '""',
             'msgstr "' + "<" * 5000 + '"', 'msgctxt "sample/do-no-harm/li2"']


@st.composite
def po_files(draw) -> bytes:  # type: ignore[no-untyped-def]
    """A translator's file: the sample catalog with lines dropped, repeated, mangled or added."""
    lines = SAMPLE_PO.splitlines()
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "insert", "text"]))
        if action == "drop":
            del lines[at]
        elif action == "dup":
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, draw(st.sampled_from(PO_PIECES)))
        else:
            lines[at] = lines[at][:draw(st.integers(0, len(lines[at])))] + draw(TEXT).replace("\n", "")
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = data.decode("utf-8", "replace").encode("latin-1", "replace")
    return data


STRATEGIES = {"toml": pack_configs(), "svg": svgs(), "markdown": documents(), "po": po_files()}


def worst_cases() -> dict[str, list[tuple[str, bytes | str]]]:
    """Return the inputs known to have hurt (or to be built to hurt), per target."""
    nested_use = ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><rect id="l0" width="1" height="1"/>']
    nested_use += [f'<g id="l{i}">' + f'<use xlink:href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 10)]
    nested_use.append('</defs><use xlink:href="#l9"/></svg>')
    base = '[pack]\ndocuments = ["sample"]\n[paths]\ncontent = "content"\nlocales = "locales"\n'
    return {
        "toml": [("nesting 2,000 deep", "x = " + "[" * 2000 + "]" * 2000 + "\n" + base),
                 ("paper as a list", base.replace("[pack]\n", '[pack]\npaper = ["a4"]\n')),
                 ("3,500-character audio URL", base + '[activities.audio.listen-and-reflect]\nen = "https://e.org/'
                  + "a" * 3500 + '"\n'),
                 ("NUL in the logo path", base + '[brand]\nlogo = "a\\u0000.svg"\n'),
                 ("200 KB of keys", base + "".join(f"k{i} = {i}\n" for i in range(20_000)))],
        "svg": [("nested <use>, 10^9 shapes", "".join(nested_use).encode()),
                ("entity bomb", (ROOTS / "hostile/logos/entity-bomb.svg").read_bytes()),
                ("50,000 elements", b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 50_000 + b"</svg>"),
                ("deep nesting", b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 100_000 + b"</g>" * 100_000 + b"</svg>"),
                ("plain logo", b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="5" fill="#0b5e63"/></svg>')],
        "markdown": [("200,000 '<'", SAMPLE_MD + "\n" + "<" * 200_000 + "\n"),
                     ("100,000 '['", SAMPLE_MD + "\n" + "[" * 100_000 + "\n"),
                     ("50,000 '*_'", SAMPLE_MD + "\n" + "*_" * 50_000 + "\n"),
                     ("5,000 nested quotes", SAMPLE_MD + "\n" + "> " * 5_000 + "x\n"),
                     ("20,000 list items", SAMPLE_MD + "\n" + "- item\n" * 20_000)],
        "po": [("200,000 '<' in a msgstr", SAMPLE_PO.replace('msgstr "Pregunte primero."',
                                                              'msgstr "' + "<" * 200_000 + '"').encode()),
               ("nplurals=100000000", SAMPLE_PO.replace("nplurals=2; plural=(n != 1);",
                                                        "nplurals=100000000; plural=n;").encode()),
               ("1 MB msgstr", SAMPLE_PO.replace('msgstr "Pregunte primero."', 'msgstr "' + "x" * 1_000_000 + '"').encode()),
               ("zero-width draft notice", SAMPLE_PO.encode() + b'\nmsgctxt "ui/draft"\nmsgid "Draft"\nmsgstr "\xe2\x80\x8b"\n'),
               ("unknown charset", SAMPLE_PO.replace("charset=utf-8", "charset=nope").encode())],
    }
