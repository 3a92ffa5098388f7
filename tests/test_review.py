"""Browser review, the library half: invitations, the queue in SQLite, reports, diffs, conflicts,
accept with the import's backup, reject, sign-off, the audit log; a real SQLite file, real catalogs."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest

from conftest import ROOTS, copy_repo, pdftext, run_cli
from packbuilder.catalogs import read_catalog
from packbuilder.config import load_pack
from packbuilder.review import AccessDenied, Desk, ReviewError
from packbuilder.review.store import MIGRATIONS, Store
from packbuilder.workflow import backups

SUBMISSIONS = ROOTS / "submissions"
HOSTILE = ROOTS / "hostile"


@pytest.fixture
def project(minimal: Path) -> Path:
    pack = minimal / "pack.toml"
    pack.write_text(pack.read_text().replace('languages = ["en"]', 'languages = ["en", "es"]'))
    return minimal


@pytest.fixture
def desk(project: Path, tmp_path: Path) -> Desk:
    desk = Desk(load_pack(project / "pack.toml"), tmp_path / "data")
    yield desk
    desk.close()


def es_po(project: Path) -> Path:
    return project / "locales/es/LC_MESSAGES/sample.po"


def locales_bytes(project: Path) -> dict:
    return {p: p.read_bytes() for p in (project / "locales").rglob("*") if p.is_file()}


def msgfmt(path: Path) -> None:
    """Check a catalog with GNU gettext's own checker (``msgfmt -c``)."""
    import subprocess
    done = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def edited(project: Path, english: str, new: str) -> bytes:
    """Return our Spanish catalog with one entry's translation replaced, as a translator's file."""
    from packbuilder.catalogs import render_catalog
    catalog = read_catalog(es_po(project), "es")
    hits = [m for m in catalog if m.id == english]
    assert hits, english
    hits[0].string = new
    return render_catalog(catalog)


# --- the store --------------------------------------------------------------------------------

def test_store_is_a_wal_sqlite_file_with_a_schema_version(tmp_path):
    store = Store(tmp_path / "data")
    assert store.schema_version() == len(MIGRATIONS)
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    store.close()
    again = Store(tmp_path / "data")          # reopening runs no migration twice
    assert again.schema_version() == len(MIGRATIONS)
    names = {r[0] for r in again.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"invitations", "submissions", "audit", "settings", "schema_version"} <= names
    again.close()
    assert (tmp_path / "data/review.sqlite3").is_file()


def test_default_data_folder_is_beside_the_catalogs(project):
    desk = Desk(load_pack(project / "pack.toml"))
    try:
        assert desk.store.path == project / ".packbuilder-data/review.sqlite3"
    finally:
        desk.close()


# --- invitations and secrets ------------------------------------------------------------------

def test_a_link_grants_its_language_until_revoked_and_no_secret_is_stored_in_clear(desk):
    token, inv = desk.invite("es", "Ana")
    assert len(token) >= 43 and desk.verify(token).id == inv.id and inv.lang == "es"
    desk.revoke(inv.id)
    with pytest.raises(AccessDenied, match="withdrawn"):
        desk.verify(token)
    with pytest.raises(AccessDenied, match="not valid"):
        desk.verify(token[:-1] + ("A" if token[-1] != "A" else "B"))
    desk.store.close()
    raw = b"".join(p.read_bytes() for p in desk.store.data_dir.iterdir() if p.is_file())
    assert token.encode() not in raw
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw


def test_an_expired_link_is_refused(desk):
    token, inv = desk.invite("es", "Ana", days=1)
    with desk.store.transaction() as db:
        db.execute("UPDATE invitations SET expires = '2020-01-01T00:00:00+00:00' WHERE id = ?", (inv.id,))
    with pytest.raises(AccessDenied, match="expired"):
        desk.verify(token)


