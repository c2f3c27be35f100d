"""A real app server on a free port and Debian's chromium driven by Playwright.

The browser is the system one (``/usr/bin/chromium``, installed by scripts/test.sh); no
browser is ever downloaded. Set SKIP_E2E=1 to skip these tests on a machine without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.harness import ROOT, running_app


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    if os.environ.get("SKIP_E2E") == "1":
        pytest.skip("SKIP_E2E=1")
    # The server and the tests that make its accounts share one throwaway store, so the
    # browser tests never write into a developer's var/atlas.sqlite3 (a DATABASE_URL already
    # set, e.g. a PostgreSQL server, is used as it is).
    if "DATABASE_URL" not in os.environ:
        store = tmp_path_factory.mktemp("store") / "atlas.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{store}"
    log = tmp_path_factory.mktemp("app") / "server.log"
    with running_app(ROOT / "atlas_app" / "serve.py", log) as url:  # as run.sh, the Procfile
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
