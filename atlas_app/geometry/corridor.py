"""The working corridor of a step: a truncated cone from the incision to the target.

The cone is a solid with flat ends: a structure beyond the target plane (the bone behind the
target) or behind the incision is outside it. Gaps are signed distances to that solid,
measured exactly in the plane through the axis (the cone is round, so that plane holds the
nearest point): positive outside, negative inside (how deep a structure reaches in).

The corridor has two parts a surgeon tells apart: the **path** (from the incision to
:data:`TARGET_ZONE_MM` short of the target), which must be clear to work down, and the
**target zone** at its bottom, where the work is done on and around what lies there (the
L5 root in the cement, the trunk beside it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas_app.geometry.centerline import Array

AP_DIRECTION = np.array([0.0, -1.0, 0.0])  # straight back from the front of the body
TARGET_ZONE_MM = 10.0
"""The bottom of the corridor where the work is done: what lies within this depth of the
target is worked around, not cleared out of the way (the cement wraps the L5 root)."""


def _segment_distance(a: Array, r: Array, a0: float, r0: float, a1: float, r1: float) -> Array:
    """Distance from points (a, r) of the meridian plane to the segment (a0, r0)–(a1, r1)."""
    da, dr = a1 - a0, r1 - r0
    length2 = da * da + dr * dr
    u = np.clip(((a - a0) * da + (r - r0) * dr) / length2, 0.0, 1.0) if length2 > 0 else 0.0
    return np.hypot(a - (a0 + u * da), r - (r0 + u * dr))


@dataclass(frozen=True)
class Cone:
    entry: Array
    target: Array
    entry_radius: float
    target_radius: float

    @property
    def axis(self) -> Array:
        v = self.target - self.entry
        return v / np.linalg.norm(v)

    @property
    def depth(self) -> float:
        """From the incision to the target, mm."""
        return float(np.linalg.norm(self.target - self.entry))

    @property
    def angle_from_ap(self) -> float:
        """Angle between the corridor and a straight front-to-back line, degrees."""
        c = float(np.clip(self.axis @ AP_DIRECTION, -1.0, 1.0))
        return float(np.degrees(np.arccos(c)))

    def radius_at(self, t: Array) -> Array:
        return self.entry_radius + t * (self.target_radius - self.entry_radius)

    def meridian(self, points: Array) -> tuple[Array, Array]:
        """For each point: its distance along the axis from the entry (mm, unclamped) and
        its distance from the axis."""
        p = np.asarray(points, float).reshape(-1, 3)
        a = (p - self.entry) @ self.axis
        foot = self.entry[None, :] + a[:, None] * self.axis[None, :]
        return a, np.linalg.norm(p - foot, axis=1)

    def axial(self, points: Array) -> tuple[Array, Array]:
        """For each point: its position along the axis (0 at the entry, 1 at the target,
        clamped) and its distance from the axis there."""
        a, rho = self.meridian(points)
        return np.clip(a / self.depth, 0.0, 1.0), rho

    def clearance(self, points: Array, radii: Array | float = 0.0) -> Array:
        """Gap between each (round) point of a structure and the corridor, mm: the distance
        to the solid cone, negative inside it (how deep the point reaches in)."""
        a, rho = self.meridian(points)
        length = self.depth
        r0, r1 = self.entry_radius, self.target_radius
        side = _segment_distance(a, rho, 0.0, r0, length, r1)
        entry_face = _segment_distance(a, rho, 0.0, 0.0, 0.0, r0)
        target_face = _segment_distance(a, rho, length, 0.0, length, r1)
        nearest = np.minimum(side, np.minimum(entry_face, target_face))
        inside = (a >= 0.0) & (a <= length) & (rho <= self.radius_at(a / length))
        return np.where(inside, -nearest, nearest) - np.asarray(radii, float)

    def shaft(self, stop_short_mm: float) -> Cone:
        """The corridor ending ``stop_short_mm`` before the target: the path a surgeon
        travels to reach it, without the target's own surroundings."""
        t = max(0.0, 1.0 - stop_short_mm / self.depth)
        end = self.entry + t * (self.target - self.entry)
        return Cone(self.entry, end, self.entry_radius, float(self.radius_at(np.asarray(t))))

    @property
    def path(self) -> Cone:
        """The way down to the target: the corridor without its :data:`TARGET_ZONE_MM`."""
        return self.shaft(TARGET_ZONE_MM)

    def key(self) -> tuple[float, ...]:
        """The cone as plain numbers (for caches)."""
        return (
            *map(float, self.entry),
            *map(float, self.target),
            float(self.entry_radius),
            float(self.target_radius),
        )
