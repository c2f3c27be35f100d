"""The build's shared library on synthetic shapes (no source needed): the rigid map, surfaces,
centrelines, probes, landmarks, prose and writers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import pyvista as pv

from atlas_build.authoring import part, ride_over
from atlas_build.centerlines import (
    Centerline,
    bend_degrees,
    dense,
    fair,
    resample,
    smooth,
    warp_centerline,
)
from atlas_build.landmarks import joint_anterior, joint_inferior, ray_hits, vertebral_body
from atlas_build.probes import View, depth_map, pits
from atlas_build.prose import expand
from atlas_build.registration import RigidMap, measure_promontory
from atlas_build.surfaces import decimate, is_closed, largest_piece, write_vtp
from atlas_build.writers import dump_yaml, r1


def line(points, radius=2.0) -> Centerline:
    p = np.asarray(points, float)
    return Centerline(p, np.full(len(p), radius))


# --- registration ------------------------------------------------------------------------


def test_promontory_is_the_anterior_superior_corner_of_the_midline():
    # Source frame: +Y posterior, +Z up. A box whose front-top edge is the corner sought.
    box = pv.Box(bounds=(-10, 10, 0, 30, -20, 0)).triangulate().subdivide(2)
    p = measure_promontory(box)
    assert p.point == pytest.approx((0.0, 0.0, 0.0), abs=1e-6)


def test_rigid_map_turns_x_and_y_and_keeps_lengths():
    p = measure_promontory(pv.Box(bounds=(-10, 10, 0, 30, -20, 0)).triangulate().subdivide(2))
    rigid = RigidMap.to_promontory(p)
    pts = np.array([[1.0, 2.0, 3.0], [-4.0, 5.0, 6.0]])
    out = rigid.points(pts)
    assert out[0] == pytest.approx([-1.0, -2.0, 3.0])
    assert np.linalg.norm(out[0] - out[1]) == pytest.approx(np.linalg.norm(pts[0] - pts[1]))
    assert np.linalg.det(rigid.rotation) == pytest.approx(1.0)
    homogeneous = rigid.matrix @ np.array([1.0, 2.0, 3.0, 1.0])
    assert homogeneous[:3] == pytest.approx(out[0])


# --- surfaces ------------------------------------------------------------------------------


def test_largest_piece_keeps_the_muscle_not_its_fragment():
    big = pv.Sphere(radius=10.0, center=(0, 0, 0))
    small = pv.Sphere(radius=2.0, center=(30, 0, 0))
    kept = largest_piece(big.merge(small))
    assert kept.pieces == 2 and kept.kept_area_fraction > 0.9
    assert kept.mesh.bounds[1] < 11.0


def test_decimation_keeps_a_closed_surface_closed_and_near_its_target():
    sphere = pv.Sphere(radius=10.0, theta_resolution=60, phi_resolution=60)
    out = decimate(sphere, 400)
    assert is_closed(out)
    assert 300 <= out.n_cells <= 500
    assert out.volume == pytest.approx(sphere.volume, rel=0.05)


def test_vtp_files_are_deterministic(tmp_path: Path):
    mesh = decimate(pv.Sphere(radius=5.0), 200)
    write_vtp(mesh, tmp_path / "a.vtp")
    write_vtp(mesh, tmp_path / "b.vtp")
    assert (tmp_path / "a.vtp").read_bytes() == (tmp_path / "b.vtp").read_bytes()


# --- centrelines ---------------------------------------------------------------------------


def test_resample_and_smooth_keep_the_ends():
    c = line([[0, 0, 0], [0, 0, 10], [0, 5, 20], [0, 0, 30]])
    for out in (resample(c, 4.0), smooth(c, 3.0)):
        assert out.points[0] == pytest.approx(c.points[0])
        assert out.points[-1] == pytest.approx(c.points[-1])


def test_fair_eases_a_kink_and_holds_the_ends():
    c = line([[0, 0, 0], [0, 0, 4], [0, 0, 8], [0, 6, 9], [0, 6, 13], [0, 6, 17]], 1.0)
    assert bend_degrees(c.points).max() > 60
    out = fair(c)
    assert bend_degrees(out.points).max() <= 20.5
    assert out.points[0] == pytest.approx(c.points[0])
    assert out.points[-1] == pytest.approx(c.points[-1])


def test_warp_moves_one_end_and_fades():
    c = line([[0, 0, z] for z in np.arange(0.0, 101.0, 5.0)])
    by = np.array([0.0, 0.0, -10.0])
    out = warp_centerline(c.points, "end", by, 40.0)
    assert out[-1] == pytest.approx(c.points[-1] + by)
    assert out[0] == pytest.approx(c.points[0])


def test_ride_over_lifts_a_tube_forward_over_another():
    artery = line([[-30, 0, 0], [0, 0, 0], [30, 0, 0]], 3.0)
    vein = line([[0, 0, -30], [0, 0, 0], [0, 0, 30]], 4.0)
    out, shift = ride_over(artery, [vein], 0.3, (True, True))
    d = dense(out, 1.0)
    mid = d.points[np.argmin(np.abs(d.points[:, 0]))]
    assert mid[1] >= 7.0 - 0.2 and shift > 6.0
    assert out.points[0] == pytest.approx(artery.points[0])


def test_part_moves_a_branch_off_a_tube_it_crosses():
    branch = line([[-20, 0, 2], [0, 0, 2], [20, 0, 2]], 1.0)
    tube = line([[0, -30, 0], [0, 0, 0], [0, 30, 0]], 3.0)
    out, _ = part(branch, [tube], 0.3, (True, True), max_mm=8.0)
    d = dense(out, 0.5)
    gap = np.min(np.linalg.norm(d.points[:, None] - dense(tube, 0.5).points[None], axis=-1))
    assert gap >= 3.0 + 1.0 - 0.3


# --- probes and landmarks ------------------------------------------------------------------


def test_a_hole_in_a_plate_is_a_pit_seen_from_the_front():
    plate = pv.Box(bounds=(-30, 30, -5, 0, -30, 30)).triangulate().subdivide(3)
    hole = pv.Cylinder(center=(8, -2.5, 4), direction=(0, 1, 0), radius=4.0, height=20)
    holed = plate.boolean_difference(hole.triangulate())
    found = pits(depth_map(holed, View.tilted(np.array([0.0, 1.0, 0.0])), step_mm=0.5))
    assert found, "the hole is found"
    mouth = min(found, key=lambda p: np.linalg.norm(p.mouth[[0, 2]] - [8, 4])).mouth
    assert mouth[[0, 2]] == pytest.approx([8, 4], abs=1.0)


def test_vertebral_body_of_a_box():
    body = vertebral_body(pv.Box(bounds=(-20, 20, -30, 5, 10, 35)).triangulate().subdivide(2))
    assert (body.anterior_y, body.posterior_y) == pytest.approx((5, -30), abs=0.1)
    assert (body.top_z, body.bottom_z) == pytest.approx((35, 10), abs=0.1)


def test_joint_points():
    joint = np.array([[50, -10, -15], [50, -20, -30], [52, -30, -34], [51, -25, -33.5]], float)
    assert joint_anterior(joint) == pytest.approx([50, -10, -15])
    assert joint_inferior(joint) == pytest.approx([52, -30, -34])


def test_ray_hits_are_ordered_from_the_start():
    box = pv.Box(bounds=(-1, 1, -1, 1, -1, 1)).triangulate()
    hits = ray_hits(box, np.array([0.0, 5.0, 0.0]), np.array([0.0, -5.0, 0.0]))
    assert hits[:, 1] == pytest.approx([1.0, -1.0])


# --- prose and writers ---------------------------------------------------------------------


def test_prose_expands_sides_and_levels():
    raw = {
        "id": "s{level}_thing_{side}",
        "sides": {"right": {}, "left": {}},
        "levels": [1, 2],
        "name": "S{level} thing ({side})",
        "description": "The {ordinal} thing on the {side}.",
    }
    entries = expand(raw, "test")
    ids = {e.id for e in entries}
    assert ids == {"s1_thing_right", "s1_thing_left", "s2_thing_right", "s2_thing_left"}
    first = next(e for e in entries if e.id == "s2_thing_left")
    assert "second" in first.record["description"] and "left" in first.record["description"]


def test_yaml_is_written_with_the_generated_header_and_rounded(tmp_path: Path):
    dump_yaml(tmp_path / "x.yaml", {"a": r1([1.234, 5.678])}, "a test")
    text = (tmp_path / "x.yaml").read_text()
    assert text.startswith("# Generated by `python -m atlas_build` (a test).")
    assert "[1.2, 5.7]" in text
