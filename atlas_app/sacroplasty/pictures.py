"""Simulated fluoroscopic pictures of the sacroplasty page: a view with its needles, cement
and drawn marks (nerves, fracture, entry rings, breaches), for the techniques, the Denis
zones, the leaks and a planned needle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import CenterlineGeometry, ParametricGeometry
from atlas_app.model.schema import SIDE_SIGN
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty import fluoro
from atlas_app.sacroplasty.fluoro import Style, ViewGeometry
from atlas_app.sacroplasty.fracture import FRACTURE_ID
from atlas_app.sacroplasty.leaks import Leak, build_leak
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.needle.anatomy import anatomy_for
from atlas_app.sacroplasty.needle.measures import Breach
from atlas_app.sacroplasty.needle.path import NeedlePath, Spheres, technique_cement, technique_paths
from atlas_app.sacroplasty.overlay import Mark, png_bytes, to_rgb, zone_layer
from atlas_app.sacroplasty.schema import sided

STANDARD_VIEWS = ("ap", "lateral", "oblique_30")
NERVE_MARKS = (  # id, label, which point carries the label
    ("l5_ventral_ramus_{side}", "L5", -1),
    ("lumbosacral_trunk_{side}", "LST", -1),
    ("s1_ventral_ramus_{side}", "S1", 0),
)
NERVE_RGB = (255, 214, 10)
BREACH_RGB = (255, 64, 64)


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
