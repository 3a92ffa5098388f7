"""The review desk: invitations, the queue, accept and reject, conflicts, sign-off, the audit log.

Each step that changes the store runs in one SQLite transaction with its audit line. Steps
that write catalogs hold a lock on the data folder and commit their row only after the
catalog is on disk, so a server killed at any moment leaves every accepted submission in the
catalog and every other one still in the queue.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from ..config import Pack
from ..errors import PackbuilderError
from ..stats import Progress, progress
from . import importer
from .access import new_token, token_hash
from .importer import Change, Report
from .preview import Preview, preview
from .store import DEFAULT_DATA_DIR, Invitation, Store, Submission, Upload, now

MAX_UPLOAD = 1024 * 1024             # a catalog of our longest document is ~60 kB
UPLOADS_KEPT = 200                   # checked files one link may keep for a day (a full disk is a loss too)
ROLES = ("translator", "reviewer")
MAINTAINER = "maintainer"
LOCALES_LOCK = threading.Lock()


class ReviewError(PackbuilderError):
    """A review step cannot be done as asked (expired link, conflict, wrong state)."""

    category = "review"


class AccessDenied(ReviewError):
    """A link or login does not grant this."""


@dataclass(frozen=True)
class Conflict:
    """Two queued submissions (or one and the catalog) want different text in one entry."""

    lang: str
    document: str
    context: str
    english: str
    current: str
    wants: tuple[tuple[int, str], ...]       # (submission id, its new text)


class Desk:
    """The review workflow of one pack, over one store."""

    def __init__(self, config: Pack, data_dir: Path | None = None) -> None:
        self.config = config
        root = config.locales_dir.parent             # the repository (or test root) the pack reads
        self.store = Store(data_dir if data_dir is not None else root / DEFAULT_DATA_DIR)

    def close(self) -> None:
        self.store.close()

    # --- invitations -------------------------------------------------------------------------

    def invite(self, lang: str, name: str, *, role: str = "translator", days: float = 14) -> tuple[str, Invitation]:
        """Create an invitation; return its token (shown once, in the link) and the invitation."""
        if lang not in self.config.languages or lang == "en":
            raise ReviewError(f"{lang!r} is not a translated language of this pack "
                              f"({', '.join(c for c in self.config.languages if c != 'en')})")
        if role not in ROLES:
            raise ReviewError(f"role {role!r} is not one of {', '.join(ROLES)}")
        name = _plain(name, "name")
        if not 0 < days <= 365:
            raise ReviewError("an invitation lasts between a few hours and 365 days")
        token, created = new_token(), now()
        with self.store.transaction() as db:
            cur = db.execute("INSERT INTO invitations (token_hash, lang, name, role, created, expires) "
                             "VALUES (?,?,?,?,?,?)", (token_hash(token), lang, name, role, created.isoformat(),
                                                      (created + timedelta(days=days)).isoformat()))
            self.store.audit(db, MAINTAINER, "invite", lang=lang, detail=f"{role} {name} (#{cur.lastrowid})")
        return token, self.store.invitation(int(cur.lastrowid))  # type: ignore[arg-type]

    def revoke(self, invitation_id: int) -> None:
        with self.store.transaction() as db:
            row = db.execute("UPDATE invitations SET revoked = ? WHERE id = ? AND revoked IS NULL",
                             (now().isoformat(), invitation_id))
            if row.rowcount:                      # the row exists: it was just updated
                inv = self.store.invitation(invitation_id)
                assert inv is not None
                self.store.audit(db, MAINTAINER, "revoke", lang=inv.lang, detail=f"{inv.role} {inv.name} (#{invitation_id})")

    def verify(self, token: str, role: str | None = None) -> Invitation:
        """Return the invitation a link's token grants, or raise AccessDenied."""
        if not token or len(token) > 200:
            raise AccessDenied("this link is not valid")
        # looked up by its sha256: a timing difference could only tell an attacker about a hash
        inv = self.store.invitation_by_hash(token_hash(token))
        if inv is None:
            raise AccessDenied("this link is not valid")
        if inv.revoked is not None:
            raise AccessDenied("this link was withdrawn; ask the maintainer for a new one")
        if not inv.active():
            raise AccessDenied("this link has expired; ask the maintainer for a new one")
        if role is not None and inv.role != role:
            raise AccessDenied(f"this link is for a {inv.role}")
        return inv

    # --- what a translator sees --------------------------------------------------------------

    def progress(self, lang: str) -> list[Progress]:
        """Return each document's progress in ``lang``, as ``packbuilder stats`` counts it."""
        return [progress(self.config.locales_dir, lang, d) for d in importer.domains(self.config)]

    def download(self, inv: Invitation, document: str) -> bytes:
        if document not in importer.domains(self.config):
            raise ReviewError(f"{document!r} is not a document of this pack")
        return importer.catalog_bytes(self.config, inv.lang, document)

    def inspect(self, lang: str, filename: str, data: bytes, document: str | None = None) -> Report:
        """Return the report on a file: its problems and what importing it would change."""
        _size(data)
        with importer.staged(self.config, lang, data, filename, document) as (report, _):
            return report

    def check(self, inv: Invitation, filename: str, data: bytes, document: str | None = None) -> Report:
        """Check an uploaded file and say what importing it would change; nothing is queued."""
        report = self.inspect(inv.lang, filename, data, document)
        with self.store.transaction() as db:
            self.store.audit(db, who(inv), "upload", lang=inv.lang, file=report.filename, sha256=sha256(data),
                             detail=f"{len(report.errors)} error(s), {len(report.taken)} entr(ies) to take")
        return report

    def upload(self, inv: Invitation, filename: str, data: bytes, document: str | None = None) -> tuple[Report, Upload]:
        """Check an uploaded file (as :meth:`check`) and keep it, so the translator can submit it."""
        since = (now() - timedelta(days=1)).isoformat()
        kept = self.store.query("SELECT count(*) FROM uploads WHERE invitation_id = ? AND created >= ?",
                                (inv.id, since))[0][0]
        if kept >= UPLOADS_KEPT:
            raise ReviewError(f"this link has uploaded {kept} files today; submit one, or try again tomorrow")
        report = self.check(inv, filename, data, document)
        with self.store.transaction() as db:
            db.execute("DELETE FROM uploads WHERE created < ?", (since,))
            cur = db.execute("INSERT INTO uploads (invitation_id, filename, document, data, sha256, created) "
                             "VALUES (?,?,?,?,?,?)", (inv.id, report.filename, document or "", data, sha256(data),
                                                      now().isoformat()))
        return report, self.store.upload(int(cur.lastrowid))  # type: ignore[arg-type, return-value]

    def uploaded(self, inv: Invitation, upload_id: int) -> Upload:
        """Return one of this invitation's own uploads, or refuse."""
        up = self.store.upload(upload_id)
        if up is None or up.invitation_id != inv.id:
            raise AccessDenied("there is no such upload for this link; upload the file again")
        return up

    def submit_upload(self, inv: Invitation, upload_id: int) -> Submission:
        """Submit a file this translator uploaded and checked before."""
        up = self.uploaded(inv, upload_id)
        return self.submit(inv, up.filename, up.data, up.document or None)

    def submit(self, inv: Invitation, filename: str, data: bytes, document: str | None = None) -> Submission:
        """Check an uploaded file again and, if it passes, put it in the queue (locales/ unchanged)."""
        if inv.role != "translator":
            raise AccessDenied("only a translator's link can submit files")
        _size(data)
        with importer.staged(self.config, inv.lang, data, filename, document) as (report, locales):
            if not report.ok:
                raise ReviewError(f"{report.filename}: {len(report.errors)} error(s); fix them before submitting")
            if not report.changes:
                raise ReviewError(f"{report.filename}: this file changes no translation of {report.document}; "
                                  "is it the file you translated, and the right document?")
            if report.document in self.config.cards:    # a card that overflows would stop the build
                shown = preview(self.config, inv.lang, report.document, locales, [])
                if not shown.fits:
                    faces = ", ".join(f"{f.card} {f.face}" for f in shown.faces if not f.fits)
                    raise ReviewError(f"{report.filename}: the card text does not fit ({faces}); shorten it, "
                                      "then upload it again")
        digest = sha256(data)
        with self.store.transaction() as db:
            cur = db.execute(
                "INSERT INTO submissions (invitation_id, lang, document, filename, data, sha256, status, report, "
                "created) VALUES (?,?,?,?,?,?,'queued',?,?)",
                (inv.id, inv.lang, report.document, report.filename, data, digest,
                 json.dumps(report.as_dict(), ensure_ascii=False), now().isoformat()))
            self.store.audit(db, who(inv), "submit", lang=inv.lang, file=report.filename, sha256=digest,
                             detail=f"#{cur.lastrowid} {report.document}: {len(report.changes)} change(s)")
        return self.store.submission(int(cur.lastrowid))  # type: ignore[arg-type, return-value]

    def preview(self, lang: str, filename: str, data: bytes, document: str | None = None) -> tuple[Report, Preview | None]:
        """Check a file and, if it passes, render what it changes in print (locales/ untouched)."""
        _size(data)
        with importer.staged(self.config, lang, data, filename, document) as (report, locales):
            if not report.ok:
                return report, None
            return report, preview(self.config, lang, report.document, locales, [c.new for c in report.changes])

    # --- the queue ---------------------------------------------------------------------------

    def queue(self, lang: str | None = None) -> list[Submission]:
        return self.store.submissions(status="queued", lang=lang)

    def report(self, submission: Submission) -> Report:
        """Return the report made when the file was submitted."""
        return Report.from_dict(json.loads(submission.report))

    def effective(self, submission: Submission, choose: dict[str, str] | None = None) -> bytes:
        """Return the submitted file reduced to the entries its translator changed (less those a
        conflict resolution keeps as they are): the rest must not undo what was accepted since."""
        changed = {c.context for c in self.report(submission).changes}
        keep = {c for c, side in (choose or {}).items() if side == "current"}
        return importer.only(submission.data, submission.lang, changed - keep)

    def diff(self, submission: Submission) -> list[Change]:
        """Return what accepting ``submission`` now would change, entry by entry (old -> new)."""
        with importer.staged(self.config, submission.lang, self.effective(submission), submission.filename,
                             submission.document) as (report, _):
            return report.changes

    def conflicts(self, lang: str | None = None) -> list[Conflict]:
        """Return every entry two queued submissions change differently, or one changes after the
        catalog changed under it (its English shown, and what each side wants)."""
        found: list[Conflict] = []
        groups: dict[tuple[str, str], list[Submission]] = {}
        for sub in self.queue(lang):
            groups.setdefault((sub.lang, sub.document), []).append(sub)
        for (code, document), subs in groups.items():
            current = importer.current_strings(self.config.locales_dir, code, document)
            wants: dict[str, dict[int, Change]] = {}
            for sub in subs:
                for change in self.report(sub).changes:
                    if not change.fuzzy and change.new != current.get(change.context, ""):
                        wants.setdefault(change.context, {})[sub.id] = change
            for context, by_sub in wants.items():
                texts = {c.new for c in by_sub.values()}
                stale = [s for s, c in by_sub.items() if c.old != current.get(context, "")]
                if len(texts) > 1 or stale:
                    english = next(iter(by_sub.values())).english
                    found.append(Conflict(code, document, context, english, current.get(context, ""),
                                          tuple((s, c.new) for s, c in sorted(by_sub.items()))))
        return found


    def conflicts_of(self, sub: Submission) -> list[Conflict]:
        """Return the conflicts ``sub`` is part of."""
        return [c for c in self.conflicts(sub.lang) if any(s == sub.id for s, _ in c.wants)]

    def accept(self, submission_id: int, *, choose: dict[str, str] | None = None,
               by: str = MAINTAINER) -> Report:
        """Import a queued submission with ``packbuilder import`` (and its backup); mark it accepted.

        ``choose`` resolves its conflicts: msgctxt -> "submitted" (take this file's text) or
        "current" (keep the catalog's). A conflict left unresolved refuses the whole accept.
        """
        choose = choose or {}
        with self.locales_lock():
            sub = self._queued(submission_id)
            mine = self.conflicts_of(sub)
            open_ = [c for c in mine if choose.get(c.context) not in ("submitted", "current")]
            if open_:
                raise ReviewError(f"submission #{sub.id} conflicts with the catalog or another submission in "
                                  f"{len(open_)} entr(ies): {', '.join(c.context for c in open_)}; choose for each "
                                  "whether to take this file's text or keep the current one")
            keep = {c for c, side in choose.items() if side == "current"}
            report = importer.apply(self.config, sub.lang, self.effective(sub, choose), sub.filename,
                                    sub.document)
            with self.store.transaction() as db:       # only now: the catalog is on disk
                db.execute("UPDATE submissions SET status='accepted', decided=?, decided_by=? "
                           "WHERE id=? AND status='queued'", (now().isoformat(), by, sub.id))
                self.store.audit(db, by, "accept", lang=sub.lang, file=sub.filename, sha256=sub.sha256,
                                 detail=f"#{sub.id} {sub.document}: {len(report.taken)} taken"
                                        + (f", kept ours in {len(keep)}" if keep else ""))
        return report

    def reject(self, submission_id: int, reason: str, *, by: str = MAINTAINER) -> None:
        """Take a submission out of the queue with a reason its translator will read."""
        reason = reason.strip()
        if not reason:
            raise ReviewError("say why the submission is rejected: the translator reads it")
        with self.store.transaction() as db:
            sub = self._queued(submission_id)
            db.execute("UPDATE submissions SET status='rejected', reason=?, decided=?, decided_by=? WHERE id=?",
                       (reason[:2000], now().isoformat(), by, sub.id))
            self.store.audit(db, by, "reject", lang=sub.lang, file=sub.filename, sha256=sub.sha256,
                             detail=f"#{sub.id}: {reason[:200]}")

    def mine(self, inv: Invitation) -> list[Submission]:
        """Return a translator's own submissions, with their status and any rejection reason."""
        return self.store.submissions(invitation_id=inv.id)

    # --- sign-off ----------------------------------------------------------------------------

    def sign_off(self, inv: Invitation, name: str, organisation: str) -> list[Path]:
        """Record a community reviewer's sign-off of a language in every catalog's header."""
        if inv.role != "reviewer":
            raise AccessDenied("only a reviewer's link can sign a language off")
        reviewer = f"{_plain(name, 'name')}, {_plain(organisation, 'organisation')}"
        date = now().date().isoformat()
        with self.locales_lock():
            written = importer.sign_off(self.config, inv.lang, reviewer, date)
            with self.store.transaction() as db:
                for path in written:
                    self.store.audit(db, who(inv), "sign-off", lang=inv.lang, file=path.name,
                                     sha256=sha256(path.read_bytes()), detail=f"reviewed by {reviewer}, {date}")
        return written

    # --- helpers -----------------------------------------------------------------------------

    def _queued(self, submission_id: int) -> Submission:
        sub = self.store.submission(submission_id)
        if sub is None:
            raise ReviewError(f"there is no submission #{submission_id}")
        if sub.status != "queued":
            raise ReviewError(f"submission #{sub.id} was already {sub.status}")
        return sub

    @contextmanager
    def locales_lock(self) -> Iterator[None]:
        """Let one step at a time write catalogs: threads of this server, and other processes."""
        with LOCALES_LOCK, open(self.store.data_dir / "locales.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def who(inv: Invitation) -> str:
    """Return how the audit log names the holder of an invitation."""
    return f"{inv.role}:{inv.name} (#{inv.id})"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD:
        raise ReviewError(f"the file is {len(data):,} bytes; a catalog is at most {MAX_UPLOAD:,} bytes. "
                          "Is this the right file?")
    if not data.strip():
        raise ReviewError("the file is empty; choose the .po file you translated")


def _plain(text: str, what: str) -> str:
    """Return a name as one plain line, or refuse it (it goes into a catalog header)."""
    text = " ".join(str(text).split())
    if not text or len(text) > 120 or re.search(r"[\x00-\x1f\x7f\\\"]", text):
        raise ReviewError(f"the {what} must be one line of at most 120 characters, without quotes or backslashes")
    return text
