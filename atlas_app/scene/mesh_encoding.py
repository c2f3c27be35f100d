"""A structure's browser surface as data and as bytes: its label anchors, its quantised
encoding (:class:`BrowserMesh`) and the blobs that carry it (:mod:`browser_mesh` makes the
surfaces).

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
from typing import Any

import numpy as np
import pyvista as pv
from numpy.typing import NDArray

from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.geometry_schema import CenterlineGeometry

Array = NDArray[np.float64]
Vec3 = tuple[float, float, float]
Bounds = tuple[float, float, float, float, float, float]

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
