"""Structure geometry → the small surface the browser draws, encoded once per geometry.

What the live viewer gets for each structure is made here, once per distinct geometry:

- **Tubes** (nerves, vessels, ureters: centerline records) are swept afresh at the
  browser's density — rings every :data:`RING_SPACING_MM` along the smooth curve, sides by
  calibre — rather than decimated: a decimated tube shades badly, and a swept one keeps
  the same vertices in the same order when retraction bends it, so the viewer can move
  each vertex from one step's shape to the next.
- **Surfaces** (bones, muscles, discs from mesh files; parametric shapes) are decimated
  to about one triangle per :data:`MM2_PER_TRIANGLE`. A retracted surface (the step
  engine's :class:`~atlas_app.geometry.deform.DeformedGeometry`) is the decimated surface
  of its unretracted base with the same displacement applied to its vertices (the rule the
  geometry layer applies to the full surface), so it too keeps its vertices. Cones (the
  working corridor, instruments) keep their fixed sweep.
- Each is encoded once (:mod:`mesh_encoding`: label anchors, quantised vertices, the
  blobs), remembered by its geometry.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvista as pv

from atlas_app.caching import Memo, MiB
from atlas_app.geometry.centerline import Curve
from atlas_app.geometry.deform import DeformedGeometry, displace
from atlas_app.geometry.shapes import PARAMETRIC_BUILDERS, centerline_curve, read_mesh, tube
from atlas_app.model.geometry_schema import CenterlineGeometry, MeshGeometry, ParametricGeometry
from atlas_app.model.schema import Structure
from atlas_app.scene.mesh_encoding import (
    ENCODING_VERSION,
    QUANTUM_MM,
    BrowserMesh,
    encode_surface,
    full_blob,
    points_blob,
    tube_anchors,
)
from atlas_app.scene.shading import split_normals

MM2_PER_TRIANGLE = 6.0
MIN_TRIANGLES = 300
MAX_TRIANGLES = 3000
"""A decimated surface keeps about one triangle per 6 mm² (a 3.7 mm edge), never fewer
than 300 nor more than 3000 (nor more than it has)."""
RING_SPACING_MM = 4.0
"""Tubes get a ring of vertices about every 4 mm of their length."""
MIN_RINGS = 4
MAX_RINGS = 160
TUBE_SIDES_BY_RADIUS = ((2.5, 8), (5.0, 10), (float("inf"), 14))
"""Sides of a tube by its mean radius (mm): thin nerves need fewer to look round."""


def settings_key() -> str:
    """The encoding settings, for cache keys: change one and old surfaces are not reused."""
    return (
        f"v{ENCODING_VERSION}-{MM2_PER_TRIANGLE}-{MIN_TRIANGLES}-{MAX_TRIANGLES}-"
        f"{RING_SPACING_MM}-{TUBE_SIDES_BY_RADIUS}-{QUANTUM_MM}"
    )


# --- Surfaces at the browser's density --------------------------------------------------


def browser_triangles(mesh: pv.PolyData) -> int:
    """How many triangles a decimated surface keeps."""
    target = max(MIN_TRIANGLES, int(mesh.area / MM2_PER_TRIANGLE))
    return min(mesh.n_cells, target, MAX_TRIANGLES)


def decimated(mesh: pv.PolyData) -> pv.PolyData:
    """The surface decimated to the browser's density (untouched when already near it)."""
    surface = mesh if mesh.is_all_triangles else mesh.triangulate()
    target = browser_triangles(surface)
    if target < 0.9 * surface.n_cells:
        surface = surface.decimate(1.0 - target / surface.n_cells, volume_preservation=True)
    return surface


def tube_sides(radius_mm: float) -> int:
    return next(sides for limit, sides in TUBE_SIDES_BY_RADIUS if radius_mm < limit)


def tube_rings(length_mm: float) -> int:
    return int(np.clip(round(length_mm / RING_SPACING_MM) + 1, MIN_RINGS, MAX_RINGS))


def resample(curve: Curve, n: int) -> Curve:
    """``n`` points evenly spaced along the curve (by arc length), radii interpolated."""
    pts = np.asarray(curve.points, float)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    t = np.linspace(0.0, s[-1], n)
    out = np.stack([np.interp(t, s, pts[:, k]) for k in range(3)], axis=1)
    return Curve(out, np.interp(t, s, np.asarray(curve.radii, float)))


