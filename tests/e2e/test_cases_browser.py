"""Faculty build a two-slide case in a real browser, present it with the keyboard and
download both exports.

The faculty user is made with the storage API in the store the app uses (the server
inherits this process's ``DATABASE_URL``: a throwaway SQLite file set by conftest); the test
then follows the case in that store as the pages change it.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_atlas_browser import pixels, wait_for_canvas

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery 2"
VIEW_TITLE = "The right ala from the front"
SLOW = 120_000  # a first visit builds every mesh; an export renders on the server


@pytest.fixture(scope="module")
def faculty():
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    name = f"e2e_fac_{uuid.uuid4().hex[:8]}"
    user = create_user(get_engine(), name, PASSWORD, role="faculty", cohort="e2e")
    return user


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=SLOW)


def stored_cases(user):
    from atlas_app.storage import case_store
    from atlas_app.storage.db import get_engine

    engine = get_engine()
    return [
        case_store.get_case(engine, user.id, s.id)
        for s in case_store.list_cases_for(engine, user.id)
    ]


def wait_for_case(page: Page, user, check, timeout_s: float = 60.0):
    """The user's only case once ``check(case)`` holds (the page saves it as it goes)."""
    for _ in range(int(timeout_s * 4)):
        cases = stored_cases(user)
        if len(cases) == 1 and check(cases[0].case):
            return cases[0]
        page.wait_for_timeout(250)
    pytest.fail(f"the stored case never got there: {[c.case for c in stored_cases(user)]}")


def go_to(page: Page, name: str) -> None:
    """Another page of the app by its link in the sidebar (the session, and so the sign-in,
    stays: a new page load would start a new session)."""
    if sidebar_folded(page):
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()


def picker(page: Page):
    """Present's slide picker, whose value reads "Slide i of n"."""
    return page.get_by_role("combobox", name="Slide")


def sidebar_folded(page: Page) -> bool:
    return page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true"


def add_text_slide(page: Page) -> None:
    """The builder's text slide: the first builder asked for a title, the later one adds a
    slide to edit."""
    title_box = page.get_by_role("textbox", name="New text slide title")
    if title_box.count():
        title_box.fill("Why this approach")
    page.get_by_role("button", name="Add text slide").click()


def no_outside_references(html: str) -> None:
    """Nothing the page would fetch points at another host (vtk.js keeps a few URLs in its
    comments and licence strings; those are text, not requests)."""
    fetched = re.findall(
        r"""(?:src|href|action)\s*=\s*["']?\s*((?:[a-z]+:)?//[^"'\s>]*)""", html, re.I
    )
    assert fetched == []
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""@import""", html)
    assert not re.search(r"""(?:fetch|open)\(\s*["']https?:""", html)


def test_build_present_and_export_a_case(page: Page, app_url, faculty, tmp_path: Path):
    # Signed in on the Atlas page: the Cases page stops for guests before the sign-in form
    # is drawn.
    page.goto(app_url)
    sign_in(page, faculty.username, PASSWORD)

    # The builder: a new case, and a text slide in it.
    go_to(page, "Cases")
    page.get_by_role("button", name="New case").click()
    wait_for_case(page, faculty, lambda c: True)
    add_text_slide(page)
    case = wait_for_case(page, faculty, lambda c: len(c.slides) == 1).case
    assert case.slides[0].kind == "text"

    # The atlas: add the view shown to that case.
    go_to(page, "Atlas")
    wait_for_canvas(page, timeout=SLOW)
    page.get_by_text("Add this view to a case").click()
    page.get_by_role("textbox", name="Slide title").fill(VIEW_TITLE)
    page.get_by_role("button", name="Add this view to the case").click()
    stored = wait_for_case(page, faculty, lambda c: len(c.slides) == 2, timeout_s=SLOW / 1000)
    expect(page.get_by_text(re.compile(r"Added as slide 2 of"))).to_be_visible(timeout=SLOW)
    text_slide, view_slide = stored.case.slides
    assert view_slide.kind == "view" and view_slide.title == VIEW_TITLE
    assert view_slide.camera == "anterior"
    # The confirmation's link opens the case in the builder, the new slide listed.
    page.get_by_role("link", name="Open the case in the builder").click()
    expect(page).to_have_url(re.compile(rf"/cases\?case={stored.id}$"), timeout=SLOW)
    expect(page.get_by_text(VIEW_TITLE).first).to_be_visible(timeout=SLOW)

    # Present, as the exports: the title slide, the text slide, then the view slide drawn
    # live; the right arrow and Page Up move through them.
    go_to(page, "Present")
    expect(picker(page)).to_have_value("Slide 1 of 3", timeout=SLOW)
    expect(page.locator(".sav-root")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    page.get_by_role("heading", name=stored.case.title).click()  # the focus on the page
    page.keyboard.press("ArrowRight")
    expect(picker(page)).to_have_value("Slide 2 of 3", timeout=SLOW)
    expect(page.get_by_role("heading", name=text_slide.title)).to_be_visible()
    page.get_by_role("heading", name=text_slide.title).click()
    page.keyboard.press("ArrowRight")
    expect(picker(page)).to_have_value("Slide 3 of 3", timeout=SLOW)
    expect(page.get_by_role("heading", name=VIEW_TITLE)).to_be_visible()
    canvas = wait_for_canvas(page, timeout=SLOW)
    assert pixels(canvas).std() > 10, "the view slide's 3D view is blank"
    page.keyboard.press("PageUp")
    expect(picker(page)).to_have_value("Slide 2 of 3", timeout=SLOW)

    # Back in the builder, both exports.
    go_to(page, "Cases")
    downloads = {}
    for build, suffix in (("Build PowerPoint", ".pptx"), ("Build HTML", ".html")):
        page.get_by_role("button", name=build).click()
        button = page.get_by_role("button", name=re.compile(rf"^Download .*\{suffix}$"))
        expect(button).to_be_visible(timeout=SLOW)
        with page.expect_download(timeout=SLOW) as info:
            button.click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        downloads[suffix] = path

    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from atlas_app.cases.deck import deck_slide_count

    # The decks open with the case's title slide, then its two slides in order.
    case = stored.case
    deck = Presentation(io.BytesIO(downloads[".pptx"].read_bytes()))
    assert len(deck.slides) == deck_slide_count(case) and deck_slide_count(case) >= 3
    *_, text_made, view_made = list(deck.slides)
    assert text_of(text_made).startswith(text_slide.title)
    assert VIEW_TITLE in text_of(view_made)
    pictures = [s for s in view_made.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pictures, "the view is on its slide as a picture"

    html = downloads[".html"].read_text(encoding="utf-8")
    assert html.count('<section class="sa-slide"') == deck_slide_count(case)
    scenes = re.search(r'<script type="application/json" id="sa-scenes">(.*?)</script>', html, re.S)
    assert scenes and len(json.loads(scenes.group(1))) == 1, "the view's scene is in the file"
    assert html.count(" data-scene=") == 1 and VIEW_TITLE in html
    no_outside_references(html)


def text_of(slide) -> str:
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame).strip()
