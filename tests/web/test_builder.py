"""The pack form in-process: the CLI's messages beside fields, uploads refused, comments kept."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from packbuilder.config import load_pack

from .conftest import csrf_of, make_client


@pytest.fixture()
def site(project: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "site"
    root.mkdir()
    for part in ("content", "locales", "layouts", "packs"):
        (root / part).symlink_to(project / part) if part != "packs" else shutil.copytree(project / part, root / part)
    (root / "assets").mkdir()
    with make_client(root) as c:
        token = csrf_of(c.get("/packs").text)
        r = c.post("/packs", data={"csrftoken": token, "name": "harbor", "from": "example-branded"},
                   follow_redirects=False)
        assert r.status_code == 303
        yield c, root, token


def form(c, **changes) -> dict:  # type: ignore[no-untyped-def]
    """Return the form's fields as the page shows them, with ``changes``."""
    import re
    html = c.get("/packs/harbor").text
    data: dict = {}
    for m in re.finditer(r'<input id="[^"]+" name="([^"]+)" type="(?:text|tel|url|email)" value="([^"]*)"', html):
        data[m.group(1)] = m.group(2).replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'")
    for m in re.finditer(r'name="([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(m.group(1), [])
        if isinstance(data[m.group(1)], list):
            data[m.group(1)].append(m.group(2))
    for m in re.finditer(r'name="(services\[\d+\]\.category)".*?value="([^"]+)" selected', html, re.S):
        data[m.group(1)] = m.group(2)
    for key in ("pack.paper", "pack.use", "cards.size"):
        data[key] = data[key][0]
    data.update(changes)
    data["csrftoken"] = csrf_of(html)
    return data


def test_contrast_error_is_the_clis_message_beside_the_field(site) -> None:  # type: ignore[no-untyped-def]
    c, root, _ = site
    before = (root / "packs/harbor/pack.toml").read_text()
    r = c.post("/packs/harbor", data=form(c, **{"brand.accent": "#777777", "action": "save"}))
    assert r.status_code == 400
    assert 'id="f-brand-accent-error-1">body text on accent has a contrast of 3.' in r.text
    assert (root / "packs/harbor/pack.toml").read_text() == before          # nothing saved


@pytest.mark.parametrize("key, value, words", [
    ("brand.contact.phone", "+1 401-CALL-NOW", "is not a phone number"),
    ("services[1].phone", "call us", "is not a phone number"),
    ("pack.use", "commercial", "forbids it"),
    ("brand.contact.website", "http://example.org", "https"),
])
def test_each_field_gets_the_clis_words(site, key, value, words) -> None:  # type: ignore[no-untyped-def]
    c, _, _ = site
    r = c.post("/packs/harbor", data=form(c, **{key: value, "action": "save"}))
    assert r.status_code == 400 and words in r.text
    field_id = "f-" + key.replace(".", "-").replace("[", "-").replace("]", "")
    assert f'id="{field_id}-error-1"' in r.text or (key == "pack.use" and 'id="f-pack-use-error-1"' in r.text)


def test_save_keeps_comments_and_loads_in_the_cli(site) -> None:  # type: ignore[no-untyped-def]
    c, root, _ = site
    r = c.post("/packs/harbor", data=form(c, **{"brand.contact.phone": "+1 401-555-0199", "action": "save"}),
               follow_redirects=False)
    assert r.status_code == 303
    text = (root / "packs/harbor/pack.toml").read_text()
    assert "# EXAMPLE ONLY." in text and "# a card that must not reveal" in text
    assert 'phone = "+1 401-555-0199"' in text
    pack = load_pack(root / "packs/harbor/pack.toml")
    assert pack.brand.contact_for("en")["phone"] == "+1 401-555-0199" and len(pack.services) == 4
    assert pack.layouts_dir == (root / "layouts").resolve()      # packbuilder's own layouts only


def test_the_form_page_is_rendered_once_but_each_visitor_gets_their_own_token(site) -> None:  # type: ignore[no-untyped-def]
    c, root, _ = site
    first = c.get("/packs/harbor").text
    with make_client(root) as other:                     # another browser: another CSRF cookie
        theirs = other.get("/packs/harbor").text
        assert csrf_of(theirs) != csrf_of(first) and csrf_of(theirs) == other.cookies.get("pb_csrf")
        assert theirs.replace(csrf_of(theirs), "") == first.replace(csrf_of(first), "")
        r = other.post("/packs/harbor", data=form(other, **{"action": "save"}), follow_redirects=False)
        assert r.status_code == 303                      # their token works
    pack = root / "packs/harbor/pack.toml"               # a hand edit shows at once
    pack.write_text(pack.read_text().replace("+1 401-555-0142", "+1 401-555-0177"))
    assert "+1 401-555-0177" in c.get("/packs/harbor").text
    assert "Saved packs/harbor/pack.toml" in c.get("/packs/harbor?saved=1").text       # a notice is its own page
    assert "Saved packs/harbor/pack.toml" not in c.get("/packs/harbor").text


def test_saving_an_unchanged_form_leaves_the_file_as_it_was(site) -> None:  # type: ignore[no-untyped-def]
    c, root, _ = site
    pack = root / "packs/harbor/pack.toml"
    before = pack.read_text()
    assert c.post("/packs/harbor", data=form(c, action="save"), follow_redirects=False).status_code == 303
    assert pack.read_text() == before        # languages, order, comments, inline tables: all as written
    r = c.post("/packs/harbor", data=form(c, **{"brand.contact.phone": "+1 401-555-0199", "action": "save"}),
               follow_redirects=False)
    assert r.status_code == 303
    after = pack.read_text()                 # one value changed: one line of the file changed
    assert [line for line in after.splitlines() if line not in before.splitlines()] == ['phone = "+1 401-555-0199"']
    assert load_pack(pack).languages == ("en", "zh_Hans", "es")


def test_where_the_contact_prints_is_a_choice_on_the_form(site) -> None:  # type: ignore[no-untyped-def]
    c, root, _ = site
    pack = root / "packs/harbor/pack.toml"
    page = c.get("/packs/harbor").text
    assert 'name="brand.contact_on" value="cards" checked' in page and 'name="brand.contact_on" value="handouts">' in page
    r = c.post("/packs/harbor", data=form(c, **{"brand.contact_on": ["cards", "contents", "handouts"], "action": "save"}),
               follow_redirects=False)
    assert r.status_code == 303 and load_pack(pack).brand.contact_on == ("cards", "contents", "handouts")
    r = c.post("/packs/harbor", data=form(c, **{"brand.contact_on": [], "action": "save"}), follow_redirects=False)
    assert r.status_code == 303 and "contact_on = []" in pack.read_text()      # none ticked: kept as none
    assert load_pack(pack).brand.contact_on == ()


def test_a_preview_that_cannot_render_says_why_without_javascript(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from packbuilder.errors import RenderError
    from packbuilder.web import builder

    async def fails(*args):  # type: ignore[no-untyped-def]
        raise RenderError("the card cannot be laid out", path=Path("packs/harbor/pack.toml"))
    monkeypatch.setattr(builder, "preview_images", fails)
    c, _, _ = site
    r = c.post("/packs/harbor", data=form(c, action="preview"))
    assert r.status_code == 400 and "the card cannot be laid out" in r.text      # not the error page


def test_services_rows_move_and_go(site) -> None:  # type: ignore[no-untyped-def]
    c, _, _ = site
    r = c.post("/packs/harbor", data=form(c, action="down-1"))
    assert r.text.index("Peer Support Line (example)") < r.text.index("Harbor Light Drop-in Clinic (example)")
    r = c.post("/packs/harbor", data=form(c, action="remove-1"))
    assert "Harbor Light Drop-in Clinic (example)" not in r.text


@pytest.mark.parametrize("name, data, words", [
    ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (20 * 1024 * 1024), None),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "contains a script"),
    ("../../evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "must be a plain file name"),
    ("logo.gif", b"GIF89a", "must be an SVG or PNG file"),
])
def test_bad_uploads_are_refused_with_a_message(site, name, data, words) -> None:  # type: ignore[no-untyped-def]
    c, root, _ = site
    fields = form(c, action="save")
    r = c.post("/packs/harbor", data=fields, files={"logo": (name, data, "application/octet-stream")})
    if words is None:                        # 20 MB: stopped before it is read
        assert r.status_code == 413 and "too large" in r.text
    else:
        assert r.status_code == 400 and words in r.text
    assert not list((root / "packs/harbor").glob(".upload-*")) and not (root / "evil.svg").exists()


def test_packbuilders_own_pack_is_not_edited_in_place(site) -> None:  # type: ignore[no-untyped-def]
    c, _, _ = site
    assert c.get("/packs/default").status_code == 403
    token = csrf_of(c.get("/packs").text)
    r = c.post("/packs", data={"csrftoken": token, "name": "../etc", "from": "default"})
    assert r.status_code == 400 and "plain name" in r.text


def test_structured_hours_and_titles_per_language_survive_the_form(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A hand-edited pack with days-and-times hours and a title per language opens in the form and
    saves back to the same values (the build then prints the hours in each language)."""
    import tomlkit

    from packbuilder.web import packform as pfm
    from tests.conftest import REPO
    source = REPO / "packs/example-branded/pack.toml"
    pf, doc = pfm.read_form(source, "example-branded")
    assert pf.values["brand.contact.hours"] == "mon,tue,wed,thu,fri 10:00-18:00"
    assert pf.services[0]["hours"] == "tue,thu 12:00-16:00"
    assert pf.values["pack.title"] == tomlkit.parse(source.read_text())["pack"]["title"]["en"]
    pfm.apply(doc, pf, {}, "logo.svg")
    before, after = tomlkit.parse(source.read_text()).unwrap(), doc.unwrap()
    assert after["brand"]["contact"]["hours"] == before["brand"]["contact"]["hours"]
    assert [s.get("hours") for s in after["services"]] == [s.get("hours") for s in before["services"]]
    assert after["pack"]["title"] == before["pack"]["title"]
    assert pfm.hours_from_form("Mon–Fri, by appointment") == "Mon–Fri, by appointment"     # free text stays
