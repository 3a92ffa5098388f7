"""Command line: parse arguments, call the library, map errors to exit codes."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import NoReturn, TextIO

from rich.console import Console

from . import __version__
from .errors import PackbuilderError

DEFAULT_PACK = Path("packs/default.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="packbuilder", description=(
        "Build multilingual, attributed print resource packs."))
    parser.add_argument("--version", action="version", version=f"packbuilder {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build a pack into dist/<pack>/")
    build.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="pack config (default: %(default)s)")
    build.add_argument("--lang", action="append", metavar="L", help="build only this language (repeatable)")
    build.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: %(default)s)")
    build.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: one per core)")
    build.add_argument("--quiet", action="store_true", help="print only the summary")
    build.add_argument("--draft", action="store_true",
                       help="build even when card text does not fit or preflight finds errors; "
                            "stamp the overflowing faces")
    build.add_argument("--print-shop", action="store_true",
                       help="write PDF/X-4 for a print shop: CMYK output intent, text in 100%% K, "
                            "card sheets with a gutter and bleed around every card")
    build.add_argument("--trust-pack", action="store_true",
                       help="let the pack read files outside its folder and packbuilder's own folders "
                            "(only for your own checkout, never for a pack someone sent)")

    extract = sub.add_parser("extract", help="write locales/templates/<doc>.pot from content/")
    extract.add_argument("--pack", type=Path, default=DEFAULT_PACK)

    chk = sub.add_parser("check", help="check catalogs: markup, placeholders, glossary, punctuation")
    chk.add_argument("files", nargs="*", type=Path, metavar="FILE.po", help="check only these files")
    chk.add_argument("--lang", action="append", metavar="L", help="check only this language (repeatable)")
    chk.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    chk.add_argument("--format", choices=("text", "json"), default="text")
    chk.add_argument("--fit", action="store_true", help="also lay out every card face and report text that does not fit")

    upd = sub.add_parser("update", help="merge templates into catalogs (changed English -> fuzzy)")
    upd.add_argument("--lang", action="append", metavar="L")
    upd.add_argument("--pack", type=Path, default=DEFAULT_PACK)

    st = sub.add_parser("stats", help="translation progress per language and document")
    st.add_argument("--lang", action="append", metavar="L")
    st.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    st.add_argument("--format", choices=("text", "json"), default="text")

    imp = sub.add_parser("import", help="take a translator's .po file in, safely")
    imp.add_argument("file", type=Path, metavar="FILE.po", nargs="?")
    imp.add_argument("--lang", required=True, metavar="L")
    imp.add_argument("--doc", metavar="ID", help="the document, if the file does not say")
    imp.add_argument("--allow-flags", action="store_true",
                     help="honour ignore-* flags the file adds (a maintainer's decision)")
    imp.add_argument("--accept-review", action="store_true",
                     help="apply the file's X-Review-Status / X-Reviewed-By / X-Review-Date")
    imp.add_argument("--undo", action="store_true", help="restore the catalog from before the last import")
    imp.add_argument("--pack", type=Path, default=DEFAULT_PACK)

    fnt = sub.add_parser("fonts", help="report font coverage: every character of every segment")
    fnt.add_argument("--lang", action="append", metavar="L")
    fnt.add_argument("--pack", type=Path, default=DEFAULT_PACK)

    ws = sub.add_parser("wordsearch", help="make a new word search grid (seeded, reproducible)")
    ws.add_argument("words", nargs="+", metavar="WORD")
    ws.add_argument("--size", type=int, default=15)
    ws.add_argument("--seed", type=int, default=1)
    ws.add_argument("--name", default="word-search", help="activity name for the block")

    srv = sub.add_parser("serve", help="start the web app (library, pack builder, builds)")
    srv.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="the pack the library shows first")
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    srv.add_argument("--port", type=int, default=8000)
    srv.add_argument("--admin-password", metavar="PW",
                     help="needed to serve beyond this machine; also PACKBUILDER_ADMIN_PASSWORD")
    pre = sub.add_parser("preflight", help="read a built pack's PDFs back and report print problems")
    pre.add_argument("folder", nargs="?", type=Path, default=Path("dist/default"), metavar="DIR",
                     help="a built pack folder (default: %(default)s)")
    pre.add_argument("--format", choices=("text", "json"), default="text")

    init = sub.add_parser("init", help="create catalogs for a new language")
    init.add_argument("lang", help="language code such as es, zh_Hans, fr")
    init.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    for command in (extract, chk, upd, st, imp, fnt, init):
        command.add_argument("--trust-pack", action="store_true",
                             help="let the pack read files outside its folder and packbuilder's own folders")
    return parser


def cmd_build(args: argparse.Namespace, console: Console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from .build import build

    live = console.is_terminal and not args.quiet and not os.environ.get("CI")
    bar = Progress(TextColumn("[bold]Building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=console, transient=True) if live else None

    def progress(name: str, n: int, total: int, reused: bool) -> None:
        if bar is not None:
            if not bar.tasks:
                bar.add_task("", total=total)
            bar.update(bar.tasks[0].id, completed=n, description=name)
        elif not args.quiet:
            console.print(f"[{n}/{total}] {'reused' if reused else 'built '} {name}", highlight=False)

    if bar is not None:
        bar.start()
    try:
        report = build(args.pack, languages=args.lang, out_dir=args.out, jobs=args.jobs, progress=progress,
                       draft=args.draft, print_shop=args.print_shop, trust_pack=args.trust_pack)
    finally:
        if bar is not None:
            bar.stop()
    table = Table(title=f"Pack {report.pack.name} -> {report.target}", show_header=False)
    for label, value in [("outputs built", report.built), ("outputs reused (unchanged)", report.reused),
                         ("segments shown in English (no translation yet)", report.fallbacks),
                         ("outputs marked as draft translations", report.drafts),
                         ("time", f"{report.seconds:.2f} s")]:
        table.add_row(label, str(value))
    console.print(table)
    for note in report.notes:
        console.print(f"Note: QR code target {note}", highlight=False)
    for warning in report.pack.warnings:
        console.print(f"warning: {report.pack.path}: {warning}", highlight=False)
    return 0


def cmd_extract(args: argparse.Namespace, console: Console) -> int:
    from .catalogs import extract
    from .config import load_pack
    from .content import load_content

    config = load_pack(args.pack, trust=args.trust_pack)
    docs = load_content(config.content_dir, list(config.documents), list(config.cards))
    written = extract(docs, config.locales_dir, config.content_dir.parent)
    for path in written:
        console.print(f"Wrote {path}", highlight=False)
    console.print(f"Extract: {len(docs) + 1} template(s), {len(written)} changed.", highlight=False)
    return 0


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    from babel import UnknownLocaleError

    from .catalogs import UI_DOMAIN, init_language
    from .config import load_pack, parse_language
    from .errors import ConfigError
    from .plurals import plural_forms

    try:
        parse_language(args.lang)
    except (ValueError, UnknownLocaleError):
        raise ConfigError(f"{args.lang!r} is not a language code Babel knows (e.g. es, fr, zh_Hans, ar)") from None
    config = load_pack(args.pack, trust=args.trust_pack)
    created = init_language(config.locales_dir, args.lang, [*config.domains, UI_DOMAIN])
    for path in created:
        console.print(f"Created {path}", highlight=False)
    if created and not plural_forms(args.lang)[2]:
        console.print(f"Warning: GNU gettext has no plural rule for {args.lang}; Plural-Forms was taken from "
                      "Babel's CLDR data. Ask a fluent translator to confirm it in the catalogs' header.",
                      highlight=False)
    console.print(f"Init: {args.lang}: {len(created)} new catalog(s).", highlight=False)
    return 0


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    import json

    from .checks import check_language
    from .config import load_pack

    config = load_pack(args.pack, trust=args.trust_pack)
    if args.files:
        by_lang: dict[str, list[Path]] = {}
        for path in args.files:
            lang = args.lang[0] if args.lang else path.resolve().parent.parent.name
            by_lang.setdefault(lang, []).append(path)
    else:
        langs = args.lang or [lang for lang in config.languages if lang != "en"]
        by_lang = {lang: [] for lang in langs}
    problems = [p for lang, files in by_lang.items()
                for p in check_language(config.locales_dir, lang, config.domains, files or None)]
    if args.fit:
        from .build import select_languages
        from .build import fit_problems
        problems += fit_problems(config, select_languages(config, args.lang))
    errors = sum(p.severity == "error" for p in problems)
    if args.format == "json":
        console.print_json(json.dumps([{"severity": p.severity, "path": str(p.path), "line": p.lineno,
                                        "check": p.check, "message": p.message} for p in problems]))
    else:
        for p in problems:
            console.print(f"{p.severity}: {p}", highlight=False, markup=False)
        console.print(f"Check: {', '.join(by_lang)}: {errors} error(s), "
                      f"{len(problems) - errors} warning(s).", highlight=False)
    return 1 if errors else 0


def _languages(args: argparse.Namespace, config) -> list[str]:  # type: ignore[no-untyped-def]
    return args.lang or [lang for lang in config.languages if lang != "en"]


def cmd_update(args: argparse.Namespace, console: Console) -> int:
    from .catalogs import UI_DOMAIN
    from .config import load_pack
    from .workflow import update_language

    config = load_pack(args.pack, trust=args.trust_pack)
    for lang in _languages(args, config):
        for path, report in update_language(config.locales_dir, lang, [*config.domains, UI_DOMAIN]):
            console.print(report.summary(f"{lang}/{path.name}"), highlight=False)
    return 0


def cmd_stats(args: argparse.Namespace, console: Console) -> int:
    import json

    from rich.table import Table

    from .catalogs import UI_DOMAIN
    from .config import load_pack
    from .stats import progress

    config = load_pack(args.pack, trust=args.trust_pack)
    rows = [progress(config.locales_dir, lang, doc) for lang in _languages(args, config)
            for doc in [*config.domains, UI_DOMAIN]]
    if args.format == "json":
        console.print_json(json.dumps([r.as_dict() for r in rows]))
        return 0
    table = Table("language", "document", "translated", "fuzzy", "untranslated", "words (t/f/u)", "%")
    for r in rows:
        table.add_row(r.lang, r.document, str(r.translated), str(r.fuzzy), str(r.untranslated),
                      f"{r.translated_words}/{r.fuzzy_words}/{r.untranslated_words}", f"{r.percent:.1f}")
    console.print(table)
    return 0


def cmd_import(args: argparse.Namespace, console: Console) -> int:
    from .catalogs import UI_DOMAIN
    from .config import load_pack
    from .errors import CatalogError
    from .workflow import import_file, undo_import

    config = load_pack(args.pack, trust=args.trust_pack)
    domains = [*config.domains, UI_DOMAIN]
    say = lambda text: console.print(text, highlight=False, markup=False)  # noqa: E731
    if args.undo:
        target, backup = undo_import(config.locales_dir, args.lang, domains, args.doc)
        say(f"Import undone: {target} restored from {backup.name} (the replaced file is kept as *.undone).")
        return 0
    if args.file is None:
        raise CatalogError("name the translator's file (packbuilder import FILE.po --lang L), or use --undo")
    target, r = import_file(config.locales_dir, args.lang, args.file, domains, args.doc,
                            allow_flags=args.allow_flags, accept_review=args.accept_review)
    for what, names in (("changed", r.changed), ("new translation", r.added),
                        ("marked fuzzy by the translator (prints in English until confirmed)", r.fuzzied)):
        for name in names:
            say(f"  {what}: {name}")
    for name, reason in r.skipped:
        say(f"  skipped: {name}: {reason}")
    for note in r.notes:
        say(f"  note: {note}")
    say(f"Import: {args.file} -> {target}: {r.taken} taken ({len(r.changed)} changed, {len(r.added)} new, "
        f"{len(r.fuzzied)} fuzzy), {r.unchanged} unchanged, {len(r.skipped)} skipped with a reason; "
        f"{r.missing} of ours not in the file, all kept.")
    return 0


def cmd_wordsearch(args: argparse.Namespace, console: Console) -> int:
    from .errors import ContentError
    from .wordsearch import generate

    try:
        grid = generate(args.words, args.size, args.seed)
    except ValueError as exc:
        raise ContentError(str(exc)) from None
    console.print(f"```wordsearch {args.name}", highlight=False, markup=False)
    for row in grid:
        console.print(" ".join(row), highlight=False, markup=False)
    console.print("---", highlight=False, markup=False)
    for word in args.words:
        console.print(word, highlight=False, markup=False)
    console.print("```", highlight=False, markup=False)
    return 0


def cmd_fonts(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    from .build import font_texts, plan_jobs, select_languages
    from .catalogs import load_catalogs
    from .config import load_pack
    from .content import load_content
    from .fonts import check_texts, resolve, stack_coverage
    from .i18n import GRID

    config = load_pack(args.pack, trust=args.trust_pack)
    langs = select_languages(config, args.lang)
    docs = load_content(config.content_dir, list(config.documents), list(config.cards))
    jobs = plan_jobs(config, langs, docs, load_catalogs(config.locales_dir, langs, docs))
    stacks, texts = font_texts(jobs, config)
    table = Table("language", "font stack (resolved file)", "characters used", "covered")
    for code, mine in texts.items():
        used = {c for t in mine for c in t[0] if not c.isspace()}
        covered, _ = stack_coverage(stacks[code])
        stack = "\n".join(f"{f}: {font.path.name if (font := resolve(f)) else 'NOT INSTALLED'}" for f in stacks[code])
        table.add_row(code if code != GRID else "word-search grids", stack, str(len(used)),
                      f"{sum(ord(c) in covered for c in used)}/{len(used)}")
    console.print(table)
    for code, mine in texts.items():
        check_texts(code, stacks[code], mine)
    console.print("Fonts: every character of every segment has a glyph.", highlight=False)
    return 0


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from .web.serve import serve, settings_from

    settings = settings_from(args.pack, args.host, args.port, args.admin_password)
    console.print(f"Serving the pack library on http://{args.host}:{args.port}/ (Ctrl+C stops)", highlight=False)
    serve(settings)
    return 0


def cmd_preflight(args: argparse.Namespace, console: Console) -> int:
    import json

    from .preflight import preflight_folder

    report = preflight_folder(args.folder)
    if args.format == "json":
        console.print_json(json.dumps(report.verdict(), ensure_ascii=False))
    else:
        for finding in report.findings:
            console.print(f"{finding.severity}: {finding}", highlight=False, markup=False)
        smallest = min((r.smallest for r in report.files if r.smallest), default=0.0)
        console.print(f"Preflight: {args.folder}: {len(report.files)} PDF(s), "
                      f"{sum(r.pages for r in report.files)} page(s), smallest type {smallest:.1f} pt; "
                      f"{len(report.errors)} error(s), {len(report.findings) - len(report.errors)} warning(s) "
                      f"in {report.seconds:.2f} s.", highlight=False)
    return 1 if report.errors else 0


INTERRUPTED = 130              # 128 + SIGINT: what a shell reports for a program stopped by Ctrl-C

COMMANDS = {"serve": cmd_serve, "preflight": cmd_preflight, "fonts": cmd_fonts, "wordsearch": cmd_wordsearch, "update": cmd_update, "stats": cmd_stats, "import": cmd_import, "build": cmd_build, "extract": cmd_extract, "init": cmd_init, "check": cmd_check}


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run packbuilder; return 0 on success, 1 on a user error, 2 on a bug."""
    args = _parser().parse_args(argv)
    stream = stdout or sys.stdout
    out = Console(file=stream, soft_wrap=True, width=None if stream.isatty() else 140)
    err = Console(file=stderr or sys.stderr, soft_wrap=True, stderr=stderr is None)
    try:
        return COMMANDS[args.command](args, out)
    except PackbuilderError as exc:
        for line in exc.report_lines():
            err.print(line, highlight=False, markup=False)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted: stopped before finishing (a build keeps the previous pack)", highlight=False)
        return INTERRUPTED
    except Exception:  # noqa: BLE001 - anything else is a bug: say so, briefly
        err.print("packbuilder hit a bug; please report it with this trace:", highlight=False)
        err.print("".join(traceback.format_exc(limit=6)), highlight=False, markup=False)
        return 2


def run() -> NoReturn:
    """The ``packbuilder`` command: run :func:`main` and exit with its code.

    After Ctrl-C the process ends by SIGINT itself, once its one line is printed and its
    workers are stopped: that is how an interrupted program tells a shell script or ``make``
    to stop too (the shell shows 130). Python 3.11 ends that way on its own when Ctrl-C lands
    inside an ``eval`` (as fontTools' import does), so doing it always keeps the ending the
    same wherever the interrupt lands.
    """
    code = main()
    if code == INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    sys.exit(code)
