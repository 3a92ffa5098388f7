"""Measure packbuilder against a plain WeasyPrint loop, and how builds scale.

    .venv/bin/python bench/build.py            # everything (about 3 minutes on 2 cores)
    .venv/bin/python bench/build.py --quick    # skip the 20 x 20 scale run

It prints figures; it asserts nothing. Every build runs in a child process, and peak memory is
the largest sum of the resident memory of that process and its children (workers included),
sampled every 20 ms from /proc.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
ROUNDS = 7
LATIN = ["es", "fr", "de", "it", "pt", "nl", "ca", "ro", "pl", "sv", "da", "nb", "fi", "cs", "sk",
         "hr", "sl", "id", "tr"]


def tree_rss(pid: int) -> int:
    """Return the resident memory (bytes) of ``pid`` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run(args: list[str], env: dict | None = None, cwd: Path = REPO, memory: bool = True) -> tuple[float, int, str]:
    """Run a command; return (wall seconds, peak tree RSS in bytes or 0, stdout).

    Sampling memory costs CPU (reading /proc every 20 ms), which a build using every core
    feels; runs that measure time alone pass ``memory=False``.
    """
    start = time.monotonic()
    proc = subprocess.Popen(args, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    out, err = proc.communicate()
    wall = time.monotonic() - start
    if memory:
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out}\n{err}")
    return wall, peak[0], out


def pdf_bytes(folder: Path, lang: str | None = None) -> int:
    """Return the bytes of every PDF under ``folder``, or under its ``lang`` folder (activities included)."""
    return sum(p.stat().st_size for p in (folder / lang if lang else folder).rglob("*.pdf"))


def plain_loop(pack: Path, out: Path) -> None:
    """Child mode: the same HTML, system fonts, one `HTML(string=...).write_pdf()` after another."""
    sys.path.insert(0, str(REPO))
    import weasyprint

    from packbuilder.build import build_date, plan_jobs
    from packbuilder.catalogs import load_catalogs
    from packbuilder.config import load_pack
    from packbuilder.content import load_content
    from packbuilder.fontsubset import FontSet
    from packbuilder.i18n import GRID, GRID_FONTS
    from packbuilder.jobs import Setting, job_html
    from packbuilder.render import environment

    config = load_pack(pack)
    docs = load_content(config.content_dir, list(config.documents))
    jobs = plan_jobs(config, config.languages, docs, load_catalogs(config.locales_dir, config.languages, docs))
    fonts = {code: FontSet("", ", ".join(f'"{f}"' for f in stack) + ", sans-serif", (), "system")
             for code, stack in [(job.lang.code, job.lang.fonts) for job in jobs] + [(GRID, GRID_FONTS)]}
    setting = Setting(config, tuple(docs), fonts, build_date(), out)
    env = environment(config.layouts_dir)
    for job in jobs:
        html = job_html(job, setting, env)          # the same HTML packbuilder renders
        target = out / job.output
        target.parent.mkdir(parents=True, exist_ok=True)
        sheets = [config.layouts_dir / "base.css", config.layouts_dir / job.layout / f"{job.layout}.css"]
        weasyprint.HTML(string=html, base_url=str(config.layouts_dir) + "/").write_pdf(
            target, stylesheets=[weasyprint.CSS(filename=str(s)) for s in sheets])


def copy_project(dest: Path) -> Path:
    for part in ("content", "locales", "layouts", "packs"):
        shutil.copytree(REPO / part, dest / part)
    (dest / "assets").mkdir(exist_ok=True)
    return dest / "packs/default.toml"


