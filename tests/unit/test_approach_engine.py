"""The step engine, retraction, corridor and metrics on small, known geometry."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from atlas_app.approaches.api import measure_approach, walk_approach
from atlas_app.approaches.loader import load_approaches
from atlas_app.approaches.retraction import retraction_needed
from atlas_app.geometry.corridor import TARGET_ZONE_MM, Cone
from atlas_app.geometry.deform import (
    ANCHOR_MM,
    Move,
    anchor_weights,
    deform_centerline,
    displace,
    find_tethers,
    find_vessel_tree,
    stretch,
)
from atlas_app.model.geometry_schema import CenterlineGeometry
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from tests.conftest import MINI_ATLAS


@pytest.fixture(scope="module")
def mini():
    atlas = load_atlas(MINI_ATLAS)
    return atlas, load_approaches(atlas)


def test_move_is_full_at_the_blade_and_fades_smoothly():
    m = Move(np.zeros(3), np.array([10.0, 0, 0]), reach=40.0)
    line = np.stack([np.zeros(81), np.zeros(81), np.linspace(0, 80, 81)], axis=1)
    dx = displace(line, (m,))[:, 0]
    assert dx[0] == pytest.approx(10.0) and dx[40:].max() == pytest.approx(0.0)
    assert np.all(np.diff(dx) <= 1e-12) and np.abs(np.diff(dx)).max() < 0.45


def test_corridor_depth_angle_and_clearance():
    cone = Cone(np.array([0, 100.0, 0]), np.zeros(3), 20.0, 10.0)
    assert cone.depth == pytest.approx(100) and cone.angle_from_ap == pytest.approx(0)
    on_axis = np.array([[0, 50.0, 0]])
    # Inside: how deep, measured square to the slanted wall (15 mm radially).
    wall_tilt = np.arctan(10.0 / 100.0)
    assert cone.clearance(on_axis)[0] == pytest.approx(-15.0 * np.cos(wall_tilt))
    beside = np.array([[25.0, 0, 0]])
    assert cone.clearance(beside, 3.0)[0] == pytest.approx(15.0 * np.cos(wall_tilt) - 3.0)
    oblique = Cone(np.array([100.0, 100.0, 0]), np.zeros(3), 5, 5)
    assert oblique.angle_from_ap == pytest.approx(45.0)


def test_the_corridor_has_flat_ends_and_a_path_short_of_its_target():
    cone = Cone(np.array([0, 100.0, 0]), np.zeros(3), 20.0, 10.0)
    behind = np.array([[0.0, -4.0, 0.0], [6.0, -3.0, 0.0]])  # the bone behind the target
    assert cone.clearance(behind) == pytest.approx([4.0, 3.0])
    outside_rim = np.array([[13.0, -4.0, 0.0]])  # beyond the target plane and its rim
    assert cone.clearance(outside_rim)[0] == pytest.approx(5.0)
    near_target = np.array([[0.0, 2.0, 0.0]])
    assert cone.clearance(near_target)[0] == pytest.approx(-2.0)
    path = cone.path
    assert path.depth == pytest.approx(100.0 - TARGET_ZONE_MM)
    assert path.clearance(near_target)[0] == pytest.approx(TARGET_ZONE_MM - 2.0)


def _line(points, radius):
    return CenterlineGeometry(kind="centerline", points=points, radius=radius, source=["x"])


def test_a_tributary_is_found_and_stretched_by_its_parent():
    parent = _line([[0, 0, 0], [0, 0, 100]], 6.0)
    branch = _line([[5, 0, 50], [25, -5, 55], [45, -10, 60]], 3.0)
    terminal = _line([[0, 0, 100], [20, 0, 130]], 4.0)  # a division, not a tributary
    lines = {"parent": parent, "branch": branch, "terminal": terminal}
    tethers = find_tethers(lines, dict.fromkeys(lines, "vein"))
    assert [(t.branch, t.parent) for t in tethers] == [("branch", "parent")]
    pull = Move(np.array([0.0, 0, 50]), np.array([-15.0, 0, 0]), 40.0)
    strained = stretch(tethers[0], branch, (pull,))
    assert strained.mouth_shift_mm == pytest.approx(15.0, abs=1.0)
    assert strained.strain > 0.2


def test_walk_applies_retraction_and_keeps_removals(mini):
    atlas, approaches = mini
    specimen = build_specimen(atlas)
    states = walk_approach(atlas, approaches, specimen, "front_approach")
    assert [s.step.id for s in states] == ["open", "retract"]
    before = np.asarray(specimen.structures["branch_right"].geometry.points)
    after = np.asarray(states[1].specimen.structures["branch_right"].geometry.points)
    moved = np.linalg.norm(after - before, axis=1)
    # The branch pivots on its origin at the vessel, which no blade moves.
    assert moved[0] == pytest.approx(0.0) and 0.0 < moved[-1] <= 10.0
    assert states[1].displacement["branch_right"] == pytest.approx(moved.max(), abs=0.5)
    assert "working_corridor" in states[1].specimen.structures
    assert "blade_branch_right" in states[1].specimen.structures


def test_metrics_have_the_documented_shape(mini):
    atlas, approaches = mini
    m = measure_approach(atlas, approaches, build_specimen(atlas), "front_approach")
    assert m["approach"] == "front_approach" and m["specimen"] == "default"
    step = m["steps"][1]
    assert set(step) >= {"id", "structures", "corridor", "target_exposed_fraction"}
    assert set(step["corridor"]) >= {"depth_mm", "angle_deg"}
    nerve = step["structures"]["nerve_right"]
    assert nerve["in_corridor"] and nerve["distance_mm"] < 0
    branch = step["structures"]["branch_right"]
    assert 0.0 < branch["displacement_mm"] <= 10.0
    assert {"path_gap_mm", "in_path"} <= set(branch)
    (blade,) = step["retractions"]
    assert blade["structure"] == "branch_right" and blade["by_mm"] == 10.0
    assert {"in_the_way", "at_target"} <= set(step)
    assert 0.0 < step["target_exposed_fraction"] <= 1.0


def test_bad_approach_file_names_file_line_and_field(tmp_path: Path):
    dest = tmp_path / "atlas"
    shutil.copytree(MINI_ATLAS, dest)
    f = dest / "approaches" / "front.yaml"
    f.write_text(
        f.read_text()
        .replace("structure: branch_right", "structure: branch_wrong")
        .replace("instruments: [blade, probe]", "instruments: [blade, laser]")
    )
    faults = load_approaches(load_atlas(dest)).faults
    assert {x.check for x in faults} == {"references_resolve"}
    lines = f.read_text().splitlines()
    for fault in faults:
        assert fault.file.endswith("front.yaml")
        assert "branch_wrong" in lines[fault.line - 1] or "laser" in lines[fault.line - 1]


def test_a_branch_pushed_toward_its_anchor_goes_slack_and_is_not_pulled():
    """Issue 13: "would stretch it by −13 %" — a tether is reported only when pulled."""
    parent = _line([[0, 0, 0], [0, 0, 100]], 6.0)
    branch = _line([[5, 0, 50], [25, -5, 55], [45, -10, 60]], 3.0)
    lines = {"parent": parent, "branch": branch}
    (tether,) = find_tethers(lines, dict.fromkeys(lines, "vein"))
    toward = Move(np.array([0.0, 0, 50]), np.array([15.0, 0, 0]), 40.0)  # toward the far end
    slack = stretch(tether, branch, (toward,))
    assert slack.mouth_shift_mm == pytest.approx(15.0, abs=1.0)
    assert slack.strain == 0.0 and not slack.pulled
    away = Move(np.array([0.0, 0, 50]), np.array([-15.0, 0, 0]), 40.0)
    assert stretch(tether, branch, (away,)).pulled


def _tree_lines():
    return {
        "trunk": _line([[0, 0, 100], [0, 0, 50]], 8.0),  # the great vessel, from above
        "common": _line([[0, 0, 50], [20, 0, 20]], 6.0),  # leaves the trunk's end
        "other": _line([[0, 0, 50], [-20, 0, 20]], 6.0),  # its sibling
        "external": _line([[20, 0, 20], [30, 0, -40]], 5.0),  # its divisions
        "internal": _line([[20, 0, 20], [10, -20, -30]], 5.0),
    }


def test_the_vessel_tree_knows_each_vessels_branches_and_origin():
    lines = _tree_lines()
    tree = find_vessel_tree(lines, dict.fromkeys(lines, "artery"))
    assert set(tree.branches["common"]) == {"external", "internal"}
    assert tree.branches["trunk"] == ("common", "other", "external", "internal")
    assert set(tree.origin["common"]) == {"trunk", "other"}
    assert tree.origin["trunk"] == ()


def test_a_blade_carries_a_vessels_branches_and_spares_its_origin():
    """Issue 13: the external iliac artery stayed in the corridor, "moved by retraction
    0.0 mm", when the common iliac vessels were retracted."""
    lines = _tree_lines()
    tree = find_vessel_tree(lines, dict.fromkeys(lines, "artery"))
    move = Move(np.array([[20.0, 0, 20]]), np.array([-10.0, 0, 0]), 40.0)
    common = deform_centerline(lines["common"], (move,), anchored=True)
    assert np.asarray(common.points)[0] == pytest.approx([0, 0, 50])  # origin stays
    assert np.asarray(common.points)[-1] == pytest.approx([10, 0, 20])
    external = deform_centerline(lines[tree.branches["common"][0]], (move,))
    assert np.asarray(external.points)[0] == pytest.approx([10, 0, 20])  # the join holds
    assert anchor_weights(np.array([[0, 0, 0], [0, 0, ANCHOR_MM], [0, 0, 2 * ANCHOR_MM]])) == (
        pytest.approx([0.0, 1.0, 1.0])
    )


