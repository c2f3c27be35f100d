"""1. The density volume: each bone of a specimen filled on a grid, cortex and marrow."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyvista as pv
from numpy.typing import NDArray
from scipy import ndimage

from atlas_app.caching import Memo, MiB
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.fluoro.settings import (
    CORTEX_MM,
    F32,
    MU_PER_MM,
    VOXEL_MM,
)


@dataclass(frozen=True)
class Volume:
    """Attenuation over soft tissue (1/mm) on a grid; ``sacrum`` marks the sacrum's voxels."""

    key: str
    origin: Array
    spacing: float
    mu: F32 = field(repr=False)
    sacrum: NDArray[np.bool_] = field(repr=False)


def voxelize(
    mesh: pv.PolyData, origin: Array, spacing: float, shape: tuple[int, int, int]
) -> NDArray[np.bool_]:
    """Voxel centres inside a closed surface, by counting crossings along +y."""
    tri = mesh.triangulate()
    faces = np.asarray(tri.faces).reshape(-1, 4)[:, 1:]
    p = np.asarray(tri.points, float)
    a, b, c = p[faces[:, 0]], p[faces[:, 1]], p[faces[:, 2]]
    nx, ny, nz = shape
    o = np.asarray(origin, float)
    tri2 = (np.stack([a, b, c], 1)[:, :, [0, 2]] - o[[0, 2]]) / spacing
    lo = np.maximum(np.ceil(tri2.min(1)).astype(int), 0)
    hi = np.minimum(np.floor(tri2.max(1)).astype(int), [nx - 1, nz - 1])
    ni, nk = hi[:, 0] - lo[:, 0] + 1, hi[:, 1] - lo[:, 1] + 1
    keep = (ni > 0) & (nk > 0)
    idx, ni, nk = np.nonzero(keep)[0], ni[keep], nk[keep]
    count = ni * nk
    t = np.repeat(idx, count)
    local = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    nkr = np.repeat(nk, count)
    ii = lo[t, 0] + local // nkr
    kk = lo[t, 1] + local % nkr
    pa, pb, pc = tri2[t, 0], tri2[t, 1], tri2[t, 2]
    det = (pb[:, 1] - pc[:, 1]) * (pa[:, 0] - pc[:, 0]) + (pc[:, 0] - pb[:, 0]) * (
        pa[:, 1] - pc[:, 1]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        l1 = (
            (pb[:, 1] - pc[:, 1]) * (ii - pc[:, 0]) + (pc[:, 0] - pb[:, 0]) * (kk - pc[:, 1])
        ) / det
        l2 = (
            (pc[:, 1] - pa[:, 1]) * (ii - pc[:, 0]) + (pa[:, 0] - pc[:, 0]) * (kk - pc[:, 1])
        ) / det
    l3 = 1.0 - l1 - l2
    hit = (det != 0) & (l1 >= 0) & (l2 >= 0) & (l3 > 0)
    t, ii, kk = t[hit], ii[hit], kk[hit]
    y = l1[hit] * a[t, 1] + l2[hit] * b[t, 1] + l3[hit] * c[t, 1]
    j = np.clip(np.ceil((y - o[1]) / spacing).astype(int), 0, ny)
    crossings = np.zeros((nx, nz, ny + 1), np.int16)
    np.add.at(crossings, (ii, kk, j), 1)
    parity = (np.cumsum(crossings, axis=2, dtype=np.int16)[:, :, :ny] & 1).astype(bool)
    return np.ascontiguousarray(parity.transpose(0, 2, 1))


def bone_ids(specimen: Specimen) -> list[str]:
    """The radio-opaque bones of a specimen (the discs are soft tissue on an X-ray)."""
    return [
        sid
        for sid, s in specimen.structures.items()
        if s.category == "bone" and "discs" not in s.groups and not sid.endswith("_disc")
    ]


# A volume of the bones takes about 55 MB: four are kept.
_volumes: Memo[str, Volume] = Memo(max_bytes=256 * MiB)


def bone_volume(atlas: Atlas, specimen: Specimen) -> Volume:
    """The density volume of the specimen's bones (cached)."""
    ids = bone_ids(specimen)
    key = "|".join(
        [str(atlas.root), *(specimen.structures[i].geometry.model_dump_json() for i in ids)]
    )
    return _volumes.get_or_make(key, lambda: _build_volume(key, atlas, specimen, ids))


def _build_volume(key: str, atlas: Atlas, specimen: Specimen, ids: list[str]) -> Volume:
    meshes = {i: cached_structure_mesh(atlas, specimen.structures[i]) for i in ids}
    bounds = np.array([m.bounds for m in meshes.values()])
    lo = np.floor(bounds[:, 0::2].min(0)) - 3 * VOXEL_MM
    hi = np.ceil(bounds[:, 1::2].max(0)) + 3 * VOXEL_MM
    shape = tuple(int(n) for n in np.ceil((hi - lo) / VOXEL_MM).astype(int) + 1)
    nx, ny, nz = shape
    mu = np.zeros(shape, np.float32)
    sacrum = np.zeros(shape, bool)
    for sid, mesh in meshes.items():
        # Each bone is filled in its own box of the grid: far cheaper than the whole grid.
        b = np.asarray(mesh.bounds, float)
        i0 = np.maximum(np.floor((b[0::2] - lo) / VOXEL_MM).astype(int) - 2, 0)
        i1 = np.minimum(np.ceil((b[1::2] - lo) / VOXEL_MM).astype(int) + 3, [nx, ny, nz])
        box = tuple(slice(a, c) for a, c in zip(i0, i1, strict=True))
        mask = voxelize(mesh, lo + i0 * VOXEL_MM, VOXEL_MM, tuple(int(n) for n in i1 - i0))  # type: ignore[arg-type]
        if sid == "sacrum":
            sacrum[box] = mask
        core = ndimage.binary_erosion(mask, iterations=CORTEX_MM)
        part = np.zeros(mask.shape, np.float32)
        part[mask] = MU_PER_MM["cortex"]
        part[core] = MU_PER_MM["marrow_bone"]
        np.maximum(mu[box], part, out=mu[box])
    return Volume(key, lo, VOXEL_MM, mu, sacrum)
