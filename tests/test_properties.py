"""Property-based tests: the segmenter, markup parity, the PO round trip, and import."""
from __future__ import annotations

import io
import string
from pathlib import Path

from babel.messages.catalog import Catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packbuilder.catalogs import PackCatalog, read_catalog, render_catalog
from packbuilder.checks import CHECKS, Entry
from packbuilder.content import parse_document
from packbuilder.glossary import Glossary
from packbuilder.submission import import_catalog

WORDS = st.text(alphabet=string.ascii_letters + "áéíóúñ性工作者 ", min_size=1, max_size=30).map(
    lambda s: " ".join(s.split())).filter(bool)
URLS = st.sampled_from(["https://example.org/a", "https://example.org/b?id=1", "mailto:x@example.org"])
UNICODE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda s: s.strip() == s and s)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def document(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "doc.md"
    path.write_text('+++\nid = "doc"\ntitle = "T"\n[source]\ntitle = "S"\nauthor = "A"\nterms = "T"\n+++\n' + body,
                    encoding="utf-8")
    return path


@SETTINGS
@given(sections=st.lists(st.tuples(WORDS, st.lists(WORDS, min_size=1, max_size=4),
                                   st.lists(WORDS, max_size=4)), min_size=1, max_size=5))
def test_segmenter_contexts_are_unique_stable_and_keep_every_text(tmp_path, sections):
    body = ""
    for heading, paragraphs, items in sections:
        body += f"\n## {heading}\n\n" + "\n\n".join(paragraphs) + "\n\n" + "".join(f"- {i}\n" for i in items)
    path = document(tmp_path, body)
    first, second = parse_document(path), parse_document(path)
    contexts = [s.context for s in first.segments]
    assert contexts == [s.context for s in second.segments]
    assert len(set(contexts)) == len(contexts)
    texts = [s.text for s in first.segments]
    for heading, paragraphs, items in sections:
        assert heading in texts and all(p in texts for p in paragraphs) and all(i in texts for i in items)


def problems(source: str, target: str) -> list[str]:
    from babel.messages.catalog import Message
    entry = Entry(Message(source, target, context="doc/x/p1"), "es", Glossary("es"))
    return [text for severity, text in CHECKS["markup"](entry) if severity == "error"]


@SETTINGS
@given(words=st.lists(WORDS, min_size=2, max_size=5), links=st.lists(URLS, max_size=3), bold=st.booleans())
def test_markup_parity_accepts_the_same_markup_and_refuses_an_extra_link(words, links, bold):
    parts = [f"[{w}]({u})" for w, u in zip(words, links)] + words[len(links):]
    source = " ".join(parts)
    if bold:
        source = f"**{words[0]}** {source}"
    assert problems(source, source) == []
    assert problems(source, source + " [más](https://evil.example/)") != []
    if links:
        assert problems(source, source.replace(links[0], "https://other.example/", 1)) != []


@SETTINGS
@given(entries=st.dictionaries(st.from_regex(r"doc/[a-z]{1,8}/p[1-9]", fullmatch=True),
                               st.tuples(UNICODE, st.one_of(st.just(""), UNICODE), st.booleans()),
                               min_size=1, max_size=12))
def test_po_round_trip_keeps_every_entry_and_bytes(tmp_path, entries):
    catalog = PackCatalog(locale="es", domain="doc", charset="utf-8")
    for context, (msgid, msgstr, fuzzy) in entries.items():
        catalog.add(msgid, msgstr, context=context, flags=["fuzzy"] if fuzzy and msgstr else [])
    path = tmp_path / "doc.po"
    path.write_bytes(render_catalog(catalog))
    back = read_catalog(path, "es")
    got = {str(m.context): (m.id, m.string, m.fuzzy) for m in back if m.id}
    assert got == {c: (i, s, bool(f and s)) for c, (i, s, f) in entries.items()}
    assert render_catalog(back) == path.read_bytes()


@SETTINGS
@given(ours=st.dictionaries(st.sampled_from([f"doc/s/p{i}" for i in range(1, 9)]), st.one_of(st.just(""), UNICODE),
                            min_size=1),
       theirs=st.dictionaries(st.sampled_from([f"doc/s/p{i}" for i in range(1, 12)]),
                              st.tuples(st.one_of(st.just(""), UNICODE), st.booleans())))
def test_import_never_loses_a_translation(ours, theirs):
    mine = Catalog(locale="es")
    for context, text in ours.items():
        mine.add(f"English {context}", text, context=context)
    submitted = Catalog(locale="es")
    for context, (text, fuzzy) in theirs.items():
        submitted.add(f"English {context}", text, context=context, flags=["fuzzy"] if fuzzy else [])
    import_catalog(mine, submitted)
    after = {str(m.context): m.string for m in mine if m.id}
    for context, text in ours.items():
        if text:
            assert after[context], f"{context} lost its translation"
        sub_text, sub_fuzzy = theirs.get(context, ("", False))
        if sub_text:                                    # taken; a fuzzy mark is honoured
            assert after[context] == sub_text
            assert next(m for m in mine if m.context == context).fuzzy == sub_fuzzy
        elif text:
            assert after[context] == text
    for context, (text, fuzzy) in theirs.items():
        if context not in ours and text:      # unknown segments are kept, as obsolete
            assert any(m.context == context for m in mine.obsolete.values())
