"""Surface meshes for a whole specimen, built once per distinct geometry and reused."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyvista as pv

from atlas_app.caching import Memo, MiB
from atlas_app.geometry.shapes import structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen

# A specimen's meshes take about 6.5 MB; variants share all but a few of them.
_meshes: Memo[tuple[str, str, bool], pv.PolyData] = Memo(max_bytes=64 * MiB)


def _key(atlas: Atlas, structure: Structure, detail: bool) -> tuple[str, str, bool]:
    # Variants change a few structures; keying by the geometry record itself lets every
    # unchanged structure be shared between specimens.
    return (str(atlas.root), structure.geometry.model_dump_json(), detail)


def cached_structure_mesh(atlas: Atlas, structure: Structure, detail: bool = False) -> pv.PolyData:
    """The mesh of one structure, from the cache when its geometry was built before (the
    detail copy of a mesh when ``detail`` is set: for measurements). Callers must not modify
    the returned mesh."""
    return _meshes.get_or_make(
        _key(atlas, structure, detail), lambda: structure_mesh(structure, atlas.root, detail)
    )


def specimen_meshes(
    atlas: Atlas, specimen: Specimen, detail: bool = False
) -> dict[str, pv.PolyData]:
    """Every structure of the specimen as a surface mesh, in the specimen's order (detail
    copies of meshes when ``detail`` is set)."""
    return {sid: cached_structure_mesh(atlas, s, detail) for sid, s in specimen.structures.items()}


def surfaces_of(
    atlas: Atlas, structures: Mapping[str, Structure], ids: Iterable[str]
) -> dict[str, pv.PolyData]:
    """The surfaces of the structures named by ``ids`` that ``structures`` holds (a
    specimen's, or a step's field's), from the cache: what a renderer is given to draw."""
    return {sid: cached_structure_mesh(atlas, structures[sid]) for sid in ids if sid in structures}