def test_invitations_are_only_for_the_packs_translated_languages(desk):
    for lang in ("en", "zh_Hans", "../es"):
        with pytest.raises(ReviewError):
            desk.invite(lang, "Ana")
    with pytest.raises(ReviewError, match="one line"):
        desk.invite("es", 'Ana\\n"X-Review-Status: reviewed')
    assert desk.invite("es", "Ana\nX-Review-Status: reviewed")[1].name == "Ana X-Review-Status: reviewed"


# --- upload, report, submit -------------------------------------------------------------------

def test_a_broken_link_is_reported_on_its_line_with_context_english_and_translation(desk, project):
    before = locales_bytes(project)
    _, inv = desk.invite("es", "Ana")
    report = desk.check(inv, "broken-link.po", (SUBMISSIONS / "broken-link.po").read_bytes())
    assert not report.ok
    [error] = report.errors
    text = (SUBMISSIONS / "broken-link.po").read_text().splitlines()
    assert error.check == "markup" and "https://example.org/otra" in text[error.line]
    assert error.context == "sample/do-no-harm/p2" and error.english.startswith("See [the guide]")
    assert "example.org/otra" in error.translation and "keep the same links" in error.message
    with pytest.raises(ReviewError, match="1 error"):
        desk.submit(inv, "broken-link.po", (SUBMISSIONS / "broken-link.po").read_bytes())
    assert locales_bytes(project) == before and desk.queue() == []


def test_a_good_file_is_queued_byte_for_byte_and_locales_do_not_change(desk, project):
    before = locales_bytes(project)
    data = (SUBMISSIONS / "good.po").read_bytes()
    _, inv = desk.invite("es", "Ana")
    report = desk.check(inv, "good.po", data)
    assert report.ok and report.document == "sample" and report.unchanged == 12
    assert sorted(report.taken) == ["sample/do-no-harm/li2", "sample/in-action/li2"]
    sub = desk.submit(inv, "../../etc/good.po", data)
    assert sub.status == "queued" and sub.data == data and sub.sha256 == hashlib.sha256(data).hexdigest()
    assert sub.filename == "good.po"
    assert locales_bytes(project) == before
    changes = {c.context: c for c in desk.diff(sub)}
    assert changes["sample/in-action/li2"].english == "Listen."
    assert (changes["sample/in-action/li2"].old, changes["sample/in-action/li2"].new) == ("Escuche.", "Escuche con atención.")


def test_what_the_file_skips_is_said_with_the_reason(desk, project):
    from packbuilder.catalogs import render_catalog
    catalog = read_catalog(es_po(project), "es")
    next(m for m in catalog if m.id == "Listen.").flags.add("fuzzy")
    next(m for m in catalog if m.id == "Listen.").string = "Escuche, por favor."
    catalog.add("Gone English", "Texto viejo", context="sample/gone/p9")
    _, inv = desk.invite("es", "Ana")
    report = desk.check(inv, "sample.po", render_catalog(catalog))
    reasons = dict(report.skipped)
    assert reasons["sample/gone/p9"].startswith("no such segment now")
    assert "sample/in-action/li2" in report.taken      # the translator's fuzzy mark is honoured: taken as fuzzy


@pytest.mark.parametrize("name", ["syntax-error.po", "control-characters.po", "html-script.po",
                                  "md-link-javascript.po", "other-language.po", "bom.po",
                                  "latin1-declared-utf8.po"])
def test_hostile_files_get_a_report_not_a_traceback(desk, project, name):
    before = locales_bytes(project)
    _, inv = desk.invite("es", "Ana")
    report = desk.check(inv, name, (HOSTILE / name).read_bytes())
    assert all(f.message for f in report.findings)
    assert len({f.message for f in report.findings}) == len(report.findings)        # each said once
    assert locales_bytes(project) == before


def test_an_oversized_or_empty_upload_is_refused(desk):
    _, inv = desk.invite("es", "Ana")
    with pytest.raises(ReviewError, match="at most"):
        desk.check(inv, "big.po", b"#" * (2 * 1024 * 1024))
    with pytest.raises(ReviewError, match="empty"):
        desk.check(inv, "empty.po", b"  \n")


# --- accept, reject, conflicts ----------------------------------------------------------------

