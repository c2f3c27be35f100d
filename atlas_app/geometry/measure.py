"""Measurements on surfaces: distances, containment, sections, the sacroiliac joint line.

These are what the fidelity tests and the approach metrics ask of the geometry, so they
live here once rather than in each caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

import numpy as np
import pyvista as pv
import vtk
from scipy.spatial import cKDTree
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy

from atlas_app.geometry.centerline import Array

SIDE_SIGN = {"right": 1.0, "left": -1.0}


def implicit_distance(mesh: pv.PolyData) -> vtk.vtkImplicitPolyDataDistance:
    """VTK's signed distance to a closed surface (builds a cell locator: keep it to reuse)."""
    implicit = vtk.vtkImplicitPolyDataDistance()
    implicit.SetInput(mesh)
    return implicit


def evaluate_distance(implicit: vtk.vtkImplicitPolyDataDistance, points: Array) -> Array:
    """The signed distance of every point in one vectorised VTK call (negative inside)."""
    pts = np.ascontiguousarray(points, dtype=float).reshape(-1, 3)
    if len(pts) == 0:
        return np.empty(0)
    out = vtk.vtkDoubleArray()
    implicit.FunctionValue(numpy_to_vtk(pts, deep=True), out)
    return np.asarray(vtk_to_numpy(out), dtype=float)


def signed_distance(mesh: pv.PolyData, points: Array) -> Array:
    """Distance from each point to a closed surface, negative inside it (mm)."""
    return evaluate_distance(implicit_distance(mesh), points)


def inside(mesh: pv.PolyData, points: Array) -> np.ndarray:
    """Whether each point lies inside a closed surface."""
    cloud = pv.PolyData(np.asarray(points, float))
    selected = cloud.select_interior_points(mesh, check_surface=False)
    return np.asarray(selected["selected_points"], dtype=bool)


def front_y(meshes: list[pv.PolyData], x: float, z: float) -> float | None:
    """y of the most anterior surface of these meshes on the AP line through (x, z)."""
    best: float | None = None
    for mesh in meshes:
        hits, _ = mesh.ray_trace((x, 400.0, z), (x, -400.0, z))
        if len(hits):
            y = float(hits[:, 1].max())
            best = y if best is None else max(best, y)
    return best


def section_x_range(mesh: pv.PolyData, z: float) -> tuple[float, float] | None:
    """Smallest and largest x of the mesh's axial section at height z."""
    pts = mesh.slice(normal="z", origin=(0.0, 0.0, z)).points
    if len(pts) == 0:
        return None
    return float(pts[:, 0].min()), float(pts[:, 0].max())


def sacroiliac_joint_front(
    sacrum: pv.PolyData, hip: pv.PolyData, side: str, gap_mm: float = 3.0, band_mm: float = 2.0
) -> Array:
    """The anterior margin of one sacroiliac joint as rows (x, y, z), one per 4 mm of height.

    The joint is where the sacrum's surface comes within ``gap_mm`` of the hip bone; at
    each level its most anterior vertex is the margin a surgeon palpates.
    """
    sac = np.asarray(sacrum.points)
    d, _ = cKDTree(np.asarray(hip.points)).query(sac)
    joint = sac[(d < gap_mm) & (SIDE_SIGN[side] * sac[:, 0] > 0)]
    rows = []
    for z in np.arange(joint[:, 2].min() + band_mm, joint[:, 2].max(), 4.0):
        band = joint[np.abs(joint[:, 2] - z) < band_mm]
        if len(band) >= 3:
            rows.append(band[np.argmax(band[:, 1])])
    return np.asarray(rows)


def joint_x_at(joint_front: Array, z: float) -> float:
    """|x| of the joint's anterior margin at height z (interpolated)."""
    order = np.argsort(joint_front[:, 2])
    return float(np.interp(z, joint_front[order, 2], np.abs(joint_front[order, 0])))


def crossing_z(points: Array, z: float) -> Array | None:
    """The point where a polyline crosses the horizontal plane at height z (first crossing)."""
    dz = points[:, 2] - z
    idx = np.nonzero(np.sign(dz[:-1]) != np.sign(dz[1:]))[0]
    if len(idx) == 0:
        return None
    i = int(idx[0])
    t = dz[i] / (dz[i] - dz[i + 1])
    return points[i] + t * (points[i + 1] - points[i])


VERTEBRAL_LEVELS = ("l3", "l4", "l5")


def vertebral_level(z: float, landmarks: Mapping[str, tuple[float, float, float]]) -> str:
    """Name the level of height z: 'L4 body', 'L4–L5 disc', 'L5 body', … (midline bodies)."""
    spans: list[tuple[str, float, float]] = []
    for lv in VERTEBRAL_LEVELS:
        top, bottom = landmarks.get(f"{lv}_body_top"), landmarks.get(f"{lv}_body_bottom")
        if top is not None and bottom is not None:
            spans.append((f"{lv.upper()} body", bottom[2], top[2]))
    for (upper, lo, _), (lower, _, hi) in pairwise(list(spans)):
        spans.append((f"{upper.split()[0]}–{lower.split()[0]} disc", hi, lo))
    for name, lo, hi in spans:
        if lo <= z <= hi:
            return name
    if spans and z < min(s[1] for s in spans):
        return "below L5"
    return "above L3"
