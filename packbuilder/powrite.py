"""Write PO files byte for byte as GNU gettext's msgcat writes them (write-po.c, 0.21).

Line breaking is GNU's own: libunistring's ``ulc_width_linebreaks`` (UAX #14, with CJK widths),
called through ctypes with the same arguments as msgcat. Where libunistring is missing, a
plain fallback breaks after spaces and between wide characters (close, not identical).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import re
import unicodedata
from collections.abc import Iterable

from babel.messages.catalog import Catalog, Message

PAGE_WIDTH = 79                      # msgcat's default --width
UNDEFINED, PROHIBITED, POSSIBLE = 0, 1, 2     # libunistring's UC_BREAK_* values
ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
#: GNU's order of format flags (format_language[] in format.c); we write only the python ones
FORMAT_ORDER = ("c-format", "objc-format", "sh-format", "python-format", "python-brace-format")
BRACE_DIRECTIVE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
OWNED_PREFIX = "packbuilder: "       # translator-comment form of ignore-* flags (msgcat drops unknown flags)


def _libunistring():  # type: ignore[no-untyped-def]
    for name in (ctypes.util.find_library("unistring"), "libunistring.so.5", "libunistring.so.2"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            fn = lib.ulc_width_linebreaks
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                       ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
        fn.restype = ctypes.c_int
        return fn
    return None


_LINEBREAKS = _libunistring()


def _fallback_breaks(data: bytes, width: int, start: int, overrides: bytes) -> bytes:
    """Break after spaces and between wide characters, greedily; an approximation of UAX #14."""
    text = data.decode("utf-8")
    out, col, pos, last_ok = bytearray(len(data)), start, 0, None
    prev = ""
    for ch in text:
        size = len(ch.encode("utf-8"))
        wide = unicodedata.east_asian_width(ch) in "WF"
        ok = overrides[pos] != PROHIBITED and prev and not ch.isspace() and (
            prev == " " or (wide and unicodedata.east_asian_width(prev) in "WF"))
        if ok:
            last_ok = pos
        w = 2 if wide else 1
        if col + w > width and last_ok is not None and last_ok > 0:
            out[last_ok] = POSSIBLE
            col = len(data[last_ok:pos].decode("utf-8"))
            last_ok = pos if ok and last_ok != pos else None
        col += w
        pos += size
        prev = ch
    return bytes(out)


def _breaks(data: bytes, width: int, start: int, overrides: bytes) -> bytes:
    if _LINEBREAKS is None:
        return _fallback_breaks(data, width, start, overrides)
    out = ctypes.create_string_buffer(len(data) or 1)
    _LINEBREAKS(data, len(data), width, start, 0, overrides, b"UTF-8", out)
    return out.raw[:len(data)]


def _portion(text: str, brace: bool) -> tuple[bytes, bytes]:
    """Return a portion escaped as PO bytes, and where a break is prohibited (per byte)."""
    inside = bytearray(len(text))
    if brace:
        for m in BRACE_DIRECTIVE.finditer(text):
            inside[m.start() + 1:m.end()] = b"\1" * (m.end() - m.start() - 1)
    data, overrides = bytearray(), bytearray()
    for i, ch in enumerate(text):
        brk = PROHIBITED if inside[i] else UNDEFINED
        if ch in ESCAPES or ch in '\\"':
            data += b"\\" + (ESCAPES.get(ch) or ch).encode()
            overrides += bytes((brk, PROHIBITED))
        else:
            enc = ch.encode("utf-8")
            data += enc
            overrides += bytes((brk,)) + bytes((PROHIBITED,)) * (len(enc) - 1)
    if text.endswith("\n"):
        overrides[-2] = PROHIBITED        # never break just before the final "\n"
    return bytes(data), bytes(overrides)


def wrap(name: str, value: str, prefix: str = "", width: int = PAGE_WIDTH, brace: bool = False) -> list[str]:
    """Return the lines of one keyword and its string, as write-po.c's wrap() prints them."""
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    lines: list[str] = []
    first = True
    after_break = len(prefix) + 1
    room = width - 1 - after_break
    for n, text in enumerate(portions):
        data, overrides = _portion(text, brace)
        while True:
            start = len(prefix) + (len(name) + 1 if first else 0) + 1 - after_break
            breaks = _breaks(data, room, start, overrides)
            if first and data and (n < len(portions) - 1 or start > room or POSSIBLE in breaks):
                lines.append(f'{prefix}{name} ""')
                first = False
                continue
            break
        head = f"{prefix}{name} " if first else prefix
        first = False
        pieces, last = [], 0
        for i, b in enumerate(breaks):
            if b == POSSIBLE:
                pieces.append(data[last:i])
                last = i
        pieces.append(data[last:])
        lines.append(head + '"' + pieces[0].decode("utf-8") + '"')
        lines += [f'{prefix}"{p.decode("utf-8")}"' for p in pieces[1:]]
    return lines


