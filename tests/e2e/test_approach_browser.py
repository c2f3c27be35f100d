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


def test_the_hidden_mount_readies_the_view_without_an_error(page, app_url):
    """The Approaches page readies its viewer with a hidden mount (ui/viewer.py:
    prepare_viewer): the view drawn is the one it made, and no error, not even a hidden
    one, is on the page."""
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{app_url}/approaches")
    wait_for_canvas(page)
    # The spare is made at 64 px, off screen: the view adopted it, or (when the view's own
    # mount ran first, the two being mounted together) it waits for the next view.
    spares = "[...document.querySelectorAll('body > div > .sav-root')].map(r => r.__viewer)"
    warmed = page.evaluate(f"() => [...{spares}].filter(v => v && v.warmedUp).length")
    assert warmed + viewer(page).evaluate("el => el.__viewer.warmedUp === true ? 1 : 0") == 1
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert page.get_by_text("BidiComponent Error").count() == 0
    assert errors == []


CUT_SHORT = """e => {
    // The label's text against every box around it that clips (up to its button).
    const range = document.createRange();
    range.selectNodeContents(e);
    const text = range.getBoundingClientRect();
    for (let box = e; box && box.tagName !== "BUTTON"; box = box.parentElement) {
        if (getComputedStyle(box).overflow === "visible") continue;
        const r = box.getBoundingClientRect();
        if (text.left < r.left - 0.5 || text.right > r.right + 0.5) return true;
    }
    return false;
}"""


def test_at_1024_px_the_step_buttons_read_in_full_and_arrows_keep_the_approach(browser, app_url):
    """Issue 13: Previous/Next read "P." and "N" at 1024 px, and the arrow keys changed the
    approach when its radio buttons had focus."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/approaches")
        wait_for_canvas(page)
        heading = page.locator("h1").first
        expect(heading).to_contain_text("transpsoas", ignore_case=True)
        name = heading.inner_text()
        for label in ("Previous", "Next"):
            text = page.get_by_role("button", name=label).locator("p").first
            expect(text).to_have_text(label)
            assert not text.evaluate(CUT_SHORT), f"'{label}' is cut short"
        # Focus the approach picker (the first control of the sidebar) and press the
        # arrow keys, as a trainee stepping through with the keyboard would.
        sidebar = page.get_by_test_id("stSidebar")
        radios = sidebar.get_by_role("radio")
        picker = radios.first if radios.count() else sidebar.get_by_role("combobox").first
        picker.focus()
        for key in ("ArrowDown", "ArrowRight", "ArrowDown"):
            page.keyboard.press(key)
        page.keyboard.press("Escape")
        page.wait_for_timeout(2500)
        assert heading.inner_text() == name
    finally:
        context.close()
