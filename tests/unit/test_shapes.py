"""Surface builders: every shape is closed, manifold, outward, and the size it says."""

from __future__ import annotations

import numpy as np
import pytest

from atlas_app.geometry.centerline import (
    curve_gap,
    densify,
    nearest_on_polyline,
    transport_frames,
)
from atlas_app.geometry.shapes import blob, box, ellipsoid, sheet, tube
from atlas_app.model.geometry_schema import ParametricGeometry

SRC = [{"ref": "x"}]


def closed(mesh) -> bool:
    return mesh.n_open_edges == 0 and mesh.is_manifold and mesh.volume > 0


def test_densified_curve_passes_through_control_points():
    ctrl = np.array([[0, 0, 0], [10, 5, 0], [20, 0, 10.0]])
    c = densify(ctrl, np.array([2, 3, 2.0]), step_mm=1.0)
    for p in ctrl:
        assert nearest_on_polyline(p[None], c.points).distance[0] < 0.05
    assert c.radii.min() >= 2 - 1e-9 and c.radii.max() <= 3 + 1e-9


def test_straight_tube_volume_matches_a_cylinder():
    c = densify(np.array([[0, 0, 0], [0, 0, 100.0]]), np.array([5.0, 5.0]))
    m = tube(c, sides=64)
    assert closed(m)
    assert m.volume == pytest.approx(np.pi * 25 * 100, rel=0.01)


def test_band_is_thin_along_its_flat_normal():
    c = densify(np.array([[0, 0, 0], [0, 0, 50.0]]), np.array([5.5, 5.5]))
    m = tube(c, aspect=4 / 11, flat_normal=np.array([0, 1.0, 0]))
    assert closed(m)
    x0, x1, y0, y1, *_ = m.bounds
    assert x1 - x0 == pytest.approx(11, abs=0.3)
    assert y1 - y0 == pytest.approx(4, abs=0.3)


def test_frames_do_not_twist_on_a_helix():
    s = np.linspace(0, 4 * np.pi, 200)
    pts = np.stack([10 * np.cos(s), 10 * np.sin(s), 3 * s], 1)
    t, n, _ = transport_frames(pts)
    assert np.allclose((t * n).sum(1), 0, atol=1e-6)
    assert np.allclose(np.linalg.norm(n, axis=1), 1)
    assert np.min((n[1:] * n[:-1]).sum(1)) > 0.95


def test_gap_between_tubes():
    a = densify(np.array([[0, 0, 0], [0, 0, 10.0]]), np.array([1.0, 1.0]))
    b = densify(np.array([[5, -5, 5], [5, 5, 5.0]]), np.array([2.0, 2.0]))
    assert curve_gap(a, b) == pytest.approx(2.0, abs=0.05)


@pytest.mark.parametrize(
    "params, volume",
    [
        (dict(shape="ellipsoid", center=[1, 2, 3], size=[10, 4, 2]), np.pi / 6 * 80),
        (
            dict(
                shape="box",
                center=[0, 0, 0],
                size=[10, 4, 2],
                axes=[[1, 1, 0], [-1, 1, 0], [0, 0, 1]],
            ),
            80.0,
        ),
        (
            dict(
                shape="sheet",
                points=[[0, 0, 0], [10, 0, 0], [20, 0, 0]],
                z_range=[-5, 5],
                thickness=1.0,
            ),
            200.0,
        ),
        (dict(shape="blob", points=[[0, 0, 0]], radii=[5.0]), 4 / 3 * np.pi * 125),
    ],
)
def test_parametric_shapes_are_closed_and_sized(params, volume):
    g = ParametricGeometry(kind="parametric", source=SRC, **params)
    m = {"ellipsoid": ellipsoid, "box": box, "sheet": sheet, "blob": blob}[g.shape](g)
    assert closed(m)
    assert m.volume == pytest.approx(volume, rel=0.06)
