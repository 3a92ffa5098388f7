"""The review store: one SQLite file (WAL), a schema version, ordered migrations.

Submitted files are kept byte for byte as BLOBs in the same transaction as their row, so a
server killed at any moment leaves either the whole submission or none of it.
"""
from __future__ import annotations

import csv
import io
import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

DEFAULT_DATA_DIR = Path(".packbuilder-data")
DB_NAME = "review.sqlite3"

# Each migration runs once, in order, in its own transaction; never edit one that has shipped.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE invitations (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,          -- sha256 of the link's token, never the token
        lang TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('translator', 'reviewer')),
        created TEXT NOT NULL,
        expires TEXT NOT NULL,
        revoked TEXT
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        invitation_id INTEGER REFERENCES invitations(id),
        lang TEXT NOT NULL,
        document TEXT NOT NULL,
        filename TEXT NOT NULL,
        data BLOB NOT NULL,                       -- the uploaded file, byte for byte
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'accepted', 'rejected')),
        reason TEXT NOT NULL DEFAULT '',
        report TEXT NOT NULL,                     -- JSON: the check report and its changes
        created TEXT NOT NULL,
        decided TEXT,
        decided_by TEXT
    );
    CREATE INDEX submissions_queue ON submissions (status, lang, document);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        lang TEXT NOT NULL DEFAULT '',
        file TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    """
    CREATE TABLE uploads (                        -- checked files a translator may still submit
        id INTEGER PRIMARY KEY,
        invitation_id INTEGER NOT NULL REFERENCES invitations(id),
        filename TEXT NOT NULL,
        document TEXT NOT NULL DEFAULT '',
        data BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        created TEXT NOT NULL
    );
    """,
]

AUDIT_COLUMNS = ("id", "at", "who", "action", "lang", "file", "sha256", "detail")


def now() -> datetime:
    """Return the current time in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Invitation:
    """A link that lets one person translate or review one language until it expires."""

    id: int
    lang: str
    name: str
    role: str
    created: str
    expires: str
    revoked: str | None

    def active(self, at: datetime | None = None) -> bool:
        return self.revoked is None and (at or now()).isoformat() < self.expires


@dataclass(frozen=True)
class Submission:
    """A translator's file in the queue, and what became of it."""

    id: int
    invitation_id: int | None
    lang: str
    document: str
    filename: str
    data: bytes
    sha256: str
    status: str
    reason: str
    report: str
    created: str
    decided: str | None
    decided_by: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what, when, to which file."""

    id: int
    at: str
    who: str
    action: str
    lang: str
    file: str
    sha256: str
    detail: str


class Store:
    """The review database. One connection, guarded by a lock; usable from server threads."""

    def __init__(self, data_dir: Path = DEFAULT_DATA_DIR) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = self.data_dir / DB_NAME
        self._lock = threading.RLock()
        self.path.touch(mode=0o600, exist_ok=True)        # submissions and names: this user's only
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")       # a committed row survives a power cut
        self._db.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one write transaction: all of it is committed, or none."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def schema_version(self) -> int:
        """Return the number of migrations applied."""
        return int(self.query("SELECT version FROM schema_version")[0][0])

    def migrate(self) -> None:
        """Bring the schema up to date, one migration per transaction."""
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            if not db.execute("SELECT 1 FROM schema_version").fetchone():
                db.execute("INSERT INTO schema_version VALUES (0)")
        for version, script in enumerate(MIGRATIONS, 1):
            if self.schema_version() >= version:
                continue
            with self.transaction() as db:
                plain = re.sub(r"--[^\n]*", "", script)          # comments may hold any text
                for statement in (s.strip() for s in plain.split(";")):
                    if statement:
                        db.execute(statement)
                db.execute("UPDATE schema_version SET version = ?", (version,))

    # --- audit -------------------------------------------------------------------------------

    def audit(self, db: sqlite3.Connection, who: str, action: str, *, lang: str = "", file: str = "",
              sha256: str = "", detail: str = "") -> None:
        """Record one action, inside the caller's transaction."""
        db.execute("INSERT INTO audit (at, who, action, lang, file, sha256, detail) VALUES (?,?,?,?,?,?,?)",
                   (now().isoformat(), who, action, lang, file, sha256, detail))

    def audit_log(self, limit: int | None = None) -> list[AuditEntry]:
        sql = "SELECT * FROM audit ORDER BY id DESC" + (" LIMIT ?" if limit else "")
        return [AuditEntry(**dict(r)) for r in self.query(sql, (limit,) if limit else ())]

    def audit_csv(self) -> str:
        """Return the whole audit log as CSV, oldest first (cells a spreadsheet would run are quoted)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(AUDIT_COLUMNS)
        for entry in reversed(self.audit_log()):
            writer.writerow([_csv_safe(str(getattr(entry, c))) for c in AUDIT_COLUMNS])
        return out.getvalue()

    # --- rows --------------------------------------------------------------------------------

    def invitation(self, invitation_id: int) -> Invitation | None:
        rows = self.query("SELECT * FROM invitations WHERE id = ?", (invitation_id,))
        return _invitation(rows[0]) if rows else None

    def invitation_by_hash(self, token_hash: str) -> Invitation | None:
        rows = self.query("SELECT * FROM invitations WHERE token_hash = ?", (token_hash,))
        return _invitation(rows[0]) if rows else None

    def invitations(self) -> list[Invitation]:
        return [_invitation(r) for r in self.query("SELECT * FROM invitations ORDER BY id DESC")]

    def upload(self, upload_id: int) -> Upload | None:
        rows = self.query("SELECT * FROM uploads WHERE id = ?", (upload_id,))
        return Upload(**dict(rows[0])) if rows else None

    def submission(self, submission_id: int) -> Submission | None:
        rows = self.query("SELECT * FROM submissions WHERE id = ?", (submission_id,))
        return Submission(**dict(rows[0])) if rows else None

    def submissions(self, *, status: str | None = None, lang: str | None = None,
                    invitation_id: int | None = None) -> list[Submission]:
        where, args = [], []
        for column, value in (("status", status), ("lang", lang), ("invitation_id", invitation_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM submissions" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [Submission(**dict(r)) for r in self.query(sql, tuple(args))]


@dataclass(frozen=True)
class Upload:
    """A checked file, kept until its translator submits it (or for a day)."""

    id: int
    invitation_id: int
    filename: str
    document: str
    data: bytes
    sha256: str
    created: str


def _invitation(row: sqlite3.Row) -> Invitation:
    return Invitation(**{k: row[k] for k in ("id", "lang", "name", "role", "created", "expires", "revoked")})


def _csv_safe(cell: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
