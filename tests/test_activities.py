"""Activities: QR codes that decode to the right audio, safe links, worksheets, word searches."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import copy_repo, REPO, pdftext, run_cli
from packbuilder.config import load_pack
from packbuilder.content import parse_document
from packbuilder.errors import ConfigError, ContentError
from packbuilder.wordsearch import find, generate, solve

ACTIVITIES = ["listen-and-reflect", "what-do-i-see", "what-i-bring", "word-search"]
AUDIO = "https://www.reframehealthandjustice.com/"


def decode_qr(pdf: Path, tmp_path: Path) -> list[str]:
    """Rasterise page 1 at 300 dpi and decode every QR code on it with zxing-cpp."""
    import zxingcpp
    from PIL import Image
    subprocess.run(["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    return [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))]


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "es"])
def test_every_language_has_the_activity_sheets(default_pack, lang):
    assert sorted(p.name for p in (default_pack / lang / "activities").iterdir()) == \
        sorted(f"{a}.pdf" for a in ACTIVITIES)


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "es"])
def test_qr_code_decodes_to_the_configured_url_which_is_also_printed(default_pack, lang, tmp_path):
    pdf = default_pack / lang / "activities/listen-and-reflect.pdf"
    assert decode_qr(pdf, tmp_path) == [AUDIO]
    assert AUDIO in pdftext(pdf)


def test_the_handout_activity_box_carries_the_same_qr_code(default_pack, tmp_path):
    import zxingcpp
    from PIL import Image
    pdf = default_pack / "es/core-competencies.pdf"
    pages = [n for n in range(1, 9) if "Cecilia" in pdftext(pdf, n)]
    assert pages
    subprocess.run(["pdftoppm", "-png", "-r", "300", "-f", str(pages[0]), "-l", str(pages[0]), "-singlefile",
                    str(pdf), str(tmp_path / "handout")], check=True)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "handout.png"))] == [AUDIO]


def test_a_language_without_its_own_audio_says_which_language_it_is(default_pack):
    assert "音频为英语" in re.sub(r"\s+", "", pdftext(default_pack / "zh_Hans/activities/listen-and-reflect.pdf"))
    assert "El audio está en inglés" in re.sub(r"\s+", " ", pdftext(default_pack / "es/activities/listen-and-reflect.pdf"))
    assert "The audio is in" not in pdftext(default_pack / "en/activities/listen-and-reflect.pdf")


def test_qr_code_is_vector_and_at_least_2cm_wide(default_pack, tmp_path):
    pdf = default_pack / "en/activities/listen-and-reflect.pdf"
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len(out.strip().splitlines()) == 2, "no raster image: the QR code is drawn as vector paths"
    assert ".qr img { width: 34mm;" in (REPO / "layouts/activity/activity.css").read_text()


def test_manifest_lists_every_link_and_qr_target(default_pack):
    manifest = json.loads((default_pack / "manifest.json").read_text())
    links = {(l["url"], l["kind"]): l["files"] for l in manifest["links"]}
    assert sorted(links[(AUDIO, "qr")]) == sorted(
        [f"{lang}/activities/listen-and-reflect.pdf" for lang in ("en", "es", "zh_Hans")]
        + [f"{lang}/core-competencies.pdf" for lang in ("en", "es", "zh_Hans")])
    assert "en/brief-guide.pdf" in links[("https://www.vice.com/amp/en/article/n7j94b/how-to-be-an-ally-to-sex-workers", "link")]
    assert not [u for u, _ in links if re.search(r"utm_|fbclid|gclid|^http:", u)]
    entry = next(f for f in manifest["files"] if f["path"] == "es/activities/listen-and-reflect.pdf")
    assert entry["audio"] == {"url": AUDIO, "language": "en", "fallback": True,
                              "note": "The source gives no direct link to Cecilia's story; this is Reframe Health and Justice's own site.",
                              "leads_to": "website"}


def test_worksheets_have_the_terms_and_room_to_write(default_pack):
    text = pdftext(default_pack / "en/activities/what-do-i-see.pdf")
    for term in ["Sex Worker", "Prostitute", "Escort", "Sex Worker who Uses Drugs", "Sex Working Mom",
                 "Victim of Trafficking", "What comes to mind?"]:
        assert term in text
    bring = re.sub(r"\s+", " ", pdftext(default_pack / "en/activities/what-i-bring.pdf"))
    assert "I first became aware of the sex industry..." in bring
    assert "When the sex trade comes up in conversation, the people close to me respond..." in bring


def _pack(tmp_path: Path, audio: str) -> Path:
    text = (REPO / "packs/default.toml").read_text()
    text = text.replace('en = "https://www.reframehealthandjustice.com/"', audio)
    for part in ("content", "locales", "layouts", "assets"):
        text = text.replace(f'"../{part}"', f'"{REPO / part}"')
    path = tmp_path / "pack.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("audio, expected", [
    ('en = "https://www.example.org/a?utm_source=flyer&id=7"', "use 'https://www.example.org/a?id=7'"),
    ('en = "https://www.example.org/a?fbclid=IwAR2"', "carries tracking parameters"),
    ('en = "http://www.example.org/audio"', "uses http://"),
    ('en = "javascript:alert(1)"', "only https:// and mailto:"),
    ('en = "https://bit.ly/3xyz"', "URL shortener"),
])
def test_unsafe_audio_links_in_config_are_refused(tmp_path, audio, expected):
    path = _pack(tmp_path, audio)
    try:
        with pytest.raises(ConfigError) as info:
            load_pack(path)
        assert any("activities.audio.listen-and-reflect.en" in l and expected in l for l in info.value.lines())
    finally:
        path.unlink()   # the pack's own folder is tmp_path; nothing lands in the repository


def test_a_language_with_no_audio_fails_unless_the_pack_allows_it(tmp_path):
    path = _pack(tmp_path, "")
    out = tmp_path / "dist"
    try:
        path.write_text(path.read_text().replace('fallback = ["en"]', "fallback = []"))
        code, _, err = run_cli("build", "--pack", str(path), "--out", str(out), "--lang", "es")
        assert code == 1 and "no audio for 'es' and no fallback language with audio" in err
        path.write_text(path.read_text().replace("allow_missing_audio = false", "allow_missing_audio = true"))
        code, _, err = run_cli("build", "--pack", str(path), "--out", str(out), "--lang", "es", "--quiet")
        assert code == 0, err
        assert decode_qr(out / "default/es/activities/listen-and-reflect.pdf", tmp_path) == []
    finally:
        path.unlink()


def test_landing_pages_when_site_url_is_set(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    (repo / "assets/audio/es").mkdir(parents=True)
    (repo / "assets/audio/es/listen-and-reflect.ogg").write_bytes(b"OggS test audio")
    pack = repo / "packs/default.toml"
    pack.write_text(pack.read_text().replace('site_url = ""', 'site_url = "https://audio.example.org/pack"'))
    code, _, err = run_cli("build", "--pack", str(pack), "--out", str(tmp_path / "dist"), "--lang", "es", "--quiet")
    assert code == 0, err
    web = tmp_path / "dist/default/web/es/listen-and-reflect"
    page = (web / "index.html").read_text()
    assert '<audio controls preload="none" src="listen-and-reflect.ogg">' in page
    assert "<script" not in page and 'lang="es"' in page and "El audio está en inglés" in page
    assert (web / "listen-and-reflect.ogg").read_bytes() == b"OggS test audio"
    target = "https://audio.example.org/pack/es/listen-and-reflect/"
    assert decode_qr(tmp_path / "dist/default/es/activities/listen-and-reflect.pdf", tmp_path) == [target]


def test_the_solver_finds_all_13_words_at_the_cells_the_key_highlights(default_pack):
    from packbuilder.activities import answer_cells
    doc = parse_document(REPO / "content/core-competencies.md")
    block = next(b for b in doc.blocks if b.type == "wordsearch")
    found, missing = solve(block.grid, block.words)
    assert missing == [] and len(found) == 13
    for word, cells in found.items():
        assert "".join(block.grid[r][c] for r, c in cells) == word.upper()
    assert found["PONY"] == [(2, 0), (2, 1), (2, 2), (2, 3)]        # across
    assert found["Marsha"][0] == (19, 11) and found["Marsha"][-1] == (14, 11)   # upward
    assert answer_cells(block) == {cell for cells in found.values() for cell in cells}
    key = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(default_pack / "en/activities/word-search.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert "Answer key" in key


def grid_box(image) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """Return the inside of the grid's border (left, top, right, bottom): the rows and columns
    of the page with the longest runs of the border's teal."""
    width, height = image.size
    px = image.load()
    teal = lambda x, y: px[x, y][1] - px[x, y][0] > 30 and px[x, y][2] - px[x, y][0] > 30  # noqa: E731
    rows = [y for y in range(height) if sum(teal(x, y) for x in range(0, width, 2)) > width * 0.15]
    cols = [x for x in range(width) if sum(teal(x, y) for y in range(0, height, 2)) > height * 0.1]
    return cols[0] + 1, rows[0] + 1, cols[-1], rows[-1]


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_the_key_highlights_exactly_the_solved_cells(default_pack, lang, tmp_path):
    """The key's squares (an SVG behind monospaced letters) land on the right letters: sample
    the middle of every cell of the printed key and compare with the solver."""
    from PIL import Image

    from packbuilder.activities import answer_cells
    block = next(b for b in parse_document(REPO / "content/core-competencies.md").blocks if b.type == "wordsearch")
    pdf = default_pack / f"{lang}/activities/word-search.pdf"
    subprocess.run(["pdftoppm", "-r", "100", "-f", "2", "-l", "2", "-png", str(pdf), str(tmp_path / "k")], check=True)
    image = Image.open(next(tmp_path.glob("k*.png"))).convert("RGB")
    left, top, right, bottom = grid_box(image)
    rows, cols = len(block.grid), len(block.grid[0])
    assert abs((right - left) / cols - (bottom - top) / rows) < 0.5, "cells are square"
    yellow = set()
    for r in range(rows):
        for c in range(cols):
            x, y = left + (c + 0.15) * (right - left) / cols, top + (r + 0.15) * (bottom - top) / rows
            red, green, blue = image.getpixel((int(x), int(y)))
            if red > 200 and 150 < green < 230 and blue < 120:
                yellow.add((r, c))
    assert yellow == answer_cells(block)


def test_a_word_missing_from_the_grid_fails_the_build(tmp_path):
    doc = tmp_path / "core-competencies.md"
    doc.write_text((REPO / "content/core-competencies.md").read_text().replace("P O N Y O S L S", "P O X Y O S L S"))
    with pytest.raises(ContentError) as info:
        parse_document(doc)
    (line,) = info.value.lines()
    assert "the word search lists 'PONY', but it is not in the grid" in line and f"{doc}:" in line


def test_the_generator_is_seeded_and_every_word_is_findable():
    words = ["Marsha", "Sylvia", "Carol", "Margo", "MissMajor", "COYOTE", "SWOP"]
    grid = generate(words, size=12, seed=7)
    assert grid == generate(words, size=12, seed=7) and grid != generate(words, size=12, seed=8)
    assert len(grid) == 12 and all(len(row) == 12 for row in grid)
    assert all(find(grid, w) for w in words)
    code, out, _ = run_cli("wordsearch", *words, "--size", "12", "--seed", "7")
    assert code == 0 and out.splitlines()[1] == " ".join(grid[0])
