"""Surface meshes for a whole specimen, built once per distinct geometry and reused."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from threading import Lock

import pyvista as pv

from atlas_app.geometry.shapes import structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen

_CACHE_SIZE = 512
_cache: OrderedDict[tuple[str, str, bool], pv.PolyData] = OrderedDict()
_lock = Lock()


def _key(atlas: Atlas, structure: Structure, detail: bool) -> tuple[str, str, bool]:
    # Variants change a few structures; keying by the geometry record itself lets every
    # unchanged structure be shared between specimens.
    return (str(atlas.root), structure.geometry.model_dump_json(), detail)


def cached_structure_mesh(atlas: Atlas, structure: Structure, detail: bool = False) -> pv.PolyData:
    """The mesh of one structure, from the cache when its geometry was built before (the
    detail copy of a mesh when ``detail`` is set: for measurements). Callers must not modify
    the returned mesh."""
    key = _key(atlas, structure, detail)
    with _lock:
        mesh = _cache.get(key)
        if mesh is not None:
            _cache.move_to_end(key)
            return mesh
    mesh = structure_mesh(structure, atlas.root, detail)
    with _lock:
        _cache[key] = mesh
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return mesh


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
