"""The Sacroplasty page under AppTest: it runs, shows the techniques on simulated
fluoroscopy, the leaks with the nerve each threatens, and a planner whose measurements and
warnings follow the needle."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.viewer_messages import viewer_elements

PAGE = Path(__file__).resolve().parents[2] / "atlas_app" / "app_pages" / "sacroplasty.py"
TIMEOUT = 300
K = "sacroplasty."


def run() -> AppTest:
    return AppTest.from_file(str(PAGE), default_timeout=TIMEOUT).run()


def image_urls(at: AppTest) -> list[str]:
    return [i.proto.imgs[0].url for i in at.get("image")]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def page() -> AppTest:
    return run()


def test_the_page_runs_with_its_sections(page: AppTest):
    assert not page.exception
    headers = [h.value for h in page.header]
    assert headers == ["Denis zones", "Two techniques", "Where cement escapes", "Plan a needle"]
    # Zones (1), the technique's three views, the leak's two, the plan's three.
    assert len(page.get("image")) == 9
    assert len(viewer_elements(page)) == 1, "one 3D viewer: the planned needle"
    body = text(page)
    assert "6%" in body and "28%" in body and "57%" in body
    assert "Denis 1988" in " ".join(c.value for c in page.caption)


def test_default_plan_is_the_long_axis_and_breaches_nothing(page: AppTest):
    assert page.number_input(key=K + "aim_lat").value == pytest.approx(35.0)
    assert not errors(page)
    assert any("No breach" in s.value for s in page.success)
    # The middle of S1 lies shallow in this body's ala: said as a note, not an error.
    assert any("behind the anterior cortex" in i.value for i in page.info)


def test_moving_the_plan_changes_the_measurements_and_the_warnings():
    at = run()
    before, urls = metrics(at), image_urls(at)
    at.number_input(key=K + "aim_y").set_value(8.0).run()
    assert not at.exception
    after = metrics(at)
    assert after != before
    assert after["Tip → anterior cortex"] == "outside"
    assert any("anterior cortex" in e and "L5 root" in e for e in errors(at))
    assert not at.success
    new_urls = image_urls(at)
    assert new_urls[-3:] != urls[-3:], "the planned needle moved on the fluoroscopic views"
    assert new_urls[:6] == urls[:6], "the zone, technique and leak views did not change"
    # Back into the ala: the breach is gone.
    at.number_input(key=K + "aim_y").set_value(-28.0).run()
    assert not errors(at)


def test_presets_load_the_short_axis_needle():
    at = run()
    at.button(key=K + "preset_short_axis_0").click().run()
    assert not at.exception
    entry_y = at.number_input(key=K + "entry_y").value
    assert entry_y > -50, "the short-axis needle enters the back of the ala at S1"
    assert at.number_input(key=K + "entry_z").value > 0
    assert not errors(at)


def test_switching_technique_and_side_changes_the_views():
    at = run()
    urls = image_urls(at)
    at.radio(key=K + "technique").set_value("short_axis").run()
    assert not at.exception
    assert image_urls(at)[1:4] != urls[1:4]
    at.radio(key=K + "side").set_value("left").run()
    assert not at.exception
    assert image_urls(at)[0] != urls[0]
    assert "(left)" in text(at)


def test_leaks_show_frequency_and_threatened_nerve(page: AppTest):
    body = text(page)
    for figure in ("27% of 63", "6% of 63", "3% of 63", "2% of 63", "case report"):
        assert figure in body
    # The default leak is the one through the front of the ala: it surrounds the L5 root
    # and points to the approaches that remove it.
    assert "L5 ventral ramus (right) (threatened): the cement surrounds" in body
    links = page.get("page_link")
    assert links or "/approaches" in body


def test_the_foramen_leak_threatens_the_s1_root():
    at = run()
    at.radio(key=K + "leak").set_value("foramen").run()
    assert not at.exception
    assert "S1 ventral ramus (right) (threatened)" in text(at)


def test_broken_sacroplasty_data_is_reported_and_the_rest_serves(tmp_path, monkeypatch):
    import streamlit as st

    import atlas_app.ui.resources as resources
    from atlas_app.paths import DEFAULT_ATLAS_DIR

    broken = tmp_path / "atlas"
    shutil.copytree(DEFAULT_ATLAS_DIR, broken)
    f = broken / "sacroplasty" / "techniques.yaml"
    f.write_text(f.read_text().replace("site: veins", "site: vein", 1))
    monkeypatch.setattr(resources, "DEFAULT_ATLAS_DIR", broken)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = run()
        assert not at.exception
        assert any("problem(s) in the sacroplasty data" in e.label for e in at.expander)
        assert "techniques.yaml" in " ".join(c.value for c in at.code)
        assert len(at.get("image")) == 9, "the rest of the page still draws"
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def test_one_view_at_a_time_puts_the_views_in_tabs():
    at = run()
    assert not at.tabs
    at.radio(key=K + "layout").set_value("tabs").run()
    assert not at.exception
    labels = [t.label for t in at.tabs]
    # The technique's three views, the leak's two and the plan's three, each in a tab.
    assert labels.count("AP (frontal)") == 3 and labels.count("Lateral") == 3
    assert len(at.get("image")) == 9
    assert any("fracture" in m.value and "one continuous stretch" in m.value for m in at.markdown)


def test_the_cement_of_each_technique_is_measured_along_the_fracture():
    at = run()
    body = text(at)
    assert "in one continuous stretch" in body, "the long-axis column fills the fracture"
    at.radio(key=K + "technique").set_value("short_axis").run()
    assert "in 2 separate stretches" in text(at), "a mass at each short-axis tip"
    at.radio(key=K + "side").set_value("left").run()
    assert "no fracture drawn on this side" in text(at)
