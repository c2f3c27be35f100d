"""Looking at a surface along one direction: depth maps by parallel rays, and the pits and
holes they show (sacral foramina, the obturator foramen).

A view is an orthonormal frame (right, toward the viewer, up). Every ray of a regular grid
in the (right, up) plane travels against ``toward``; the depth map holds, per ray, the
nearest hit (largest ``toward`` coordinate), the farthest hit and the number of hits. It is
computed by rasterising the triangles (exact for parallel rays, no ray tracer needed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from scipy import ndimage as ndi

Array = np.ndarray


@dataclass(frozen=True)
class View:
    """An orthonormal frame: rays travel along ``-toward``; the image has ``right`` and ``up``."""

    right: Array
    toward: Array
    up: Array

    @classmethod
    def tilted(cls, toward: Array, up_hint: Array | None = None) -> View:
        """The view looking against ``toward``, its image's up as close to ``up_hint`` (+z)
        as the direction allows."""
        if up_hint is None:
            up_hint = np.array([0.0, 0.0, 1.0])
        t = np.asarray(toward, float)
        t = t / np.linalg.norm(t)
        r = np.cross(up_hint, t)
        r = r / np.linalg.norm(r)
        return cls(r, t, np.cross(t, r))

    def rows(self) -> Array:
        return np.stack([self.right, self.toward, self.up])

    def to_view(self, points: Array) -> Array:
        return np.asarray(points, float) @ self.rows().T

    def to_world(self, points: Array) -> Array:
        return np.asarray(points, float) @ self.rows()


@dataclass(frozen=True)
class DepthMap:
    """Per ray of a grid (rows: up, columns: right): nearest and farthest hit, hit count."""

    view: View
    us: Array
    vs: Array
    near: Array
    far: Array
    hits: Array

    @property
    def silhouette(self) -> Array:
        """Rays that hit, with enclosed misses (see-through holes) filled in."""
        return np.asarray(ndi.binary_fill_holes(self.hits > 0))

    def world(self, row: float, col: float, depth: float) -> Array:
        """The point at fractional grid position (row, col) and depth along ``toward``."""
        u = np.interp(col, np.arange(len(self.us)), self.us)
        v = np.interp(row, np.arange(len(self.vs)), self.vs)
        return self.view.to_world(np.array([u, depth, v]))


def depth_map(mesh: pv.PolyData, view: View, step_mm: float = 0.5, margin: float = 2.0) -> DepthMap:
    """The depth map of a triangulated surface seen along ``view``."""
    tri = mesh.triangulate()
    faces = np.asarray(tri.faces).reshape(-1, 4)[:, 1:]
    p = view.to_view(np.asarray(tri.points))
    us = np.arange(p[:, 0].min() - margin, p[:, 0].max() + margin, step_mm)
    vs = np.arange(p[:, 2].min() - margin, p[:, 2].max() + margin, step_mm)
    near = np.full((len(vs), len(us)), -np.inf)
    far = np.full((len(vs), len(us)), np.inf)
    hits = np.zeros((len(vs), len(us)), dtype=int)
    corners = p[faces]
    u, w, v = corners[:, :, 0], corners[:, :, 1], corners[:, :, 2]
    i0 = np.ceil((u.min(1) - us[0]) / step_mm).astype(int)
    i1 = np.floor((u.max(1) - us[0]) / step_mm).astype(int)
    j0 = np.ceil((v.min(1) - vs[0]) / step_mm).astype(int)
    j1 = np.floor((v.max(1) - vs[0]) / step_mm).astype(int)
    for t in np.nonzero((i1 >= i0) & (j1 >= j0))[0]:
        cols = np.arange(i0[t], i1[t] + 1)
        rows = np.arange(j0[t], j1[t] + 1)
        gu, gv = np.meshgrid(us[cols], vs[rows])
        (u0, u1, u2), (v0, v1, v2) = u[t], v[t]
        den = (v1 - v2) * (u0 - u2) + (u2 - u1) * (v0 - v2)
        if abs(den) < 1e-12:
            continue
        a = ((v1 - v2) * (gu - u2) + (u2 - u1) * (gv - v2)) / den
        b = ((v2 - v0) * (gu - u2) + (u0 - u2) * (gv - v2)) / den
        c = 1.0 - a - b
        inside = (a >= 0) & (b >= 0) & (c >= 0)
        if not inside.any():
            continue
        d = a * w[t, 0] + b * w[t, 1] + c * w[t, 2]
        rr, cc = np.meshgrid(rows, cols, indexing="ij")
        idx = (rr[inside], cc[inside])
        np.maximum.at(near, idx, d[inside])
        np.minimum.at(far, idx, d[inside])
        np.add.at(hits, idx, 1)
    near[hits == 0] = np.nan
    far[hits == 0] = np.nan
    return DepthMap(view, us, vs, near, far, hits)


@dataclass(frozen=True)
class Pit:
    """A pit or hole in a depth map: its mouth (on the surface closed over it), its area in
    the view and its greatest depth below that closed surface."""

    mouth: Array
    area_mm2: float
    depth_mm: float


def pits(
    dm: DepthMap, close_mm: float = 12.0, min_depth_mm: float = 5.0, min_area_mm2: float = 8.0
) -> list[Pit]:
    """Pits and see-through holes of the nearest surface, larger than a few square mm.

    The surface closed over its pits is the grey closing of the depth map (a window of
    ``close_mm``); a pit is a connected region more than ``min_depth_mm`` below it. A
    see-through hole counts as infinitely deep. Its mouth is the closed surface over the
    region's centre.
    """
    step = float(dm.us[1] - dm.us[0])
    inside = dm.silhouette
    floor = np.nanmin(dm.near) - 50.0
    filled = np.where(inside, np.nan_to_num(dm.near, nan=floor), floor)
    size = max(3, round(close_mm / step) | 1)
    closed = ndi.grey_closing(filled, size=(size, size))
    depth = np.where(inside, closed - filled, 0.0)
    labels, n = ndi.label(depth > min_depth_mm)
    found = []
    for k in range(1, n + 1):
        mask = labels == k
        area = float(mask.sum()) * step * step
        if area < min_area_mm2:
            continue
        rows, cols = np.nonzero(mask)
        r, c = float(rows.mean()), float(cols.mean())
        mouth_depth = float(closed[rows, cols].mean())
        found.append(Pit(dm.world(r, c, mouth_depth), area, float(depth[mask].max())))
    return found
