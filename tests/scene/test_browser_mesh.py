"""The surfaces the browser draws: decimated and quantised without losing their shape, tubes
swept at the browser's density, and retracted tissue keeping its vertices so it can move."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv

from atlas_app.geometry.deform import DeformedGeometry, Move, deform_centerline, displace
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.geometry_schema import CenterlineGeometry, ParametricGeometry
from atlas_app.model.loader import load_atlas
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import build_specimen
from atlas_app.scene import browser_mesh as bm
from atlas_app.scene import mesh_encoding as enc
from tests.conftest import MINI_ATLAS

SOURCE = [{"ref": "book_a"}]


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(MINI_ATLAS)


def structure(sid: str, geometry) -> Structure:
    return Structure(
        id=sid,
        name=sid.replace("_", " "),
        category="muscle",
        side="midline",
        color="#aa5544",
        description="A shape made for a test.",
        geometry=geometry,
    )


def ellipsoid() -> ParametricGeometry:
    return ParametricGeometry(
        kind="parametric", shape="ellipsoid", center=(0, 0, 0), size=(60, 40, 120), source=SOURCE
    )


def test_a_dense_surface_is_decimated_and_quantised_but_keeps_its_shape() -> None:
    sphere = pv.Sphere(radius=40.0, theta_resolution=120, phi_resolution=120)
    target = bm.browser_triangles(sphere)
    assert target < sphere.n_cells
    mesh = enc.encode_surface(bm.decimated(sphere))
    assert mesh.n_triangles <= 1.05 * target
    assert mesh.points.dtype == np.uint16
    points, strips = enc.decode_blob(enc.full_blob(mesh))
    radii = np.linalg.norm(points, axis=1)
    assert np.all(np.abs(radii - 40.0) < 1.0)  # still a sphere of radius 40 mm
    assert strips is not None and int(strips.max()) < mesh.n_points


def test_a_small_surface_is_left_as_it_is() -> None:
    box = pv.Box().triangulate()
    assert bm.decimated(box).n_cells == box.n_cells


def test_quantisation_is_within_half_a_step() -> None:
    rng = np.random.default_rng(3)
    cloud = pv.Sphere(radius=150.0).translate((12.345, -67.891, 101.112))
    cloud.points = cloud.points + rng.uniform(-0.4, 0.4, size=cloud.points.shape)
    mesh = enc.encode_surface(cloud)
    points, _ = enc.decode_blob(enc.full_blob(mesh))
    kept = np.asarray(cloud.strip().points)
    assert np.abs(points - kept).max() <= enc.QUANTUM_MM / 2 + 1e-3  # float32 origin


def test_a_tube_is_swept_at_the_browsers_density(atlas) -> None:
    nerve = build_specimen(atlas).structures["nerve_right"]
    surface = bm.browser_surface(nerve, atlas.root)
    curve = centerline_curve(nerve.geometry)  # type: ignore[arg-type]
    rings = bm.tube_rings(curve.length)
    sides = bm.tube_sides(float(np.mean(curve.radii)))
    assert rings == round(curve.length / bm.RING_SPACING_MM) + 1
    # rings × sides on the side, two cap centres; split edges add copies at the caps only.
    assert surface.n_points >= rings * sides + 2
    assert surface.n_cells == 2 * (rings - 1) * sides + 2 * sides
    # The tube is as thick as the record says: vertices lie about one radius off the axis.
    axis = bm.resample(curve, 400).points
    d = np.min(np.linalg.norm(surface.points[:, None, :] - axis[None, :, :], axis=2), axis=1)
    r = float(np.mean(curve.radii))
    assert np.median(d) == pytest.approx(r, rel=0.1)


def test_a_retracted_tube_keeps_its_vertices(atlas) -> None:
    nerve = build_specimen(atlas).structures["nerve_right"]
    pts = np.asarray(nerve.geometry.points, float)  # type: ignore[union-attr]
    move = Move(pts[len(pts) // 2], np.array([-12.0, 0.0, 0.0]), 40.0)
    bent = nerve.model_copy(update={"geometry": deform_centerline(nerve.geometry, (move,))})  # type: ignore[arg-type]
    before = bm.browser_mesh(nerve, atlas.root)
    after = bm.browser_mesh(bent, atlas.root, base=nerve)
    assert after.digest != before.digest
    assert after.topology == before.topology
    moved = np.linalg.norm(enc.decode_blob(enc.points_blob(after))[0], axis=1)
    still = np.linalg.norm(enc.decode_blob(enc.points_blob(before))[0], axis=1)
    assert np.abs(moved - still).max() > 5  # it moved, by about the blade's 12 mm


def test_retracted_tissue_is_its_surface_with_the_same_displacement(atlas) -> None:
    base = structure("muscle_a", ellipsoid())
    # a blade bearing on two points of the surface's side, pushing it 10 mm inward
    move = (np.array([[30.0, 0.0, 0.0], [28.0, 8.0, 0.0]]), np.array([-10.0, 0.0, 0.0]), 50.0)
    # As the step engine makes it (a record that is not a data kind: no validation).
    deformed = base.model_copy(
        update={
            "geometry": DeformedGeometry(
                base=ellipsoid().model_dump(),
                moves=(
                    (
                        tuple(tuple(map(float, p)) for p in move[0]),
                        tuple(map(float, move[1])),
                        move[2],
                    ),
                ),
            )
        }
    )
    a = bm.browser_mesh(base, atlas.root)
    b = bm.browser_mesh(deformed, atlas.root)
    assert a.topology == b.topology
    pa, _ = enc.decode_blob(enc.full_blob(a))
    pb, _ = enc.decode_blob(enc.points_blob(b))
    expected = displace(pa, (Move(*move),))
    assert np.abs(pb - expected).max() < 2 * enc.QUANTUM_MM


def test_anchors_lie_on_the_axis_or_the_surface(atlas) -> None:
    nerve = build_specimen(atlas).structures["nerve_right"]
    mesh = bm.browser_mesh(nerve, atlas.root)
    axis = bm.resample(centerline_curve(nerve.geometry), 400).points  # type: ignore[arg-type]
    for anchor in mesh.anchors:
        assert np.min(np.linalg.norm(axis - np.asarray(anchor), axis=1)) < 1.0
    blob = structure("blob_a", ellipsoid())
    m = bm.browser_mesh(blob, atlas.root)
    pts, _ = enc.decode_blob(enc.full_blob(m))
    assert len(m.anchors) == enc.N_ANCHORS
    for anchor in m.anchors:
        assert np.min(np.linalg.norm(pts - np.asarray(anchor), axis=1)) < 0.1
    # spread: no two anchors closer than a fifth of the surface's size
    a = np.asarray(m.anchors)
    d = np.linalg.norm(a[:, None] - a[None, :], axis=2) + np.eye(len(a)) * 1e9
    assert d.min() > 120 / 5


def test_the_same_geometry_gives_the_same_bytes(atlas) -> None:
    nerve = build_specimen(atlas).structures["nerve_right"]
    bm.clear_caches()
    first = enc.full_blob(bm.browser_mesh(nerve, atlas.root))
    bm.clear_caches()
    assert enc.full_blob(bm.browser_mesh(nerve, atlas.root)) == first


def test_the_cache_is_keyed_by_geometry(atlas) -> None:
    nerve = build_specimen(atlas).structures["nerve_right"]
    assert bm.browser_mesh(nerve, atlas.root) is bm.browser_mesh(nerve, atlas.root)
    shifted = [[p[0] + 1, p[1], p[2]] for p in nerve.geometry.points]  # type: ignore[union-attr]
    moved = CenterlineGeometry.model_validate({**nerve.geometry.model_dump(), "points": shifted})
    other = nerve.model_copy(update={"geometry": moved})
    assert bm.browser_mesh(other, atlas.root).digest != bm.browser_mesh(nerve, atlas.root).digest
