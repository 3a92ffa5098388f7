"""Preflight reads PDFs back and names each defect with file, page and fix; copy-fit and the
typesetting rules keep the packs clear of them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, run_cli

from packbuilder.preflight import preflight_files

LAYOUTS = REPO / "layouts"
FONTS = '"Noto Sans", "Noto Sans CJK SC", sans-serif'


def render(html: str, stylesheets: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    import weasyprint
    return weasyprint.HTML(string=html, base_url=str(LAYOUTS) + "/").render(
        stylesheets=[weasyprint.CSS(filename=str(LAYOUTS / s)) for s in stylesheets])


def pdf(html: str, stylesheets: tuple[str, ...] = ()) -> bytes:
    return render(html, stylesheets).write_pdf()


def card_html(body: str, lang: str = "es", size: float = 8.0) -> str:
    from packbuilder.cards import card_css
    css = card_css("business-us", "front", FONTS, "", "", size)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><style>{css}</style></head>'
            f'<body class="face front">{body}</body></html>')


def sheet(body: str, lang: str = "es", css: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><style>{css}</style></head>'
            f"<body>{body}</body></html>")


def checks(findings, path: str) -> dict[str, list]:  # type: ignore[no-untyped-def]
    out: dict[str, list] = {}
    for f in findings:
        assert f.path == path and f.page >= 1 and f.fix, f
        out.setdefault(f.check, []).append(f)
    return out


def test_a_spanish_card_line_inside_the_trim_but_past_the_safe_area_is_named_with_its_fix():
    line = "Negocie el precio y cobre por adelantado."
    html = card_html(f'<p style="position:absolute; left:5mm; bottom:1.5mm; margin:0; white-space:nowrap">{line}</p>')
    found = checks(preflight_files([("es/cards/safety-street.pdf", pdf(html, ("base.css", "card/card.css")),
                                     "card")]).findings, "es/cards/safety-street.pdf")
    (finding,) = found["safe-area"]
    assert finding.page == 1 and "Negocie el precio" in finding.message
    assert "mm from the trim" in finding.message and "check --fit" in finding.fix
    assert "es/cards/safety-street.pdf page 1: [safe-area]" in str(finding)


def test_the_card_fit_check_measures_against_the_safe_area_not_the_trim():
    from packbuilder.cards import face_fill, fit_face
    # 46 mm of text: inside the trim (50.8 mm) but past the safe area (50.8 - 2 x 3.175 mm)
    html = card_html('<div style="height: 46mm">texto</div>')
    document = render(html, ("base.css", "card/card.css"))
    assert len(document.pages) == 1 and face_fill(document) > 1.0
    assert len(fit_face(lambda size, leading=1.22: document).pages) == 2      # reported as overflow


def test_card_text_grows_to_fill_its_face_and_never_goes_below_8_pt():
    from packbuilder.cards import SIZES, fit_face
    from packbuilder.preflight.reader import body_size, read_pdf
    sizes = []

    def lay_out(size: float, leading: float = 1.22):  # type: ignore[no-untyped-def]
        sizes.append(size)
        return render(card_html("<p>Lleve condones.</p>", size=size), ("base.css", "card/card.css"))
    document = fit_face(lay_out)
    assert min(sizes) >= 8.0 and body_size(read_pdf(document.write_pdf())) == pytest.approx(SIZES[0], abs=0.05)


def test_a_heading_that_would_hyphenate_is_named_and_base_css_prevents_it():
    heading = '<h2 style="width: 40mm; font-size: 20pt">Recomendaciones extraordinariamente importantes</h2>'
    planted = sheet(heading + "<p>Texto del cuerpo. " * 20 + "</p>", css="h2 { hyphens: auto }")
    found = checks(preflight_files([("es/advocacy.pdf", pdf(planted), "handout")]).findings, "es/advocacy.pdf")
    assert found["hyphenated-heading"][0].page == 1
    assert "hyphens: manual" in found["hyphenated-heading"][0].fix
    clean = pdf(sheet(heading + "<p>Texto del cuerpo.</p>"), ("base.css",))
    assert "hyphenated-heading" not in {f.check for f in preflight_files([("es/a.pdf", clean, "handout")]).findings}


def test_a_sheet_that_would_spill_is_named_and_copy_fit_keeps_it_on_one_page():
    from packbuilder.copyfit import fit
    lines = '<div class="lines">' + "<span></span>" * 27 + "</div>"
    html = sheet(f'<header class="title-block"><h1>Lo que aporto</h1></header><p class="prompt">¿Qué traigo?</p>{lines}')
    spilled = render(html, ("base.css", "activity/activity.css"))
    assert len(spilled.pages) == 2
    found = checks(preflight_files([("es/activities/what-i-bring.pdf", spilled.write_pdf(), "activity")]).findings,
                   "es/activities/what-i-bring.pdf")
    assert found["spill-page"][0].page == 2 and "used" in found["spill-page"][0].message
    fitted = fit(lambda text: render(text, ("base.css", "activity/activity.css")), html, pages=1)
    assert len(fitted.pages) == 1


def test_three_hyphenated_lines_in_a_row_are_laid_out_again_without_hyphens():
    from packbuilder.copyfit import fit, problems
    words = "interdisciplinariamente " * 60
    html = sheet(f'<p style="width: 38mm">{words}</p>', css="p { hyphenate-limit-zone: 0; hyphenate-limit-chars: auto }")
    lay_out = lambda text: render(text, ("base.css",))  # noqa: E731
    assert "hyphen-run" in problems(lay_out(html), None)
    assert "hyphen-run" not in problems(fit(lay_out, html), None)


def test_quotation_marks_are_each_languages_own_and_links_are_left_alone():
    from packbuilder.typeset import prepare
    assert prepare('Say "hello" and it\'s fine', "en") == "Say “hello” and it’s fine"
    assert prepare('Tomado de “Can Anti-Trafficking Be Rescued?” [x](https://a.org/"b")', "es") == \
        'Tomado de «Can Anti-Trafficking Be Rescued?» [x](https://a.org/"b")'
    assert prepare('他说"不要"。', "zh-Hans").replace("\u2060", "") == "他说“不要”。"


def test_a_chinese_paragraph_keeps_its_last_two_characters_together():
    from packbuilder.typeset import prepare
    assert prepare("最安全、最有效的策略。", "zh-Hans") == "最安全、最有效的策\u2060略。"
    assert prepare("strategy.", "en") == "strategy."


def test_preflight_command_names_file_page_and_fix_and_exits_1(tmp_path: Path):
    folder = tmp_path / "pack"
    (folder / "es").mkdir(parents=True)
    heading = '<h1 style="width: 40mm; font-size: 20pt; hyphens: auto">Recomendaciones extraordinarias</h1>'
    (folder / "es/advocacy.pdf").write_bytes(pdf(sheet(heading + "<p>Texto del cuerpo.</p>" * 12)))
    code, out, _ = run_cli("preflight", str(folder))
    assert code == 1
    assert "error: es/advocacy.pdf page 1: [hyphenated-heading]" in out and "— fix:" in out
    assert "Preflight: " in out and " 0 error(s)" not in out
    code, out, _ = run_cli("preflight", str(tmp_path / "missing"))
    assert code == 1


def test_the_default_pack_passes_preflight_and_its_manifest_says_so(default_pack: Path):
    manifest = json.loads((default_pack / "manifest.json").read_text())
    verdict = manifest["preflight"]
    assert verdict["verdict"] == "pass" and verdict["errors"] == 0
    assert verdict["smallest_type"]["en/cards/provider-card.pdf"] >= 7.0
    code, out, _ = run_cli("preflight", str(default_pack))
    assert code == 0, out


def test_cards_are_set_at_8_pt_or_more_in_every_language(default_pack: Path):
    from packbuilder.preflight.reader import body_size, read_pdf
    for card in default_pack.glob("*/cards/*.pdf"):
        if "-sheet-" in card.name:
            continue
        for page in read_pdf(card.read_bytes()):
            assert body_size([page], above=7.05) >= 8.0 - 0.05, card


def test_a_card_sheets_margins_are_read_as_boxes_and_text_near_the_edge_is_named(example_pack: Path):
    from packbuilder.preflight.reader import MM, read_pdf
    # a caption 2 mm from the paper edge, among text well inside it: named, with its words
    planted = sheet('<style>@page { size: A4; margin: 0 }</style>'
                    '<p style="position:absolute; left:2mm; top:40mm; margin:0">Tarjetas de bolsillo</p>'
                    '<p style="position:absolute; left:40mm; top:80mm; margin:0">Texto lejos del borde</p>')
    found = checks(preflight_files([("es/cards/x-sheet-a4.pdf", pdf(planted), "card-sheet")]).findings,
                   "es/cards/x-sheet-a4.pdf")
    assert len(found["printable-area"]) == 1
    assert found["printable-area"][0].message.startswith("'Tarjetas de bolsillo' is 2.")
    assert "mm from the paper edge; office printers leave 6 mm unprinted" in found["printable-area"][0].message
    # on every real sheet, the boxes put the ink where the characters do
    for path in sorted(example_pack.glob("example-branded/*/cards/*-sheet-*.pdf")):
        data = path.read_bytes()
        for chars, boxes in zip(read_pdf(data), read_pdf(data, boxes_only=True)):
            def gap(page):  # type: ignore[no-untyped-def]
                return min(min(ln.x0, ln.y0, page.width - ln.x1, page.height - ln.y1) for ln in page.lines) / MM
            assert abs(gap(chars) - gap(boxes)) < 0.05, path
