"""The Compare and Variability pages under AppTest, each run on its own (no navigation)."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "atlas_app" / "app_pages"
TIMEOUT = 180
SHORT_NAMES = ("Transpsoas", "Iliac retraction", "Interaortic")


def run(page: str) -> AppTest:
    return AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=TIMEOUT).run()


def charts(at: AppTest) -> list[dict]:
    """The plotly figures the page sent (data and layout)."""
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def trace_names(fig: dict) -> list[str]:
    return [t.get("name") for t in fig["data"]]


@pytest.fixture(scope="module")
def compare() -> AppTest:
    return run("compare")


def test_compare_page_runs_with_the_three_approaches(compare: AppTest):
    assert not compare.exception
    assert len(compare.multiselect(key="compare.approaches").value) == 3
    table = compare.table[0].value
    assert list(table.columns) == ["Phase", *SHORT_NAMES]
    assert len(table) == 5  # preparation, exposure, retraction, at the target, closure
    assert "Closure" in table["Phase"].iloc[-1]


def test_compare_page_sends_the_three_charts(compare: AppTest):
    figs = charts(compare)
    assert len(figs) == 3
    distances, profile, summary = figs
    assert trace_names(distances) == list(SHORT_NAMES)
    assert "Distance" in distances["layout"]["title"]["text"]
    assert trace_names(profile) == list(SHORT_NAMES)
    assert "L5 ventral ramus" in profile["layout"]["title"]["text"]
    assert len(summary["data"]) == 3  # depth, angle, exposure


def test_compare_page_lists_near_structures_strengths_and_limits(compare: AppTest):
    text = " ".join(m.value for m in compare.markdown)
    assert text.count("Within 5 mm of the working corridor") == 3
    assert "**Strengths**" in text and "**Limits**" in text
    assert "L5 ventral ramus (right)" in text


def test_compare_page_with_two_approaches_draws_two():
    at = run("compare")
    at.multiselect(key="compare.approaches").set_value(["interaortic", "iliac_retraction"]).run()
    assert not at.exception
    assert list(at.table[0].value.columns) == ["Phase", "Iliac retraction", "Interaortic"]
    # Columns and colours keep the atlas's order, whatever the order of picking.
    assert trace_names(charts(at)[0]) == ["Iliac retraction", "Interaortic"]


def test_compare_page_asks_for_two_approaches():
    at = run("compare")
    at.multiselect(key="compare.approaches").set_value(["interaortic"]).run()
    assert not at.exception
    assert not at.get("plotly_chart")
    assert any("two or three" in i.value for i in at.info)


def test_compare_page_follows_the_shared_specimen_picker():
    at = run("compare")
    before = charts(at)[0]
    at.selectbox(key="variant.lst_formation_right").set_value("lst_above_ala_right").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Where L4 joins L5 (right): Above the joint" in captions, "the specimen by its names"
    assert "lst_above_ala_right" not in captions, "not by its ids"
    assert charts(at)[0] != before


def test_compare_page_survives_a_specimen_without_the_picked_structure():
    at = run("compare")
    at.selectbox(key="compare.profile_structure").set_value("iliolumbar_vein_right").run()
    at.selectbox(key="variant.iliolumbar_veins_right").set_value("ilv_absent_right").run()
    assert not at.exception
    assert "iliolumbar_vein_right" not in at.multiselect(key="compare.structures").value
    assert at.selectbox(key="compare.profile_structure").value != "iliolumbar_vein_right"
    assert len(charts(at)) == 3


def test_variability_page_waits_for_run():
    at = run("variability")
    assert not at.exception
    assert not at.get("plotly_chart")
    assert at.number_input(key="variability.n").value == 2000
    assert at.number_input(key="variability.seed").value == 1


def test_variability_page_runs_and_shows_charts_and_table():
    at = run("variability")
    at.number_input(key="variability.n").set_value(200)
    at.button(key="variability.run").click().run()
    assert not at.exception
    figs = charts(at)
    assert len(figs) == 2
    distributions, within = figs
    assert {t["name"] for t in distributions["data"] if t["type"] == "box"} == set(SHORT_NAMES)
    assert trace_names(within) == list(SHORT_NAMES)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Structure", *SHORT_NAMES]
    assert "L5 root / lumbosacral trunk" in set(table["Structure"])
    assert ((table[list(SHORT_NAMES)] >= 0) & (table[list(SHORT_NAMES)] <= 100)).all().all()
    text = " ".join(m.value for m in at.markdown)
    assert "200 specimens" in text and "distinct combinations of variants" in text
    assert "sampled independently" in text and "schematic" in text

    # A rerun with the same settings comes from the cache: nothing is measured again.
    with mock.patch(
        "atlas_app.approaches.variability.run_variability",
        side_effect=AssertionError("recomputed"),
    ):
        at.run()
    assert not at.exception
    assert len(charts(at)) == 2


def test_variability_page_with_one_approach():
    at = run("variability")
    at.number_input(key="variability.n").set_value(100)
    at.multiselect(key="variability.approaches").set_value(["interaortic"])
    at.button(key="variability.run").click().run()
    assert not at.exception
    assert trace_names(charts(at)[1]) == ["Interaortic"]
    assert list(at.dataframe[0].value.columns) == ["Structure", "Interaortic"]
