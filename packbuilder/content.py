"""English source documents -> segments: the units translators translate."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.container import container_plugin

from .errors import ContentError, Problem
from .links import link_problem
from .markup import inline_links, raw_html
from .wordsearch import solve

KINDS = ("handout", "card")
CARD_SLACK = 1.3      # a card segment's budget: its English length with 30% to spare
CONTAINERS = ("worksheet", "activity", "front", "back")
FRONT = "+++"


@dataclass(frozen=True)
class Source:
    """Where a document comes from, and what it asks of those who share it."""

    title: str
    author: str
    terms: str
    url: str = ""
    year: int | None = None
    noncommercial: bool = False
    contact: str = ""


@dataclass(frozen=True)
class Segment:
    """One translatable unit: a heading, paragraph, list item or table cell."""

    context: str          # msgctxt: "<doc>/<section-slug>/<kind><n>"
    text: str             # English inline Markdown: the msgid
    lineno: int           # line in the source file
    kind: str             # title, subtitle, h, p, li, th, td
    section: str          # English heading of the section it sits in
    slot: str = ""        # where a layout puts it when space is fixed: "card front", "card back"
    budget: int | None = None   # length budget in width units (a CJK character counts 2)


@dataclass(frozen=True)
class Heading:
    level: int
    segment: Segment
    anchor: str
    type: str = "heading"


@dataclass(frozen=True)
class Paragraph:
    segment: Segment
    prompt: bool = False      # in a worksheet: followed by lines to write on
    type: str = "paragraph"


@dataclass(frozen=True)
class ListItem:
    blocks: tuple
    type: str = "item"


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1
    type: str = "list"


@dataclass(frozen=True)
class Table:
    header: tuple[Segment | None, ...]
    rows: tuple[tuple[Segment | None, ...], ...]
    type: str = "table"


@dataclass(frozen=True)
class Container:
    kind: str             # worksheet | activity
    name: str             # e.g. the activity id
    blocks: tuple
    type: str = "container"


@dataclass(frozen=True)
class WordSearch:
    grid: tuple[str, ...]     # one string a row
    words: tuple[str, ...]
    lineno: int
    name: str = "word-search"
    type: str = "wordsearch"


@dataclass(frozen=True)
class Document:
    """A parsed source document: metadata, block tree and its segments in order."""

    id: str
    kind: str
    path: Path
    source: Source
    title: Segment
    subtitle: Segment | None
    blocks: tuple
    segments: tuple[Segment, ...] = field(repr=False)
    based_on: str = ""        # a card: the document it condenses

    def face(self, name: str) -> Container | None:
        """Return a card's ``front`` or ``back`` block."""
        return next((b for b in self.blocks if b.type == "container" and b.kind == name), None)


def walk(blocks):  # type: ignore[no-untyped-def]
    """Yield every block of a tree: containers, lists and their items included."""
    for block in blocks:
        yield block
        yield from walk(getattr(block, "blocks", ()))
        yield from walk(getattr(block, "items", ()))


def block_segments(blocks) -> list[Segment]:  # type: ignore[no-untyped-def]
    """Return the segments a block tree prints, in order: headings, paragraphs, items, table cells."""
    out = []
    for block in walk(blocks):
        if getattr(block, "segment", None) is not None:
            out.append(block.segment)
        elif block.type == "table":
            out += [cell for row in (block.header, *block.rows) for cell in row if cell]
    return out


def slugify(text: str, max_len: int = 40) -> str:
    """Return a short ASCII slug of a heading: 'Do no harm: 无伤害' -> 'do-no-harm'."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len and slug:
            break
        slug = candidate
    return slug or "section"


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """Return the parser for document bodies: CommonMark, tables, two containers."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    for name in CONTAINERS:
        md.use(container_plugin, name=name)
    return md


