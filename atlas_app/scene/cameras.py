"""Camera presets placed from the bounds of what is shown (RAS mm: docs/architecture.md §1).

The presets themselves are data in :mod:`atlas_app.model.camera`: a direction of view, an
up vector, a point to look at and how much of the scene to frame. :func:`camera_for` turns
one into a concrete :class:`CameraSpec` for a box of bounds, so the same preset frames a
whole specimen or one isolated nerve.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from atlas_app.model.camera import CameraSpec, Vec3, preset

Bounds = tuple[float, float, float, float, float, float]
"""(xmin, xmax, ymin, ymax, zmin, zmax), as VTK gives them."""

DEFAULT_VIEW_ANGLE = 30.0
MARGIN = 1.08  # a little air around the framed box
MIN_FOCUS_HALF_MM = 60.0  # a view centred on a region shows at least ±60 mm of it


def union_bounds(boxes: Iterable[Bounds]) -> Bounds | None:
    """The smallest box holding every box, or None for none."""
    boxes = list(boxes)
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
        min(b[4] for b in boxes),
        max(b[5] for b in boxes),
    )


def center_of(bounds: Bounds) -> Vec3:
    return ((bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2)


def _clip(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def right_ala_point(bounds: Bounds, landmarks: Mapping[str, Vec3] | None = None) -> Vec3:
    """The anterior surface of the right sacral ala.

    From landmarks when the atlas has them (halfway from the promontory to the anterior
    sacroiliac joint, a little below it); otherwise from the frame (origin at the
    promontory, +x right): 30 % of the way to the right edge, at the origin's height.
    """
    marks = landmarks or {}
    prom = marks.get("sacral_promontory")
    si = marks.get("si_joint_anterior_right")
    if prom is not None and si is not None:
        x = (prom[0] + si[0]) / 2
        y = (prom[1] + si[1]) / 2
        z = (prom[2] + si[2]) / 2 - 5.0
    else:
        x, y, z = 0.3 * max(bounds[1], 0.0), 0.0, 0.0
    return (
        _clip(x, bounds[0], bounds[1]),
        _clip(y, bounds[2], bounds[3]),
        _clip(z, bounds[4], bounds[5]),
    )


def _unit(v: Vec3) -> Vec3:
    n = math.sqrt(sum(c * c for c in v))
    return (v[0] / n, v[1] / n, v[2] / n)


def _basis(toward_camera: Vec3, view_up: Vec3) -> tuple[Vec3, Vec3, Vec3]:
    """Unit vectors (toward the camera, up on screen, right on screen)."""
    d = _unit(toward_camera)
    dot = sum(u * c for u, c in zip(view_up, d, strict=True))
    up = _unit((view_up[0] - dot * d[0], view_up[1] - dot * d[1], view_up[2] - dot * d[2]))
    right = (up[1] * d[2] - up[2] * d[1], up[2] * d[0] - up[0] * d[2], up[0] * d[1] - up[1] * d[0])
    return d, up, right


def _corners(bounds: Bounds) -> list[Vec3]:
    return [(x, y, z) for x in bounds[0:2] for y in bounds[2:4] for z in bounds[4:6]]


def camera_for(
    name: str,
    bounds: Bounds,
    landmarks: Mapping[str, Vec3] | None = None,
    *,
    view_angle: float = DEFAULT_VIEW_ANGLE,
    parallel: bool = False,
) -> CameraSpec:
    """The preset ``name`` placed to frame ``bounds`` (perspective unless ``parallel``).

    The box is fitted on screen, height and width alike (the view may be square): the
    camera backs off until the box's extent across the view, seen at its nearest depth,
    fits the view angle with a margin. ``right_ala`` presets frame the given fraction of
    that extent around the ala (at least :data:`MIN_FOCUS_HALF_MM`).
    """
    p = preset(name)
    focal = center_of(bounds) if p.focus == "center" else right_ala_point(bounds, landmarks)
    d, up, right = _basis(p.toward_camera, p.view_up)
    rel = [tuple(c - f for c, f in zip(corner, focal, strict=True)) for corner in _corners(bounds)]
    half_up = max(abs(sum(a * b for a, b in zip(r, up, strict=True))) for r in rel)
    half_right = max(abs(sum(a * b for a, b in zip(r, right, strict=True))) for r in rel)
    front = max(max(sum(a * b for a, b in zip(r, d, strict=True)) for r in rel), 0.0)
    half = max(half_up, half_right, 1.0) * p.frame
    if p.focus != "center":
        half = max(half, MIN_FOCUS_HALF_MM)
        front *= p.frame
    half *= MARGIN
    distance = half / math.tan(math.radians(view_angle) / 2) + front
    position = (focal[0] + d[0] * distance, focal[1] + d[1] * distance, focal[2] + d[2] * distance)
    return CameraSpec(
        name=p.id,
        title=p.title,
        position=position,
        focal_point=focal,
        view_up=p.view_up,
        view_angle=view_angle,
        parallel_scale=half if parallel else None,
    )
