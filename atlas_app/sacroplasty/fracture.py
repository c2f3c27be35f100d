"""How much of the fracture a technique's cement fills.

The atlas draws a zone 1 insufficiency fracture as a thin vertical sheet in the ala
(``sacral_fracture_{side}``, schematic; the default specimen has one on the right only).
The sheet is sampled on a 1 mm grid, the samples outside the registered sacrum are
dropped, and a sample counts as filled when it lies inside the cement. Besides the share
of the sheet filled, the fill is described by height: over how many millimetres of the
fracture's height the cement reaches it, and in how many separate stretches — a column laid
along the fracture makes one long stretch, masses at separate tips make several short ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas_app.geometry.centerline import Array
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import ParametricGeometry
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.needle import Spheres, anatomy_for
from atlas_app.sacroplasty.schema import sided

FRACTURE_ID = "sacral_fracture_{side}"
STEP_MM = 1.0
GAP_MM = 2.0  # stretches closer than this in height count as one


@dataclass(frozen=True)
class FractureFill:
    """What the cement fills of one side's fracture (heights in mm, z of the atlas)."""

    fracture_id: str
    name: str
    height_mm: float  # the fracture's height inside the bone
    filled_fraction: float  # share of the sheet inside the bone that the cement fills
    filled_height_mm: float  # height over which the cement reaches the fracture
    stretches: tuple[tuple[float, float], ...]  # (bottom, top) of each filled stretch

    @property
    def parts(self) -> int:
        return len(self.stretches)


def fracture_samples(specimen: Specimen, side: str, step: float = STEP_MM) -> Array | None:
    """Points on the fracture sheet of one side (n, 3), or None when there is none."""
    s = specimen.structures.get(sided(FRACTURE_ID, side))
    if s is None or not isinstance(s.geometry, ParametricGeometry):
        return None
    g = s.geometry
    if not g.points or len(g.points) < 2 or g.z_range is None:
        return None
    trace = np.asarray(g.points, float)[:, :2]
    seg = np.linalg.norm(np.diff(trace, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    at = np.arange(0.0, arc[-1] + 1e-9, step)
    xy = np.stack([np.interp(at, arc, trace[:, k]) for k in range(2)], -1)
    z0, z1 = sorted(g.z_range)
    zs = np.arange(z0, z1 + 1e-9, step)
    return np.column_stack([np.repeat(xy, len(zs), axis=0), np.tile(zs, len(xy))])


def _stretches(levels: Array, step: float) -> tuple[tuple[float, float], ...]:
    if not len(levels):
        return ()
    levels = np.unique(levels)
    breaks = np.nonzero(np.diff(levels) > GAP_MM + step / 2)[0]
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(levels) - 1]])
    return tuple((float(levels[a]), float(levels[b])) for a, b in zip(starts, ends, strict=True))


def fracture_fill(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str, cement: Spheres
) -> FractureFill | None:
    """How much of the fracture on ``side`` the cement fills (None: no fracture there)."""
    pts = fracture_samples(specimen, side)
    if pts is None:
        return None
    anatomy = anatomy_for(atlas, specimen, data, side)
    pts = pts[anatomy.depth(pts) < 0]
    if not len(pts):
        return None
    sid = sided(FRACTURE_ID, side)
    if len(cement):
        d = np.linalg.norm(pts[:, None, :] - cement.centres[None, :, :], axis=2)
        filled = (d <= cement.radii[None, :]).any(axis=1)
    else:
        filled = np.zeros(len(pts), bool)
    stretches = _stretches(pts[filled, 2], STEP_MM)
    return FractureFill(
        fracture_id=sid,
        name=specimen.structures[sid].name,
        height_mm=float(np.ptp(pts[:, 2]) + STEP_MM),
        filled_fraction=float(filled.mean()),
        filled_height_mm=float(sum(b - a + STEP_MM for a, b in stretches)),
        stretches=stretches,
    )


def describe_fill(fill: FractureFill | None) -> str:
    """The fill in one sentence for the page."""
    if fill is None:
        return "This specimen has no fracture drawn on this side."
    if not fill.parts:
        return "The cement does not reach the fracture."
    parts = "one continuous stretch" if fill.parts == 1 else f"{fill.parts} separate stretches"
    return (
        f"The cement fills {fill.filled_fraction:.0%} of the fracture's surface inside the "
        f"bone and reaches it over {fill.filled_height_mm:.0f} of its {fill.height_mm:.0f} mm "
        f"of height, in {parts}."
    )
