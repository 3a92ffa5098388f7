"""Read PO files as GNU gettext reads them, strictly: every unquoted or unclosed string, stray
quote, bad escape, duplicate entry and charset mismatch is an error with its line.

Accepted as msgfmt accepts them: any wrap width, CRLF, a BOM, ``#|`` and ``#~|`` previous
lines, wrapped ``msgctxt``, several strings on one line, reordered headers, repeated
``msgctxt`` with different ``msgid``.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CatalogError

MAX_BYTES = 16 * 1024 * 1024        # our biggest catalog is ~100 KB
MAX_PLURALS = 6                      # Arabic has the most plural forms of any language (6)
KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?(?=[\s\"]|$)")
UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", '"': '"', "'": "'", "?": "?"}
CHARSET = re.compile(rb"charset=([^\s\"\\]+)", re.IGNORECASE)
QUOTE_HINT = 'put the text in double quotes, and write a quote inside it as \\"'


@dataclass
class RawEntry:
    """One entry as written in the file."""

    lineno: int = 0                      # line of its msgid
    obsolete: bool = False
    comments: list[str] = field(default_factory=list)
    auto_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)      # msgctxt, msgid, msgid_plural, msgstr
    plurals: dict[int, str] = field(default_factory=dict)     # msgstr[n]
    field_lines: dict[str, int] = field(default_factory=dict)

    @property
    def started(self) -> bool:
        return bool(self.fields or self.plurals)

    @property
    def has_msgstr(self) -> bool:
        return "msgstr" in self.fields or bool(self.plurals)


def read_bytes(path: Path) -> bytes:
    """Return a catalog file's bytes, after checking it is a regular file of a sane size."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise CatalogError(f"cannot read catalog: {exc.strerror}", path=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise CatalogError("this is a folder, not a PO file; give the path of the .po file", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise CatalogError("this is not a regular file (a pipe, socket or device); give a saved .po file",
                           path=path)
    if info.st_size > MAX_BYTES:
        raise CatalogError(f"the file is {info.st_size / 1e6:.1f} MB; a catalog is well under "
                           f"{MAX_BYTES // 2**20} MB, so this is not one", path=path)
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CatalogError(f"cannot read catalog: {exc.strerror}", path=path) from None


def decode(data: bytes, path: Path) -> str:
    """Return the text of a PO file in the charset its header declares; refuse a mismatch."""
    if data.startswith(b"\xef\xbb\xbf"):            # a UTF-8 byte order mark: harmless, dropped
        data = data[3:]
    if b"\0" in data:
        raise CatalogError("the file contains NUL bytes, so it is not a text catalog; re-save it from "
                           "Poedit as UTF-8", path=path, lineno=data.count(b"\n", 0, data.index(b"\0")) + 1)
    match = CHARSET.search(data[:8192])             # in the header, the first entry
    declared = match.group(1).decode("ascii", "replace") if match else "UTF-8"
    lineno = data.count(b"\n", 0, match.start()) + 1 if match else 1
    if declared.upper() == "CHARSET":           # the placeholder in a fresh template
        declared = "UTF-8"
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise CatalogError(f"unknown charset {declared!r} in Content-Type; write charset=UTF-8 and save the "
                           "file as UTF-8", path=path, lineno=lineno) from None
    if codec != "utf-8" and not data.isascii():
        try:
            data.decode("utf-8")
            raise CatalogError(f"the file is UTF-8 but its header declares charset={declared}; change the "
                               "header to charset=UTF-8", path=path, lineno=lineno)
        except UnicodeDecodeError:
            pass                                  # really in that charset: decode it below
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        bad = data.count(b"\n", 0, exc.start) + 1
        hint = ("save it as UTF-8 (Poedit does this by default)" if codec == "utf-8"
                else f"save it as {declared} or, better, as UTF-8 with charset=UTF-8")
        raise CatalogError(f"the file is not valid {'UTF-8' if codec == 'utf-8' else declared}; {hint}", path=path, lineno=bad) from None


def _strings(rest: str, path: Path, lineno: int) -> str:
    """Return the concatenation of the quoted strings on one line; anything else is an error."""
    out, i, n = [], 0, len(rest)
    found = False
    while True:
        while i < n and rest[i] in " \t\f\v":
            i += 1
        if i >= n:
            break
        if rest[i] != '"':
            what = "text after the closing quote" if found else "text that is not in quotes"
            raise CatalogError(f"{what}: {rest[i:i + 30]!r}; {QUOTE_HINT}", path=path, lineno=lineno)
        i += 1
        found = True
        while True:
            if i >= n:
                raise CatalogError('a quoted string is not closed; end it with " (and write a quote '
                                   'inside the text as \\")', path=path, lineno=lineno)
            ch = rest[i]
            if ch == '"':
                i += 1
                break
            if ch == "\\":
                i += 1
                esc = rest[i] if i < n else ""
                if esc in UNESCAPE:
                    out.append(UNESCAPE[esc])
                    i += 1
                elif esc in "01234567" and esc:
                    digits = re.match(r"[0-7]{1,3}", rest[i:]).group(0)  # type: ignore[union-attr]
                    out.append(chr(int(digits, 8)))
                    i += len(digits)
                elif esc == "x" and re.match(r"[0-9A-Fa-f]", rest[i + 1:i + 2]):
                    digits = re.match(r"[0-9A-Fa-f]+", rest[i + 1:]).group(0)[:2]  # type: ignore[union-attr]
                    out.append(chr(int(digits, 16)))
                    i += 1 + len(digits)
                else:
                    raise CatalogError(f"unknown escape sequence \\{esc}; write a backslash as \\\\",
                                       path=path, lineno=lineno)
            else:
                out.append(ch)
                i += 1
    if not found:
        raise CatalogError(f"a keyword without its string; {QUOTE_HINT}", path=path, lineno=lineno)
    return "".join(out)


