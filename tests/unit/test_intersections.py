"""Pairs that pass through each other: tubes, bands and solids built by hand, measured."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv
import vtk

from atlas_app.geometry.centerline import Curve, densify
from atlas_app.geometry.intersections import (
    CONTACT_TOLERANCE_MM,
    Body,
    band_strands,
    find_intersections,
    penetration,
    surface_distance,
)


def tube(name: str, points, radius: float, aspect: float = 1.0, flat_normal=None) -> Body:
    pts = np.asarray(points, float)
    curve = densify(pts, np.full(len(pts), radius))
    normal = None if flat_normal is None else np.asarray(flat_normal, float)
    return Body(name, f"{name}-{radius}-{aspect}", curve, band_strands(curve, aspect, normal))


def cube(name: str, lo, hi) -> Body:
    (x0, y0, z0), (x1, y1, z1) = lo, hi
    surface = pv.Box(bounds=(x0, x1, y0, y1, z0, z1), level=4).triangulate()
    return Body(name, f"{name}-{lo}-{hi}", surface=surface)


@pytest.mark.parametrize("gap, expected", [(6.0, None), (4.2, None), (3.0, 2.0), (0.0, 5.0)])
def test_crossing_tubes_overlap_by_the_sum_of_radii_minus_their_distance(gap, expected):
    a = tube("a", [[-30, 0, 0], [30, 0, 0]], 2.0)
    b = tube("b", [[0, -30, gap], [0, 30, gap]], 3.0)
    found = penetration(a, b)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.depth_mm == pytest.approx(expected, abs=0.05)
        assert np.allclose(found.point, (0, 0, gap / 2), atol=1.0)


def test_a_tube_running_inside_another_is_measured_along_its_length():
    inner = tube("inner", [[0, 0, 0], [0, 0, 40]], 1.5)
    outer = tube("outer", [[1, 0, -60], [1, 0, 100]], 6.0)
    found = penetration(inner, outer)
    assert found is not None
    assert found.depth_mm == pytest.approx(6.5, abs=0.05)
    assert found.length_mm == pytest.approx(40, abs=2.5)


def test_tube_through_a_solid_counts_its_radius():
    box = cube("box", (-10, -10, -10), (10, 10, 10))
    rod = tube("rod", [[-40, 0, 0], [40, 0, 0]], 2.0)
    found = penetration(rod, box)
    assert found is not None
    assert found.depth_mm == pytest.approx(12.0, abs=0.1)  # 10 mm to the surface + the radius
    # Inside the box (20 mm), plus where the tube's wall reaches in beyond the tolerance.
    assert found.length_mm == pytest.approx(20 + 2 * (2.0 - CONTACT_TOLERANCE_MM), abs=2.5)


@pytest.mark.parametrize("centre_height, reported", [(2.0, False), (1.2, False), (0.5, True)])
def test_a_tube_lying_on_a_solid_is_contact_until_it_sinks_past_the_tolerance(
    centre_height, reported
):
    box = cube("box", (-20, -20, -20), (20, 20, 0))
    rod = tube("rod", [[-15, 0, centre_height], [15, 0, centre_height]], 2.0)
    found = penetration(rod, box)
    assert (found is not None) == reported
    if found is not None:
        assert found.depth_mm == pytest.approx(2.0 - centre_height, abs=0.05)


def test_a_thin_tube_may_sink_no_more_than_half_its_radius():
    box = cube("box", (-20, -20, -20), (20, 20, 0))
    nerve = tube("nerve", [[-15, 0, 0.2], [15, 0, 0.2]], 1.0)  # 0.8 mm in: < 1 mm, > r/2
    found = penetration(nerve, box)
    assert found is not None and found.depth_mm == pytest.approx(0.8, abs=0.05)


@pytest.mark.parametrize("flat_normal, expected", [((0, 0, 1), None), ((0, 1, 0), 5.7 - 2.5)])
def test_a_band_is_measured_by_its_flat_section_not_its_width(flat_normal, expected):
    """An 11.4 × 4 mm band 2.5 mm above a bone: lying flat it touches nothing; on edge its
    width reaches 3.2 mm in (a round tube of the band's width would always be 3.2 deep)."""
    box = cube("box", (-30, -30, -30), (30, 30, 0))
    band = tube(
        "band", [[-20, 0, 2.5], [20, 0, 2.5]], 5.7, aspect=2.0 / 5.7, flat_normal=flat_normal
    )
    found = penetration(band, box)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.depth_mm == pytest.approx(expected, abs=0.3)


def test_band_strands_fill_the_ellipse_and_stay_inside_it():
    a, aspect = 5.7, 0.35
    straight = densify(np.array([[0.0, 0, 0], [0, 0, 10]]), np.array([a, a]))
    strands = band_strands(straight, aspect, np.array([1.0, 0, 0]))  # thin along x, wide along y
    centres = np.array([s.points[0] for s in strands])
    radii = np.array([s.radii[0] for s in strands])
    # Inside: every circle's farthest point along y stays within the ellipse's half-width.
    assert np.all(np.abs(centres[:, 1]) + radii <= a + 1e-9)
    assert np.all(np.abs(centres[:, 0]) < 1e-9)
    # Filling: across the width, the union falls short of the ellipse by ≤ 4 % of a.
    y = np.linspace(-a, a, 801)
    ellipse = aspect * a * np.sqrt(np.clip(1 - (y / a) ** 2, 0, None))
    union = np.max(
        np.sqrt(np.clip(radii[None, :] ** 2 - (y[:, None] - centres[None, :, 1]) ** 2, 0, None)),
        axis=1,
    )
    assert np.max(ellipse - union) <= 0.04 * a


@pytest.mark.parametrize("shift, expected", [(17.0, 3.0), (21.0, None)])
def test_solids_overlap_by_how_deep_one_enters_the_other(shift, expected):
    a = cube("a", (0, 0, 0), (20, 20, 20))
    b = cube("b", (shift, 0, 0), (shift + 20, 20, 20))
    found = penetration(a, b)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.depth_mm == pytest.approx(expected, abs=0.05)
        # The extent of the vertices deeper than the tolerance: the 20 mm face, less up to a
        # vertex spacing (4 mm on these boxes, more than the tolerance) at each edge.
        assert 20 - 2 * 4 <= found.length_mm <= 20


def test_signed_distance_is_one_vectorised_call_matching_vtk_point_by_point():
    box = cube("box", (-10, -10, -10), (10, 10, 10))
    pts = np.random.default_rng(0).uniform(-20, 20, (200, 3))
    implicit = vtk.vtkImplicitPolyDataDistance()
    implicit.SetInput(box.surface)
    one_by_one = np.array([implicit.EvaluateFunction(p) for p in pts])
    assert np.allclose(surface_distance(box, pts), one_by_one)
    assert surface_distance(box, np.zeros((1, 3)))[0] == pytest.approx(-10.0)


def test_find_intersections_names_each_pair_once_and_can_keep_to_some_ids():
    bodies = {
        "a": tube("a", [[-30, 0, 0], [30, 0, 0]], 2.0),
        "b": tube("b", [[0, -30, 1], [0, 30, 1]], 2.0),
        "c": tube("c", [[0, -30, 50], [0, 30, 50]], 2.0),
        "d": cube("d", (-5, 20, -5), (5, 40, 5)),
    }
    found = find_intersections(bodies)
    assert [(i.a, i.b) for i in found] == [("a", "b"), ("b", "d")]
    assert [(i.a, i.b) for i in find_intersections(bodies, only=["d"])] == [("b", "d")]
    assert "pass through each other" in found[0].describe()


def test_curve_of_a_body_is_its_densified_centreline():
    body = tube("t", [[0, 0, 0], [0, 0, 10], [0, 5, 20]], 1.0)
    assert body.hull is not None and isinstance(body.hull, Curve)
    assert body.strands == (body.hull,)
    lo, hi = body.bounds
    assert np.allclose(lo[2], -1.0) and np.allclose(hi[2], 21.0, atol=0.5)
