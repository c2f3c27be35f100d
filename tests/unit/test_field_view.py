"""The rules that draw one approach step (shared by the Approaches page and case slides)."""

from __future__ import annotations

import numpy as np
import pytest

from atlas_app.approaches.api import measure_step, walk_approach
from atlas_app.approaches.field_view import (
    CORRIDOR_BACKOFF,
    CORRIDOR_CAMERA,
    FIELD_MM,
    WALL_GROUP,
    NoCorridorError,
    changed_at,
    corridor_camera,
    step_view,
    surgeon_camera,
)
from atlas_app.approaches.instruments import CORRIDOR_ID
from atlas_app.approaches.loader import load_approaches
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.specimen import build_specimen
from atlas_app.quiz.pick import label_map, pixel_counts

APPROACH = "anterior_retroperitoneal_transpsoas"


@pytest.fixture(scope="module")
def fields(shipped_atlas):
    approaches = load_approaches(shipped_atlas)
    specimen = build_specimen(shipped_atlas, "default")
    return walk_approach(shipped_atlas, approaches, specimen, APPROACH)


def test_corridor_camera_stands_outside_the_incision_and_looks_at_the_target():
    cone = Cone(np.array([0.0, 100.0, 0.0]), np.zeros(3), 20.0, 10.0)
    camera = corridor_camera(cone)
    assert camera.name == CORRIDOR_CAMERA
    assert camera.focal_point == (0.0, 0.0, 0.0)
    assert camera.position == pytest.approx((0.0, 100.0 * (1 + CORRIDOR_BACKOFF), 0.0))


def test_before_the_corridor_the_wall_stays_and_there_is_no_view_down_it(fields):
    first = fields[0]
    assert first.cone is None
    view = step_view(first)
    wall = {s for s, v in first.specimen.structures.items() if v.parent == WALL_GROUP}
    assert wall and not wall & view.hidden
    assert view.camera == surgeon_camera(first)
    with pytest.raises(NoCorridorError, match=first.step.id):
        step_view(first, down_corridor=True)


def test_once_the_corridor_is_open_the_wall_is_held_aside(fields):
    opened = next(f for f in fields if f.cone is not None)
    view = step_view(opened, down_corridor=True)
    wall = {s for s, v in opened.specimen.structures.items() if v.parent == WALL_GROUP}
    assert wall <= view.hidden
    assert set(opened.removed) <= view.hidden
    assert view.translucent[0] == CORRIDOR_ID
    assert not set(view.highlight) & view.hidden
    assert set(view.highlight) <= {*opened.step.at_risk, *view.changed}
    assert view.camera == corridor_camera(opened.cone)
    n = len(opened.approach.steps)
    assert view.title.endswith(f"step {opened.index + 1} of {n}: {opened.step.title}")


SEEN_PX = 30
"""An at-risk structure counts as seen when this many pixels of a 400 x 300 picture show it
in front of everything opaque (about a 5 x 6 px patch: a nerve a few mm wide at 40 cm)."""


@pytest.fixture(scope="module")
def all_fields(shipped_atlas):
    approaches = load_approaches(shipped_atlas)
    specimen = build_specimen(shipped_atlas, "default")
    return {
        aid: walk_approach(shipped_atlas, approaches, specimen, aid)
        for aid in approaches.approaches
    }


def test_each_approach_keeps_one_surgeons_camera_through_its_steps(all_fields):
    for aid, fields in all_fields.items():
        cameras = {step_view(f).camera for f in fields}
        assert len(cameras) == 1, aid
        (camera,) = cameras
        assert camera == surgeon_camera(fields[0]) and camera.name == "surgeon"


def test_what_a_step_moves_or_exposes_is_highlighted(all_fields):
    fields = all_fields["iliac_retraction"]
    retract = next(f for f in fields if f.step.id == "retract_iliac_vessels")
    view = step_view(retract)
    for sid in ("common_iliac_artery_right", "common_iliac_vein_right"):
        assert sid in view.changed and sid in view.highlight
    assert not changed_at(fields[0])


def test_the_field_leaves_out_what_is_far_from_the_corridor_but_keeps_bone(
    shipped_atlas, all_fields
):
    opened = next(f for f in all_fields["anterior_retroperitoneal_transpsoas"] if f.cone)
    gaps = {
        k: v["distance_mm"] for k, v in measure_step(shipped_atlas, opened)["structures"].items()
    }
    far = {k for k, g in gaps.items() if g is not None and g > FIELD_MM}
    structures = opened.specimen.structures
    assert any(structures[k].category == "bone" for k in far)
    view = step_view(opened, near=gaps)
    assert {k for k in far if structures[k].category in ("vessel", "nerve")} <= view.hidden
    assert not {k for k in far if structures[k].category == "bone"} & view.hidden
    whole = step_view(opened, near=gaps, whole_body=True)
    assert not (far - set(opened.removed)) & whole.hidden - {
        k for k, v in structures.items() if v.parent == WALL_GROUP
    }


@pytest.mark.slow
def test_at_risk_structures_are_in_sight_at_the_step_that_names_them(shipped_atlas, all_fields):
    """Issue 13: the nerves at risk were hidden under psoas. Seen from the step's camera,
    with everything opaque in front of it drawn, each structure the step names as at risk
    shows at least SEEN_PX pixels."""
    unseen = []
    for aid, fields in all_fields.items():
        for f in fields:
            if not f.step.at_risk:
                continue
            gaps = {
                k: v["distance_mm"] for k, v in measure_step(shipped_atlas, f)["structures"].items()
            }
            view = step_view(f, near=gaps)
            at_risk = [s for s in f.step.at_risk if s in f.specimen.structures]
            shown = {
                k: cached_structure_mesh(shipped_atlas, s)
                for k, s in f.specimen.structures.items()
                if k not in view.hidden and (k not in view.translucent or k in at_risk)
            }
            counts = pixel_counts(*label_map(shown, view.camera, (400, 300)))
            unseen += [
                (aid, f.index + 1, s, counts.get(s, 0))
                for s in at_risk
                if s not in view.hidden and counts.get(s, 0) < SEEN_PX
            ]
    assert not unseen