def parse(text: str, path: Path) -> list[RawEntry]:
    """Return the entries of a PO file, in order; raise CatalogError at the first bad line."""
    return _Parser(path).run(text)


class _Parser:
    """A line-by-line reader of PO syntax (po-lex.c and po-gram.y, without their leniency)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[RawEntry] = []
        self.entry = RawEntry()
        self.target: str | int | None = None          # where a continuation "string" line goes
        self.previous_target: str | None = None

    def error(self, message: str, lineno: int) -> CatalogError:
        return CatalogError(message, path=self.path, lineno=lineno)

    def finish(self) -> None:
        entry = self.entry
        if entry.started:
            if "msgid" not in entry.fields:
                raise self.error("an entry without msgid; every entry needs msgid and msgstr",
                                 min(entry.field_lines.values()))
            if not entry.has_msgstr:
                raise self.error('msgid without msgstr; add msgstr "" after it', entry.lineno)
            if "msgid_plural" in entry.fields and "msgstr" in entry.fields:
                raise self.error("msgid_plural needs msgstr[0], msgstr[1]..., not msgstr", entry.lineno)
            if entry.plurals and "msgid_plural" not in entry.fields:
                raise self.error("msgstr[n] without msgid_plural; use msgstr", entry.lineno)
            self.entries.append(entry)
        self.entry, self.target, self.previous_target = RawEntry(), None, None

    def run(self, text: str) -> list[RawEntry]:
        for lineno, line in enumerate(text.split("\n"), 1):
            if line.endswith("\r"):
                line = line[:-1]
            s = line.lstrip(" \t")
            if not s:
                continue
            if s.startswith("#~"):
                body = s[2:].lstrip(" \t")
                if body.startswith("|"):
                    self.previous_line(body[1:].strip(), lineno)
                elif body and not body.startswith("#"):
                    self.keyword_line(body, lineno, obsolete=True)
                continue
            if s.startswith("#|"):
                self.previous_line(s[2:].strip(), lineno)
                continue
            if s.startswith("#"):
                self.comment_line(s, lineno)
                continue
            self.keyword_line(s, lineno, obsolete=False)
        self.finish()
        return self.entries

    def comment_line(self, s: str, lineno: int) -> None:
        if self.entry.started:
            self.finish()
        kind, rest = s[1:2], s[2:]
        if kind == ",":
            self.entry.flags += [f.strip() for f in rest.split(",") if f.strip()]
        elif kind == ":":
            self.entry.references += rest.split()
        elif kind == ".":
            self.entry.auto_comments.append(rest[1:] if rest.startswith(" ") else rest)
        else:
            comment = s[1:]
            self.entry.comments.append(comment[1:] if comment.startswith(" ") else comment)

    def previous_line(self, s: str, lineno: int) -> None:
        if self.entry.started:
            self.finish()
        if s.startswith('"'):
            if self.previous_target is None:
                raise self.error("a #| string with no #| msgid before it", lineno)
            self.entry.previous[self.previous_target] += _strings(s, self.path, lineno)
            return
        m = KEYWORD.match(s)
        if not m or m.group(1) == "msgstr" or m.group(2) is not None:
            raise self.error("a #| line holds msgctxt, msgid or msgid_plural and a quoted string", lineno)
        self.previous_target = m.group(1)
        self.entry.previous[m.group(1)] = _strings(s[m.end():], self.path, lineno)

    def keyword_line(self, s: str, lineno: int, obsolete: bool) -> None:
        """Read one `keyword "string"` line or one continuation `"string"` line."""
        if s.startswith('"'):
            if self.target is None:
                raise self.error("a string with no keyword before it; start the entry with msgid", lineno)
            value = _strings(s, self.path, lineno)
            if isinstance(self.target, int):
                self.entry.plurals[self.target] += value
            else:
                self.entry.fields[self.target] += value
            return
        m = KEYWORD.match(s)
        if not m:
            word = s.split()[0][:30]
            raise self.error(f"unknown keyword or unquoted text {word!r}; a line is a comment (#), a keyword "
                             "(msgctxt, msgid, msgstr) with its string in double quotes, or a \"string\"", lineno)
        keyword, index = m.group(1), m.group(2)
        entry = self.entry
        if keyword in ("msgctxt", "msgid") and entry.has_msgstr:
            self.finish()
            entry = self.entry
        if keyword in entry.fields:
            raise self.error(f"a second {keyword} in one entry (first at line {entry.field_lines[keyword]}); "
                             "an entry has one msgctxt, one msgid and its msgstr", lineno)
        if keyword == "msgctxt" and "msgid" in entry.fields:
            raise self.error("msgctxt must come before msgid", lineno)
        if keyword in ("msgid_plural", "msgstr") and "msgid" not in entry.fields:
            raise self.error(f"{keyword} without a msgid before it", lineno)
        value = _strings(s[m.end():], self.path, lineno)
        if keyword == "msgstr" and index is not None:
            n = int(index)
            if n != len(entry.plurals):
                raise self.error(f"msgstr[{n}] is out of order (expected msgstr[{len(entry.plurals)}])", lineno)
            if n >= MAX_PLURALS:
                raise self.error(f"msgstr[{n}]: no language has more than {MAX_PLURALS} plural forms", lineno)
            entry.plurals[n] = value
            self.target = n
            return
        entry.fields[keyword] = value
        entry.field_lines[keyword] = lineno
        self.target = keyword
        if keyword == "msgid":
            entry.lineno = lineno
            entry.obsolete = obsolete
