"""Axis-aligned bounds of structures, for framing cameras.

From the geometry records where they say enough (centerlines, parametric shapes), from
the mesh file otherwise (read once and cached by the geometry layer). A little larger
than the exact surface is fine: the boxes only place cameras.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from atlas_app.geometry.deform import DeformedGeometry
from atlas_app.geometry.shapes import read_mesh, structure_mesh
from atlas_app.model.geometry_schema import CenterlineGeometry, MeshGeometry, ParametricGeometry
from atlas_app.model.schema import Structure
from atlas_app.scene.cameras import Bounds, union_bounds


def _box(lo: np.ndarray, hi: np.ndarray) -> Bounds:
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]), float(lo[2]), float(hi[2]))


def structure_bounds(structure: Structure, atlas_root: Path) -> Bounds:
    """The box around one resolved structure (mirrors already resolved by the specimen)."""
    g = structure.geometry
    if isinstance(g, CenterlineGeometry):
        pts = np.asarray(g.points, float)
        pad = max(g.radii())
        return _box(pts.min(0) - pad, pts.max(0) + pad)
    if isinstance(g, ParametricGeometry):
        if g.shape in ("ellipsoid", "box"):
            assert g.center is not None and g.size is not None
            half = np.asarray(g.size, float) / 2
            if g.axes is not None:
                axes = np.asarray(g.axes, float)
                axes = axes / np.linalg.norm(axes, axis=1, keepdims=True)
                half = np.abs(axes.T) @ half
            c = np.asarray(g.center, float)
            return _box(c - half, c + half)
        if g.shape in ("blob", "cone"):
            assert g.points is not None and g.radii is not None
            pts = np.asarray(g.points, float)
            r = np.asarray(g.radii, float)[:, None]
            return _box((pts - r).min(0), (pts + r).max(0))
        assert g.points is not None and g.z_range is not None and g.thickness is not None
        pts = np.asarray(g.points, float)
        lo = np.array([pts[:, 0].min(), pts[:, 1].min(), min(g.z_range)]) - g.thickness
        hi = np.array([pts[:, 0].max(), pts[:, 1].max(), max(g.z_range)]) + g.thickness
        return _box(lo, hi)
    if isinstance(g, MeshGeometry):
        b = read_mesh(atlas_root / g.file).bounds
        return (b[0], b[1], b[2], b[3], b[4], b[5])
    if isinstance(g, DeformedGeometry):  # a retracted surface: measure the surface itself
        b = structure_mesh(structure, atlas_root).bounds
        return (b[0], b[1], b[2], b[3], b[4], b[5])
    raise TypeError(f"{structure.id}: unresolved {g.kind} geometry")


def structures_bounds(structures: Iterable[Structure], atlas_root: Path) -> Bounds | None:
    """The box around several structures; None when there are none."""
    return union_bounds(structure_bounds(s, atlas_root) for s in structures)
