"""Mesh files: inside the atlas folder and of the format their names say."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks.registry import check
from atlas_app.model.geometry_schema import MeshGeometry


@check
def check_mesh_files_exist(atlas: Atlas) -> Iterator[Fault]:
    """Each mesh file is inside the atlas folder and looks like the format its name says.
    (Whether VTK can read it is ``mesh_data``'s, in the geometry layer.)"""
    for sid, s in atlas.structures.items():
        if not isinstance(s.geometry, MeshGeometry):
            continue
        for key, name in (("file", s.geometry.file), ("detail", s.geometry.detail)):
            if name is None:
                continue
            path, problem = mesh_file_path(atlas.root, name)
            if path is not None:
                problem = _mesh_file_problem(path)
            if problem:
                yield atlas.fault(
                    "mesh_files_exist", "structures", sid, ("geometry", key), f"{name}: {problem}"
                )


def mesh_file_path(root: Path, file: str) -> tuple[Path | None, str | None]:
    """The path of a mesh record's file, or why it is refused: it must stay inside the
    atlas folder (no absolute path, no '..', no link leading out)."""
    rel = Path(file)
    if rel.is_absolute() or ".." in rel.parts:
        return None, "the path must stay inside the atlas folder (no '/' start, no '..')"
    path = root / rel
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return None, "the path cannot be resolved (a link loop?)"
    if not inside:
        return None, "the file links outside the atlas folder"
    return path, None


def _mesh_file_problem(path: Path) -> str | None:
    if not path.is_file():
        return "file not found"
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    if len(head) < 84:
        return "file is too small to be a mesh"
    if path.suffix == ".vtp" and b"<VTKFile" not in head:
        return "not a VTK XML PolyData file"
    if path.suffix == ".ply" and not head.startswith(b"ply"):
        return "not a PLY file"
    return None
