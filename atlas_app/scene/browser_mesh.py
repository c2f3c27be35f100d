"""Structure geometry → the small surface the browser draws, and the bytes that carry it.

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
- The **topology** of a surface is a hash of its connectivity and vertex count: two
  surfaces with the same topology can be morphed vertex by vertex, and the browser needs
  their triangles only once (:func:`points_blob` carries only the vertices).
- Each surface carries a few **label anchors**: points the live view may pin its name to
  (along a tube's axis; spread over a surface), best first.

Blobs are little-endian, zlib-compressed (the browser inflates them with
``DecompressionStream``): a 32-byte header (kind ``M`` = points and triangles, ``P`` =
points only; vertex and index counts; origin and scale of the quantised points), the
points as uint16 steps of :data:`QUANTUM_MM` from the origin, then for ``M`` the triangle
strips (VTK's ``[n, i0, i1, …]`` layout) as uint16 or uint32.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyvista as pv
from numpy.typing import NDArray

from atlas_app.caching import Memo, MiB
from atlas_app.geometry.centerline import Curve
from atlas_app.geometry.deform import DeformedGeometry, displace
from atlas_app.geometry.shapes import PARAMETRIC_BUILDERS, centerline_curve, read_mesh, tube
from atlas_app.model.geometry_schema import CenterlineGeometry, MeshGeometry, ParametricGeometry
from atlas_app.model.schema import Structure
from atlas_app.scene.shading import split_normals

Array = NDArray[np.float64]
Vec3 = tuple[float, float, float]
Bounds = tuple[float, float, float, float, float, float]

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
QUANTUM_MM = 0.05
"""Vertices are rounded to this (a screen pixel is about 0.3 mm at full view)."""
N_ANCHORS = 8
ANCHOR_FRACTIONS = (0.5, 0.3, 0.7, 0.15, 0.85)
"""Where along a tube its label may be pinned, best first."""
COMPRESSION_LEVEL = 6
ENCODING_VERSION = 2
"""Bump when the browser surface or its bytes change: it is part of every cache key."""

_HEADER = struct.Struct("<4sIIffff4x")  # magic(kind, version, 2 pad) n_points n_index o s
assert _HEADER.size == 32


def settings_key() -> str:
    """The encoding settings, for cache keys: change one and old surfaces are not reused."""
    return (
        f"v{ENCODING_VERSION}-{MM2_PER_TRIANGLE}-{MIN_TRIANGLES}-{MAX_TRIANGLES}-"
        f"{RING_SPACING_MM}-{TUBE_SIDES_BY_RADIUS}-{QUANTUM_MM}"
    )


@dataclass(frozen=True)
class BrowserMesh:
    """One structure's surface as the browser gets it."""

    digest: str  # content hash of the quantised vertices and the topology
    topology: str  # hash of the connectivity and vertex count
    points: NDArray[np.uint16] | NDArray[np.float32]  # (n, 3) quantised, or float32 mm
    origin: tuple[float, float, float]
    scale: float
    strips: NDArray[np.integer[Any]]  # VTK strip layout
    bounds: Bounds  # mm, atlas frame
    anchors: tuple[Vec3, ...]  # label anchors, best first

    @property
    def n_points(self) -> int:
        return int(self.points.shape[0])

    @property
    def n_triangles(self) -> int:
        """Triangles in the strips (a strip of k vertices holds k − 2)."""
        return _strip_triangles(self.strips)


def _strip_triangles(strips: NDArray[np.integer[Any]]) -> int:
    n, i = 0, 0
    while i < len(strips):
        k = int(strips[i])
        n += max(k - 2, 0)
        i += k + 1
    return n


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


# --- Anchors ----------------------------------------------------------------------------


def _anchor(p: Array) -> Vec3:
    return (round(float(p[0]), 2), round(float(p[1]), 2), round(float(p[2]), 2))


def tube_anchors(geometry: CenterlineGeometry) -> tuple[Vec3, ...]:
    """Points on a tube's axis where its label may be pinned, best first."""
    curve = centerline_curve(geometry)
    pts = np.asarray(curve.points, float)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    at = [f * s[-1] for f in ANCHOR_FRACTIONS]
    return tuple(_anchor(np.array([np.interp(t, s, pts[:, k]) for k in range(3)])) for t in at)


