"""The library page in-process: every material, in the page's language, with its zips."""
from __future__ import annotations

import io
import zipfile


def test_library_lists_every_material_in_english(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/?lang=en")
    assert r.status_code == 200 and '<html lang="en"' in r.text
    for words in ("Handouts", "Cards", "Activity sheets", "Core Competencies", "Card sheet, Letter",
                  "Download the whole pack (zip)", " pages"):
        assert words in r.text, words
    assert r.text.count('class="material"') == 16        # 5 handouts, 4 cards, 4 activities; contents, credits, index


def test_library_speaks_chinese_and_spanish(client) -> None:  # type: ignore[no-untyped-def]
    zh = client.get("/?lang=zh_Hans").text
    assert '<html lang="zh-Hans"' in zh and "资料库" in zh and "翻译草稿" in zh and "下载整个资料包" in zh
    es = client.get("/?lang=es").text
    assert '<html lang="es"' in es and "Biblioteca" in es and "Traducción en borrador" in es
    assert "中文（简体）" in es and "Español" in zh                # each language named in its own


def test_zips_and_files(client) -> None:  # type: ignore[no-untyped-def]
    whole = client.get("/zip/default.zip")
    assert whole.status_code == 200 and whole.headers["content-type"] == "application/zip"
    one = client.get("/zip/default/es.zip")
    names = zipfile.ZipFile(io.BytesIO(one.content)).namelist()
    assert names and all(n.startswith("es/") for n in names) and "es/cards/provider-card.pdf" in names
    pdf = client.get("/files/default/es/advocacy.pdf?download=1")
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    thumb = client.get("/thumbs/default/es/advocacy.pdf")
    assert thumb.content.startswith(b"\x89PNG")


def test_error_page_has_no_traceback(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/library/no-such-pack")
    assert r.status_code == 404 and "There is no pack called" in r.text and "Traceback" not in r.text
