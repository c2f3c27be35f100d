"""The abdominal wall and the technical note's pathology: schematic shapes placed against the
built anatomy (rectus abdominis, the posterior parietal peritoneum; the right Denis zone 1
fracture, its cement and the leak onto the L5 root)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyvista as pv

from atlas_build.centerlines import Centerline, dense
from atlas_build.writers import r1

Array = np.ndarray
WALL_GAP_MM = 65.0
PERITONEUM_GAP_MM = 6.0


def retro_front(
    meshes: list[pv.PolyData], tubes: list[Centerline], x: float, band: float = 6.0
) -> float:
    """The most anterior y of the retroperitoneum within ``band`` mm of x."""
    y = 10.0
    for mesh in meshes:
        pts = np.asarray(mesh.points)
        near = pts[np.abs(pts[:, 0] - x) < band]
        if len(near):
            y = max(y, float(near[:, 1].max()))
    for tube in tubes:
        near = np.abs(tube.points[:, 0] - x) < band
        if near.any():
            y = max(y, float((tube.points[near, 1] + tube.radii[near]).max()))
    return y


def rectus(meshes: list[pv.PolyData], tubes: list[Centerline], side: str) -> dict[str, Any]:
    sign = 1.0 if side == "right" else -1.0
    front = max(retro_front(meshes, tubes, sign * x) for x in (10.0, 40.0, 70.0))
    return {
        "kind": "parametric",
        "shape": "box",
        "center": r1([sign * 38.0, front + WALL_GAP_MM, 25.0]),
        "size": [64.0, 10.0, 250.0],
    }


def peritoneum(meshes: list[pv.PolyData], tubes: list[Centerline]) -> dict[str, Any]:
    xs = np.linspace(-118.0, 118.0, 17)
    fronts = np.array([retro_front(meshes, tubes, float(x)) + PERITONEUM_GAP_MM for x in xs])
    ys = np.convolve(np.pad(fronts, 2, mode="edge"), np.ones(5) / 5, mode="valid")
    ys = ys + 0.004 * xs**2  # the flanks curve forward toward the lateral abdominal wall
    return {
        "kind": "parametric",
        "shape": "sheet",
        "points": [r1([x, y, 0.0]) for x, y in zip(xs, ys, strict=True)],
        "z_range": [-60.0, 150.0],
        "thickness": 1.5,
    }


def fracture_line(l5: Centerline, sacrum: pv.PolyData, z_top: float, z_bottom: float) -> Array:
    """Where the fracture lies: the x at which the L5 ramus crosses the front of the ala
    halfway down its course over the bone; three points from the front of the ala backward."""
    d = dense(l5, 1.0)
    k = int(np.argmin(np.abs(d.points[:, 2] - 0.5 * (d.points[0, 2] + d.points[-1, 2]))))
    x = abs(float(d.points[k, 0]))
    cut = np.asarray(sacrum.slice(normal="x", origin=(x, 0.0, 0.0)).points)
    band = cut[(cut[:, 2] > z_bottom) & (cut[:, 2] < z_top)]
    front, back = float(band[:, 1].max()), float(band[:, 1].min())
    ys = np.linspace(front - 1.5, back + 1.5, 3)
    return np.array([[x + 0.5 * i, y, 0.0] for i, y in enumerate(ys)])


CEMENT_RADIUS_MM = 4.5
SHEET_MARGIN_MM = 1.5
SHEET_MIN_DEPTH_MM = 10
"""The fracture sheet stays this far inside the bone (its half thickness and a little)."""


def _depth(mesh: pv.PolyData, points: np.ndarray) -> np.ndarray:
    """Signed distance to a closed surface, negative inside (mm)."""
    cloud = pv.PolyData(np.asarray(points, float))
    return np.asarray(cloud.compute_implicit_distance(mesh).point_data["implicit_distance"])


def inside_rectangle(
    sacrum: pv.PolyData, x: float, z_top: float, z_bottom: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The largest rectangle (y from front to back, z from bottom to top) of the plane at
    ``x`` (and 1 mm lateral, the sheet's width) that lies at least :data:`SHEET_MARGIN_MM`
    inside the bone between ``z_bottom`` and ``z_top``: where a vertical fracture sheet can
    run without leaving the ala: the tallest such rectangle at least :data:`SHEET_MIN_DEPTH_MM`
    deep from front to back (the fracture is vertical), the widest of the tallest. Grid of
    1 mm; the classic largest rectangle under a histogram, row by row."""
    ys = np.arange(-100.0, 20.0, 1.0)
    zs = np.arange(z_bottom, z_top + 0.5, 1.0)
    yy, zz = np.meshgrid(ys, zs)
    mask = np.ones(yy.shape, bool)
    for xx in (x, x + 1.0):
        pts = np.column_stack([np.full(yy.size, xx), yy.ravel(), zz.ravel()])
        mask &= (_depth(sacrum, pts) < -SHEET_MARGIN_MM).reshape(yy.shape)
    best = (0, 0, 0, 0, 0, 0)  # height, width, z0, z1, y0, y1 (indices, inclusive)
    heights = np.zeros(len(ys), int)
    for i in range(len(zs)):
        heights = np.where(mask[i], heights + 1, 0)
        stack: list[int] = []
        for j in range(len(ys) + 1):
            h = heights[j] if j < len(ys) else 0
            while stack and heights[stack[-1]] >= h:
                top = stack.pop()
                left = stack[-1] + 1 if stack else 0
                height, width = int(heights[top]), j - left
                if width >= SHEET_MIN_DEPTH_MM and (height, width) > best[:2]:
                    best = (height, width, i - height + 1, i, left, j - 1)
            stack.append(j)
    if best[0] == 0:
        raise ValueError(f"no room for a fracture sheet inside the bone at x = {x:.1f}")
    _, _, z0, z1, y0, y1 = best
    return (float(ys[y1]), float(ys[y0])), (float(zs[z0]), float(zs[z1]))