def spread_anchors(points: Array, k: int = N_ANCHORS) -> tuple[Vec3, ...]:
    """``k`` surface points spread over a surface: the vertex nearest its centre first, then
    each next one the farthest from those chosen (farthest-point sampling)."""
    pts = np.asarray(points, float)
    if len(pts) == 0:
        return ()
    first = int(np.argmin(np.linalg.norm(pts - pts.mean(axis=0), axis=1)))
    chosen = [first]
    d = np.linalg.norm(pts - pts[first], axis=1)
    while len(chosen) < min(k, len(pts)):
        nxt = int(np.argmax(d))
        if d[nxt] <= 0:
            break
        chosen.append(nxt)
        d = np.minimum(d, np.linalg.norm(pts - pts[nxt], axis=1))
    return tuple(_anchor(pts[i]) for i in chosen)


# --- Encoding -------------------------------------------------------------------------


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()[:24]


def encode_surface(surface: pv.PolyData, anchors: tuple[Vec3, ...] | None = None) -> BrowserMesh:
    """A surface as the browser gets it: stripped, quantised, hashed."""
    stripped = surface.strip()
    pts = np.asarray(stripped.points, float)
    strips = np.asarray(stripped.strips)
    lo = np.floor(pts.min(axis=0) / QUANTUM_MM) * QUANTUM_MM
    q = np.rint((pts - lo) / QUANTUM_MM)
    points: NDArray[np.uint16] | NDArray[np.float32]
    if q.max(initial=0) <= np.iinfo(np.uint16).max:
        points, scale = q.astype("<u2"), QUANTUM_MM
        origin = (float(np.float32(lo[0])), float(np.float32(lo[1])), float(np.float32(lo[2])))
    else:  # over 3 m across: keep float32
        points, scale, origin = pts.astype("<f4"), 1.0, (0.0, 0.0, 0.0)
    index_type = "<u2" if len(pts) <= np.iinfo(np.uint16).max else "<u4"
    strips = strips.astype(index_type)
    topology = _digest(len(pts).to_bytes(8, "little"), strips.tobytes())
    digest = _digest(
        points.tobytes(), struct.pack("<ffff", *origin, scale), topology.encode("ascii")
    )
    mn, mx = pts.min(axis=0), pts.max(axis=0)
    return BrowserMesh(
        digest=digest,
        topology=topology,
        points=points,
        origin=origin,
        scale=scale,
        strips=strips,
        bounds=(
            float(mn[0]),
            float(mx[0]),
            float(mn[1]),
            float(mx[1]),
            float(mn[2]),
            float(mx[2]),
        ),
        anchors=anchors if anchors is not None else spread_anchors(pts),
    )


def _header(kind: bytes, mesh: BrowserMesh, n_index: int) -> bytes:
    flags = 1 if mesh.points.dtype == np.float32 else 0
    flags |= 2 if mesh.strips.dtype.itemsize == 4 else 0
    magic = kind + bytes([ENCODING_VERSION, flags, 0])
    return _HEADER.pack(magic, mesh.n_points, n_index, *mesh.origin, mesh.scale)


def _padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def blob_size(mesh: BrowserMesh, with_triangles: bool) -> int:
    """The unpacked size of :func:`full_blob` or :func:`points_blob` (the browser makes its
    buffer that size at once)."""
    size = _HEADER.size + len(_padded(mesh.points.tobytes()))
    return size + (mesh.strips.nbytes if with_triangles else 0)


def full_blob(mesh: BrowserMesh) -> bytes:
    """Vertices and triangle strips (kind ``M``), compressed."""
    raw = (
        _header(b"M", mesh, len(mesh.strips))
        + _padded(mesh.points.tobytes())
        + mesh.strips.tobytes()
    )
    return zlib.compress(raw, COMPRESSION_LEVEL)


def points_blob(mesh: BrowserMesh) -> bytes:
    """Vertices only (kind ``P``): the browser has the triangles of this topology."""
    raw = _header(b"P", mesh, 0) + _padded(mesh.points.tobytes())
    return zlib.compress(raw, COMPRESSION_LEVEL)


def decode_blob(data: bytes) -> tuple[Array, NDArray[np.integer[Any]] | None]:
    """A blob back to vertices (mm) and strips (None for a vertices-only blob): what the
    browser reads (frontend/src/codec.js), for tests and checks on the server."""
    raw = zlib.decompress(data)
    magic, n_points, n_index, ox, oy, oz, scale = _HEADER.unpack_from(raw)
    kind, flags = magic[:1], magic[2]
    point_type = "<f4" if flags & 1 else "<u2"
    size = np.dtype(point_type).itemsize * 3 * n_points
    q = np.frombuffer(raw, dtype=point_type, count=3 * n_points, offset=_HEADER.size)
    points = q.reshape(-1, 3).astype(float) * scale + np.array([ox, oy, oz])
    if kind == b"P":
        return points, None
    start = _HEADER.size + size + (-size % 4)
    strips = np.frombuffer(raw, dtype="<u4" if flags & 2 else "<u2", count=n_index, offset=start)
    return points, strips


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
