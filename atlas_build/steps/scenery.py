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


def pathology(
    l5: Centerline, lst: Centerline, sacrum: pv.PolyData, s2_z: float
) -> dict[str, dict[str, Any]]:
    """The fracture sheet, the cement column in it and the leak around L5 and the trunk."""
    z_top, z_bottom = 25.0, s2_z
    trace = fracture_line(l5, sacrum, z_top, z_bottom)
    x = float(trace[0, 0])
    fracture = {
        "kind": "parametric",
        "shape": "sheet",
        "points": [r1(p) for p in trace],
        "z_range": r1([z_bottom, z_top]),
        "thickness": 1.5,
    }
    mid_y = float(trace[1, 1])
    column = [[x + 0.5, mid_y, float(z)] for z in np.arange(z_top - 4.0, z_bottom, -6.0)]
    inside = [p for p in column if _inside(sacrum, p)]
    cement = {
        "kind": "parametric",
        "shape": "blob",
        "points": [r1(p) for p in inside],
        "radii": [4.5] * len(inside),
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
