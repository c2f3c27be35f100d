"""A real app server on a free port and Debian's chromium driven by Playwright.

The browser is the system one (``/usr/bin/chromium``, installed by scripts/test.sh); no
browser is ever downloaded. Set SKIP_E2E=1 to skip these tests on a machine without it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.harness import ROOT, free_port, start_app, wait_healthy


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
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    proc = start_app(ROOT / "atlas_app" / "serve.py", port, log)  # as run.sh and the Procfile
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
