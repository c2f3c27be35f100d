"""A trainee signs in, answers a few quiz items (choice, click, estimate) and sees progress.

The user is made with the storage API in the store the app uses (the server inherits this
process's ``DATABASE_URL``, or both use the default SQLite file). The quiz is replayed from
a fixed seed, so this process knows the items and answers them right — the click item by
clicking inside the named structure's area in the picture.
"""

from __future__ import annotations

import re
import uuid

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from scipy import ndimage

from tests.e2e.harness import ROOT

pytestmark = pytest.mark.e2e

SEED = 7  # topics (the first three, preselected) and length 10: choice, choice, click, number
ANSWERED = 4
PASSWORD = "correct horse battery 1"


@pytest.fixture(scope="module")
def trainee():
    if "app_pages/quiz.py" not in (ROOT / "atlas_app" / "streamlit_app.py").read_text():
        pytest.skip("the quiz pages are not in the app's navigation yet")
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    name = f"e2e_{uuid.uuid4().hex[:8]}"
    create_user(get_engine(), name, PASSWORD, cohort="e2e")
    return name


def planned_items():
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.model.loader import load_atlas
    from atlas_app.paths import DEFAULT_ATLAS_DIR
    from atlas_app.quiz.loader import load_quiz_bank
    from atlas_app.quiz.session import make_item, plan_quiz
    from atlas_app.quiz.topics import TOPICS

    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    approaches, bank = load_approaches(atlas), load_quiz_bank(atlas)
    plan = plan_quiz(atlas, approaches, bank, list(TOPICS)[:3], 10, SEED)
    return [make_item(atlas, approaches, bank, r) for r in plan]


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=30_000)


def click_target(page: Page, item) -> None:
    """Click the deepest point of the named structure's area in the picture."""
    pick = item.pick
    mask = pick.labels == pick.ids.index(item.answer[0])
    depth = ndimage.distance_transform_edt(mask)
    r, c = np.unravel_index(int(np.argmax(depth)), mask.shape)
    frame = page.frame_locator("iframe[title*='streamlit_image_coordinates']")
    image = frame.locator("img#image")
    image.wait_for(state="visible", timeout=90_000)
    page.wait_for_timeout(500)  # the component sizes the picture once loaded
    box = image.bounding_box()
    assert box is not None
    w, h = item.view.size
    image.click(
        position={
            "x": (c + 0.5) * pick.scale * box["width"] / w,
            "y": (r + 0.5) * pick.scale * box["height"] / h,
        }
    )


def answer(page: Page, item) -> None:
    expect(page.get_by_role("heading", name=item.stem)).to_be_visible(timeout=90_000)
    if item.kind == "click":
        click_target(page, item)
        return
    if item.kind == "choice":
        page.get_by_role("radiogroup").get_by_text(
            item.choice_text(item.answer[0]), exact=True
        ).click()
    elif item.kind == "numeric":
        page.get_by_role("textbox", name=re.compile("Your estimate")).fill(f"{item.value}")
    else:
        pytest.fail(f"this test does not answer {item.kind} items (seed {SEED})")
    page.get_by_role("button", name="Check").click()


def test_sign_in_answer_items_and_see_progress(page: Page, app_url, trainee):
    items = planned_items()[:ANSWERED]
    assert {i.kind for i in items} >= {"choice", "click", "numeric"}
    page.goto(f"{app_url}/quiz")
    sign_in(page, trainee, PASSWORD)
    page.get_by_text("Replay a quiz").click()
    page.get_by_role("spinbutton", name=re.compile("Seed of the quiz")).fill(str(SEED))
    page.get_by_role("spinbutton", name=re.compile("Seed of the quiz")).press("Enter")
    page.get_by_role("button", name="Start the quiz").click()
    for n, item in enumerate(items):
        expect(page.get_by_text(f"item {n + 1} of 10")).to_be_visible(timeout=90_000)
        answer(page, item)
        expect(page.get_by_test_id("stAlertContentSuccess")).to_be_visible(timeout=60_000)
        expect(page.get_by_text(re.compile("^Sources: "))).to_be_visible()
        page.get_by_role("button", name="Next item").click()

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible(timeout=60_000)
    answers = page.get_by_test_id("stMetric").filter(has_text="Answers")
    expect(answers).to_contain_text(str(ANSWERED), timeout=30_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Mastery by topic over time")).to_be_visible()
