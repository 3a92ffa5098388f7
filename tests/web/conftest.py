"""Web app fixtures: a copy of the project with the default pack built, and in-process clients."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from tests.conftest import copy_repo, run_cli

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project (content, catalogs, layouts, packs) with the default pack built."""
    root = copy_repo(tmp_path_factory.mktemp("project"))
    code, _, err = run_cli("build", "--pack", str(root / "packs/default.toml"), "--out", str(root / "dist"),
                           "--quiet")
    assert code == 0, err
    return root


def make_client(root: Path, **settings):  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from packbuilder.web import Settings, create_app
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = create_app(Settings(root=root, **settings))
        return TestClient(app, base_url="http://127.0.0.1:8000")


@pytest.fixture()
def client(project: Path):  # type: ignore[no-untyped-def]
    with make_client(project) as c:
        yield c


def csrf_of(html: str) -> str:
    """Return the CSRF token a page's forms carry."""
    match = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
