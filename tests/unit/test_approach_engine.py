"""The step engine, retraction, corridor and metrics on small, known geometry."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from atlas_app.approaches.api import measure_approach, walk_approach
from atlas_app.approaches.loader import load_approaches
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.deform import Move, displace, find_tethers, stretch
from atlas_app.model.loader import load_atlas
from atlas_app.model.schema import CenterlineGeometry
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
    assert cone.clearance(on_axis)[0] == pytest.approx(-15.0)
    beside = np.array([[25.0, 0, 0]])
    assert cone.clearance(beside, 3.0)[0] == pytest.approx(12.0)
    oblique = Cone(np.array([100.0, 100.0, 0]), np.zeros(3), 5, 5)
    assert oblique.angle_from_ap == pytest.approx(45.0)


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
    assert moved.max() == pytest.approx(10.0, abs=0.01) and moved.min() < moved.max()
    assert states[1].displacement["branch_right"] == pytest.approx(10.0, abs=0.01)
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
    assert branch["displacement_mm"] == pytest.approx(10.0, abs=0.01)
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
