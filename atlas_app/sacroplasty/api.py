"""What the sacroplasty page shows, as plain functions: images, plans and scenes.

Everything here is pure (no streamlit) and cached below it (volumes, projections,
anatomy), so the page only chooses and lays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import CenterlineGeometry, ParametricGeometry
from atlas_app.model.schema import SIDE_SIGN, Structure
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty import fluoro
from atlas_app.sacroplasty.fluoro import Style, ViewGeometry
from atlas_app.sacroplasty.fracture import FRACTURE_ID, FractureFill, fracture_fill
from atlas_app.sacroplasty.leaks import Leak, build_leak
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.needle import (
    Breach,
    NeedleMeasures,
    NeedlePath,
    Spheres,
    anatomy_for,
    measure_needle,
    technique_cement,
    technique_paths,
)
from atlas_app.sacroplasty.overlay import Mark, png_bytes, to_rgb, zone_layer
from atlas_app.sacroplasty.points import resolve
from atlas_app.sacroplasty.schema import sided

STANDARD_VIEWS = ("ap", "lateral", "oblique_30")
NERVE_MARKS = (  # id, label, which point carries the label
    ("l5_ventral_ramus_{side}", "L5", -1),
    ("lumbosacral_trunk_{side}", "LST", -1),
    ("s1_ventral_ramus_{side}", "S1", 0),
)
NERVE_RGB = (255, 214, 10)
BREACH_RGB = (255, 64, 64)
PLAN_ID = "planned_needle"
CEMENT_ID = "planned_cement"


def volume_for(atlas: Atlas, specimen: Specimen, data: SacroplastySet) -> fluoro.Volume:
    """The specimen's bone volume (the sacroplasty data does not change it: the foramina are
    open in the bone itself)."""
    return fluoro.bone_volume(atlas, specimen)


def view_for(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, view_id: str, side: str
) -> ViewGeometry:
    return fluoro.view_from_data(data.views[view_id], side, atlas, specimen)


def nerve_marks(specimen: Specimen, side: str) -> list[Mark]:
    """The L5 root, trunk and S1 root drawn over an image (X-rays do not show them)."""
    marks = []
    for template, label, at in NERVE_MARKS:
        s = specimen.structures.get(sided(template, side))
        if s is None or not isinstance(s.geometry, CenterlineGeometry):
            continue
        pts = tuple(
            (float(x), float(y), float(z)) for x, y, z in centerline_curve(s.geometry).points
        )
        marks.append(Mark(pts, NERVE_RGB, label, width=2, dashed=True, label_at=at))
    return marks


def fracture_mark(specimen: Specimen, side: str) -> list[Mark]:
    """The atlas's fracture (a vertical sheet) as a line on frontal views, if present."""
    s = specimen.structures.get(sided(FRACTURE_ID, side))
    if s is None or not isinstance(s.geometry, ParametricGeometry) or not s.geometry.points:
        return []
    g = s.geometry
    assert g.points is not None and g.z_range is not None
    x = float(np.mean([p[0] for p in g.points]))
    y = float(np.mean([p[1] for p in g.points]))
    z0, z1 = g.z_range
    return [Mark(((x, y, z0), (x, y, z1)), (236, 72, 153), "fracture", width=2, dashed=True)]


def entry_marks(paths: Sequence[NeedlePath]) -> list[Mark]:
    """A ring at each entry point."""
    return [
        Mark((tuple(map(float, p.entry)),), (120, 200, 255), "", dot=True)  # type: ignore[arg-type]
        for p in paths
    ]


@dataclass(frozen=True)
class Picture:
    """One simulated image, ready to show."""

    view_id: str
    title: str
    rgb: np.ndarray

    def jpeg(self, quality: int = 88) -> bytes:
        from io import BytesIO

        from PIL import Image

        buf = BytesIO()
        Image.fromarray(self.rgb).save(buf, "JPEG", quality=quality)
        return buf.getvalue()

    def png(self) -> bytes:
        return png_bytes(self.rgb)


