"""A trainee plans a sacroplasty needle in a real browser: the fluoroscopic views appear,
and pushing the aim through the front of the ala brings the breach warning and moves the
needle on the images."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

AIM_Y = "Aim: front (+) / back (−) y (mm)"


def open_page(page, app_url):
    page.goto(f"{app_url}/sacroplasty")
    expect(page.get_by_role("heading", name="Plan a needle")).to_be_visible(timeout=120_000)
    # The plan's three views are the last images on the page.
    images = page.locator("[data-testid='stImage'] img")
    expect(images).to_have_count(9, timeout=120_000)
    return images


def sources(images) -> list[str]:
    return [images.nth(i).get_attribute("src") or "" for i in range(images.count())]


def shown_pixels(locator) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("L"), float)


def test_fluoroscopic_views_are_drawn(page, app_url):
    images = open_page(page, app_url)
    plan_ap = images.nth(6)
    plan_ap.scroll_into_view_if_needed()
    px = shown_pixels(plan_ap)
    assert px.std() > 20, "a blank image"
    assert (px < 40).mean() > 0.1, "the dark surround of the image intensifier's field"


def test_aiming_through_the_anterior_cortex_warns_and_moves_the_needle(page, app_url):
    images = open_page(page, app_url)
    expect(page.get_by_text("No breach: the needle stays in bone")).to_be_visible()
    before = sources(images)
    aim = page.get_by_label(AIM_Y)
    aim.scroll_into_view_if_needed()
    aim.fill("8")
    aim.press("Enter")  # the keyboard commits the value
    expect(page.get_by_text("breaches the anterior cortex").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("No breach: the needle stays in bone")).to_have_count(0)
    after = sources(images)
    assert after[6:] != before[6:], "the planned needle moved on the three views"
    assert after[:6] == before[:6], "the other views did not change"
    expect(page.get_by_text("outside", exact=True)).to_be_visible()


@pytest.fixture
def small_page(browser):
    """A 1024×768 window, the smallest laptop screen the page is laid out for."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    pg = context.new_page()
    yield pg
    context.close()


def cut_off(page) -> list[str]:
    """Texts of the page's main column that the browser cuts off with an ellipsis."""
    return page.eval_on_selector_all(
        "[data-testid='stMain'] *",
        """els => els.filter(e => getComputedStyle(e).textOverflow === 'ellipsis'
                                 && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)""",
    )


def test_planner_at_1024_by_768_by_keyboard(small_page, app_url):
    page = small_page
    open_page(page, app_url)
    assert not cut_off(page), "a measurement, label or button is cut off"
    # Keyboard only: focus the aim's height, type a value through the top of the ala.
    aim_z = page.get_by_label("Aim: height z (mm)")
    aim_z.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("40")
    page.keyboard.press("Enter")
    expect(page.get_by_text("cephalad cortex (top) of the ala").first).to_be_visible(timeout=60_000)
    assert not cut_off(page)
    # A preset button is reached with Tab and pressed with Enter: the breach is gone.
    page.get_by_role("button", name="Long axis", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("No breach: the needle stays in bone")).to_be_visible(timeout=60_000)


def test_one_view_at_a_time_shows_larger_images(small_page, app_url):
    page = small_page
    images = open_page(page, app_url)
    side_by_side = images.nth(1).bounding_box()["width"]
    page.get_by_text("One at a time, larger").click()
    expect(page.get_by_role("tab")).to_have_count(8, timeout=60_000)
    first = page.locator("[data-testid='stImage'] img").nth(1)
    first.scroll_into_view_if_needed()
    assert first.bounding_box()["width"] > 1.5 * side_by_side
    # The tabs switch views from the keyboard.
    lateral = page.get_by_role("tab", name="Lateral").first
    page.get_by_role("tab", name="AP (frontal)").first.focus()
    page.keyboard.press("ArrowRight")
    expect(lateral).to_have_attribute("aria-selected", "true")