def test_accept_runs_the_import_with_its_backup(desk, project):
    old = es_po(project).read_bytes()
    _, inv = desk.invite("es", "Ana")
    sub = desk.submit(inv, "good.po", (SUBMISSIONS / "good.po").read_bytes())
    report = desk.accept(sub.id)
    assert len(report.taken) == 2
    assert read_catalog(es_po(project), "es").get("Listen.", context="sample/in-action/li2").string == \
        "Escuche con atención."
    assert [b.read_bytes() for b in backups(es_po(project))] == [old]
    assert desk.store.submission(sub.id).status == "accepted" and desk.queue() == []
    msgfmt(es_po(project))
    with pytest.raises(ReviewError, match="already accepted"):
        desk.accept(sub.id)


def test_reject_needs_a_reason_the_translator_then_sees(desk, project):
    before = locales_bytes(project)
    _, inv = desk.invite("es", "Ana")
    sub = desk.submit(inv, "good.po", (SUBMISSIONS / "good.po").read_bytes())
    with pytest.raises(ReviewError, match="say why"):
        desk.reject(sub.id, "  ")
    desk.reject(sub.id, "Please keep 'Escuche.' short: it is a card line.")
    [mine] = desk.mine(inv)
    assert mine.status == "rejected" and "card line" in mine.reason
    assert locales_bytes(project) == before


def test_two_submissions_changing_one_entry_differently_are_a_conflict_not_applied_in_order(desk, project):
    _, ana = desk.invite("es", "Ana")
    _, luis = desk.invite("es", "Luis")
    a = desk.submit(ana, "a.po", edited(project, "Listen.", "Escuche sin juzgar."))
    b = desk.submit(luis, "b.po", edited(project, "Listen.", "Escuche con calma."))
    [conflict] = desk.conflicts("es")
    assert conflict.context == "sample/in-action/li2" and conflict.english == "Listen."
    assert conflict.current == "Escuche." and dict(conflict.wants) == {a.id: "Escuche sin juzgar.", b.id: "Escuche con calma."}
    before = es_po(project).read_bytes()
    for sub in (a, b):
        with pytest.raises(ReviewError, match="conflicts"):
            desk.accept(sub.id)
    assert es_po(project).read_bytes() == before
    desk.accept(a.id, choose={"sample/in-action/li2": "submitted"})
    # b was made against the old text: still a conflict, now with the catalog
    [conflict] = desk.conflicts("es")
    assert conflict.current == "Escuche sin juzgar." and dict(conflict.wants) == {b.id: "Escuche con calma."}
    desk.accept(b.id, choose={"sample/in-action/li2": "current"})
    assert read_catalog(es_po(project), "es").get("Listen.", context="sample/in-action/li2").string == \
        "Escuche sin juzgar."
    assert desk.conflicts() == [] and desk.queue() == []


# --- sign-off and the audit log ---------------------------------------------------------------

def test_a_reviewers_sign_off_removes_the_draft_notice_and_credits_them(desk, project, tmp_path):
    token, reviewer = desk.invite("es", "Marta", role="reviewer")
    _, translator = desk.invite("es", "Ana")
    with pytest.raises(AccessDenied):
        desk.sign_off(translator, "Ana", "Colectiva")
    with pytest.raises(AccessDenied):
        desk.submit(desk.verify(token), "good.po", (SUBMISSIONS / "good.po").read_bytes())
    written = desk.sign_off(reviewer, "Marta Ruiz", "Colectiva Ejemplo")
    assert es_po(project) in written and len(backups(es_po(project))) == 1
    assert desk.sign_off(reviewer, "Marta Ruiz", "Colectiva Ejemplo") == []     # the same day again: nothing
    assert len(backups(es_po(project))) == 1                                    # changes, and no backup
    po = read_catalog(es_po(project), "es")
    assert po.header("X-Review-Status") == "reviewed" and po.header("X-Reviewed-By") == "Marta Ruiz, Colectiva Ejemplo"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", po.header("X-Review-Date"))
    msgfmt(es_po(project))
    code, _, err = run_cli("build", "--pack", str(project / "pack.toml"), "--out", str(tmp_path / "dist"), "--quiet")
    assert code == 0, err
    assert "Draft translation" not in pdftext(tmp_path / "dist/minimal/es/sample.pdf")
    assert "Marta Ruiz, Colectiva Ejemplo" in re.sub(r"\s+", " ", pdftext(tmp_path / "dist/minimal/es/credits.pdf"))


