"""The anatomy a needle is measured against: the sacrum (a signed distance), the foramina
(short canals) and the nerves of one side of a specimen, built once per geometry."""

from __future__ import annotations

from dataclasses import dataclass, field
from threading import Lock

import numpy as np
import pyvista as pv
import vtk

from atlas_app.caching import Memo, MiB
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.measure import evaluate_distance, implicit_distance
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import SIDE_SIGN
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.points import mirrored, resolve
from atlas_app.sacroplasty.schema import sided

SACRUM_ID = "sacrum"
WATCHED_NERVES = (
    "l5_ventral_ramus_{side}",
    "lumbosacral_trunk_{side}",
    "s1_ventral_ramus_{side}",
    "l4_ventral_ramus_{side}",
)
"""The nerves a sacral needle or leak is measured against (variant strands of them too)."""


@dataclass(frozen=True)
class Canal:
    """A foramen as a short cylinder from its anterior opening backwards."""

    id: str
    name: str
    opening: Array
    back: Array
    radius_mm: float


@dataclass(frozen=True)
class Nerve:
    id: str
    name: str
    mesh: pv.PolyData = field(repr=False)


@dataclass(frozen=True)
class Anatomy:
    """The sacrum, foramina and nerves of one side of a specimen, ready to measure."""

    side: str
    sacrum: pv.PolyData = field(repr=False)
    canals: tuple[Canal, ...]
    nerves: tuple[Nerve, ...]
    s1_body_center: Array
    _sdf: vtk.vtkImplicitPolyDataDistance = field(repr=False, compare=False)
    _nerve_sdf: dict[str, vtk.vtkImplicitPolyDataDistance] = field(repr=False, compare=False)
    # The VTK distance objects keep scratch buffers: one thread at a time per anatomy.
    _vtk_lock: Lock = field(default_factory=Lock, repr=False, compare=False)

    @property
    def sign(self) -> float:
        return SIDE_SIGN[self.side]

    def depth(self, points: Array) -> Array:
        """Signed distance to the sacral surface: negative inside the bone (mm)."""
        with self._vtk_lock:
            return evaluate_distance(self._sdf, points)

    def normal(self, point: Array, h: float = 0.5) -> Array:
        """Outward unit normal of the sacral surface near ``point`` (gradient of depth)."""
        p = np.asarray(point, float)
        offsets = np.eye(3) * h
        grad = (self.depth(p + offsets) - self.depth(p - offsets)) / (2 * h)
        n = float(np.linalg.norm(grad))
        return grad / n if n > 0 else np.zeros(3)

    def nerve_gap(self, nerve_id: str, points: Array) -> float:
        """Smallest distance from the points to the nerve's surface (negative inside)."""
        with self._vtk_lock:
            return float(evaluate_distance(self._nerve_sdf[nerve_id], points).min())

    def margins(self, z: float) -> tuple[float, float]:
        """|x| of the medial and lateral margins of the foramina at height z (Denis zone
        boundaries), interpolated between the foramina and held beyond them."""
        zs = np.array([c.opening[2] for c in self.canals])
        order = np.argsort(zs)
        xs = np.array([abs(c.opening[0]) for c in self.canals])[order]
        rs = np.array([c.radius_mm for c in self.canals])[order]
        zs = zs[order]
        centre = float(np.interp(z, zs, xs))
        radius = float(np.interp(z, zs, rs))
        return centre - radius, centre + radius

    def zone(self, point: Array) -> int:
        """Denis zone of a point by its distance from the midline (1 ala, 2 foramina,
        3 central)."""
        medial, lateral = self.margins(float(point[2]))
        ax = abs(float(point[0]))
        if ax >= lateral:
            return 1
        if ax > medial:
            return 2
        return 3

    def in_s1_body(self, point: Array) -> bool:
        """Within the S1 body: medial to the foramina, from the first foramen's level up,
        and not behind the body (where the canal is)."""
        s1 = min(self.canals, key=lambda c: -c.opening[2])
        medial, _ = self.margins(float(point[2]))
        return bool(
            abs(point[0]) <= medial
            and point[2] >= s1.opening[2] - 10.0
            and point[1] >= self.s1_body_center[1] - 16.0
        )


def _nerve_ids(specimen: Specimen, side: str) -> list[str]:
    prefixes = tuple(sided(n, side).removesuffix(f"_{side}") for n in WATCHED_NERVES)
    out = [sided(n, side) for n in WATCHED_NERVES if sided(n, side) in specimen.structures]
    for sid, s in specimen.structures.items():
        if (
            sid not in out
            and s.category == "nerve"
            and sid.endswith(f"_{side}")
            and sid.startswith(prefixes)
        ):
            out.append(sid)
    return out


def _canals(data: SacroplastySet, specimen: Specimen, side: str) -> tuple[Canal, ...]:
    out = []
    for f in data.foramina.values():
        opening = resolve(f.opening, specimen, side, data)
        d = mirrored(f.direction, side)
        d /= np.linalg.norm(d)
        out.append(Canal(f.id, f.name, opening, opening + f.length_mm * d, f.radius_mm))
    return tuple(out)


# One side's measuring anatomy takes about 0.2 MB.
_anatomies: Memo[tuple[str, ...], Anatomy] = Memo(max_bytes=8 * MiB)


def anatomy_for(atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str) -> Anatomy:
    """The measuring anatomy of one side (cached by the geometry it is built from)."""
    nerves = _nerve_ids(specimen, side)
    key = (
        str(atlas.root),
        side,
        specimen.structures[SACRUM_ID].geometry.model_dump_json(),
        repr(sorted(specimen.landmarks.items())),
        *(specimen.structures[n].geometry.model_dump_json() for n in nerves),
        repr([(f.id, f.model_dump_json()) for f in data.foramina.values()]),
    )
    return _anatomies.get_or_make(key, lambda: _build_anatomy(atlas, specimen, data, side))


def _build_anatomy(atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str) -> Anatomy:
    sacrum = cached_structure_mesh(atlas, specimen.structures[SACRUM_ID])
    nerve_objs = []
    nerve_sdf = {}
    for nid in _nerve_ids(specimen, side):
        mesh = cached_structure_mesh(atlas, specimen.structures[nid])
        nerve_objs.append(Nerve(nid, specimen.structures[nid].name, mesh))
        nerve_sdf[nid] = implicit_distance(mesh)
    return Anatomy(
        side=side,
        sacrum=sacrum,
        canals=_canals(data, specimen, side),
        nerves=tuple(nerve_objs),
        s1_body_center=np.asarray(specimen.landmarks.get("s1_body_center", (0, -17.6, 1.1))),
        _sdf=implicit_distance(sacrum),
        _nerve_sdf=nerve_sdf,
    )


def clear_caches() -> None:
    """Forget built anatomy (benchmarks measure the cold path)."""
    _anatomies.clear()
