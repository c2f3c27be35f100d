"""A trainee walks an approach through all its steps in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_atlas_browser import pixels, viewer, wait_for_canvas

pytestmark = pytest.mark.e2e


def test_walk_the_transpsoas_approach_through_every_step(page, app_url):
    page.goto(f"{app_url}/approaches")
    canvas = wait_for_canvas(page)
    title = viewer(page).locator(".sav-title")
    expect(title).to_contain_text("Step 1 of")
    total = int(title.inner_text().split(" of ")[1].split(":")[0])
    assert total >= 8
    seen = []
    for i in range(2, total + 1):
        page.get_by_role("button", name="Next").click()
        expect(title).to_contain_text(f"Step {i} of {total}", timeout=60_000)
        seen.append(title.inner_text())
    assert page.get_by_role("button", name="Next").is_disabled()
    assert pixels(canvas).std() > 10, "the last step is drawn"
    assert len(set(seen)) == total - 1
    page.get_by_role("button", name="Previous").click()
    expect(title).to_contain_text(f"Step {total - 1} of {total}", timeout=60_000)
