"""Which structure is seen at each pixel of a still: a small z-buffer rasteriser in numpy.

The still of a "click the named structure" item is drawn by the render worker (VTK, in its
own process). To grade a click, this module draws the same scene again as structure
indices only: it projects every triangle of the visible meshes with the scene's camera
exactly as VTK does (perspective with a vertical view angle, or parallel), and keeps the
nearest triangle at each pixel centre. No OpenGL, so it runs in the app's process and in
tests; it agrees with VTK's own identity pass except along outlines (tested).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyvista as pv
from numpy.typing import NDArray

from atlas_app.model.camera import CameraSpec

Array = NDArray[np.float64]
_BUCKETS = ((0, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32), (32, 64), (64, 128))
_CHUNK = 1_500_000  # candidate pixels per vectorised pass (memory bound)


def camera_frame(camera: CameraSpec) -> tuple[Array, Array, Array, Array]:
    """Camera position and the unit vectors of view direction, screen up and screen right."""
    pos = np.asarray(camera.position, float)
    d = np.asarray(camera.focal_point, float) - pos
    d /= np.linalg.norm(d)
    up = np.asarray(camera.view_up, float)
    up = up - (up @ d) * d
    up /= np.linalg.norm(up)
    return pos, d, up, np.cross(d, up)


def project(points: Array, camera: CameraSpec, size: tuple[int, int]) -> tuple[Array, Array, Array]:
    """Pixel x (from the left), pixel y (from the top) and depth of each point."""
    width, height = size
    pos, d, up, right = camera_frame(camera)
    rel = np.asarray(points, float) - pos
    depth = rel @ d
    xc, yc = rel @ right, rel @ up
    if camera.parallel_scale is not None:
        half_h = np.full_like(depth, camera.parallel_scale)
    else:
        half_h = np.maximum(depth, 1e-9) * np.tan(np.radians(camera.view_angle) / 2)
    ndc_x = xc / (half_h * width / height)
    ndc_y = yc / half_h
    return (ndc_x + 1) / 2 * width, (1 - ndc_y) / 2 * height, depth


def _triangles(mesh: pv.PolyData) -> Array:
    faces = np.asarray(mesh.faces)
    if len(faces) and not mesh.is_all_triangles:
        mesh = mesh.triangulate()
        faces = np.asarray(mesh.faces)
    return np.asarray(mesh.points, float)[faces.reshape(-1, 4)[:, 1:]]


def label_map(
    meshes: Mapping[str, pv.PolyData], camera: CameraSpec, size: tuple[int, int]
) -> tuple[NDArray[np.int16], tuple[str, ...]]:
    """For each pixel of a ``size`` (width, height) image: the index (into the returned ids)
    of the nearest structure seen there, or -1 for background."""
    width, height = size
    ids = tuple(meshes)
    tris = [_triangles(meshes[k]) for k in ids]
    owner = np.concatenate([np.full(len(t), i, np.int16) for i, t in enumerate(tris)])
    allt = np.concatenate(tris) if tris else np.zeros((0, 3, 3))
    px, py, dp = project(allt.reshape(-1, 3), camera, size)
    px, py, dp = px.reshape(-1, 3), py.reshape(-1, 3), dp.reshape(-1, 3)
    front = (dp > 1e-3).all(axis=1)
    px, py, dp, owner = px[front], py[front], dp[front], owner[front]
    # Pixel centres (i + 0.5) each triangle may cover.
    x0 = np.maximum(np.ceil(px.min(1) - 0.5), 0).astype(np.int64)
    x1 = np.minimum(np.floor(px.max(1) - 0.5), width - 1).astype(np.int64)
    y0 = np.maximum(np.ceil(py.min(1) - 0.5), 0).astype(np.int64)
    y1 = np.minimum(np.floor(py.max(1) - 0.5), height - 1).astype(np.int64)
    w, h = x1 - x0 + 1, y1 - y0 + 1
    span = np.maximum(w, h)
    live = (w > 0) & (h > 0)
    inv = 1.0 / dp
    pix: list[NDArray[np.int64]] = []
    dep: list[Array] = []
    who: list[NDArray[np.int16]] = []
    largest = int(span[live].max()) if live.any() else 0
    buckets = [*_BUCKETS, (128, max(largest, 129))]
    for lo, hi in buckets:
        sel = np.nonzero(live & (span > lo) & (span <= hi))[0]
        if not len(sel):
            continue
        k = hi
        oy, ox = (a.ravel()[None, :] for a in np.mgrid[0:k, 0:k])
        for chunk in np.array_split(sel, max(1, len(sel) * k * k // _CHUNK + 1)):
            cx, cy = x0[chunk, None] + ox, y0[chunk, None] + oy
            valid = (ox < w[chunk, None]) & (oy < h[chunk, None])
            sx, sy = cx + 0.5, cy + 0.5
            ax, ay = px[chunk, 0, None], py[chunk, 0, None]
            bx, by = px[chunk, 1, None], py[chunk, 1, None]
            qx, qy = px[chunk, 2, None], py[chunk, 2, None]
            area = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax)
            ok = np.abs(area) > 1e-12
            area = np.where(ok, area, 1.0)
            w0 = ((bx - sx) * (qy - sy) - (by - sy) * (qx - sx)) / area
            w1 = ((qx - sx) * (ay - sy) - (qy - sy) * (ax - sx)) / area
            w2 = 1.0 - w0 - w1
            inside = valid & ok & (w0 >= -1e-9) & (w1 >= -1e-9) & (w2 >= -1e-9)
            # 1/depth is linear in screen space: interpolate it, then invert.
            iz = w0 * inv[chunk, 0, None] + w1 * inv[chunk, 1, None] + w2 * inv[chunk, 2, None]
            r, c = np.nonzero(inside)
            pix.append(cy[r, c] * width + cx[r, c])
            dep.append(1.0 / iz[r, c])
            who.append(owner[chunk][r])
    labels = np.full(width * height, -1, np.int16)
    if pix:
        p, z, o = np.concatenate(pix), np.concatenate(dep), np.concatenate(who)
        zbuf = np.full(width * height, np.inf)
        np.minimum.at(zbuf, p, z)
        nearest = z <= zbuf[p]
        labels[p[nearest]] = o[nearest]
    return labels.reshape(height, width), ids


def pixel_counts(labels: NDArray[np.int16], ids: tuple[str, ...]) -> dict[str, int]:
    """How many pixels show each structure."""
    counts = np.bincount(labels[labels >= 0].ravel(), minlength=len(ids))
    return {sid: int(counts[i]) for i, sid in enumerate(ids)}


def structure_at(
    labels: NDArray[np.int16],
    ids: tuple[str, ...],
    x: float,
    y: float,
    scale: int = 1,
    target: str | None = None,
    tolerance_px: float = 0.0,
) -> str | None:
    """The structure seen at image pixel (x, y) of a map drawn at 1/``scale`` resolution.

    With ``target``, a click within ``tolerance_px`` image pixels of where the target is
    seen counts as on it (nerves are a few pixels wide)."""
    rows, cols = labels.shape
    c, r = int(x // scale), int(y // scale)
    if not (0 <= r < rows and 0 <= c < cols):
        return None
    if target is not None and target in ids and tolerance_px > 0:
        reach = int(np.ceil(tolerance_px / scale))
        t = ids.index(target)
        r0, r1 = max(r - reach, 0), min(r + reach + 1, rows)
        c0, c1 = max(c - reach, 0), min(c + reach + 1, cols)
        yy, xx = np.mgrid[r0:r1, c0:c1]
        near = (yy - r) ** 2 + (xx - c) ** 2 <= reach**2
        if (labels[r0:r1, c0:c1][near] == t).any():
            return target
    index = int(labels[r, c])
    return ids[index] if index >= 0 else None
