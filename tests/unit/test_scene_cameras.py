"""Camera presets: where each looks from, what is up and right on screen, and framing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from atlas_app.model.camera import CAMERA_PRESETS, CameraSpec, camera_names
from atlas_app.scene.cameras import camera_for, right_ala_point, union_bounds

BOUNDS = (-120.0, 120.0, -80.0, 60.0, -100.0, 150.0)


def screen_axes(cam: CameraSpec) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of screen right and screen up, in the atlas frame."""
    d = np.asarray(cam.direction)
    up = np.asarray(cam.view_up, float)
    up = up - (up @ d) * d
    up /= np.linalg.norm(up)
    return np.cross(d, up), up


def test_four_presets_with_titles() -> None:
    assert camera_names() == ("anterior", "right_oblique", "lateral_right", "axial_superior")
    titles = [p.title for p in CAMERA_PRESETS.values()]
    assert all(titles) and len(set(titles)) == len(titles)


def test_anterior_looks_from_the_front_with_the_patients_right_on_screen_left() -> None:
    cam = camera_for("anterior", BOUNDS)
    assert cam.direction == pytest.approx((0.0, -1.0, 0.0))
    right, up = screen_axes(cam)
    assert up == pytest.approx([0, 0, 1])
    assert right == pytest.approx([-1, 0, 0])  # patient's right (+x) is on screen left


def test_lateral_right_looks_from_the_right_with_anterior_on_screen_right() -> None:
    cam = camera_for("lateral_right", BOUNDS)
    assert cam.direction == pytest.approx((-1.0, 0.0, 0.0))
    right, up = screen_axes(cam)
    assert up == pytest.approx([0, 0, 1])
    assert right == pytest.approx([0, 1, 0])


def test_axial_superior_looks_down_with_anterior_up_on_screen() -> None:
    cam = camera_for("axial_superior", BOUNDS)
    assert cam.direction == pytest.approx((0.0, 0.0, -1.0))
    _, up = screen_axes(cam)
    assert up == pytest.approx([0, 1, 0])


def test_right_oblique_comes_from_anterior_right_and_above_toward_the_right_ala() -> None:
    cam = camera_for("right_oblique", BOUNDS)
    d = -np.asarray(cam.direction)  # toward the camera
    assert d[0] > 0.3 and d[1] > 0.5 and 0 < d[2] < d[1]
    assert cam.focal_point[0] > 0  # the right side
    whole = camera_for("anterior", BOUNDS)
    assert cam.distance < whole.distance  # closer than the view of everything


def test_right_ala_point_uses_landmarks_when_present() -> None:
    marks = {"sacral_promontory": (0.0, 0.0, 0.0), "si_joint_anterior_right": (50.0, -10.0, -20.0)}
    assert right_ala_point(BOUNDS, marks) == pytest.approx((25.0, -5.0, -15.0))
    fallback = right_ala_point(BOUNDS, {})
    assert fallback[0] > 0 and BOUNDS[4] <= fallback[2] <= BOUNDS[5]


@pytest.mark.parametrize("name", ["anterior", "lateral_right", "axial_superior"])
def test_the_whole_box_is_in_view(name: str) -> None:
    cam = camera_for(name, BOUNDS)
    right, up = screen_axes(cam)
    d = np.asarray(cam.direction)
    limit = math.tan(math.radians(cam.view_angle) / 2)
    for x in BOUNDS[0:2]:
        for y in BOUNDS[2:4]:
            for z in BOUNDS[4:6]:
                v = np.array([x, y, z]) - np.asarray(cam.position)
                depth = v @ d
                assert depth > 0
                assert abs(v @ up) / depth <= limit
                assert abs(v @ right) / depth <= limit  # fits a square view too


def test_a_smaller_box_brings_the_camera_closer() -> None:
    small = (0.0, 10.0, 0.0, 10.0, 0.0, 10.0)
    assert camera_for("anterior", small).distance < camera_for("anterior", BOUNDS).distance


def test_parallel_projection_sets_a_scale() -> None:
    cam = camera_for("anterior", BOUNDS, parallel=True)
    assert cam.parallel_scale is not None and cam.parallel_scale >= 125.0


def test_unknown_camera_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError, match="anterior"):
        camera_for("posterior", BOUNDS)


def test_union_bounds() -> None:
    assert union_bounds([]) is None
    assert union_bounds([(0, 1, 0, 1, 0, 1), (-1, 0.5, 2, 3, 0, 4)]) == (-1, 1, 0, 3, 0, 4)
