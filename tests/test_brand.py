"""Branded packs: the brand shows, the sources' credit stays, discreet cards reveal nothing."""
from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, page_count, pdftext, run_cli
from packbuilder.brand import contrast
from packbuilder.config import load_pack
from packbuilder.errors import ConfigError

PURPLE = (0x5B, 0x2A, 0x86)
ORG = "Harbor Light Outreach (example)"


def purple_pixels(pdf: Path, page: int, tmp_path: Path) -> int:
    """Count the pixels of the brand's primary colour on a page rendered at 50 dpi."""
    from PIL import Image
    stem = tmp_path / f"p{page}"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    image = Image.open(f"{stem}.png").convert("RGB")
    pixels = getattr(image, "get_flattened_data", image.getdata)()
    return sum(1 for px in pixels if all(abs(a - b) < 12 for a, b in zip(px, PURPLE)))


def words(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"-\n", "", text))


def write_pack(tmp_path: Path, extra: str, pack: str = "") -> Path:
    (tmp_path / "content").mkdir(exist_ok=True)
    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "t"\ndocuments = ["core-competencies"]\n{pack}\n'
                    f'[paths]\ncontent = "{REPO / "content"}"\nlocales = "{REPO / "locales"}"\n'
                    f'layouts = "{REPO / "layouts"}"\n\n{extra}')
    return path


def test_example_pack_builds_a_zip_with_everything(example_pack):
    bundle = example_pack / "example-branded.zip"
    names = zipfile.ZipFile(bundle).namelist()
    for lang in ("en", "zh_Hans", "es"):
        assert f"example-branded/{lang}/contents.pdf" in names
        assert f"example-branded/{lang}/credits.pdf" in names
        assert f"example-branded/{lang}/cards/safety-street-sheet-letter.pdf" in names
    assert "example-branded/manifest.json" in names and names == sorted(names)


def test_cover_and_card_backs_carry_the_logo_and_colours(example_pack, tmp_path):
    pack = example_pack / "example-branded"
    cover = words(pdftext(pack / "es/contents.pdf", 1))
    assert "Harbor Light Outreach: recursos de salud y seguridad" in cover and ORG in cover
    assert "Teléfono: +1 401-555-0142" in cover and "Horario: lun a vie 10:00–18:00" in cover
    assert purple_pixels(pack / "es/contents.pdf", 1, tmp_path) > 200, "logo and title in the brand colour"
    assert purple_pixels(pack / "en/cards/provider-card.pdf", 2, tmp_path) > 20, "logo on the card back"
    back = words(pdftext(pack / "en/cards/provider-card.pdf", 2))
    assert f"Adapted and distributed by {ORG}" in back and "+1 401-555-0142" in back


def test_contents_sheet_lists_each_material_once_with_its_formats(example_pack):
    text = words(pdftext(example_pack / "example-branded/en/contents.pdf"))
    assert "What is in this pack" in text and "How to print" in text
    assert re.search(r"Best Practices for Connecting .* \d+ pages en/best-practices.pdf · handout", text)
    assert "page(s)" not in text and text.count("en/cards/provider-card") == 1
    assert ("en/cards/provider-card.pdf · card, front and back (print shop) · Letter sheet (office printer) · "
            "A4 sheet (office printer)") in text
    assert "en/cards/safety-street.pdf · folded card (print shop)" in text
    assert "en/activities/word-search.pdf · activity sheet" in text
    assert "flip on the long edge" in text and "fold along the dashed marks" in text


@pytest.mark.parametrize("lang, pages", [("es", "2 páginas"), ("zh_Hans", "2页")])
def test_contents_sheet_is_in_the_page_language(example_pack, lang, pages):
    text = words(pdftext(example_pack / f"example-branded/{lang}/contents.pdf"))
    assert pages in text and "page" not in text.replace("Harbor Light", "")
    assert {"es": "Recursos locales", "zh_Hans": "本地资源"}[lang] in text
    assert {"es": "hoja de actividad", "zh_Hans": "活动页"}[lang] in text


def test_every_page_still_names_its_source(example_pack):
    pack = example_pack / "example-branded"
    manifest = json.loads((pack / "manifest.json").read_text())
    checked = 0
    for entry in manifest["files"]:
        if entry.get("language") != "en" or "source" not in entry or entry["layout"] == "card-sheet":
            continue
        path = pack / entry["path"]
        name = entry["source"]["author"] or entry["source"]["title"]
        pages = range(1, page_count(path) + 1)
        if entry["layout"] == "card-folded":      # a discreet card: the source line is inside, on page 2
            assert "Source:" not in pdftext(path, 1)
            pages = range(2, page_count(path) + 1)
        for page in pages:
            text = words(pdftext(path, page))
            assert "Source:" in text and name[:20] in text, (entry["path"], page)
            checked += 1
    assert checked >= 30


