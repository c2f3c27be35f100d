"""The exported page in a real browser (Debian's chromium, WebGL in software): the scene
draws, nothing is fetched from outside, the camera turns and "Reset view" restores it.

The browser is driven from a child process: Playwright's sync API cannot run twice in one
process, and the app's browser tests keep one open for the whole session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.scene.compose import compose_scene
from atlas_app.scene.render_html import cached_scene_html
from tests.conftest import MINI_ATLAS

pytestmark = pytest.mark.e2e

DRIVER = r"""
import io, json, shutil, sys
import numpy as np
from PIL import Image
from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]

def shot(page):
    return np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB")).astype(int)

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
    page = browser.new_page(viewport={"width": 900, "height": 600})
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(sys.argv[1])
    page.wait_for_selector("canvas")
    page.wait_for_function(
        "() => window.global && window.global.renderWindow && window.global.renderWindow"
        ".getRenderers().some(r => r.getViewProps().length > 0)")
    page.wait_for_timeout(500)
    first = shot(page)
    page.mouse.move(450, 300)
    page.mouse.down()
    page.mouse.move(600, 250, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    turned = shot(page)
    page.click("button.sa-reset")
    page.wait_for_timeout(300)
    back = shot(page)
    reds = (first[..., 0] > 150) & (first[..., 1] < 110) & (first[..., 2] < 110)
    print(json.dumps({
        "red_pixels": int(reds.sum()),
        "turned_diff": float(np.abs(turned - first).mean()),
        "reset_diff": float(np.abs(back - first).mean()),
        "outside": outside,
        "errors": errors,
    }))
    browser.close()
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if os.environ.get("SKIP_E2E") == "1":
        pytest.skip("SKIP_E2E=1")
    pytest.importorskip("playwright.sync_api")
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed")
    atlas = load_atlas(MINI_ATLAS)
    specimen = build_specimen(atlas)
    page = cached_scene_html(atlas, specimen, compose_scene(atlas, specimen))
    path = tmp_path_factory.mktemp("viewer") / "scene.html"
    path.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, path.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_scene_draws(report) -> None:
    assert report["red_pixels"] > 500  # the red vessel
    assert report["errors"] == []


def test_nothing_is_fetched_from_outside(report) -> None:
    assert report["outside"] == []


def test_the_camera_turns_and_reset_view_restores_it(report) -> None:
    assert report["turned_diff"] > 1
    assert report["reset_diff"] < 0.5
