"""The pick map: which structure a pixel of a still shows."""

from __future__ import annotations

import io

import numpy as np
import pytest
import pyvista as pv
from PIL import Image

from atlas_app.model.camera import CameraSpec
from atlas_app.quiz.overlay import answer_overlay
from atlas_app.quiz.pick import label_map, pixel_counts, project, structure_at

CAMERA = CameraSpec(
    name="anterior",
    title="Anterior",
    position=(0.0, 300.0, 0.0),
    focal_point=(0.0, 0.0, 0.0),
    view_up=(0.0, 0.0, 1.0),
    view_angle=30.0,
)
SIZE = (200, 150)


def test_projection_of_the_focal_point_and_of_the_patients_right():
    x, y, depth = project(np.array([[0.0, 0.0, 0.0], [20.0, 0.0, 0.0], [0, 0, 20.0]]), CAMERA, SIZE)
    assert x[0] == pytest.approx(100) and y[0] == pytest.approx(75) and depth[0] == 300
    assert x[1] < 100, "in an anterior view the patient's right (+x) is on the left"
    assert y[2] < 75, "up is up"


def test_the_nearer_structure_hides_the_farther_one():
    front = pv.Sphere(radius=20, center=(0, 40, 0))  # nearer the camera (+y)
    back = pv.Sphere(radius=30, center=(0, -40, 0))
    labels, ids = label_map({"back": back, "front": front}, CAMERA, SIZE)
    assert ids == ("back", "front")
    assert labels[75, 100] == 1, "the centre shows the front sphere"
    counts = pixel_counts(labels, ids)
    assert counts["front"] > 0 and counts["back"] > 0, "the bigger back sphere shows round it"
    assert labels[0, 0] == -1
    assert structure_at(labels, ids, 100, 75) == "front"
    assert structure_at(labels, ids, 5, 5) is None
    right_edge = int(np.nonzero(labels[75] == 1)[0].max())
    x = right_edge + 3
    assert structure_at(labels, ids, x, 75) == "back"
    assert structure_at(labels, ids, x, 75, target="front", tolerance_px=5) == "front"


def test_overlay_marks_the_target():
    labels = np.full((15, 20), -1, dtype=np.int16)
    labels[5:10, 5:10] = 0
    from atlas_app.quiz.items import PickMap

    pick = PickMap(labels, ("t",), ("T",), 2)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (255, 255, 255)).save(out, format="PNG")
    drawn = np.asarray(Image.open(io.BytesIO(answer_overlay(out.getvalue(), pick, "t", (30, 5)))))
    assert tuple(drawn[15, 15]) != (255, 255, 255), "inside the target is tinted"
    assert tuple(drawn[2, 2]) == (255, 255, 255)


def test_pick_map_agrees_with_the_rendered_still(shipped_atlas):
    """Where the pick map says the highlighted nerve is, the still shows its vivid colour."""
    from atlas_app.model.specimen import build_specimen
    from atlas_app.paths import DEFAULT_ATLAS_DIR
    from atlas_app.quiz.views import pick_map, quiz_scene
    from atlas_app.scene.render_pool import gl_status, render_png

    if not gl_status().ok:
        pytest.skip("no OpenGL for the render worker here")
    specimen = build_specimen(shipped_atlas)
    target = "femoral_nerve_right"
    scene = quiz_scene(shipped_atlas, specimen, "anterior", mode="deep", highlight=[target])
    png = render_png(DEFAULT_ATLAS_DIR, specimen.spec, scene, size=(720, 480), labels=False)
    pick = pick_map(shipped_atlas, specimen, scene, (720, 480))
    mask = np.kron(pick.labels == pick.ids.index(target), np.ones((2, 2), dtype=bool))
    assert mask.sum() > 500
    # The highlighted nerve is the one saturated colour: everything else is dimmed toward
    # grey (the discs' pale blue stays under the threshold).
    saturated = np.asarray(Image.open(io.BytesIO(png)).convert("HSV"))[..., 1] > 150
    recall = saturated[mask].mean()
    precision = (saturated & mask).sum() / saturated.sum()
    assert recall > 0.8, recall
    assert precision > 0.9, precision
