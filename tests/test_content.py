"""The segmenter: stable contexts, inline markup kept, links checked."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, ROOTS
from packbuilder.content import Paragraph, load_content, parse_document, slugify
from packbuilder.errors import ContentError

DEFAULT_DOCS = ["core-competencies", "brief-guide", "best-practices", "advocacy", "what-is-sex-work"]


def test_contexts_are_document_section_and_position():
    doc = parse_document(ROOTS / "minimal/content/sample.md")
    contexts = [s.context for s in doc.segments]
    assert contexts[:4] == ["sample/title", "sample/do-no-harm/h", "sample/do-no-harm/p1",
                            "sample/do-no-harm/p2"]
    assert len(set(contexts)) == len(contexts), "every msgctxt is unique"


def test_identical_english_in_two_places_gets_two_contexts():
    doc = parse_document(ROOTS / "minimal/content/sample.md")
    same = [s.context for s in doc.segments if s.text == "Ask first."]
    assert same == ["sample/do-no-harm/li2", "sample/in-action/li1"]
    # a heading and a list item with the same words are different segments too
    assert {s.context for s in doc.segments if s.text == "In Action"} == {
        "sample/do-no-harm/li1", "sample/in-action/h"}


def test_inline_markup_stays_in_the_msgid():
    doc = parse_document(ROOTS / "minimal/content/sample.md")
    texts = [s.text for s in doc.segments]
    assert "Effective service delivery is grounded in **trust**, dignity, and respect." in texts
    assert "See [the guide](https://example.org/guide) or <https://example.org/>." in texts


def test_tables_nested_lists_and_worksheet_prompts():
    doc = parse_document(ROOTS / "minimal/content/sample.md")
    kinds = {s.context: s.kind for s in doc.segments}
    assert kinds["sample/in-action/th1"] == "th" and kinds["sample/in-action/td1"] == "td"
    assert "sample/in-action/td2" not in kinds, "an empty cell is space to write, not a segment"
    assert any(s.text == "Listen." for s in doc.segments)
    worksheet = doc.blocks[-1]
    assert worksheet.kind == "worksheet"
    prompts = [b.prompt for b in worksheet.blocks if isinstance(b, Paragraph)]
    assert prompts == [False, True]


def test_contexts_are_stable_across_runs():
    first = [s.context for d in load_content(REPO / "content", DEFAULT_DOCS) for s in d.segments]
    second = [s.context for d in load_content(REPO / "content", DEFAULT_DOCS) for s in d.segments]
    assert first == second and len(first) == len(set(first))


def test_slugify():
    assert slugify("Do no harm: 无伤害") == "do-no-harm"
    assert slugify("In Action") == "in-action"
    assert len(slugify("01 Recognize that everyone has a unique constellation of experiences.")) <= 40


def test_default_content_is_complete():
    docs = {d.id: d for d in load_content(REPO / "content", DEFAULT_DOCS)}
    text = {d: " ".join(s.text for s in doc.segments) for d, doc in docs.items()}
    assert "Recognize that everyone has a unique constellation of experiences" in text["core-competencies"]
    assert "Most Common Mistakes" in text["brief-guide"]
    assert "Do no harm" in text["best-practices"]
    assert "Speak Up" in text["advocacy"]
    assert "Sex Work vs. Sex Trafficking" in text["what-is-sex-work"]
    assert "fbclid" not in " ".join(text.values())
    grid = next(b for b in docs["core-competencies"].blocks if b.type == "wordsearch")
    assert len(grid.grid) == 20 and all(len(r) == 20 for r in grid.grid) and len(grid.words) == 13
    assert docs["core-competencies"].source.noncommercial


def _doc(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bad.md"
    path.write_text('+++\nid = "bad"\ntitle = "Bad"\n[source]\ntitle = "S"\nauthor = "A"\n'
                    'terms = "T"\n+++\n' + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("link, expected", [
    ("https://example.org/a?fbclid=IwAR29", "tracking parameters; use 'https://example.org/a'"),
    ("https://example.org/a?utm_source=x&id=3", "use 'https://example.org/a?id=3'"),
    ("http://example.org/", "uses http://"),
    ("javascript:alert(1)", "only https:// and mailto:"),
    ("https://bit.ly/abc", "URL shortener"),
])
def test_unsafe_links_in_content_are_refused_with_the_fix(tmp_path, link, expected):
    path = _doc(tmp_path, f"\nRead [this]({link}).\n")
    with pytest.raises(ContentError) as info:
        parse_document(path)
    (line,) = info.value.lines()
    assert f"{path}:10:" in line and expected in line


def test_every_problem_is_reported_at_once(tmp_path):
    path = _doc(tmp_path, "\n[a](http://a.example/)\n\n[b](http://b.example/)\n\nA <img src=\"x.png\"> here.\n")
    with pytest.raises(ContentError) as info:
        parse_document(path)
    assert len(info.value.lines()) == 3