def split_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT:
        raise ContentError(f"a source document starts with a '{FRONT}' line of TOML front matter",
                           path=path, lineno=1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT)
    except StopIteration:
        raise ContentError(f"the front matter is not closed with a '{FRONT}' line",
                           path=path, lineno=1) from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ContentError(f"front matter is not valid TOML: {exc}", path=path,
                           lineno=int(line.group(1)) + 1 if line else 1) from None
    except RecursionError:
        raise ContentError("front matter nests tables or lists too deeply; it is a few plain keys",
                           path=path, lineno=2) from None
    return meta, "\n".join(lines[end + 1:]), end + 1


class _Segmenter:
    """Walk a Markdown tree once, numbering segments per section."""

    def __init__(self, doc_id: str, path: Path, offset: int) -> None:
        self.doc_id, self.path, self.offset = doc_id, path, offset
        self.section, self.slug = "", "intro"
        self.counters: dict[str, int] = {}
        self.used_slugs: dict[str, int] = {}
        self.segments: list[Segment] = []
        self.problems: list[Problem] = []
        self.face = ""                      # inside a card's front or back

    def segment(self, kind: str, text: str, node: SyntaxTreeNode | None, *,
                context: str | None = None) -> Segment:
        text = " ".join(line.strip() for line in text.strip().split("\n"))
        lineno = self.offset + (node.map[0] + 1 if node is not None and node.map else 0)
        if context is None:
            n = self.counters[kind] = self.counters.get(kind, 0) + 1
            context = f"{self.doc_id}/{self.slug}/{kind}{n}"
        for url in inline_links(text):
            if (why := link_problem(url)) is not None:
                self.problems.append(Problem(why, self.path, lineno))
        for tag in raw_html(text):
            self.problems.append(Problem(f"raw HTML {tag!r} is not allowed in a source document; "
                                         "use Markdown (see content/FORMAT.md)", self.path, lineno))
        slot = f"card {self.face}" if self.face else ""
        budget = round(len(text) * CARD_SLACK) + 10 if self.face else None
        seg = Segment(context, text, lineno, kind, self.section, slot, budget)
        self.segments.append(seg)
        return seg

    def blocks(self, nodes: list[SyntaxTreeNode]) -> tuple:
        return tuple(b for node in nodes if (b := self.block(node)) is not None)

    def block(self, node: SyntaxTreeNode):  # noqa: ANN201 - returns one block type
        kind = node.type
        if kind == "heading" and self.face:        # on a card, a heading stays on its face
            return Heading(int(node.tag[1]), self.segment("h", node.children[0].content, node), self.slug)
        if kind == "heading":
            text = node.children[0].content
            base = slugify(text)
            count = self.used_slugs[base] = self.used_slugs.get(base, 0) + 1
            self.slug = base if count == 1 else f"{base}-{count}"
            self.section, self.counters = text, {}
            seg = self.segment("h", text, node, context=f"{self.doc_id}/{self.slug}/h")
            return Heading(int(node.tag[1]), seg, self.slug)
        if kind == "paragraph":
            return Paragraph(self.segment("p", node.children[0].content, node))
        if kind in ("bullet_list", "ordered_list"):
            items = tuple(ListItem(self.list_item(item)) for item in node.children)
            start = int(node.attrs.get("start", 1) or 1)
            return ListBlock(kind == "ordered_list", items, start)
        if kind == "table":
            return self.table(node)
        if kind in ("container_front", "container_back"):
            self.face = self.slug = kind.removeprefix("container_")
            self.section, self.counters = f"{self.face} of the card", {}
            blocks = self.blocks(node.children)
            self.face = ""
            return Container(self.slug, "", blocks)
        if kind.startswith("container_"):
            name = node.info.strip().split(None, 1)
            blocks = self.blocks(node.children)
            if kind == "container_worksheet":
                blocks = tuple(Paragraph(b.segment, prompt=True) if _is_prompt(b) else b for b in blocks)
            return Container(kind.removeprefix("container_"), name[1] if len(name) > 1 else "", blocks)
        if kind == "fence" and node.info.strip().split()[:1] == ["wordsearch"]:
            return self.wordsearch(node)
        lineno = self.offset + (node.map[0] + 1 if node.map else 0)
        self.problems.append(Problem(
            f"unsupported Markdown block '{kind}'; see content/FORMAT.md for what a document may contain",
            self.path, lineno))
        return None

    def list_item(self, item: SyntaxTreeNode) -> tuple:
        out = []
        for child in item.children:
            if child.type == "paragraph":
                out.append(Paragraph(self.segment("li", child.children[0].content, child)))
            else:
                out.append(self.block(child))
        return tuple(b for b in out if b is not None)

    def table(self, node: SyntaxTreeNode) -> Table:
        header: tuple[Segment | None, ...] = ()
        rows: list[tuple[Segment | None, ...]] = []
        for part in node.children:
            for tr in part.children:
                cells = tuple(
                    self.segment("th" if cell.type == "th" else "td", cell.children[0].content, tr)
                    if cell.children and cell.children[0].content.strip() else None
                    for cell in tr.children)
                if part.type == "thead":
                    header = cells
                else:
                    rows.append(cells)
        return Table(header, tuple(rows))

    def wordsearch(self, node: SyntaxTreeNode) -> WordSearch | None:
        lineno = self.offset + (node.map[0] + 1 if node.map else 0)
        grid_text, sep, words_text = node.content.partition("\n---\n")
        grid = tuple("".join(row.split()).upper() for row in grid_text.strip().split("\n"))
        words = tuple(w.strip() for w in words_text.strip().split("\n") if w.strip())
        if not sep or not words:
            self.problems.append(Problem("a wordsearch block needs the grid, a '---' line, then the words",
                                         self.path, lineno))
            return None
        if len({len(row) for row in grid}) != 1:
            self.problems.append(Problem("the word search grid's rows are not all the same length",
                                         self.path, lineno))
            return None
        _, missing = solve(grid, words)
        for word in missing:
            self.problems.append(Problem(f"the word search lists {word!r}, but it is not in the grid "
                                         "(across, down or diagonal, either way); fix the grid or the list",
                                         self.path, lineno))
        name = node.info.strip().split()[1:] or ["word-search"]
        return WordSearch(grid, words, lineno, name[0])


