"""A server whose store is broken still serves the atlas, in a real browser (issue 15): its
SQLite file is corrupted, yet the Atlas page draws its 3D view at once, and signing in says,
in plain words with a reference, that it is unavailable; nothing technical reaches the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.harness import ROOT, running_app
from tests.e2e.test_atlas_browser import pixels, wait_for_canvas

pytestmark = pytest.mark.e2e
SLOW = 120_000


@pytest.fixture(scope="module")
def broken_store_url(tmp_path_factory):
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import make_engine

    folder = tmp_path_factory.mktemp("broken_store")
    path = folder / "atlas.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    create_user(engine, "tina", "correct horse battery 3")
    engine.dispose()
    with path.open("r+b") as f:  # the header overwritten: "file is not a database"
        f.write(b"this is not a database, not any more")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", f"sqlite:///{path}")  # the server takes this environment
        with running_app(ROOT / "atlas_app" / "serve.py", folder / "server.log") as url:
            mp.undo()
            yield url


def test_the_atlas_serves_and_signing_in_says_why_not(page: Page, broken_store_url):
    page.goto(broken_store_url)
    canvas = wait_for_canvas(page, timeout=SLOW)
    assert pixels(canvas).std() > 10, "the 3D view is drawn"
    page.get_by_role("textbox", name="Username").fill("tina")
    page.get_by_role("textbox", name="Password").fill("correct horse battery 3")
    page.get_by_role("button", name="Sign in").click()
    said = page.get_by_text("Signing in is unavailable just now")
    expect(said).to_be_visible(timeout=SLOW)
    assert "Reference" in said.inner_text()
    expect(page.get_by_text("Signed in as tina")).to_have_count(0)
    body = page.locator("body").inner_text()
    for leak in ("Traceback", "sqlalchemy", "sqlite3", "OperationalError", "atlas.sqlite3"):
        assert leak not in body
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="About").click()
    expect(page.get_by_text("BodyParts3D").first).to_be_visible(timeout=SLOW)
