"""The needle planner: a technique's needle as planner numbers, the planned needle and its
measures, and the 3D scene of it in the see-through sacrum."""

from __future__ import annotations

import numpy as np

from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import SIDE_SIGN, Structure
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.needle.anatomy import anatomy_for
from atlas_app.sacroplasty.needle.measures import NeedleMeasures
from atlas_app.sacroplasty.needle.measuring import measure_needle
from atlas_app.sacroplasty.needle.path import NeedlePath, Spheres, technique_paths
from atlas_app.sacroplasty.pictures import NERVE_MARKS
from atlas_app.sacroplasty.schema import sided

PLAN_ID = "planned_needle"
CEMENT_ID = "planned_cement"

PLAN_FIELDS = ("entry_lat", "entry_y", "entry_z", "aim_lat", "aim_y", "aim_z")


def preset(
    data: SacroplastySet, specimen: Specimen, technique_id: str, side: str, needle: int = 0
) -> dict[str, float]:
    """A technique's needle as planner numbers: distance from the midline (mm, positive
    toward the treated side), y and z of the entry and the aim, rounded to 0.5 mm."""
    path = technique_paths(data, specimen, technique_id, side)[needle]
    sign = SIDE_SIGN[side]
    e, t = path.entry, path.tip
    values = (sign * e[0], e[1], e[2], sign * t[0], t[1], t[2])
    return {k: round(float(v) * 2) / 2 for k, v in zip(PLAN_FIELDS, values, strict=True)}


def planned_needle(side: str, values: dict[str, float], gauge_mm: float = 3.0) -> NeedlePath:
    sign = SIDE_SIGN[side]
    entry = np.array([sign * values["entry_lat"], values["entry_y"], values["entry_z"]])
    tip = np.array([sign * values["aim_lat"], values["aim_y"], values["aim_z"]])
    return NeedlePath("Planned needle", side, entry, tip, gauge_mm / 2.0)


def measure_plan(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str, values: dict[str, float]
) -> tuple[NeedlePath, NeedleMeasures]:
    path = planned_needle(side, values)
    return path, measure_needle(anatomy_for(atlas, specimen, data, side), path)


def with_instruments(
    specimen: Specimen, path: NeedlePath | None = None, cement: Spheres | None = None
) -> Specimen:
    """The specimen with a needle (a thin cone) and cement (a blob) added, for 3D scenes."""
    extra: dict[str, Structure] = {}
    src = [{"ref": "smith_gilula_2006", "note": "schematic instrument drawing"}]
    if path is not None:
        extra[PLAN_ID] = Structure.model_validate(
            {
                "id": PLAN_ID,
                "name": "Planned needle",
                "category": "instrument",
                "side": "midline",
                "color": "#2b6cb0",
                "description": "The bone cannula as planned: a straight 3 mm shaft.",
                "schematic": True,
                "geometry": {
                    "kind": "parametric",
                    "shape": "cone",
                    "points": [list(map(float, path.entry)), list(map(float, path.tip))],
                    "radii": [path.radius_mm, path.radius_mm],
                    "source": src,
                },
            }
        )
    if cement is not None and len(cement):
        extra[CEMENT_ID] = Structure.model_validate(
            {
                "id": CEMENT_ID,
                "name": "Cement",
                "category": "pathology",
                "side": "midline",
                "color": "#d9d9d9",
                "description": "Bone cement as this technique lays it (schematic spheres).",
                "schematic": True,
                "geometry": {
                    "kind": "parametric",
                    "shape": "blob",
                    "points": cement.centres.round(2).tolist(),
                    "radii": cement.radii.round(2).tolist(),
                    "source": src,
                },
            }
        )
    return Specimen(
        spec=specimen.spec,
        choices=specimen.choices,
        structures={**specimen.structures, **extra},
        landmarks=specimen.landmarks,
    )


def plan_scene_ids(specimen: Specimen, side: str) -> list[str]:
    """What the planning scene shows: the sacrum and L5, the nerves on the ala and the
    needle (the hip bone is left out: from the side it would hide them)."""
    keep = ["sacrum", "l5_vertebra", PLAN_ID, CEMENT_ID]
    keep += [sided(t, side) for t, _, _ in NERVE_MARKS]
    keep.append(sided("l4_ventral_ramus_{side}", side))
    return [s for s in keep if s in specimen.structures]
