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
