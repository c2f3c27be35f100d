"""What the sacroplasty page shows, as plain functions: the one door into the package.

Everything here is pure (no streamlit) and cached below it (volumes, projections,
anatomy); the page only chooses and lays out. Its answers are plain values (JPEG bytes,
numbers, sentences) so the page may keep them in its own caches. The pictures are made in
:mod:`~atlas_app.sacroplasty.pictures`, the planner's needle in
:mod:`~atlas_app.sacroplasty.planning`; the names the page needs from them are here.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.fluoro import Style
from atlas_app.sacroplasty.fracture import FractureFill, describe_fill, fracture_fill
from atlas_app.sacroplasty.leaks import build_leak, describe_gap
from atlas_app.sacroplasty.loader import SacroplastySet, load_sacroplasty
from atlas_app.sacroplasty.needle.anatomy import SACRUM_ID, anatomy_for
from atlas_app.sacroplasty.needle.measures import NeedleMeasures
from atlas_app.sacroplasty.needle.measuring import measure_needle
from atlas_app.sacroplasty.needle.path import technique_cement, technique_paths
from atlas_app.sacroplasty.pictures import (
    leak_pictures,
    plan_pictures,
    technique_pictures,
    view_for,
    volume_for,
    zone_picture,
)
from atlas_app.sacroplasty.planning import (
    PLAN_FIELDS,
    measure_plan,
    plan_scene_ids,
    planned_needle,
    preset,
    with_instruments,
)

__all__ = [
    "PLAN_FIELDS",
    "SACRUM_ID",
    "LeakView",
    "NeedleMeasures",
    "SacroplastySet",
    "Style",
    "cement_ml",
    "describe_gap",
    "fill_text",
    "leak_summary",
    "leak_view",
    "load_sacroplasty",
    "measure_plan",
    "plan_pictures",
    "plan_result",
    "plan_scene_ids",
    "planned_needle",
    "preset",
    "style_named",
    "technique_fill",
    "technique_jpegs",
    "technique_measures",
    "technique_pictures",
    "view_for",
    "volume_for",
    "with_instruments",
    "zone_jpeg",
]


def style_named(name: str) -> Style:
    """A display style from its name (anything unknown is the monitor's)."""
    return "radiograph" if name == "radiograph" else "monitor"


# --- The Denis zones and the techniques -----------------------------------------------------


def zone_jpeg(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str, style: str
) -> bytes:
    return zone_picture(atlas, specimen, data, side, style_named(style)).jpeg()


def technique_jpegs(
    atlas: Atlas,
    specimen: Specimen,
    data: SacroplastySet,
    technique_id: str,
    side: str,
    style: str,
    nerves: bool,
) -> list[tuple[str, str, bytes]]:
    """The technique's views as (view id, title, JPEG)."""
    pics = technique_pictures(
        atlas,
        specimen,
        data,
        technique_id,
        side,
        style=style_named(style),
        show_nerves=nerves,
    )
    return [(p.view_id, p.title, p.jpeg()) for p in pics]


def technique_measures(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, technique_id: str, side: str
) -> list[tuple[str, NeedleMeasures]]:
    """Each of the technique's needles, by label, measured on this specimen."""
    anatomy = anatomy_for(atlas, specimen, data, side)
    paths = technique_paths(data, specimen, technique_id, side)
    return [(p.label, measure_needle(anatomy, p)) for p in paths]


def cement_ml(data: SacroplastySet, specimen: Specimen, technique_id: str, side: str) -> float:
    """The technique's cement as drawn, in mL."""
    return technique_cement(data, specimen, technique_id, side).volume_ml()


def technique_fill(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, technique_id: str, side: str
) -> FractureFill | None:
    """How much of the fracture on ``side`` the technique's cement fills."""
    cement = technique_cement(data, specimen, technique_id, side)
    return fracture_fill(atlas, specimen, data, side, cement)


def fill_text(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, technique_id: str, side: str
) -> str:
    """:func:`technique_fill` in one sentence."""
    return describe_fill(technique_fill(atlas, specimen, data, technique_id, side))


# --- Leaks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeakView:
    """One leak scenario on a specimen: what it threatens, its cement and its pictures."""

    threats: list[tuple[str, float, bool]]  # name, gap (mm), named by the scenario
    nearest: tuple[str, float] | None  # the nearest named structure and its gap
    volume_ml: float
    images: list[tuple[str, bytes]]  # title, JPEG


def leak_view(
    atlas: Atlas,
    specimen: Specimen,
    data: SacroplastySet,
    leak_id: str,
    side: str,
    style: str,
    nerves: bool,
) -> LeakView:
    leak, pics = leak_pictures(
        atlas, specimen, data, leak_id, side, style=style_named(style), show_nerves=nerves
    )
    near = leak.nearest_named
    return LeakView(
        threats=[(t.name, t.gap_mm, t.named) for t in leak.threats],
        nearest=None if near is None else (near.name, near.gap_mm),
        volume_ml=leak.cement.volume_ml(),
        images=[(p.title, p.jpeg()) for p in pics],
    )


def leak_summary(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str
) -> list[tuple[str, float | None]]:
    """Each scenario's nearest threatened structure and gap, for the overview table."""
    out: list[tuple[str, float | None]] = []
    for lid in data.leaks:
        near = build_leak(atlas, specimen, data, lid, side).nearest_named
        out.append((near.name, near.gap_mm) if near else ("—", None))
    return out


# --- The planner ------------------------------------------------------------------------------


def plan_result(
    atlas: Atlas,
    specimen: Specimen,
    data: SacroplastySet,
    side: str,
    values: dict[str, float],
    style: str,
    nerves: bool,
) -> tuple[NeedleMeasures, list[tuple[str, bytes]]]:
    """The planned needle's measures and its views as (title, JPEG), a breach ringed."""
    path, measures = measure_plan(atlas, specimen, data, side, values)
    pics = plan_pictures(
        atlas,
        specimen,
        data,
        path,
        style=style_named(style),
        show_nerves=nerves,
        breaches=measures.breaches,
    )
    return measures, [(p.title, p.jpeg()) for p in pics]