def pathology(
    l5: Centerline, lst: Centerline, sacrum: pv.PolyData, s2_z: float
) -> dict[str, dict[str, Any]]:
    """The fracture sheet, the cement column in it and the leak around L5 and the trunk."""
    z_top, z_bottom = 25.0, s2_z
    trace = fracture_line(l5, sacrum, z_top, z_bottom)
    x = float(trace[0, 0])
    (y_front, y_back), (z_low, z_high) = inside_rectangle(sacrum, x, z_top, z_bottom)
    trace = np.array([[x + 0.5 * i, y, 0.0] for i, y in enumerate(np.linspace(y_front, y_back, 3))])
    fracture = {
        "kind": "parametric",
        "shape": "sheet",
        "points": [r1(p) for p in trace],
        "z_range": r1([z_low, z_high]),
        "thickness": 1.5,
    }
    mid_y = float(trace[1, 1])
    column = [[x + 0.5, mid_y, float(z)] for z in np.arange(z_high - 2.0, z_low, -6.0)]
    depth = _depth(sacrum, np.asarray(column, float))
    inside = [p for p, d in zip(column, depth, strict=True) if d < -(CEMENT_RADIUS_MM - 1.0)]
    cement = {
        "kind": "parametric",
        "shape": "blob",
        "points": [r1(p) for p in inside],
        "radii": [CEMENT_RADIUS_MM] * len(inside),
    }
    d = dense(l5, 1.0)
    k = int(np.argmin(np.abs(d.points[:, 0] - x)))
    exit_point = d.points[k]
    cut = np.asarray(sacrum.slice(normal="x", origin=(x + 0.2, 0.0, 0.0)).points)
    level = cut[np.abs(cut[:, 2] - exit_point[2]) < 1.5]
    front = float(level[:, 1].max())  # the anterior cortex where the cement came out
    stalk = [
        [x + 0.2, front - 3.0, float(exit_point[2])],
        [x + 0.3, front + 1.5, float(exit_point[2]) - 1.0],
    ]
    nerve = np.vstack([dense(l5, 2.5).points, dense(lst, 2.5).points])
    near = nerve[np.linalg.norm(nerve - exit_point, axis=1) < 14.0]
    near = near[near[:, 2] <= exit_point[2] + 6.0]
    leak = {
        "kind": "parametric",
        "shape": "blob",
        "points": [r1(p) for p in [*stalk, *near]],
        "radii": [1.8, 2.0] + [6.0] * len(near),
    }
    return {"fracture": fracture, "cement": cement, "leak": leak}


def _inside(mesh: pv.PolyData, p: list[float]) -> bool:
    sel = pv.PolyData(np.asarray([p], float)).select_interior_points(mesh, check_surface=False)
    return bool(sel["selected_points"][0])