def test_credits_say_who_adapted_the_pack(example_pack):
    text = words(pdftext(example_pack / "example-branded/en/credits.pdf"))
    assert f"Adapted and distributed by {ORG}." in text and "Reframe Health and Justice" in text


def test_commercial_use_of_a_non_commercial_source_is_refused(tmp_path):
    path = write_pack(tmp_path, "", pack='use = "commercial"')
    code, _, err = run_cli("build", "--pack", str(path), "--out", str(tmp_path / "dist"))
    assert code == 1
    assert "declares use = \"commercial\"" in err and "Core Competencies for Serving People in the Sex Trades" in err
    assert "Not intended for commercial use." in err and "Reframe Health and Justice" in err


@pytest.mark.parametrize("key", ['credit = ""', "hide_attribution = true", 'footer = "Our own footer"'])
def test_a_brand_cannot_hide_or_change_the_credit(tmp_path, key):
    path = write_pack(tmp_path, f'[brand]\nname = "Org"\n{key}\n')
    with pytest.raises(ConfigError) as info:
        load_pack(path)
    assert any("credit line cannot be changed or hidden" in line for line in info.value.lines())


def test_a_colour_pair_below_aa_is_refused_with_its_ratio(tmp_path):
    path = write_pack(tmp_path, '[brand]\nname = "Org"\nprimary = "#ffcc00"\n')
    with pytest.raises(ConfigError) as info:
        load_pack(path)
    ratio = f"{contrast('#ffcc00', '#ffffff'):.2f}:1"
    assert any(f"primary text on white has a contrast of {ratio}" in l and "4.5:1" in l for l in info.value.lines())


def test_every_brand_problem_is_reported_at_once(tmp_path):
    (tmp_path / "big.png").write_bytes(b"\x89PNG" + b"0" * (1024 * 1024 + 10))
    path = write_pack(tmp_path, '[brand]\nname = "Org"\nlogo = "big.png"\naccent = "teal"\n'
                                '[brand.contact]\nphone = "call-us-now"\nwebsite = "http://example.org"\n'
                                '[[services]]\nname = "Clinic"\ncategory = "dentistry"\nphone = "555 CLINIC"\n')
    with pytest.raises(ConfigError) as info:
        load_pack(path)
    text = "\n".join(info.value.lines())
    for expected in ["logo must be under 1024 KB", "'teal' is not a colour", "'call-us-now' is not a phone number",
                     "uses http://", "'dentistry' is not one of primary-care", "'555 CLINIC' is not a phone number"]:
        assert expected in text, expected


def test_where_the_contact_prints_is_checked(tmp_path):
    path = write_pack(tmp_path, '[brand]\nname = "Org"\ncontact_on = ["cards", "everywhere"]\n')
    with pytest.raises(ConfigError) as info:
        load_pack(path)
    assert any("brand.contact_on" in line and "'handouts'" in line for line in info.value.lines())
    brand = load_pack(write_pack(tmp_path, '[brand]\nname = "Org"\n[brand.contact]\nphone = "+1 401-555-0100"\n'
                                            'website = "https://example.org"\n')).brand
    assert brand.contact_on == ("cards", "contents")
    assert brand.printed_contact("en", "card") == {"phone": "+1 401-555-0100", "website": "https://example.org"}
    assert brand.printed_contact("en", "handout") == {"website": "https://example.org"}
    assert brand.printed_contact("en", "credits") == {}


@pytest.mark.parametrize("logo, expected", [
    ("../outside.svg", "outside the pack's folder"),
    ("/etc/hostname", "outside the pack's folder"),
    ("missing.svg", "isn't an existing file"),
])
def test_logo_paths_stay_inside_the_pack_folder(tmp_path, logo, expected):
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    (tmp_path / "outside.svg").write_text("<svg/>")
    path = write_pack(pack_dir, f'[brand]\nname = "Org"\nlogo = "{logo}"\n')
    with pytest.raises(ConfigError) as info:
        load_pack(path)
    assert any(expected in line for line in info.value.lines())


def test_local_resources_card_comes_from_the_pack_config(example_pack, default_pack):
    card = example_pack / "example-branded/es/cards/local-resources.pdf"
    text = words(pdftext(card))
    assert "Recursos locales" in text and "Atención primaria" in text
    assert "Harbor Light Drop-in Clinic (example) · +1 401-555-0150" in text
    assert "No se necesita identificación." in text and "Fuente:" in text and ORG in text
    assert (example_pack / "example-branded/es/cards/local-resources-sheet-letter.pdf").is_file()
    assert not (default_pack / "es/cards/local-resources.pdf").exists(), "never invented for the default pack"
