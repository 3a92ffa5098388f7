"""Activity sheets: audio with a QR code, worksheets, and word searches with their answer key."""
from __future__ import annotations

import base64
import shutil
from dataclasses import dataclass
from pathlib import Path

from .content import Document
from .errors import ConfigError, ContentError, Problem
from .wordsearch import solve

AUDIO_TYPES = {".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".m4a": "audio/mp4", ".opus": "audio/ogg"}


@dataclass(frozen=True)
class Activity:
    """One activity of a source document: its heading and intro, then the activity block."""

    name: str
    doc: Document
    blocks: tuple
    kind: str                 # audio | worksheet | wordsearch

    @property
    def block(self):  # type: ignore[no-untyped-def]
        return self.blocks[-1]


@dataclass(frozen=True)
class Audio:
    """Where an activity's QR code leads, in one language, and why."""

    url: str                  # what the QR code encodes and the sheet prints
    lang: str                 # the language of the audio
    fallback: bool            # the reader's language has no audio of its own
    note: str = ""            # for the build report: e.g. not a direct link
    source_url: str = ""      # the audio's own address, when the QR leads to a landing page
    website: bool = False     # the link opens a website, not the recording: the sheet says so


def _named(block) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    if block.type == "container" and block.kind in ("activity", "worksheet") and block.name:
        return block.name, "audio" if block.kind == "activity" else "worksheet"
    if block.type == "wordsearch":
        return block.name, "wordsearch"
    return None


def find_activities(docs: list[Document]) -> dict[str, Activity]:
    """Return every named activity in ``docs``, with the heading and text that introduce it."""
    found = {}
    for doc in docs:
        start = 0
        for i, block in enumerate(doc.blocks):
            if block.type == "heading":
                start = i
            if (named := _named(block)) is not None:
                found[named[0]] = Activity(named[0], doc, doc.blocks[start:i + 1], named[1])
    return found


def select(config, docs: list[Document]) -> list[Activity]:  # type: ignore[no-untyped-def]
    """Return the activities the pack includes, or raise naming the ones that do not exist."""
    known = find_activities(docs)
    missing = [name for name in config.activities if name not in known]
    if missing:
        raise ContentError("", problems=[Problem(
            f"[activities] include lists {name!r}, which no document of the pack holds "
            f"(known: {', '.join(sorted(known)) or 'none'})", config.path) for name in missing])
    return [known[name] for name in config.activities]


def resolve_audio(config, activity: Activity, lang: str) -> Audio | None:  # type: ignore[no-untyped-def]
    """Return the audio for ``lang``: its own, else the first fallback that has one."""
    table = config.audio.get(activity.name, {})
    note = str(table.get("note", ""))
    website = table.get("leads_to") == "website"
    for candidate in [lang, *table.get("fallback", [])]:
        url = table.get(candidate)
        if isinstance(url, str) and url and candidate not in ("note", "leads_to"):
            audio = Audio(url, candidate, candidate != lang, note, website=website)
            if config.site_url:
                return Audio(f"{config.site_url}/{lang}/{activity.name}/", candidate, candidate != lang,
                             note, source_url=url, website=website)
            return audio
    if config.allow_missing_audio:
        return None
    raise ConfigError(f"Config value 'activities.audio.{activity.name}': no audio for {lang!r} and no "
                      f"fallback language with audio; add {lang} = \"https://…\" or fallback = [\"en\"], "
                      "or set allow_missing_audio = true", path=config.path)


def qr_data_uri(url: str) -> str:
    """Return a vector QR code of ``url`` (error correction M, 4-module quiet zone) as a data: URI."""
    import qrcode
    import qrcode.image.svg

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(url)
    code.make(fit=True)
    svg = code.make_image().to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def answer_cells(block) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Return every cell the answer key highlights, as the solver finds the words."""
    found, _ = solve(block.grid, block.words)
    return {cell for cells in found.values() for cell in cells}


def key_uri(block, colour: str = "#f5c542") -> str:  # type: ignore[no-untyped-def]
    """Return the answer key's highlights as an SVG data: URI, one unit square per grid cell,
    to be stretched behind the grid's letters."""
    rows, cols = len(block.grid), len(block.grid[0])
    squares = "".join(f'<rect x="{c}" y="{r}" width="1" height="1"/>' for r, c in sorted(answer_cells(block)))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {cols} {rows}" preserveAspectRatio="none">'
           f'<g fill="{colour}" shape-rendering="crispEdges">{squares}</g></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def audio_file(assets_dir: Path, lang: str, name: str) -> Path | None:
    """Return a supplied audio file ``assets/audio/<lang>/<activity>.<ext>``, if there is one."""
    for ext in AUDIO_TYPES:
        path = assets_dir / "audio" / lang / f"{name}{ext}"
        if path.is_file():
            return path
    return None


def copy_audio(path: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, dest)
