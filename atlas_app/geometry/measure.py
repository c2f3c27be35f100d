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
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy

from atlas_app.geometry.centerline import Array


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
