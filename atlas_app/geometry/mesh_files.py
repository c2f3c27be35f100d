"""Mesh files as data: confined to the atlas folder, bounded in size, parsed, checked.

A mesh file is read like any other data file: a path that leaves the atlas folder, a file
too large, one VTK cannot parse (truncated, junk), an empty or non-finite surface, an open
one where the record says it is closed, or one outside the atlas's region is a fault named
by file, line and field, and the app serves the atlas without that structure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkObject

from atlas_app.caching import MiB, memoize
from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks.mesh_files import mesh_file_path
from atlas_app.model.geometry_schema import MeshGeometry

MAX_MESH_BYTES: Final = 8 * 1024 * 1024
"""Larger than any mesh the atlas ships (under 0.1 MB each) by far; a bound, not a budget."""

REGION_SLACK_MM: Final = 1.0
CHECK: Final = "mesh_data"


class MeshFileError(ValueError):
    """A mesh file that cannot be used; the message says why, in a reader's words."""


def read_mesh_file(path: Path) -> pv.PolyData:
    """A triangulated surface from a mesh file, cached by path and modification time.
    Callers must not modify it. Raises :class:`MeshFileError`."""
    try:
        info = path.stat()
    except OSError as exc:
        raise MeshFileError(f"cannot read the file: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise MeshFileError("not a regular file")
    if info.st_size > MAX_MESH_BYTES:
        raise MeshFileError(f"the file is {info.st_size:,} bytes; at most {MAX_MESH_BYTES:,}")
    return _read(str(path), info.st_mtime_ns)


@memoize(max_bytes=128 * MiB)
def _read(path: str, mtime_ns: int) -> pv.PolyData:
    # VTK's readers report broken files on stderr and return an empty mesh; the checks
    # below say what is wrong in one line instead.
    shown = vtkObject.GetGlobalWarningDisplay()
    vtkObject.GlobalWarningDisplayOff()
    try:
        mesh = pv.read(path)
    except Exception as exc:  # VTK and meshio raise many kinds on junk
        raise MeshFileError(f"VTK cannot read it ({type(exc).__name__})") from exc
    finally:
        vtkObject.SetGlobalWarningDisplay(shown)
    if not isinstance(mesh, pv.PolyData):
        raise MeshFileError("not a surface mesh")
    if mesh.n_points == 0 or mesh.n_cells == 0:
        raise MeshFileError("no surface in the file (truncated, or not a mesh)")
    if not np.isfinite(mesh.points).all():
        raise MeshFileError("coordinates that are not finite numbers")
    return mesh.triangulate()


def mesh_problems(mesh: pv.PolyData, geometry: MeshGeometry, region: np.ndarray) -> Iterator[str]:
    """What is wrong with a parsed mesh against its record and the atlas region."""
    if geometry.closed and mesh.n_open_edges:
        yield f"{mesh.n_open_edges} open edges: the surface should be closed"
    lo, hi = region[0] - REGION_SLACK_MM, region[1] + REGION_SLACK_MM
    bounds = np.reshape(mesh.bounds, (3, 2))
    if (bounds[:, 0] < lo).any() or (bounds[:, 1] > hi).any():
        yield "the mesh reaches outside the atlas region"


def unusable_meshes(atlas: Atlas) -> dict[str, str]:
    """Structure id → why its mesh cannot be drawn (refused path, missing, unreadable)."""
    out: dict[str, str] = {}
    for sid, s in atlas.structures.items():
        g = s.geometry
        if not isinstance(g, MeshGeometry):
            continue
        path, refused = mesh_file_path(atlas.root, g.file)
        try:
            if path is None:
                raise MeshFileError(refused)
            read_mesh_file(path)
        except MeshFileError as exc:
            out[sid] = f"{g.file}: {exc}"
    return out


def check_mesh_data(atlas: Atlas) -> Iterator[Fault]:
    """Every mesh file of the atlas is confined, readable, parseable, finite, closed where
    its record says so, and inside the atlas region."""
    region = np.asarray(atlas.info.region, float) if atlas.info else None
    for sid, s in atlas.structures.items():
        g = s.geometry
        if not isinstance(g, MeshGeometry):
            continue
        path, refused = mesh_file_path(atlas.root, g.file)
        if path is None or refused or not path.is_file():
            continue  # mesh_files_exist reports it
        try:
            mesh = read_mesh_file(path)
        except MeshFileError as exc:
            yield atlas.fault(CHECK, "structures", sid, ("geometry", "file"), f"{g.file}: {exc}")
            continue
        if region is None:
            continue
        for problem in mesh_problems(mesh, g, region):
            yield atlas.fault(
                CHECK, "structures", sid, ("geometry", "file"), f"{g.file}: {problem}"
            )
