"""The comparison charts from small hand-made metrics: traces, values, lines, colours."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

from atlas_app.approaches.variability import BLADE, STRAIN, WATCHED, Variability
from atlas_app.charts.corridor_charts import corridor_distances, corridor_summary, step_profile
from atlas_app.charts.reading import (
    best_exposure,
    near_working_corridor,
    phase_slots,
    steps_by_phase,
    working_step_index,
)
from atlas_app.charts.style import APPROACH_COLORS, approach_colors
from atlas_app.charts.variability_charts import (
    distribution_stats,
    measure_by_variant,
    variability_distributions,
    variation_rows,
    within_5mm,
    within_5mm_rows,
)

A = "anterior_retroperitoneal_transpsoas"
B = "elsewhere"  # an approach without a fixed colour
NAMES = {"n1": "Nerve one", "v1": "Vein one"}
APPROACH_NAMES = {A: "Transpsoas", B: "Elsewhere"}


def step(phase, title, corridor=None, exposure=0.0, near=(), **distances):
    structures = {
        sid: {
            "distance_mm": d,
            "displacement_mm": 0.0,
            "in_corridor": d is not None and d <= 0,
            "within_5mm": d is not None and d <= 5,
        }
        for sid, d in distances.items()
    }
    return {
        "id": title.lower().replace(" ", "_"),
        "phase": phase,
        "title": title,
        "structures": structures,
        "corridor": None
        if corridor is None
        else {"depth_mm": corridor[0], "angle_deg": corridor[1]},
        "target_exposed_fraction": exposure,
        "tethers": [],
        "near": list(near),
        "at_risk": [],
    }


@pytest.fixture
def metrics():
    return {
        A: {
            "approach": A,
            "specimen": "default",
            "steps": [
                step("preparation", "Positioning"),
                step("exposure", "Incision"),
                step("exposure", "Open", (100.0, 20.0), 0.3, n1=3.0, v1=-2.0),
                step("target", "At target", (100.0, 20.0), 0.0, ["n1"], n1=-1.0, v1=8.0),
            ],
        },
        B: {
            "approach": B,
            "specimen": "default",
            "steps": [
                step("exposure", "Enter", (120.0, 5.0), 0.1, n1=10.0, v1=12.0),
                step("retraction", "Retract", (120.0, 5.0), 0.5, n1=4.0, v1=7.0),
                step("closure", "Close", (120.0, 5.0), 0.2, ["n1"], n1=6.0),
            ],
        },
    }


def shapes_at(fig: go.Figure, axis: str) -> set[float]:
    """Positions of the straight lines drawn across the plot (x or y)."""
    out = set()
    for s in fig.layout.shapes:
        if s.type == "line" and s[f"{axis}0"] == s[f"{axis}1"]:
            out.add(float(s[f"{axis}0"]))
    return out


def test_colours_are_fixed_per_approach_and_distinct():
    one = approach_colors([A, "interaortic", B, "x"])
    two = approach_colors(["iliac_retraction", B, A])
    assert one[A] == two[A] == APPROACH_COLORS[A]
    assert len(set(one.values())) == 4
    assert len(set(APPROACH_COLORS.values())) == len(APPROACH_COLORS)


def test_the_working_step_is_the_last_target_step_else_the_last_corridor(metrics):
    assert working_step_index(metrics[A]) == 3
    assert working_step_index(metrics[B]) == 2  # no target phase: the last with a corridor
    no_corridor = {"steps": [step("preparation", "Only")]}
    assert working_step_index(no_corridor) is None
    target_without = {
        "steps": [step("exposure", "Open", (90.0, 10.0)), step("target", "Then", None)]
    }
    assert working_step_index(target_without) == 0


def test_steps_by_phase_keeps_each_approach_order_and_numbers(metrics):
    table = steps_by_phase(metrics)
    assert list(table) == ["preparation", "exposure", "retraction", "target", "closure"]
    assert table["exposure"][A] == [(2, "Incision"), (3, "Open")]
    assert table["exposure"][B] == [(1, "Enter")]
    assert table["preparation"][B] == []


def test_phase_slots_align_steps_by_phase(metrics):
    slots, of_step = phase_slots(metrics)
    assert slots == [
        "Preparation",
        "Exposure 1",
        "Exposure 2",
        "Retraction",
        "At the target",
        "Closure",
    ]
    assert of_step[A] == ["Preparation", "Exposure 1", "Exposure 2", "At the target"]
    assert of_step[B] == ["Exposure 1", "Retraction", "Closure"]


def test_corridor_distances_one_bar_trace_per_approach(metrics):
    fig = corridor_distances(metrics, ["n1", "v1"], NAMES, approach_names=APPROACH_NAMES)
    assert isinstance(fig, go.Figure)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["Transpsoas", "Elsewhere"]
    assert all(t.orientation == "h" for t in bars)
    assert list(bars[0].y) == ["Nerve one", "Vein one"]
    assert list(bars[0].x) == [-1.0, 8.0]  # the target step of A
    assert list(bars[1].x) == [6.0, None]  # B's last corridor step; the vein is gone
    assert bars[0].marker.color == APPROACH_COLORS[A]
    assert bars[0].marker.color != bars[1].marker.color
    assert {0.0, 5.0} <= shapes_at(fig, "x")
    assert "mm" in fig.layout.xaxis.title.text
    assert fig.layout.title.text


def test_step_profile_follows_one_structure(metrics):
    fig = step_profile(metrics, "v1", "Vein one", approach_names=APPROACH_NAMES)
    a, b = fig.data
    assert list(a.x) == ["Preparation", "Exposure 1", "Exposure 2", "At the target"]
    assert list(a.y) == [None, None, -2.0, 8.0]
    assert list(b.y) == [12.0, 7.0, None]
    assert len(fig.layout.xaxis.categoryarray) == 6
    assert "Vein one" in fig.layout.title.text
    assert "mm" in fig.layout.yaxis.title.text
    assert {0.0, 5.0} <= shapes_at(fig, "y")


def test_corridor_summary_depth_angle_exposure(metrics):
    fig = corridor_summary(metrics, approach_names=APPROACH_NAMES)
    depth, angle, exposure = fig.data
    assert list(depth.x) == ["Transpsoas", "Elsewhere"]
    assert list(depth.y) == [100.0, 120.0]
    assert list(angle.y) == [20.0, 5.0]
    assert list(exposure.y) == [30.0, 50.0]  # best step, in %
    assert list(depth.marker.color) == [APPROACH_COLORS[A], approach_colors([A, B])[B]]
    titles = [a.text for a in fig.layout.annotations]
    assert any("mm" in t for t in titles) and any("%" in t for t in titles)


def test_best_exposure_and_near_structures(metrics):
    assert best_exposure(metrics[A]) == (0.3, "Open")
    assert near_working_corridor(metrics[A]) == [("n1", -1.0)]
    assert near_working_corridor({"steps": [step("preparation", "Only")]}) == []


def variability() -> Variability:
    nan = float("nan")
    return Variability(
        approach_ids=(A, B),
        n=4,
        seed=1,
        step_ids={A: "at_target", B: "close"},
        distances={
            A: {"f1": np.array([1.0, 2.0, 6.0, nan]), "f2": np.array([-3.0, -3.0, -3.0, 9.0])},
            B: {"f1": np.array([nan] * 4), "f2": np.array([10.0, 4.0, 4.0, 4.0])},
        },
        unique_specimens=3,
    )


FAMILIES = {"f1": "Family one", "f2": "Family two"}


def test_distribution_stats_ignore_absent_specimens():
    stats = distribution_stats(np.array([1.0, 2.0, 3.0, float("nan")]))
    assert stats is not None
    assert (stats["min"], stats["median"], stats["max"]) == (1.0, 2.0, 3.0)
    assert math.isclose(stats["present"], 0.75)
    assert distribution_stats(np.array([float("nan")])) is None


def test_variability_distributions_a_box_per_approach_and_family():
    fig = variability_distributions(variability(), APPROACH_NAMES, families=FAMILIES)
    boxes = [t for t in fig.data if t.type == "box"]
    # B has no specimen with family f1: three boxes, not four.
    assert [(t.name, t.xaxis) for t in boxes] == [
        ("Transpsoas", "x"),
        ("Transpsoas", "x2"),
        ("Elsewhere", "x2"),
    ]
    first = boxes[0]
    assert (first.lowerfence[0], first.median[0], first.upperfence[0]) == (1.0, 2.0, 6.0)
    dots = [
        t for t in fig.data if t.type == "scatter" and t.xaxis == "x2" and t.name == "Elsewhere"
    ]
    assert list(dots[0].y) == [4.0, 10.0]
    assert list(dots[0].customdata) == [75.0, 25.0]  # share of specimens, %
    assert [a.text for a in fig.layout.annotations][:2] == ["Family one", "Family two"]
    assert 5.0 in shapes_at(fig, "y")
    # The shaded "inside the corridor" band of each panel reaches below its lowest value.
    bands = {s.yref: s.y0 for s in fig.layout.shapes if s.type == "rect"}
    assert bands == {"y": -2.0, "y2": -5.0}


def test_variability_families_default_to_the_watched_ones():
    nan = np.full(4, np.nan)
    v = Variability((A,), 4, 1, {A: "s"}, {A: {f: nan.copy() for f in WATCHED}}, 1)
    fig = variability_distributions(v)
    assert [a.text for a in fig.layout.annotations][: len(WATCHED)] == [
        label for label, _ in WATCHED.values()
    ]


def test_within_5mm_bars_and_rows():
    fig = within_5mm(variability(), APPROACH_NAMES, families=FAMILIES)
    a, b = fig.data
    assert (a.name, b.name) == ("Transpsoas", "Elsewhere")
    assert list(a.x) == ["Family one", "Family two"]
    assert list(a.y) == [66.7, 75.0]  # 2 of the 3 specimens that have f1; 3 of 4
    assert list(b.y) == [0.0, 75.0]
    assert "%" in fig.layout.yaxis.title.text
    rows = within_5mm_rows(variability(), APPROACH_NAMES, families=FAMILIES)
    assert rows == [
        {"Structure": "Family one", "Transpsoas": 66.7, "Elsewhere": 0.0},
        {"Structure": "Family two", "Transpsoas": 75.0, "Elsewhere": 75.0},
    ]


def test_the_charts_module_does_not_import_streamlit():
    code = (
        "import sys, atlas_app.charts.corridor_charts, atlas_app.charts.variability_charts; "
        "sys.exit('streamlit' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def driven() -> Variability:
    """Six specimens: the L5 gap follows group g (x: 1 mm, y: -2 mm) with a little noise
    from h; the blade is the same everywhere; no tributary is pulled."""
    nan = float("nan")
    choices = tuple(
        {"g": g, "h": h}
        for g, h in (("x", "p"), ("x", "q"), ("x", "p"), ("y", "q"), ("y", "p"), ("y", "q"))
    )
    gaps = np.array([1.0, 1.2, 1.0, -2.0, -2.2, -2.0])
    nans = np.full(6, nan)
    return Variability(
        approach_ids=(A,),
        n=6,
        seed=1,
        step_ids={A: "s"},
        distances={A: {"l5_lst": gaps, **{f: nans for f in WATCHED if f != "l5_lst"}}},
        unique_specimens=4,
        extra={A: {BLADE: np.full(6, 20.0), STRAIN: nans}},
        choices=choices,
    )


def test_the_driver_is_the_group_between_whose_options_the_spread_lies():
    v = driven()
    d = v.driver(A, "l5_lst")
    assert d is not None and d.group == "g" and d.share > 0.95
    assert d.medians == {"x": 1.0, "y": -2.0}
    assert v.driver(A, BLADE) is None  # the same everywhere
    assert v.driver(A, STRAIN) is None and v.worst(A, STRAIN) is None
    assert v.worst(A, "l5_lst") == 4  # the smallest gap
    assert v.worst(A, BLADE) == 0


def test_measure_by_variant_a_row_per_option_of_the_driver():
    fig = measure_by_variant(driven(), "l5_lst", APPROACH_NAMES, option_names={"x": "Ex"})
    rows = [t.y[0] for t in fig.data]
    assert rows == ["Transpsoas · Ex", "Transpsoas · y"]
    assert list(fig.data[1].x) == [-2.2, -2.0]
    assert list(fig.data[1].customdata) == pytest.approx([100 / 6, 200 / 6])
    assert 5.0 in shapes_at(fig, "x")  # the near line on a gap chart
    blade = measure_by_variant(driven(), BLADE, APPROACH_NAMES)
    assert [t.y[0] for t in blade.data] == ["Transpsoas · every specimen"]


def test_variation_rows_name_the_driver_and_skip_what_never_applies():
    rows = variation_rows(driven(), APPROACH_NAMES, group_names={"g": "Group G"})
    assert [r["Measure"].split(":")[0] for r in rows] == [
        "L5 root / lumbosacral trunk",
        "Retraction needed to clear the path (mm)",
    ]
    l5, blade = rows
    assert (l5["Median"], l5["Range"], l5["Worst"]) == (-0.5, "-2.2 to 1.2", -2.2)
    assert l5["Driven by"].startswith("Group G (") and "x 1.0, y -2.0" in l5["Driven by"]
    assert blade["Driven by"].startswith("nothing")
