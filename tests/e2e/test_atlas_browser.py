"""What a trainee does in a real browser: the atlas draws, layers and variants take effect,
the labelled still appears."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def viewer(page):
    """The live 3D view (in its component's shadow root, which CSS selectors pierce)."""
    return page.locator(".sav-root[data-scene]").first


def wait_for_canvas(page, timeout=90_000):
    """The view's canvas, once a scene is drawn, any morph has settled and its names are
    placed (the view places them after the scene's first frame)."""
    page.locator(".sav-root[data-scene]").first.wait_for(timeout=timeout)
    page.wait_for_function(
        """() => { const h = [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
            .map(e => e.shadowRoot && e.shadowRoot.querySelector('.sav-root')).find(Boolean);
          return h && h.dataset.settled && h.dataset.settled === h.dataset.scene
            && h.dataset.named === h.dataset.scene; }""",
        timeout=timeout,
    )
    return viewer(page).locator("canvas").first


def pixels(locator) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB"), float)


def test_atlas_draws_a_non_blank_canvas(page, app_url):
    page.goto(app_url)
    img = pixels(wait_for_canvas(page))
    assert img.std() > 10, "the canvas is blank"
    # Bone, vessel and nerve colours are all present: more than a background and one colour.
    assert len(np.unique((img // 32).reshape(-1, 3), axis=0)) > 8


def test_hiding_muscles_changes_the_view(page, app_url):
    page.goto(app_url)
    before = pixels(wait_for_canvas(page))
    legend = viewer(page).locator(".sav-legend")
    expect(legend).to_contain_text("Muscles", use_inner_text=False)
    page.get_by_test_id("stButtonGroup").get_by_role("button", name="Muscles").click()
    expect(legend).not_to_contain_text("Muscles", use_inner_text=False, timeout=60_000)
    after = pixels(wait_for_canvas(page))
    assert np.abs(after - before).mean() > 2.0


def test_choosing_a_variant_changes_the_scene(page, app_url):
    page.goto(app_url)
    wait_for_canvas(page)
    picker = page.get_by_role("combobox", name="Where L4 joins L5 (right)")
    picker.click()
    page.keyboard.type("Above")  # by keyboard, as a trainee without a mouse would
    page.keyboard.press("Enter")
    expect(viewer(page).locator(".sav-title")).to_contain_text("Above the joint", timeout=60_000)


def test_labelled_still_appears(page, app_url):
    page.goto(app_url)
    wait_for_canvas(page)
    page.get_by_text("Show the labelled still").click()
    img = page.locator("[data-testid='stImage'] img").first
    img.wait_for(timeout=90_000)
    assert img.evaluate("i => i.naturalWidth") >= 800


def test_the_view_survives_an_unrelated_rerun(page, app_url):
    """Turn the model, then change something that does not touch the scene: the turned view
    stays (the viewer is not reloaded)."""
    page.goto(app_url)
    canvas = wait_for_canvas(page)
    initial = pixels(canvas)
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 160, cy + 40, steps=12)
    page.mouse.up()
    page.wait_for_timeout(800)
    turned = pixels(canvas)
    assert np.abs(turned - initial).mean() > 2.0, "dragging turned the model"
    page.get_by_text("Show the labelled still").click()
    page.locator("[data-testid='stImage'] img").first.wait_for(timeout=90_000)
    after = pixels(canvas)
    assert np.abs(after - turned).mean() < 1.0, "the turned view was kept"


def test_tablet_screen(browser, app_url):
    """1024×768: the 3D view fits the width and the controls are reachable by keyboard."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(app_url)
        canvas = wait_for_canvas(page)
        box = canvas.bounding_box()
        assert box["width"] <= 1024 and box["width"] > 400
        picker = page.get_by_role("combobox", name="Where L4 joins L5 (right)")
        picker.focus()
        page.keyboard.type("Below")
        page.keyboard.press("Enter")
        expect(viewer(page).locator(".sav-title")).to_contain_text(
            "Below the joint", timeout=60_000
        )
    finally:
        context.close()


def test_no_request_leaves_the_machine(page, app_url):
    """Pages and viewer load nothing from the internet (no CDN, no web fonts, no favicon)."""
    outside = []
    host = app_url.split("//")[1]

    def note(request):
        url = request.url
        if not url.startswith(("data:", "blob:", "about:")) and host not in url:
            outside.append(url)

    page.on("request", note)
    for path in ("", "/approaches", "/compare", "/about"):
        page.goto(app_url + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)
    assert outside == []


# Where each .sav-root first showed a drawn scene: in the page shell's placeholder (light
# DOM) or in the component's shadow root; recorded as it happens.
WHERE_DRAWN = """
window.__drawn = [];
new MutationObserver(() => {
  for (const r of document.querySelectorAll('[class*="st-key-sav-boot-"] .sav-root[data-scene]')) {
    if (!r.__seen) { r.__seen = true; window.__drawn.push('placeholder'); }
  }
  for (const h of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const r = h.shadowRoot && h.shadowRoot.querySelector('.sav-root[data-scene]');
    if (r && !r.__seen) { r.__seen = true; window.__drawn.push('component'); }
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""

DRAWN_ROOTS = """() => [
  ...document.querySelectorAll('.sav-root[data-scene]'),
  ...[...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
    .map(h => h.shadowRoot && h.shadowRoot.querySelector('.sav-root[data-scene]'))
    .filter(Boolean),
].length"""


def test_a_new_visit_draws_the_first_view_in_the_shell_then_the_component_adopts_it(page, app_url):
    """The first view is drawn in the page shell's placeholder, before Streamlit mounts the
    component (README, Benchmarks); the component then takes that very viewer: one view,
    where the component is, the placeholder hidden, and it answers a click as always."""
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WHERE_DRAWN)
    page.goto(app_url)
    wait_for_canvas(page)
    assert page.evaluate("window.__drawn") == ["placeholder"]
    assert page.evaluate(DRAWN_ROOTS) == 1
    placeholder = page.locator('[class*="st-key-sav-boot-"]')
    expect(placeholder).to_be_hidden()
    assert placeholder.locator(".sav-root").count() == 0
    viewer(page).get_by_role("button", name="Reset").click()  # its own controls work
    assert errors == []


def test_without_the_shell_script_the_component_draws_the_first_view(page, app_url):
    """A page whose shell script does not run (blocked, an older cached shell): the component
    draws the view, asking again for the surfaces the placeholder held."""

    # The shell's script watches the page with a MutationObserver: this one sees nothing.
    page.add_init_script(
        """const Observer = window.MutationObserver;
        window.MutationObserver = class extends Observer {
          constructor(callback) {
            super(String(callback).includes("look(node.closest(") ? () => {} : callback);
          }
        };"""
    )
    page.add_init_script(WHERE_DRAWN)
    page.goto(app_url)
    img = pixels(wait_for_canvas(page))
    assert img.std() > 10, "the canvas is blank"
    assert page.evaluate("window.__drawn") == ["component"]
    assert page.evaluate(DRAWN_ROOTS) == 1