def _is_prompt(block) -> bool:  # type: ignore[no-untyped-def]
    """A worksheet paragraph is a prompt when it ends as a question or an open sentence."""
    return isinstance(block, Paragraph) and block.segment.text.rstrip("*_ ").endswith(("?", "...", "…"))


def _source(meta: dict, path: Path, problems: list[Problem]) -> Source:
    src = meta.get("source")
    if not isinstance(src, dict):
        problems.append(Problem("front matter needs a [source] table (title, author, terms)", path, 1))
        return Source("", "", "")
    for key in ("title", "terms"):
        if not str(src.get(key, "")).strip():
            problems.append(Problem(f"[source] {key} is required: attribution is printed on every page",
                                    path, 1))
    url = str(src.get("url", ""))
    if url and (why := link_problem(url)):
        problems.append(Problem(f"[source] url: {why}", path, 1))
    return Source(title=str(src.get("title", "")), author=str(src.get("author", "")),
                  terms=str(src.get("terms", "")), url=url,
                  year=src.get("year"), noncommercial=bool(src.get("noncommercial", False)),
                  contact=str(src.get("contact", "")))


MAX_DOCUMENT = 100 * 1024          # the longest stock document is 15 KB; 100 KB is about 50 pages
MAX_LINES = 3_000                  # the longest stock document has 203 lines
MAX_SEGMENT = 5_000                # characters; the longest stock paragraph has 784


