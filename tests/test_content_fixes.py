"""The source's words stay, its internal notes go, and the words beside a QR code say where it leads."""
from __future__ import annotations

import re

import pytest

from conftest import pdftext


def flat(text: str) -> str:
    """Join lines and undo hyphenation breaks, so a sentence reads as one."""
    return re.sub(r"\s+", " ", re.sub("\u2010\n", "", text))     # U+2010: where hyphenation broke a word


@pytest.mark.parametrize("lang, says, never", [
    ("en", "This code opens a website, not the recording itself", "Scan the code with a phone camera to listen"),
    ("es", "Este código abre un sitio web, no la grabación", "cámara de un teléfono para escuchar"),
    ("zh_Hans", "此二维码打开的是一个网站，而不是录音本身", "即可收听"),
])
def test_the_words_beside_the_qr_code_say_it_opens_a_website(default_pack, lang, says, never):
    for pdf in (default_pack / lang / "activities/listen-and-reflect.pdf", default_pack / lang / "core-competencies.pdf"):
        text = flat(pdftext(pdf)).replace(" ", "") if lang == "zh_Hans" else flat(pdftext(pdf))
        assert (says.replace(" ", "") if lang == "zh_Hans" else says) in text, pdf
        assert never not in text, pdf


def test_the_manifest_says_where_the_qr_code_leads(default_pack):
    import json
    manifest = json.loads((default_pack / "manifest.json").read_text())
    audio = [f["audio"] for f in manifest["files"] if isinstance(f, dict) and "audio" in f]
    assert audio and all(a["leads_to"] == "website" for a in audio)


def test_the_editors_note_is_not_printed_for_clients(default_pack):
    for lang in ("en", "es", "zh_Hans"):
        assert "Let's find" not in flat(pdftext(default_pack / lang / "what-is-sex-work.pdf"))
    text = flat(pdftext(default_pack / "en/what-is-sex-work.pdf"))
    assert "Verify Him" in text and "National Blacklist" in text          # the source's own words stay


def test_the_cards_say_what_the_source_says(default_pack):
    harm = flat(pdftext(default_pack / "en/cards/do-no-harm-card.pdf"))
    assert "including those known to have been trafficked" in harm
    provider = flat(pdftext(default_pack / "en/cards/provider-card.pdf"))
    assert "two self-reflection worksheets" in provider and "for each competency" in provider
    assert "worksheets and resources for each competency" not in provider
