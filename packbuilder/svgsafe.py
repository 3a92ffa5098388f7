"""Read an SVG logo with hard limits before anything renders it.

Parsed once with expat, with no DOCTYPE and no entities; at most MAX_ELEMENTS elements,
MAX_DEPTH deep, and MAX_DRAWN elements once every ``<use>`` is expanded (nested ``<use>``
multiply: ten levels of ten copies is ten billion shapes in a 1 KB file). No scripts,
event handlers, foreign objects or references outside the file.
"""
from __future__ import annotations

import re
from xml.parsers import expat

MAX_ELEMENTS = 5_000
MAX_DEPTH = 64
MAX_DRAWN = 20_000
MAX_PIXELS = 4096 * 4096          # a PNG logo's width x height
XLINK = "http://www.w3.org/1999/xlink"
URL = re.compile(r"url\(\s*[\"']?([^)\"']*)", re.IGNORECASE)
REFUSED = {"script": "contains a script or event handler; a logo must be a plain drawing",
           "foreignObject": "contains a foreignObject (HTML inside the SVG); a logo must be a plain drawing",
           "iframe": "contains a script or event handler; a logo must be a plain drawing"}


class Refused(Exception):
    """The SVG breaks a rule; the message says which and how to fix it."""


def _ref_problem(ref: str) -> str | None:
    ref = ref.strip()
    if not ref or ref.startswith("#"):
        return None
    if re.match(r"data:image/(png|jpeg|gif|webp)[;,]", ref, re.IGNORECASE):
        return None
    return f"refers to {ref[:80]!r} outside the file; embed everything in the SVG"


class _Reader:
    """Collect the element tree's shape: children, ids and <use> targets, within the limits."""

    def __init__(self) -> None:
        self.children: list[list[int]] = []
        self.uses: dict[int, str] = {}
        self.ids: dict[str, int] = {}
        self.stack: list[int] = []
        self.style = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local in REFUSED:
            raise Refused(REFUSED[local])
        n = len(self.children)
        if n >= MAX_ELEMENTS:
            raise Refused(f"has more than {MAX_ELEMENTS:,} elements; simplify the drawing")
        if len(self.stack) >= MAX_DEPTH:
            raise Refused(f"nests elements more than {MAX_DEPTH} deep; simplify the drawing")
        self.children.append([])
        if self.stack:
            self.children[self.stack[-1]].append(n)
        self.stack.append(n)
        self.style = local == "style"
        for key, value in attrs.items():
            attr = key.rsplit(" ", 1)[-1]
            if attr.lower().startswith("on"):
                raise Refused("contains a script or event handler; a logo must be a plain drawing")
            if attr in ("href", "src") and (why := _ref_problem(value)):
                raise Refused(why)
            for ref in URL.findall(value):
                if why := _ref_problem(ref):
                    raise Refused(why)
            if attr == "id":
                self.ids.setdefault(value, n)
        href = attrs.get(f"{XLINK} href", attrs.get("href", ""))
        if local == "use" and href.startswith("#"):
            self.uses[n] = href[1:]

    def end(self, name: str) -> None:
        self.stack.pop()
        self.style = False

    def text(self, data: str) -> None:
        if self.style:
            for ref in URL.findall(data):
                if why := _ref_problem(ref):
                    raise Refused(why)
            if "@import" in data:
                raise Refused("imports a stylesheet from outside the file; embed everything in the SVG")

    def drawn(self) -> int:
        """Return how many elements the drawing holds once every <use> is expanded."""
        sizes: dict[int, int] = {}
        busy: set[int] = set()

        def size(n: int) -> int:
            if n in sizes:
                return sizes[n]
            if n in busy:
                raise Refused("has a <use> that refers to itself or an element around it; remove the loop")
            busy.add(n)
            total = 1
            for child in self.children[n]:
                total += size(child)
            if n in self.uses and self.uses[n] in self.ids:
                total += size(self.ids[self.uses[n]])
            busy.discard(n)
            sizes[n] = min(total, MAX_DRAWN + 1)        # enough to know it is too many
            return sizes[n]
        for n in reversed(range(len(self.children))):  # children come after their parent: leaves first
            size(n)
        return size(0) if self.children else 0


def svg_problem(data: bytes) -> str | None:
    """Return why an SVG logo is unsafe to render, or None when it is a plain drawing."""
    reader = _Reader()
    parser = expat.ParserCreate(namespace_separator=" ")

    def no_doctype(*args) -> None:  # type: ignore[no-untyped-def]
        raise Refused("declares XML entities or a DOCTYPE (an entity bomb can hang the build); remove them")
    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.ExternalEntityRefHandler = lambda *a: no_doctype()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    try:
        parser.Parse(data, True)
        if not reader.children:
            return "holds no SVG drawing; export the logo again as a plain SVG"
        if reader.drawn() > MAX_DRAWN:
            return (f"draws more than {MAX_DRAWN:,} shapes once its <use> copies are expanded (nested <use> "
                    "multiply); simplify the drawing or export it without <use>")
    except Refused as exc:
        return str(exc)
    except expat.ExpatError as exc:
        return f"is not well-formed XML ({expat.errors.messages.get(exc.code, exc)} at line {exc.lineno}); export it again"
    except RecursionError:
        return "nests elements or <use> references too deeply; simplify the drawing"
    return None


def png_problem(data: bytes) -> str | None:
    """Return why a PNG logo is unsafe to decode (a huge canvas in a small file), or None."""
    import io

    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                return f"is a {image.format} image named .png; export it as PNG"
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        return f"is not a PNG image Pillow can read ({exc}); export it again"
    if width * height > MAX_PIXELS:
        return f"is {width} x {height} pixels; a logo needs no more than {MAX_PIXELS:,} pixels (e.g. 1000 x 1000)"
    return None