def synthetic(dest: Path, n_langs: int, n_docs: int) -> Path:
    """Write a pack of n_langs languages x n_docs documents made from the default ones."""
    copy_project(dest)
    sources = sorted(p for p in (REPO / "content").glob("*.md")
                     if p.read_text().startswith("+++") and 'kind = "handout"' in p.read_text())
    (dest / "content").mkdir(exist_ok=True)
    ids = []
    for i in range(n_docs):
        src = sources[i % len(sources)]
        doc_id = f"{src.stem}-{i:02d}"
        (dest / "content" / f"{doc_id}.md").write_text(
            src.read_text().replace(f'id = "{src.stem}"', f'id = "{doc_id}"', 1))
        ids.append((doc_id, src.stem))
    langs = (["en", "zh_Hans"] + LATIN)[:n_langs]
    for lang in langs[1:]:
        model = "zh_Hans" if lang == "zh_Hans" else "es"
        folder = dest / "locales" / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        for doc_id, stem in ids + [("ui", "ui")]:
            text = (REPO / "locales" / model / "LC_MESSAGES" / f"{stem}.po").read_text()
            text = text.replace(f'msgctxt "{stem}/', f'msgctxt "{doc_id}/')
            (folder / f"{doc_id}.po").write_text(text.replace("Language: es\\n", f"Language: {lang}\\n"))
    pack = dest / "packs" / "synthetic.toml"
    pack.write_text(f'[pack]\nname = "synthetic"\nlanguages = {json.dumps(langs)}\n'
                    f'documents = {json.dumps([d for d, _ in ids])}\npaper = "letter"\n\n'
                    '[paths]\ncontent = "../content"\nlocales = "../locales"\nlayouts = "../layouts"\n'
                    'assets = "../assets"\n')
    return pack


def documents_pack(tmp: Path) -> Path:
    """The default pack without its cards: the plain loop cannot impose card sheets, so both
    sides render the same documents (handouts, activities, credits, index)."""
    text = (REPO / "packs/default.toml").read_text()
    text = text.replace('include = ["provider-card", "safety-street", "safety-indoor", "do-no-harm-card"]',
                        "include = []")
    for part in ("content", "locales", "layouts", "assets"):
        text = text.replace(f'"../{part}"', f'"{REPO / part}"')
    path = tmp / "documents.toml"
    path.write_text(text)
    return path


def mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 20 x 20 scale run")
    parser.add_argument("--plain-loop", nargs=2, metavar=("PACK", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_loop:
        plain_loop(Path(args.plain_loop[0]), Path(args.plain_loop[1]))
        return
    tmp = Path(tempfile.mkdtemp(prefix="pb-bench-"))
    env = {"PACKBUILDER_CACHE": str(tmp / "cache"), "SOURCE_DATE_EPOCH": "1767225600"}
    pack = documents_pack(tmp)
    cli = [PY, "-m", "packbuilder", "build", "--quiet", "--pack"]
    print(f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{platform.platform()}")

    cold_t, cold_m, _ = run(cli + [str(pack), "--out", str(tmp / "cold")], env)
    plain = [PY, __file__, "--plain-loop", str(pack), str(tmp / "plain")]
    warm = cli + [str(pack), "--out", str(tmp / "warm")]
    # the plain loop and a warm build, taken turn about ROUNDS times without memory sampling:
    # wall times on a shared VM vary by 10-15 % from run to run, so the medians are compared
    plains, warms = [], []
    for i in range(ROUNDS):
        shutil.rmtree(tmp / "plain", ignore_errors=True)
        shutil.rmtree(tmp / "warm", ignore_errors=True)
        plains.append(run(plain, env, memory=False)[0])
        warms.append(run(warm, env, memory=False)[0])
    plain_t, warm_t = statistics.median(plains), statistics.median(warms)
    paired = sorted(w / p for p, w in zip(plains, warms))     # each round's own ratio
    for folder in ("plain", "warm"):                     # and once more each, for peak memory
        shutil.rmtree(tmp / folder, ignore_errors=True)
    plain_m, warm_m = run(plain, env)[1], run(warm, env)[1]
    noop_t, _, _ = run(cli + [str(pack), "--out", str(tmp / "warm")], env)
    count = sum(1 for _ in (tmp / "warm/default").rglob("*.pdf"))
    print(f"\nDefault pack without cards ({count} PDFs: per language 5 handouts, 4 activity sheets, credits, "
          "contents; and the index)")
    print(f"{'':38}{'wall':>9}{'peak mem':>11}{'PDF bytes':>12}{'zh_Hans bytes':>15}")
    rows = [("plain WeasyPrint loop, system fonts", plain_t, plain_m, tmp / "plain"),
            ("packbuilder, cold font cache", cold_t, cold_m, tmp / "cold/default"),
            ("packbuilder, warm font cache", warm_t, warm_m, tmp / "warm/default")]
    cards_t, cards_m, _ = run(cli + [str(REPO / "packs/default.toml"), "--out", str(tmp / "full")], env)
    for name, t, m, folder in rows:
        print(f"{name:38}{t:8.2f}s{mb(m):>11}{pdf_bytes(folder):>12,}{pdf_bytes(folder, 'zh_Hans'):>15,}")
    base_all, base_zh = pdf_bytes(tmp / "plain"), pdf_bytes(tmp / "plain", "zh_Hans")
    for name, t, _, folder in rows[1:]:
        print(f"ratio {name[13:]:32} time {t / plain_t:.2f}x   bytes {pdf_bytes(folder) / base_all:.2f}x"
              f"   zh_Hans bytes {pdf_bytes(folder, 'zh_Hans') / base_zh:.2f}x")
    print(f"warm / plain wall time, round by round (sorted): {', '.join(f'{r:.2f}' for r in paired)}; "
          f"median {statistics.median(paired):.2f}")
    top = sum(p.stat().st_size for p in (tmp / "warm/default/zh_Hans").glob("*.pdf"))
    print(f"zh_Hans bytes of the handouts, credits and contents alone (no activity sheets): "
          f"{top / sum(p.stat().st_size for p in (tmp / 'plain/zh_Hans').glob('*.pdf')):.2f}x")
    print(f"no-op rebuild, including interpreter start: {noop_t:.2f} s")
    full = sum(1 for _ in (tmp / "full/default").rglob("*.pdf"))
    print(f"whole default pack with cards and sheets ({full} PDFs, warm cache): {cards_t:.2f} s, peak {mb(cards_m)}")

    project = copy_project(tmp / "edit")
    run(cli + [str(project), "--out", str(tmp / "edit/dist")], env)
    total = sum(1 for _ in (tmp / "edit/dist/default").rglob("*.pdf"))
    po = tmp / "edit/locales/es/LC_MESSAGES/advocacy.po"
    po.write_text(po.read_text().replace('msgstr "Alce la voz."', 'msgstr "¡Alce la voz!"', 1))
    edit_t, _, out = run([PY, "-m", "packbuilder", "build", "--pack", str(project), "--out",
                          str(tmp / "edit/dist")], env)
    rebuilt = [line.split()[-1] for line in out.splitlines() if "] built " in line]
    print(f"one Spanish segment changed: {edit_t:.2f} s, re-rendered {len(rebuilt)} of {total} outputs: "
          f"{', '.join(rebuilt)}")

    print("\nScale: synthetic packs (languages x handouts), warm font cache")
    print(f"{'pack':>8}{'outputs':>9}{'wall':>9}{'per output':>12}{'peak mem':>11}")
    for n in ([5, 10] if args.quick else [5, 10, 20]):
        spack = synthetic(tmp / f"scale{n}", n, n)
        run(cli + [str(spack), "--out", str(tmp / f"scale{n}/warmup"), "--lang", "en"], env)   # fonts
        t, m, _ = run(cli + [str(spack), "--out", str(tmp / f"scale{n}/dist")], env)
        outputs = sum(1 for _ in (tmp / f"scale{n}/dist/synthetic").rglob("*.pdf"))
        print(f"{n:>3} x{n:>3}{outputs:>9}{t:8.1f}s{t / outputs * 1000:9.0f} ms{mb(m):>11}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
