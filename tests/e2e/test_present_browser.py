"""Present in chromium at three screens: a view slide fits (the 3D view and its annotations
above the fold), and the slides run from the title slide as in the exports."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.test_atlas_browser import viewer, wait_for_canvas
from tests.e2e.test_cases_browser import picker, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery 5"
SLOW = 120_000
SCREENS = ((1440, 900), (1024, 768), (820, 1180))


@pytest.fixture(scope="module")
def presented_case():
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.cases.yaml_io import example_case
    from atlas_app.model.loader import load_atlas
    from atlas_app.paths import DEFAULT_ATLAS_DIR
    from atlas_app.storage import case_store
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    engine = get_engine()
    user = create_user(engine, f"e2e_present_{uuid.uuid4().hex[:8]}", PASSWORD, role="faculty")
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    case = example_case(atlas, load_approaches(atlas))
    stored = case_store.create_case(engine, user.id, case)
    index = next(i for i, s in enumerate(case.slides) if s.kind == "view" and s.annotations)
    return user, stored.id, case, index


def go_to_slide(page, case, number: int) -> None:
    """Press the right arrow until the picker reads "Slide ``number`` of …", one slide at a
    time (each press waits for the page to follow)."""
    total = 2 + len(case.slides)
    page.get_by_role("heading", name=case.title).click()  # the focus on the page
    for n in range(2, number + 1):
        page.keyboard.press("ArrowRight")
        expect(picker(page)).to_have_value(f"Slide {n} of {total}", timeout=SLOW)


@pytest.mark.parametrize("screen", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_a_view_slide_fits_the_screen(browser, app_url, presented_case, screen):
    user, case_id, case, index = presented_case
    width, height = screen
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/present?case={case_id}")
        sign_in(page, user.username, PASSWORD)
        expect(picker(page)).to_have_value(re.compile(r"^Slide 1 of \d+$"), timeout=SLOW)
        expect(page.get_by_role("heading", name=case.title)).to_be_visible()
        slide = case.slides[index]
        go_to_slide(page, case, 3 + index)  # after the title slide and the history
        expect(page.get_by_role("heading", name=slide.title)).to_be_visible(timeout=SLOW)
        wait_for_canvas(page, timeout=SLOW)
        page.mouse.move(0, 0)
        frame = viewer(page).bounding_box()
        assert frame is not None
        assert frame["y"] >= 0 and frame["y"] + frame["height"] <= height, (frame, screen)
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= width, (frame, screen)
        for annotation in slide.annotations:
            box = page.get_by_text(annotation, exact=True).bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (annotation, screen)
        page.screenshot(path=f"/tmp/present_{width}x{height}.png")
    finally:
        context.close()


def test_the_slide_title_is_shown_once(browser, app_url, presented_case):
    """The heading and the 3D view's own label both carried the slide's title."""
    user, case_id, case, index = presented_case
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/present?case={case_id}")
        sign_in(page, user.username, PASSWORD)
        expect(picker(page)).to_have_value(re.compile(r"^Slide 1 of \d+$"), timeout=SLOW)
        go_to_slide(page, case, 3 + index)
        slide = case.slides[index]
        expect(page.get_by_role("heading", name=slide.title)).to_be_visible(timeout=SLOW)
        wait_for_canvas(page, timeout=SLOW)
        inside = viewer(page).locator(".sav-title")
        expect(inside).not_to_have_text(slide.title)
        expect(page.get_by_text(slide.title, exact=True)).to_have_count(1)
    finally:
        context.close()
