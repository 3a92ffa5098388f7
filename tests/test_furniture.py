"""Translated furniture: pack titles, hours, footers, contents and index in each language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, pdftext, run_cli
from packbuilder.config import load_pack
from packbuilder.errors import ConfigError
from packbuilder.hours import parse_hours

UI = {"opening-hours": "{days} {times}", "day-range": "{first}–{last}"}


def ui(key: str, **values: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m[1]], UI[key])


def flat(path: Path, page: int | None = None) -> str:
    return " ".join(pdftext(path, page).split())


def test_structured_hours_print_in_each_language():
    hours = parse_hours({"days": ["tue", "thu"], "from": "12:00", "to": "16:00"}, "h", pytest.fail)
    assert hours.format("en", ui) == "Tue and Thu 12:00\u2009–\u20094:00\u202fPM"     # CLDR's thin spaces
    assert hours.format("es", ui) == "mar y jue 12:00–16:00"
    assert hours.format("zh_Hans", ui) == "周二和周四 12:00–16:00"
    week = parse_hours([{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "10:00", "to": "18:00"},
                        {"days": ["sat"], "from": "10:00", "to": "14:00"}], "h", pytest.fail)
    assert week.format("es", ui) == "lun–vie 10:00–18:00; sáb 10:00–14:00"
    assert parse_hours("Tue, Thu 12:00–16:00", "h", pytest.fail) == "Tue, Thu 12:00–16:00", "free text stays"


def test_bad_hours_are_named_with_the_fix(tmp_path):
    problems = []
    parse_hours({"days": ["tues"], "from": "9", "to": "16:00"}, "services[1].hours",
                lambda key, msg: problems.append(f"{key}: {msg}"))
    parse_hours({"days": ["mon"], "from": "18:00", "to": "09:00"}, "brand.contact.hours",
                lambda key, msg: problems.append(f"{key}: {msg}"))
    assert problems == ["services[1].hours.days: ['tues']: list days as mon, tue, wed, thu, fri, sat, sun",
                        "brand.contact.hours.to: closes at 09:00 before it opens at 18:00"]


@pytest.mark.parametrize("lang, hours", [("en", "Tue and Thu 12:00 – 4:00 PM"), ("es", "mar y jue 12:00–16:00"),
                                         ("zh_Hans", "周二和周四 12:00–16:00")])
def test_service_hours_on_the_local_resources_card_are_in_its_language(example_pack, lang, hours):
    card = example_pack / f"example-branded/{lang}/cards/local-resources.pdf"
    text = flat(card, 1)
    assert hours in text if lang != "zh_Hans" else hours.replace(" ", "") in text.replace(" ", "")


def test_pack_title_per_language_with_a_warning_for_a_missing_one(tmp_path):
    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "t"\nlanguages = ["en", "zh_Hans", "es"]\ndocuments = ["advocacy"]\n'
                    '[pack.title]\nen = "Respectful care"\nes = "Atención respetuosa"\n'
                    f'[paths]\ncontent = "{REPO / "content"}"\nlocales = "{REPO / "locales"}"\n'
                    f'layouts = "{REPO / "layouts"}"\n')
    pack = load_pack(path)
    assert (pack.title_in("es"), pack.title_in("zh_Hans"), pack.title) == (
        "Atención respetuosa", "Respectful care", "Respectful care")
    assert pack.warnings == ("Config value 'pack.title': no zh_Hans title; the zh_Hans pages show “Respectful "
                             "care”. Add zh_Hans = \"…\" under [pack.title]",)
    code, out, _ = run_cli("build", "--pack", str(path), "--out", str(tmp_path / "dist"), "--quiet",
                           "--lang", "es", "--lang", "zh_Hans")
    assert code == 0 and "warning:" in out and "no zh_Hans title" in out
    assert "Atención respetuosa" in flat(tmp_path / "dist/t/es/credits.pdf", 1)


def test_a_pack_title_for_an_unlisted_language_is_a_warning_and_a_bad_one_an_error(tmp_path):
    path = tmp_path / "pack.toml"
    paths = (f'[paths]\ncontent = "{REPO / "content"}"\nlocales = "{REPO / "locales"}"\n'
             f'layouts = "{REPO / "layouts"}"\n')
    path.write_text('[pack]\nname = "t"\ndocuments = ["advocacy"]\n[pack.title]\nen = "A"\nfr = "B"\nes = 3\n' + paths)
    with pytest.raises(ConfigError) as info:
        load_pack(path, trust=True)
    text = "\n".join(info.value.lines())
    assert "pack.title.es" in text and "pack.title.fr" not in text
    path.write_text('[pack]\nname = "t"\ndocuments = ["advocacy"]\n[pack.title]\nen = "A"\nfr = "B"\n' + paths)
    warnings = load_pack(path, trust=True).warnings       # languages were cut: the title waits, unused
    assert any("pack.title.fr" in w and "does not list 'fr'" in w for w in warnings)


@pytest.mark.parametrize("lang, sentence", [
    ("es", "Conserve este crédito al compartirlo; los términos de la fuente están en los créditos."),
    ("zh_Hans", "分享时请保留此出处说明")])
def test_translated_footers_say_the_terms_in_the_page_language(default_pack, lang, sentence):
    text = flat(default_pack / f"{lang}/core-competencies.pdf", 1)
    assert sentence in text and "Not intended for commercial use" not in text
    credits = flat(default_pack / f"{lang}/credits.pdf")
    assert "Not intended for commercial use" in credits, "the original terms stay in the credits"


def test_english_footers_keep_the_sources_own_terms(default_pack):
    assert "Not intended for commercial use" in flat(default_pack / "en/core-competencies.pdf", 1)


@pytest.mark.parametrize("lang, title", [("en", "Respectful care: a resource pack"),
                                         ("es", "Atención respetuosa: paquete de recursos"),
                                         ("zh_Hans", "尊重的关怀：资源包")])
def test_contents_cover_shows_the_pack_title_in_its_language(default_pack, lang, title):
    assert title in flat(default_pack / f"{lang}/contents.pdf", 1)


def test_index_lists_everything_including_activity_sheets(default_pack):
    text = flat(default_pack / "index.pdf")
    for lang in ("en", "zh_Hans", "es"):
        for name in ("listen-and-reflect", "what-do-i-see", "what-i-bring", "word-search"):
            assert f"{lang}/activities/{name}.pdf" in text
        assert f"{lang}/contents.pdf" in text and f"{lang}/credits.pdf" in text
        assert f"{lang}/cards/safety-street.pdf" in text


def test_review_dates_are_written_by_babel_in_each_language():
    from packbuilder.i18n import language
    from packbuilder.jobs import review_date
    assert review_date("2026-09-13", language("en")) == "September 13, 2026"
    assert review_date("2026-09-13", language("es")) == "13 de septiembre de 2026"
    assert review_date("2026-09-13", language("zh_Hans")) == "2026年9月13日"
    assert review_date("autumn 2026", language("es")) == "autumn 2026", "not a date: as written"


@pytest.mark.parametrize("lang, one, many", [
    ("en", "1 page", "3 pages"), ("es", "1 página", "3 páginas"), ("zh_Hans", "1页", "3页")])
def test_counts_are_worded_by_the_languages_plural_rule(lang, one, many):
    from packbuilder.catalogs import load_catalogs
    from packbuilder.jobs import pages_text, plural_ui
    ui = load_catalogs(REPO / "locales", (lang,), [])[lang].ui
    assert (pages_text(ui, lang, 1), pages_text(ui, lang, 3)) == (one, many)
    assert "(s)" not in plural_ui(ui, lang, "fallback", 1) + plural_ui(ui, lang, "fallback", 2)


def test_changing_a_services_hours_rebuilds_its_card(tmp_path):
    path = tmp_path / "pack.toml"
    text = (f'[pack]\nname = "t"\ndocuments = ["advocacy"]\n[paths]\ncontent = "{REPO / "content"}"\n'
            f'locales = "{REPO / "locales"}"\nlayouts = "{REPO / "layouts"}"\n[cards]\ninclude = []\nsheets = []\n'
            '[[services]]\nname = "Clinic (example)"\ncategory = "primary-care"\n'
            'hours = { days = ["tue"], from = "12:00", to = "16:00" }\n')
    path.write_text(text)
    out = tmp_path / "dist"
    assert run_cli("build", "--pack", str(path), "--out", str(out), "--quiet")[0] == 0
    path.write_text(text.replace('["tue"]', '["wed"]'))
    assert run_cli("build", "--pack", str(path), "--out", str(out), "--quiet")[0] == 0
    assert "Wed 12:00" in flat(out / "t/en/cards/local-resources.pdf", 1)
