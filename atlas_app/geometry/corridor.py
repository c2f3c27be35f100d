"""The working corridor of a step: a truncated cone from the incision to the target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas_app.geometry.centerline import Array

AP_DIRECTION = np.array([0.0, -1.0, 0.0])  # straight back from the front of the body


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

    def axial(self, points: Array) -> tuple[Array, Array]:
        """For each point: its position along the axis (0 at the entry, 1 at the target,
        clamped) and its distance from the axis there."""
        p = np.asarray(points, float)
        t = np.clip(((p - self.entry) @ self.axis) / self.depth, 0.0, 1.0)
        foot = self.entry[None, :] + (t * self.depth)[:, None] * self.axis[None, :]
        return t, np.linalg.norm(p - foot, axis=1)

    def clearance(self, points: Array, radii: Array | float = 0.0) -> Array:
        """Gap between each (round) point of a structure and the corridor's wall, mm;
        negative when the structure reaches into the corridor."""
        t, d = self.axial(points)
        return d - self.radius_at(t) - np.asarray(radii, float)

    def shaft(self, stop_short_mm: float) -> Cone:
        """The corridor ending ``stop_short_mm`` before the target: the path a surgeon
        travels to reach it, without the target's own surroundings."""
        t = max(0.0, 1.0 - stop_short_mm / self.depth)
        end = self.entry + t * (self.target - self.entry)
        return Cone(self.entry, end, self.entry_radius, float(self.radius_at(np.asarray(t))))

    def contains(self, points: Array) -> np.ndarray:
        return self.clearance(points) <= 0.0