def _comments(texts: Iterable[str], mark: str = "#") -> list[str]:
    return [f"{mark} {t}" if t else mark for t in texts]


def _references(locations: Iterable[tuple[str, int | None]], width: int) -> list[str]:
    if not locations:
        return []
    lines, line, column = [], "#:", 2
    for filename, lineno in locations:
        while filename.startswith("./"):
            filename = filename[2:]
        ref = f"{filename}:{lineno}" if lineno is not None else filename
        if column > 2 and column + len(ref) + 1 > width:
            lines.append(line)
            line, column = "#:", 2
        line += " " + ref
        column += len(ref) + 1
    return lines + [line]


def _ids(value) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)] if value else []


OWNED_FLAG = re.compile(r"ignore-[^\s,]+")  # packbuilder's own flags: what the writer keeps, the reader takes back


def owned_flags(message: Message) -> list[str]:
    """Return a message's ``ignore-*`` flags (packbuilder's own), in a stable order."""
    return sorted(f for f in message.flags if OWNED_FLAG.fullmatch(f))


def message_lines(message: Message, width: int = PAGE_WIDTH, obsolete: bool = False) -> list[str]:
    """Return the lines of one entry (without the blank line before it)."""
    strings = _ids(message.string) or [""]
    fuzzy = message.fuzzy and bool(strings[0])
    owned = owned_flags(message)
    lines = _comments(([f"{OWNED_PREFIX}{', '.join(owned)}"] if owned else []) + list(message.user_comments))
    lines += _comments(message.auto_comments, "#.")
    lines += _references(message.locations, width)
    flags = (["fuzzy"] if fuzzy else []) + ([] if obsolete else [f for f in FORMAT_ORDER if f in message.flags])
    if flags:
        lines.append("#, " + ", ".join(flags))
    brace = not obsolete and "python-brace-format" in message.flags
    prev_prefix, prefix = ("#~| ", "#~ ") if obsolete else ("#| ", "")
    previous = _ids(message.previous_id)
    previous_context = getattr(message, "previous_context", None)
    if previous_context is not None:
        lines += wrap("msgctxt", previous_context, prev_prefix, width)
    for keyword, text in zip(("msgid", "msgid_plural"), previous):
        lines += wrap(keyword, text, prev_prefix, width)
    if message.context is not None:
        lines += wrap("msgctxt", str(message.context), prefix, width, brace)
    ids = _ids(message.id) or [""]
    lines += wrap("msgid", ids[0], prefix, width, brace)
    if len(ids) > 1 or message.pluralizable:
        lines += wrap("msgid_plural", ids[1], prefix, width, brace)
        for i, text in enumerate(strings):
            lines += wrap(f"msgstr[{i}]", text, prefix, width, brace)
    else:
        lines += wrap("msgstr", strings[0], prefix, width, brace)
    return lines


def header_comment_lines(catalog: Catalog) -> list[str]:
    """Return the header's translator comments, as GNU prints them ("#" alone when empty)."""
    raw = getattr(catalog, "_header_comment", "") or ""
    texts = []
    for line in raw.splitlines():
        text = line[1:] if line.startswith("#") else line
        texts.append(text[1:] if text.startswith(" ") else text)
    return _comments(texts)


def dump_po(catalog: Catalog, width: int = PAGE_WIDTH) -> str:
    """Return the whole catalog as msgcat would write it: header, entries, then obsolete entries."""
    entries = iter(catalog)
    header = next(entries)
    blocks = [header_comment_lines(catalog) + (["#, fuzzy"] if header.fuzzy and header.string else [])
              + wrap("msgid", "", "", width) + wrap("msgstr", str(header.string), "", width)]
    blocks += [message_lines(m, width) for m in entries if m.id]
    blocks += [message_lines(m, width, obsolete=True) for m in catalog.obsolete.values()
               if (_ids(m.string) or [""])[0]]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