def test_a_wide_blade_moves_all_it_bears_on_and_blades_the_same_way_do_not_add():
    line = np.stack([np.linspace(-30, 30, 61), np.zeros(61), np.zeros(61)], axis=1)
    blade = Move(line[20:41], np.array([0.0, 10.0, 0.0]), 35.0)  # 20 mm of the line
    moved = displace(line, (blade,))
    assert moved[20:41, 1] == pytest.approx(10.0)
    assert 0.0 < moved[0, 1] < 10.0
    again = Move(line[25:36], np.array([0.0, 10.0, 0.0]), 35.0)
    assert displace(line, (blade, again))[30, 1] == pytest.approx(10.0)
    across = Move(line[30:31], np.array([0.0, 0.0, 5.0]), 35.0)
    assert displace(line, (blade, across))[30] == pytest.approx([0.0, 10.0, 5.0])


def test_retraction_needed_is_how_far_the_blade_must_go_to_clear_the_path():
    path = Cone(np.array([0.0, 100.0, 0.0]), np.zeros(3), 10.0, 10.0)
    # A tube across the corridor at mid-depth: the axis passes through it.
    tube = np.stack([np.linspace(-40, 40, 81), np.full(81, 50.0), np.zeros(81)], axis=1)
    radii = np.full(81, 3.0)
    inside = tube[np.abs(tube[:, 0]) <= 13]
    needed = retraction_needed(tube, radii, inside, np.array([0.0, 0.0, 1.0]), 60.0, path)
    assert needed == pytest.approx(13.0, abs=0.5)  # radius 10 + the tube's 3 mm
    far = Cone(np.array([0.0, 100.0, 0.0]), np.zeros(3), 10.0, 10.0)
    beyond = retraction_needed(tube, radii, tube[:1], np.array([0.0, 0.0, 1.0]), 10.0, far)
    assert beyond is None  # the blade cannot reach the part in the path
