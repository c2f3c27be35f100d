"""Surfaces for the atlas: cleaned, decimated to a triangle budget, written byte-identically.

Every shipped solid has two copies: a browser copy small enough to send (its triangle budget
is in the structure's prose) and a detail copy for measurements (distances to bone, needle
paths, intersections, 3-D printing). Both come from the full-resolution source surface by
quadric decimation, which is deterministic; the deviation of each copy from the source is
measured and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvista as pv

DECIMATION_RETRY_OFFSETS = (0, -20, 20, -60, 60)


@dataclass(frozen=True)
class Pieces:
    """What ``largest_piece`` kept: the piece, and the share of the area it holds."""

    mesh: pv.PolyData
    pieces: int
    kept_area_fraction: float


def largest_piece(mesh: pv.PolyData) -> Pieces:
    """The largest connected piece of a surface (by area), and what fraction of the area it
    holds. Source muscles carry small loose fragments; the atlas keeps the muscle."""
    labelled = mesh.connectivity("all")
    region = np.asarray(labelled.cell_data["RegionId"])
    n = int(region.max()) + 1 if len(region) else 0
    if n <= 1:
        return Pieces(mesh, n, 1.0)
    areas = labelled.compute_cell_sizes(length=False, volume=False).cell_data["Area"]
    by_piece = np.bincount(region, weights=np.asarray(areas), minlength=n)
    keep = int(np.argmax(by_piece))
    piece = labelled.extract_cells(region == keep)
    surface = piece.extract_surface(algorithm="dataset_surface").clean()
    surface.clear_data()
    return Pieces(surface, n, float(by_piece[keep] / by_piece.sum()))


def is_closed(mesh: pv.PolyData) -> bool:
    """No boundary edge and no edge shared by more than two faces."""
    return bool(mesh.is_manifold)


def decimate(mesh: pv.PolyData, target: int, smooth: bool = False) -> pv.PolyData:
    """About ``target`` triangles by quadric decimation (volume preserving), points as float32.

    Optionally smoothed first (windowed sinc: keeps volume and shape, irons out the faceting of
    a very fine source). Decimation now and then pinches an edge where the surface is thin;
    then it is repeated with slightly different targets so that a closed source stays closed.
    """
    base = mesh.triangulate()
    if smooth:
        base = base.smooth_taubin(n_iter=15, pass_band=0.1, normalize_coordinates=True)
    if target >= base.n_cells:
        out = base.copy()
    else:
        out = base
        for offset in DECIMATION_RETRY_OFFSETS:
            reduction = max(0.0, 1.0 - (target + offset) / base.n_cells)
            out = base.decimate(reduction, volume_preservation=True).clean().triangulate()
            if is_closed(out) or not is_closed(mesh):
                break
    out = orient_outward(out)
    out.points = np.asarray(out.points, dtype=np.float32)
    return out


def orient_outward(mesh: pv.PolyData) -> pv.PolyData:
    """The faces wound consistently, normals outward. Decimation now and then flips a face;
    one flipped face is enough to turn the sign of a signed distance far from it."""
    out = mesh.compute_normals(
        consistent_normals=True,
        auto_orient_normals=True,
        split_vertices=False,
        cell_normals=False,
        point_normals=True,
    )
    out.clear_data()
    return out


def deviation(source: pv.PolyData, copy: pv.PolyData) -> tuple[float, float]:
    """Mean and 99th-percentile distance (mm) from the source's vertices to the copy."""
    d = np.abs(
        pv.PolyData(np.asarray(source.points, float))
        .compute_implicit_distance(copy)
        .point_data["implicit_distance"]
    )
    return float(d.mean()), float(np.percentile(d, 99))


def write_vtp(mesh: pv.PolyData, path: Path) -> int:
    """Write binary, compressed VTK XML (deterministic: same mesh, same bytes); the size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = mesh.copy()
    out.clear_data()
    out.save(path, binary=True)
    return path.stat().st_size