def picture(
    atlas: Atlas,
    specimen: Specimen,
    data: SacroplastySet,
    view_id: str,
    side: str,
    *,
    needles: Sequence[NeedlePath] = (),
    cement: Spheres | None = None,
    marks: Sequence[Mark] = (),
    frontal_marks: Sequence[Mark] = (),
    style: Style = "monitor",
    zones: bool = False,
) -> Picture:
    """One view; ``frontal_marks`` are drawn on the frontal and oblique views only (a
    vertical sheet such as the fracture is a line there, not on the lateral view)."""
    view = view_for(atlas, specimen, data, view_id, side)
    if data.views[view_id].projection != "lateral":
        marks = [*marks, *frontal_marks]
    image = fluoro.simulate(
        volume_for(atlas, specimen, data), view, needles=needles, cement=cement, style=style
    )
    layer = None
    if zones:
        anatomy = anatomy_for(atlas, specimen, data, side)
        colors: dict[int, str] = {int(z.number): z.color for z in data.denis_zones.values()}
        layer = zone_layer(image, anatomy.margins, colors)
    title = data.views[view_id].name
    return Picture(view_id, title, to_rgb(image, marks, layer, title))


def technique_pictures(
    atlas: Atlas,
    specimen: Specimen,
    data: SacroplastySet,
    technique_id: str,
    side: str,
    *,
    style: Style = "monitor",
    show_nerves: bool = True,
) -> list[Picture]:
    """AP, lateral and 30° oblique with the technique's needles and cement."""
    paths = technique_paths(data, specimen, technique_id, side)
    cement = technique_cement(data, specimen, technique_id, side)
    marks = entry_marks(paths) + (nerve_marks(specimen, side) if show_nerves else [])
    return [
        picture(
            atlas,
            specimen,
            data,
            v,
            side,
            needles=paths,
            cement=cement,
            marks=marks,
            frontal_marks=fracture_mark(specimen, side),
            style=style,
        )
        for v in STANDARD_VIEWS
        if v in data.views
    ]


def technique_fill(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, technique_id: str, side: str
) -> FractureFill | None:
    """How much of the fracture on ``side`` the technique's cement fills."""
    cement = technique_cement(data, specimen, technique_id, side)
    return fracture_fill(atlas, specimen, data, side, cement)


def zone_picture(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str, style: Style = "monitor"
) -> Picture:
    """The frontal view with the Denis zones coloured on the sacrum and numbered."""
    anatomy = anatomy_for(atlas, specimen, data, side)
    marks: list[Mark] = []
    z = -36.0
    medial, lateral = anatomy.margins(z)
    for s in ("right", "left"):
        sign = SIDE_SIGN[s]
        for number, x in ((1, lateral + 9.0), (2, (medial + lateral) / 2)):
            marks.append(Mark(((sign * x, -30.0, z),), (255, 255, 255), str(number), big=True))
    marks.append(Mark(((0.0, -30.0, z),), (255, 255, 255), "3", big=True))
    marks += fracture_mark(specimen, "right") + fracture_mark(specimen, "left")
    return picture(atlas, specimen, data, "ap", side, marks=marks, style=style, zones=True)


def leak_pictures(
    atlas: Atlas,
    specimen: Specimen,
    data: SacroplastySet,
    leak_id: str,
    side: str,
    *,
    style: Style = "monitor",
    show_nerves: bool = True,
) -> tuple[Leak, list[Picture]]:
    leak = build_leak(atlas, specimen, data, leak_id, side)
    marks = nerve_marks(specimen, side) if show_nerves else []
    pics = [
        picture(
            atlas,
            specimen,
            data,
            v,
            side,
            cement=leak.cement,
            marks=marks,
            frontal_marks=fracture_mark(specimen, side),
            style=style,
        )
        for v in ("ap", "lateral")
    ]
    return leak, pics


# --- Planning ----------------------------------------------------------------------------

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


def plan_pictures(
    atlas: Atlas,
    specimen: Specimen,
    data: SacroplastySet,
    path: NeedlePath,
    *,
    style: Style = "monitor",
    show_nerves: bool = True,
    breaches: Sequence[Breach] = (),
) -> list[Picture]:
    """The planned needle on the three views, a red ring where it breaches the bone."""
    marks = entry_marks([path]) + (nerve_marks(specimen, path.side) if show_nerves else [])
    marks += [Mark((b.point,), BREACH_RGB, "breach", width=3, dot=True) for b in breaches]
    return [
        picture(atlas, specimen, data, v, path.side, needles=[path], marks=marks, style=style)
        for v in STANDARD_VIEWS
        if v in data.views
    ]


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


def resolved_points(
    data: SacroplastySet, specimen: Specimen, side: str
) -> dict[str, tuple[float, float, float]]:
    """Every named point of the data on this specimen and side (for the page's table)."""
    out = {}
    for pid, p in data.points.items():
        v = resolve(p.where, specimen, side, data)
        out[pid] = (float(v[0]), float(v[1]), float(v[2]))
    return out
