"""Specimen → files: the JSON geometry (docs/architecture.md §3), and meshes for printing and
3D Slicer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import ImageColor

from atlas_app.geometry.specimen_meshes import specimen_meshes
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import CenterlineGeometry
from atlas_app.model.specimen import Specimen

MESH_FORMATS = ("vtp", "stl", "glb")


def _round(values: Any, digits: int = 2) -> Any:
    return np.round(np.asarray(values, float), digits).tolist()


def specimen_to_json(atlas: Atlas, specimen: Specimen) -> dict[str, Any]:
    """The geometry of one specimen as plain data (docs/architecture.md §3)."""
    assert atlas.info is not None
    meshes = specimen_meshes(atlas, specimen)
    structures: dict[str, Any] = {}
    for sid, s in specimen.structures.items():
        b = meshes[sid].bounds
        entry: dict[str, Any] = {
            "name": s.name,
            "category": s.category,
            "side": s.side,
            "schematic": s.schematic,
            "geometry": s.geometry.kind,
            "bounds": [_round(b[0::2]), _round(b[1::2])],
        }
        if isinstance(s.geometry, CenterlineGeometry):
            entry["centerline"] = _round(s.geometry.points)
            r = s.geometry.radius
            entry["radius"] = _round(r) if isinstance(r, list) else round(float(r), 2)
        structures[sid] = entry
    return {
        "atlas": atlas.info.id,
        "version": atlas.info.version,
        "specimen": specimen.spec,
        "choices": dict(specimen.choices),
        "frame": dict(atlas.info.frame),
        "landmarks": {k: _round(v) for k, v in specimen.landmarks.items()},
        "structures": structures,
    }


def write_meshes(atlas: Atlas, specimen: Specimen, fmt: str, out: Path) -> list[Path]:
    """Write the specimen's surfaces: one file per structure (vtp, stl) in the folder
    ``out``, or one binary glTF scene (glb) with named, coloured nodes."""
    if fmt not in MESH_FORMATS:
        raise ValueError(f"unknown mesh format {fmt!r}")
    meshes = specimen_meshes(atlas, specimen, detail=True)
    credits = credit_lines(atlas)
    if fmt == "glb":
        return [_write_glb(specimen, meshes, out, credits)]
    out.mkdir(parents=True, exist_ok=True)
    notice = out / "CREDITS.txt"
    notice.write_text(CREDITS_TEXT.format(lines="\n".join(credits)), encoding="utf-8")
    written = [notice]
    for sid, mesh in meshes.items():
        path = out / f"{sid}.{fmt}"
        mesh.save(path, binary=True)
        written.append(path)
    return written


CREDITS_TEXT = """\
These surfaces are derived from one adult body described by BodyParts3D and Z-Anatomy and are
shared under their licences (CC BY-SA; see the atlas's NOTICE):

{lines}
"""


def credit_lines(atlas: Atlas) -> list[str]:
    """The attribution lines the atlas's anatomy must travel with (its manifest's credits)."""
    return list(atlas.info.credits) if atlas.info is not None else []


def _write_glb(specimen: Specimen, meshes: dict[str, Any], out: Path, credits: list[str]) -> Path:
    import trimesh

    path = out if out.suffix == ".glb" else out.with_suffix(".glb")
    path.parent.mkdir(parents=True, exist_ok=True)
    scene = trimesh.Scene()
    for sid, mesh in meshes.items():
        faces = mesh.faces.reshape(-1, 4)[:, 1:]
        rgba = [*ImageColor.getrgb(specimen.structures[sid].color)[:3], 255]
        tm = trimesh.Trimesh(
            vertices=np.asarray(mesh.points),
            faces=faces,
            face_colors=np.tile(rgba, (len(faces), 1)),
            process=False,
        )
        # glTF is metres, Y up; Slicer reads glb in its own RAS millimetres, so keep mm/RAS
        # and say so in the scene's extras.
        scene.add_geometry(tm, node_name=sid, geom_name=sid)
    scene.metadata["frame"] = "RAS millimetres, origin at the sacral promontory"
    scene.metadata["credits"] = credits

    def add_copyright(tree: dict[str, Any]) -> None:
        tree.setdefault("asset", {})["copyright"] = "; ".join(credits)

    data = trimesh.exchange.gltf.export_glb(scene, tree_postprocessor=add_copyright)
    path.write_bytes(data)
    return path
