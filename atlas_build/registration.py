"""The rigid map from the source frame to the atlas frame, measured on the sacrum.

The atlas frame (docs/architecture.md §1) is RAS in millimetres with its origin at the sacral
promontory.
BodyParts3D's frame is +X left, +Y posterior, +Z superior with its origin near the soles, so
the map is a half-turn about the vertical axis through the promontory:

    x_atlas = −(x − x0),  y_atlas = −(y − y0),  z_atlas = z − z0

with (x0, y0, z0) the promontory measured on the source sacrum. No scaling: the body is adult.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv

HALF_TURN = np.diag([-1.0, -1.0, 1.0])
"""Source axes → RAS: x and y change sign, z stays (a rotation, so faces keep their winding)."""
MIDSAGITTAL_BAND_MM = 2.0


@dataclass(frozen=True)
class Promontory:
    """The promontory in the source frame and how it was found."""

    point: tuple[float, float, float]
    midsagittal_x: float
    vertex: tuple[float, float, float]

    METHOD = (
        "Midsagittal plane: the middle of the sacrum's transverse extent. Promontory: among "
        f"the sacrum's vertices within {MIDSAGITTAL_BAND_MM:g} mm of that plane, the one "
        "furthest anterior-superior (largest anterior + superior coordinate: the corner where "
        "the S1 endplate meets the front of the S1 body), moved onto the plane."
    )


def measure_promontory(sacrum: pv.PolyData) -> Promontory:
    """The sacral promontory of a source-frame sacrum (+X left, +Y posterior, +Z up)."""
    pts = np.asarray(sacrum.points, float)
    x_mid = 0.5 * (pts[:, 0].min() + pts[:, 0].max())
    near = pts[np.abs(pts[:, 0] - x_mid) < MIDSAGITTAL_BAND_MM]
    if not len(near):
        raise ValueError("no sacrum vertex near the midsagittal plane")
    corner = near[np.argmax(-near[:, 1] + near[:, 2])]
    return Promontory(
        point=(float(x_mid), float(corner[1]), float(corner[2])),
        midsagittal_x=float(x_mid),
        vertex=(float(corner[0]), float(corner[1]), float(corner[2])),
    )


@dataclass(frozen=True)
class RigidMap:
    """p_atlas = R (p_source − origin), R a rotation."""

    rotation: np.ndarray
    origin: np.ndarray

    @classmethod
    def to_promontory(cls, promontory: Promontory) -> RigidMap:
        return cls(HALF_TURN.copy(), np.asarray(promontory.point, float))

    @property
    def matrix(self) -> np.ndarray:
        """The same map as a 4×4 homogeneous matrix."""
        m = np.eye(4)
        m[:3, :3] = self.rotation
        m[:3, 3] = -self.rotation @ self.origin
        return m

    def points(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, float) - self.origin) @ self.rotation.T

    def mesh(self, mesh: pv.PolyData) -> pv.PolyData:
        """A mapped copy (the rotation keeps the faces' winding)."""
        out = mesh.copy()
        out.points = self.points(np.asarray(mesh.points))
        return out