def parse_document(path: Path) -> Document:
    """Return the document at ``path``, or raise ContentError naming every problem."""
    import stat
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ContentError("a source document must be a regular file (this is a folder, pipe or device)", path=path)
        if info.st_size > MAX_DOCUMENT:
            raise ContentError(f"the document is {info.st_size // 1024} KB; a source document is under "
                               f"{MAX_DOCUMENT // 1024} KB (split it into several documents)", path=path)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"cannot read source document: {exc}", path=path) from None
    if (lines := text.count("\n")) > MAX_LINES:
        raise ContentError(f"the document has {lines:,} lines; a source document has at most {MAX_LINES:,} "
                           "(split it into several documents)", path=path)
    if long := next((n for n, line in enumerate(text.split("\n"), 1) if len(line) > MAX_SEGMENT), None):
        raise ContentError(f"this line is longer than a segment may be ({MAX_SEGMENT:,} characters); "
                           "break it into paragraphs", path=path, lineno=long)
    meta, body, offset = split_front_matter(text, path)
    problems: list[Problem] = []
    doc_id = str(meta.get("id", ""))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", doc_id):
        problems.append(Problem(f"front matter id {doc_id!r} must be a lowercase slug like 'best-practices'",
                                path, 1))
    elif doc_id != path.stem:
        problems.append(Problem(f"front matter id {doc_id!r} must match the file name {path.stem!r}", path, 1))
    kind = str(meta.get("kind", "handout"))
    if kind not in KINDS:
        problems.append(Problem(f"kind {kind!r} is not one of {', '.join(KINDS)}", path, 1))
    source = _source(meta, path, problems)
    seg = _Segmenter(doc_id, path, offset)
    seg.face = "front" if kind == "card" else ""       # a card's title is printed on its front
    title = seg.segment("title", str(meta.get("title", "")), None, context=f"{doc_id}/title")
    seg.face = ""
    if not title.text:
        problems.append(Problem("front matter needs a title", path, 1))
    subtitle = (seg.segment("subtitle", str(meta["subtitle"]), None, context=f"{doc_id}/subtitle")
                if meta.get("subtitle") else None)
    tree = SyntaxTreeNode(block_parser().parse(body))
    blocks = seg.blocks(tree.children)
    problems += seg.problems
    problems += [Problem(f"{s.context} is {len(s.text):,} characters long; a segment is a paragraph, heading or "
                         f"item (at most {MAX_SEGMENT:,}); split it", path, s.lineno)
                 for s in seg.segments if len(s.text) > MAX_SEGMENT]
    if kind == "card":
        faces = [b.kind for b in blocks if b.type == "container" and b.kind in ("front", "back")]
        stray = [b for b in blocks if not (b.type == "container" and b.kind in ("front", "back"))]
        if sorted(faces) != ["back", "front"] or stray:
            problems.append(Problem("a card holds exactly one '::: front' and one '::: back' block, "
                                    "and nothing outside them", path, offset + 1))
    if problems:
        raise ContentError(f"{len(problems)} problem(s) in {path}", path=path, problems=problems)
    return Document(doc_id, kind, path, source, title, subtitle, blocks, tuple(seg.segments),
                    str(meta.get("based_on", "")))


def load_content(content_dir: Path, ids: list[str], cards: list[str] = ()) -> list[Document]:
    """Return the documents ``ids`` (handouts) and ``cards`` from ``content_dir``, every problem at once."""
    docs, problems = [], []
    for doc_id, kind in [(i, "handout") for i in ids] + [(c, "card") for c in cards]:
        path = content_dir / f"{doc_id}.md"
        if not path.is_file():
            problems.append(Problem(f"document {doc_id!r} not found: expected {path}", path))
            continue
        try:
            doc = parse_document(path)
        except ContentError as exc:
            problems += exc.as_problems()
            continue
        if doc.kind != kind:
            where = "[cards] include" if kind == "card" else "[pack] documents"
            problems.append(Problem(f"the pack lists {doc_id!r} under {where}, but it is a {doc.kind}", path, 1))
        docs.append(doc)
    if problems:
        raise ContentError(f"{len(problems)} problem(s) in source content", problems=problems)
    return docs