def test_every_step_is_in_the_audit_log_and_its_csv(desk, project):
    data = (SUBMISSIONS / "good.po").read_bytes()
    _, inv = desk.invite("es", "=HYPERLINK(1)")
    desk.check(inv, "good.po", data)
    sub = desk.submit(inv, "good.po", data)
    desk.accept(sub.id)
    _, rev = desk.invite("es", "Marta", role="reviewer")
    desk.sign_off(rev, "Marta Ruiz", "Colectiva Ejemplo")
    desk.revoke(rev.id)
    actions = [e.action for e in reversed(desk.store.audit_log())]
    assert actions == ["invite", "upload", "submit", "accept", "invite", "sign-off", "revoke"]
    rows = list(csv.DictReader(io.StringIO(desk.store.audit_csv())))
    assert [r["action"] for r in rows] == actions
    accept = rows[3]
    assert accept["file"] == "good.po" and accept["sha256"] == hashlib.sha256(data).hexdigest()
    assert rows[1]["who"] == f"translator:=HYPERLINK(1) (#{inv.id})"
    with desk.store.transaction() as db:
        desk.store.audit(db, "=cmd|' /C calc'!A0", "test")
    assert list(csv.reader(io.StringIO(desk.store.audit_csv())))[-1][2].startswith("'=")   # not a formula
    assert rows[5]["sha256"] == hashlib.sha256(es_po(project).read_bytes()).hexdigest()


def test_progress_counts_as_stats_does(desk, project):
    code, out, _ = run_cli("stats", "--pack", str(project / "pack.toml"), "--format", "json")
    import json
    expected = {(r["document"], r["translated"], r["fuzzy"], r["untranslated"]) for r in json.loads(out)}
    assert {(p.document, p.translated, p.fuzzy, p.untranslated) for p in desk.progress("es")} == expected


# --- preview ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("repo"))


def test_preview_shows_a_card_line_too_long_failing_the_fit_check_changed_face_first(repo, tmp_path):
    desk = Desk(load_pack(repo / "packs/default.toml"), tmp_path / "data")
    po = repo / "locales/es/LC_MESSAGES/safety-street.po"
    before = po.read_bytes()
    catalog = read_catalog(po, "es")
    back = next(m for m in catalog if m.context == "safety-street/back/li2")
    back.string = back.string.rstrip(".") + (", y lleve siempre agua, comida y un teléfono cargado" * 7) + "."
    from packbuilder.catalogs import render_catalog
    report, preview = desk.preview("es", "safety-street.po", render_catalog(catalog))
    assert report.ok and [c.context for c in report.changes] == ["safety-street/back/li2"]
    verdicts = {(f.card, f.face): f.fits for f in preview.faces}
    assert verdicts == {("safety-street", "front"): True, ("safety-street", "back"): False}
    assert "does not fit" in next(f.message for f in preview.faces if not f.fits)
    first = preview.pages[0]
    assert first.label == "back" and first.changed and first.png.startswith(b"\x89PNG")
    assert po.read_bytes() == before
    report, preview = desk.preview("es", "safety-street.po", before)
    assert report.ok and preview.fits and [p.label for p in preview.pages] == ["front", "back"]
    desk.close()


