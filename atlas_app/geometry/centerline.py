"""Centerlines as smooth curves: densifying control points, frames, distances.

Pure numpy/scipy: the metrics of the approaches run on these arrays for thousands of
specimens, so nothing here builds a VTK object.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline, PchipInterpolator

Array = NDArray[np.float64]
DEFAULT_STEP_MM = 2.0


@dataclass(frozen=True)
class Curve:
    """A densified centerline: points along the smooth curve and the radius at each."""

    points: Array  # (n, 3)
    radii: Array  # (n,)

    @property
    def length(self) -> float:
        return float(np.linalg.norm(np.diff(self.points, axis=0), axis=1).sum())


def chord_parameter(points: Array) -> Array:
    """Cumulative chord length of the control polygon (the spline's parameter)."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    if np.any(seg <= 1e-9):
        raise ValueError("two consecutive control points coincide")
    return np.concatenate([[0.0], np.cumsum(seg)])


def densify(points: Array, radii: Array, step_mm: float = DEFAULT_STEP_MM) -> Curve:
    """A smooth curve through the control points, sampled about every ``step_mm``.

    The curve passes through every control point (a natural cubic spline in chord
    length); radii are interpolated monotonically between control points, so a taper
    never overshoots.
    """
    points = np.asarray(points, dtype=float)
    radii = np.asarray(radii, dtype=float)
    t = chord_parameter(points)
    n = max(int(np.ceil(t[-1] / step_mm)) + 1, 2 * len(points))
    s = np.linspace(0.0, t[-1], n)
    if len(points) == 2:
        dense = points[0] + (s / t[-1])[:, None] * (points[1] - points[0])
    else:
        dense = CubicSpline(t, points, bc_type="natural")(s)
    r = PchipInterpolator(t, radii)(s) if len(points) > 2 else np.interp(s, t, radii)
    return Curve(points=dense, radii=np.asarray(r, dtype=float))


def tangents(points: Array) -> Array:
    """Unit tangents by central differences."""
    d = np.gradient(points, axis=0)
    return d / np.linalg.norm(d, axis=1, keepdims=True)


def _any_perpendicular(v: Array) -> Array:
    helper = np.array([0.0, 0.0, 1.0]) if abs(v[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(v, helper)
    return u / np.linalg.norm(u)


def transport_frames(points: Array, normal_hint: Array | None = None) -> tuple[Array, Array, Array]:
    """Rotation-minimising frames (tangent, normal, binormal) along a curve.

    With ``normal_hint`` the normal is that direction made perpendicular to the tangent
    at every point (a band keeps its flat side toward the bone); otherwise the first
    normal is arbitrary and carried along without twist.
    """
    t = tangents(points)
    n = np.empty_like(t)
    if normal_hint is not None:
        hint = np.asarray(normal_hint, dtype=float)
        proj = hint[None, :] - (t @ hint)[:, None] * t
        norms = np.linalg.norm(proj, axis=1)
        if np.all(norms > 1e-6):
            n = proj / norms[:, None]
            return t, n, np.cross(t, n)
    n[0] = _any_perpendicular(t[0])
    for i in range(1, len(t)):
        # Double reflection (Wang et al. 2008): no twist, stable for sharp bends.
        v1 = points[i] - points[i - 1]
        c1 = v1 @ v1
        r_l = n[i - 1] - (2.0 / c1) * (v1 @ n[i - 1]) * v1
        t_l = t[i - 1] - (2.0 / c1) * (v1 @ t[i - 1]) * v1
        v2 = t[i] - t_l
        c2 = v2 @ v2
        n[i] = r_l if c2 < 1e-12 else r_l - (2.0 / c2) * (v2 @ r_l) * v2
        n[i] /= np.linalg.norm(n[i])
    return t, n, np.cross(t, n)


@dataclass(frozen=True)
class Nearest:
    """For each query point: distance to a polyline, the nearest point, and where it is."""

    distance: Array  # (m,)
    point: Array  # (m, 3)
    segment: NDArray[np.intp]  # (m,) index of the segment
    fraction: Array  # (m,) position along that segment, 0..1

    def interpolate(self, values: Array) -> Array:
        """A per-vertex quantity of the polyline (a radius) at each nearest point."""
        v = np.asarray(values, dtype=float)
        return v[self.segment] * (1.0 - self.fraction) + v[self.segment + 1] * self.fraction


def nearest_on_polyline(queries: Array, points: Array) -> Nearest:
    """Nearest point of a polyline to each query point.

    Vectorised over queries × segments: fine for the few hundred samples of a curve.
    """
    q = np.asarray(queries, dtype=float)[:, None, :]  # (m, 1, 3)
    a = points[:-1][None, :, :]  # (1, k, 3)
    ab = (points[1:] - points[:-1])[None, :, :]
    denom = np.maximum((ab * ab).sum(-1), 1e-12)
    u = np.clip(((q - a) * ab).sum(-1) / denom, 0.0, 1.0)  # (m, k)
    nearest = a + u[..., None] * ab
    d = np.linalg.norm(q - nearest, axis=-1)
    k = d.argmin(axis=1)
    rows = np.arange(len(d))
    return Nearest(distance=d[rows, k], point=nearest[rows, k], segment=k, fraction=u[rows, k])


def segment_pairs(p: Array, q: Array) -> tuple[Array, Array, Array]:
    """Closest approach between every segment of polyline ``p`` and every segment of ``q``.

    Returns distances (k, l) and the parameters s (k, l), t (k, l) in 0..1 of the closest
    points on each segment pair (the clamped solution of Ericson, Real-Time Collision
    Detection, 5.1.9, vectorised).
    """
    p0, d1 = p[:-1, None, :], (p[1:] - p[:-1])[:, None, :]
    q0, d2 = q[None, :-1, :], (q[1:] - q[:-1])[None, :, :]
    r = p0 - q0
    a = (d1 * d1).sum(-1)
    e = (d2 * d2).sum(-1)
    f = (d2 * r).sum(-1)
    c = (d1 * r).sum(-1)
    b = (d1 * d2).sum(-1)
    denom = a * e - b * b
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(denom > 1e-12, np.clip((b * f - c * e) / denom, 0, 1), 0.0)
        t = (b * s + f) / e
        t_c = np.clip(t, 0, 1)
        s = np.where(t_c != t, np.clip((b * t_c - c) / a, 0, 1), s)
    t = t_c
    diff = (p0 + s[..., None] * d1) - (q0 + t[..., None] * d2)
    return np.linalg.norm(diff, axis=-1), s, t


def curve_gap(a: Curve, b: Curve) -> float:
    """Smallest surface-to-surface gap between two tubes, mm (negative when they overlap).

    Treats the tubes as round with their local radius, which is what a clearance means.
    """
    d, s, t = segment_pairs(a.points, b.points)
    ra = a.radii[:-1, None] * (1 - s) + a.radii[1:, None] * s
    rb = b.radii[None, :-1] * (1 - t) + b.radii[None, 1:] * t
    return float((d - ra - rb).min())