def browser_tube(geometry: CenterlineGeometry, shape_of: CenterlineGeometry) -> pv.PolyData:
    """The tube of ``geometry`` with the rings and sides ``shape_of`` would get (its
    unretracted self): the same vertex count and order whatever the bending."""
    reference = centerline_curve(shape_of)
    n, sides = tube_rings(reference.length), tube_sides(float(np.mean(reference.radii)))
    normal = None if geometry.flat_normal is None else np.asarray(geometry.flat_normal, float)
    return tube(resample(centerline_curve(geometry), n), geometry.aspect, normal, sides)


def split_sharp_edges(surface: pv.PolyData) -> pv.PolyData:
    """The surface with its vertices doubled along sharp edges, without the normals: the
    browser computes smooth normals per vertex, and a tube's cap must not be smoothed into
    its side."""
    split = split_normals(surface)
    return pv.PolyData(split.points, split.faces)


def _fixed_topology(g: ParametricGeometry) -> bool:
    # A cone is a fixed 12 × 32 sweep: kept whole, the corridor and the instruments keep
    # their vertices from step to step and can move smoothly.
    return g.shape == "cone"


def _plain_surface(geometry: MeshGeometry | ParametricGeometry, atlas_root: Path) -> pv.PolyData:
    if isinstance(geometry, MeshGeometry):
        return split_sharp_edges(decimated(read_mesh(atlas_root / geometry.file)))
    full = PARAMETRIC_BUILDERS[geometry.shape](geometry)
    return split_sharp_edges(full if _fixed_topology(geometry) else decimated(full))


def _base_geometry(data: dict[str, object]) -> MeshGeometry | ParametricGeometry:
    if data.get("kind") == "mesh":
        return MeshGeometry.model_validate(data)
    return ParametricGeometry.model_validate(data)


def browser_surface(
    structure: Structure, atlas_root: Path, base: Structure | None = None
) -> pv.PolyData:
    """The surface the browser draws for ``structure``. ``base`` is the same structure
    before retraction (an approach step's field): a tube then keeps the base's rings."""
    g = structure.geometry
    if isinstance(g, CenterlineGeometry):
        b = base.geometry if base is not None else None
        shape_of = b if isinstance(b, CenterlineGeometry) else g
        return split_sharp_edges(browser_tube(g, shape_of))
    if isinstance(g, DeformedGeometry):
        surface = _plain_surface(_base_geometry(g.base), atlas_root).copy()
        surface.points = displace(np.asarray(surface.points), g.as_moves())
        return surface
    if isinstance(g, MeshGeometry | ParametricGeometry):
        return _plain_surface(g, atlas_root)
    raise TypeError(f"{structure.id}: unresolved {g.kind} geometry")


# --- Cached by geometry ---------------------------------------------------------------


# A specimen's encoded surfaces take about 0.4 MB, their blobs as much. VTK filters may
# touch their input's state: one maker at a time (serial).
_meshes: Memo[str, BrowserMesh] = Memo(max_bytes=32 * MiB, serial=True)
_blobs: Memo[str, bytes] = Memo(max_bytes=32 * MiB, serial=True)


def structure_mesh_key(structure: Structure, atlas_root: Path, base: Structure | None) -> str:
    shape = "" if base is None else base.geometry.model_dump_json()
    return f"{settings_key()}|{atlas_root}|{structure.geometry.model_dump_json()}|{shape}"


def browser_mesh(
    structure: Structure, atlas_root: Path, base: Structure | None = None
) -> BrowserMesh:
    """:func:`browser_surface` encoded, remembered by the geometry (and its base's)."""
    if base is not None and not isinstance(base.geometry, CenterlineGeometry):
        base = None  # only a tube's shape depends on its base

    def make() -> BrowserMesh:
        surface = browser_surface(structure, atlas_root, base)
        g = structure.geometry
        anchors = tube_anchors(g) if isinstance(g, CenterlineGeometry) else None
        return encode_surface(surface, anchors)

    return _meshes.get_or_make(structure_mesh_key(structure, atlas_root, base), make)


def blob(mesh: BrowserMesh, with_triangles: bool) -> bytes:
    """:func:`full_blob` or :func:`points_blob`, remembered by the mesh's digest."""
    key = f"{mesh.digest}:{'M' if with_triangles else 'P'}"
    make = (lambda: full_blob(mesh)) if with_triangles else (lambda: points_blob(mesh))
    return _blobs.get_or_make(key, make)


def clear_caches() -> None:
    """Forget the encoded surfaces (tests, benchmarks)."""
    _meshes.clear()
    _blobs.clear()