def test_accepting_one_file_then_another_made_from_the_same_catalog_keeps_both_changes(desk, project):
    _, ana = desk.invite("es", "Ana")
    a = desk.submit(ana, "a.po", edited(project, "Listen.", "Escuche sin juzgar."))
    b = desk.submit(ana, "b.po", edited(project, "Sample Handout", "Folleto de ejemplo"))
    assert desk.conflicts() == []
    desk.accept(a.id)
    assert [c.context for c in desk.diff(b)] == ["sample/title"]     # b does not undo a
    desk.accept(b.id)
    catalog = read_catalog(es_po(project), "es")
    assert catalog.get("Listen.", context="sample/in-action/li2").string == "Escuche sin juzgar."
    assert catalog.get("Sample Handout", context="sample/title").string == "Folleto de ejemplo"


def test_a_checked_upload_is_kept_for_its_own_translator_to_submit(desk, project):
    data = (SUBMISSIONS / "good.po").read_bytes()
    _, ana = desk.invite("es", "Ana")
    _, luis = desk.invite("es", "Luis")
    report, up = desk.upload(ana, "good.po", data)
    assert report.ok and up.data == data
    with pytest.raises(AccessDenied):
        desk.submit_upload(luis, up.id)
    sub = desk.submit_upload(ana, up.id)
    assert sub.data == data and sub.invitation_id == ana.id


def test_a_database_made_by_the_first_schema_is_migrated_with_its_rows(tmp_path):
    import packbuilder.review.store as store_module
    first, rest = store_module.MIGRATIONS[:1], store_module.MIGRATIONS
    store_module.MIGRATIONS = first
    try:
        old = Store(tmp_path / "data")
        with old.transaction() as db:
            old.audit(db, "maintainer", "invite", lang="es")
        assert old.schema_version() == 1
        old.close()
    finally:
        store_module.MIGRATIONS = rest
    new = Store(tmp_path / "data")
    assert new.schema_version() == len(rest) and [e.action for e in new.audit_log()] == ["invite"]
    assert new.query("SELECT count(*) FROM uploads")[0][0] == 0


@pytest.mark.parametrize("pack, where", [
    ("packs/default.toml", r"safety-street front\)"),
    ("packs/example-branded/pack.toml", r"safety-street inside upper panel"),   # folded: discreet there
])
def test_a_card_that_does_not_fit_cannot_be_submitted(repo, tmp_path, pack, where):
    from packbuilder.catalogs import render_catalog
    desk = Desk(load_pack(repo / pack), tmp_path / "data")
    catalog = read_catalog(repo / "locales/es/LC_MESSAGES/safety-street.po", "es")
    front = next(m for m in catalog if m.context == "safety-street/front/li2")
    front.string = front.string.rstrip(".") + (", agua, comida, un teléfono cargado y dinero para el taxi" * 8) + "."
    _, inv = desk.invite("es", "Ana")
    with pytest.raises(ReviewError, match=r"does not fit \(" + where):
        desk.submit(inv, "safety-street.po", render_catalog(catalog))
    assert desk.queue() == []
    desk.close()


def test_the_database_is_readable_by_its_owner_only(tmp_path):
    store = Store(tmp_path / "data")
    assert (tmp_path / "data/review.sqlite3").stat().st_mode & 0o077 == 0
    assert (tmp_path / "data").stat().st_mode & 0o077 == 0
    store.close()


def test_a_file_that_changes_nothing_or_names_the_wrong_document_is_not_queued(desk, project):
    _, inv = desk.invite("es", "Ana")
    with pytest.raises(ReviewError, match="changes no translation"):
        desk.submit(inv, "sample.po", es_po(project).read_bytes())
    with pytest.raises(ReviewError):
        desk.submit(inv, "good.po", (SUBMISSIONS / "good.po").read_bytes(), document="ui")
    assert desk.queue() == []


def test_one_link_cannot_fill_the_disk_with_uploads(desk, monkeypatch):
    import packbuilder.review.desk as desk_module
    monkeypatch.setattr(desk_module, "UPLOADS_KEPT", 2)
    _, inv = desk.invite("es", "Ana")
    data = (SUBMISSIONS / "good.po").read_bytes()
    desk.upload(inv, "a.po", data)
    desk.upload(inv, "b.po", data)
    with pytest.raises(ReviewError, match="try again tomorrow"):
        desk.upload(inv, "c.po", data)
