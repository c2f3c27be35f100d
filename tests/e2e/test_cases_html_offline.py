"""The exported case HTML opens from a file:// URL with the network cut off and draws its views."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import expect

from atlas_app.approaches.loader import load_approaches
from atlas_app.cases.export_html import export_html
from atlas_app.cases.yaml_io import example_case


@pytest.fixture(scope="module")
def exported(tmp_path_factory, shipped_atlas) -> Path:
    approaches = load_approaches(shipped_atlas)
    result = export_html(example_case(shipped_atlas, approaches), shipped_atlas, approaches)
    path = tmp_path_factory.mktemp("case") / result.filename
    path.write_bytes(result.data)
    return path


def test_exported_case_draws_offline(browser, exported: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def block(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", block)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(exported.as_uri())
        # Step forward to the first slide that holds a 3D view.
        visible = page.locator(".sa-slide:not([hidden])")
        for _ in range(12):
            if visible.get_attribute("data-scene") is not None:
                break
            page.keyboard.press("ArrowRight")
        assert visible.get_attribute("data-scene") is not None
        visible.locator(".sav-root[data-scene]").wait_for(timeout=60_000)
        canvas = visible.locator(".sa-viewport canvas")
        page.wait_for_timeout(500)
        shot = Image.open(io.BytesIO(canvas.screenshot())).convert("L")
        assert shot.width > 200 and shot.height > 150
        # The middle of the canvas, clear of the legend and the toolbar laid over it.
        w, h = shot.size
        middle = shot.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4))
        assert ImageStat.Stat(middle).stddev[0] > 10, "the 3D view is blank"
        # The view names its structures, as in the app.
        labels = visible.locator(".sav-label")
        expect(labels.first).to_be_visible(timeout=10_000)
        assert labels.count() >= 3
        # And is the app's viewer: the ruler measures, offline too.
        root = visible.locator(".sav-root[data-scene]")
        marks = root.evaluate("el => el.__viewer.scene.landmarks.length")
        assert marks > 5
        assert not outside, f"the page asked the network for {outside}"
        assert not errors, errors
    finally:
        context.close()
