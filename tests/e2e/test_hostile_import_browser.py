"""A hostile case file imported in a real browser is refused in one line and the server
stays up for everyone (issue 15: 50,000 nested brackets used to segfault the server)."""

from __future__ import annotations

import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_cases_browser import PASSWORD, SLOW, go_to, sign_in, stored_cases

pytestmark = pytest.mark.e2e

NESTED = ("title: " + "[" * 50_000 + "]" * 50_000 + "\n").encode()


@pytest.fixture(scope="module")
def faculty():
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    return create_user(
        get_engine(), f"e2e_hostile_{uuid.uuid4().hex[:8]}", PASSWORD, role="faculty", cohort="e2e"
    )


def healthy(app_url: str) -> bool:
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10) as response:
        return response.status == 200


def test_deeply_nested_case_file_is_refused_and_the_server_stays_up(
    page: Page, app_url: str, faculty
):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(app_url)
    sign_in(page, faculty.username, PASSWORD)
    go_to(page, "Cases")
    page.get_by_text("Import a case from a YAML file").click()
    page.locator("input[type=file]").set_input_files(
        {"name": "nested.yaml", "mimeType": "application/x-yaml", "buffer": NESTED}
    )
    refusal = page.get_by_text("nested more than", exact=False)
    expect(refusal).to_be_visible(timeout=SLOW)
    assert "line 1" in refusal.inner_text()
    page.wait_for_timeout(2000)  # the segfault came seconds after the upload
    assert healthy(app_url)
    assert stored_cases(faculty) == []
    # The app still serves: another page draws for the same session.
    go_to(page, "About")
    expect(page.get_by_role("heading", name="About", exact=False).first).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Connection error")).to_have_count(0)
    assert errors == []
