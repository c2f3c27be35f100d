"""The rules that draw one approach step (shared by the Approaches page and case slides)."""

from __future__ import annotations

import numpy as np
import pytest

from atlas_app.approaches.api import walk_approach
from atlas_app.approaches.engine import CORRIDOR_ID
from atlas_app.approaches.field_view import (
    CORRIDOR_BACKOFF,
    CORRIDOR_CAMERA,
    WALL_GROUP,
    NoCorridorError,
    corridor_camera,
    step_view,
)
from atlas_app.approaches.loader import load_approaches
from atlas_app.geometry.corridor import Cone
from atlas_app.model.specimen import build_specimen

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
    assert view.camera == first.step.camera
    with pytest.raises(NoCorridorError, match=first.step.id):
        step_view(first, down_corridor=True)


def test_once_the_corridor_is_open_the_wall_is_held_aside(fields):
    opened = next(f for f in fields if f.cone is not None)
    view = step_view(opened, down_corridor=True)
    wall = {s for s, v in opened.specimen.structures.items() if v.parent == WALL_GROUP}
    assert wall <= view.hidden
    assert set(opened.removed) <= view.hidden
    assert view.translucent == (CORRIDOR_ID,)
    assert not set(view.highlight) & view.hidden
    assert set(view.highlight) <= set(opened.step.at_risk)
    assert view.camera == corridor_camera(opened.cone)
    n = len(opened.approach.steps)
    assert view.title.endswith(f"step {opened.index + 1} of {n}: {opened.step.title}")
