"""WeasyPrint fetches only what packbuilder serves: no network, no other local files."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from packbuilder.errors import RenderError
from packbuilder.fetcher import RefusedURL, SafeFetcher
from packbuilder.render import write_pdf


def fetcher(tmp_path: Path) -> SafeFetcher:
    return SafeFetcher([REPO / "layouts", tmp_path])


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://example.org/x.png", "https://example.org/x.png",
    "ftp://example.org/x", "file://otherhost/etc/passwd",
])
def test_refuses_other_files_and_the_network(tmp_path, url):
    f = fetcher(tmp_path)
    with pytest.raises(RefusedURL):
        f.fetch(url)
    assert f.refused == [url]


def test_refuses_paths_that_escape_a_root_and_symlinks_out(tmp_path):
    link = tmp_path / "passwd.css"
    link.symlink_to("/etc/passwd")
    f = fetcher(tmp_path)
    for url in [(REPO / "layouts/../pyproject.toml").as_uri(), link.as_uri(),
                "file://" + str(REPO / "layouts") + "/../pyproject.toml"]:
        with pytest.raises(RefusedURL):
            f.fetch(url)


def test_serves_layout_files_and_data_urls(tmp_path):
    f = fetcher(tmp_path)
    assert b"--primary" in f.fetch((REPO / "layouts/base.css").as_uri()).read()
    assert f.fetch("data:text/plain,hi").read() == b"hi"


@pytest.mark.parametrize("html", [
    '<p>x</p><img src="file:///etc/passwd">',
    '<p>x</p><img src="http://example.org/track.png">',
    '<link rel="stylesheet" href="https://example.org/a.css"><p>x</p>',
    '<p style="background: url(file:///etc/hostname)">x</p>',
])
def test_a_render_that_asks_for_a_refused_url_fails(tmp_path, html):
    page = f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{html}</body></html>'
    with pytest.raises(RenderError) as info:
        write_pdf(page, base_dir=REPO / "layouts", stylesheets=[], roots=[REPO / "layouts"],
                  job_name="test.pdf", created="2025-01-01T00:00:00Z")
    assert "test.pdf" in str(info.value)


def test_a_clean_render_succeeds():
    page = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>Hello</p></body></html>'
    pdf, pages = write_pdf(page, base_dir=REPO / "layouts", stylesheets=[REPO / "layouts/base.css"],
                           roots=[REPO / "layouts"], job_name="ok.pdf", created="2025-01-01T00:00:00Z")
    assert pdf.startswith(b"%PDF") and pages == 1
