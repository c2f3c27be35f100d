"""The sacroplasty page's needle planner: a technique's needle as a start, the entry and the
aim as numbers, what the needle measures and breaches, its fluoroscopic views and the
needle in the see-through sacrum in 3D. Also the way every part of the page lays out its
fluoroscopic views (side by side, or one per tab)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from atlas_app.model.atlas import Atlas
from atlas_app.model.camera import CameraSpec
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty import api
from atlas_app.scene.compose import compose_scene
from atlas_app.scene.spec import SceneSpec
from atlas_app.ui import state
from atlas_app.ui.resources import live_scene, specimen
from atlas_app.ui.sacroplasty_resources import plan_result, sacroplasty_data
from atlas_app.ui.viewer import show_viewer

PLAN_LIMITS = {
    "entry_lat": (0.0, 90.0),
    "entry_y": (-120.0, 60.0),
    "entry_z": (-120.0, 80.0),
    "aim_lat": (0.0, 90.0),
    "aim_y": (-120.0, 60.0),
    "aim_z": (-120.0, 80.0),
}
PLAN_LABELS = {
    "entry_lat": "Entry: from the midline (mm)",
    "entry_y": "Entry: front (+) / back (−) y (mm)",
    "entry_z": "Entry: height z (mm)",
    "aim_lat": "Aim: from the midline (mm)",
    "aim_y": "Aim: front (+) / back (−) y (mm)",
    "aim_z": "Aim: height z (mm)",
}
NERVE_METRICS = (
    ("l5_ventral_ramus", "L5 root"),
    ("lumbosacral_trunk", "Lumbosacral trunk"),
    ("s1_ventral_ramus", "S1 root"),
)


def show_views(layout: str, items: list[tuple[str, bytes, str]]) -> list[Any]:
    """Images side by side, or one per tab; ``items`` are (tab title, JPEG, caption).
    Returns the containers, one per image, for text under each."""
    if layout == "tabs":
        boxes: list[Any] = list(st.tabs([title for title, _, _ in items]))
        for box, (_, jpeg, caption) in zip(boxes, items, strict=True):
            box.image(jpeg, caption=caption or None, width=560)
        return boxes
    boxes = list(st.columns(len(items)))
    for box, (_, jpeg, caption) in zip(boxes, items, strict=True):
        box.image(jpeg, caption=caption or None, width="stretch")
    return boxes


def _load_preset(technique: str, needle: int) -> None:
    sp = specimen(st.session_state.get(state.SACROPLASTY_SPEC, "default"))[0]
    side = st.session_state.get(state.SACROPLASTY_SIDE, "right")
    values = api.preset(sacroplasty_data(), sp, technique, side, needle)
    for k, v in values.items():
        st.session_state[state.sacroplasty_plan_key(k)] = v


def _preset_buttons(data: api.SacroplastySet) -> None:
    presets = [
        (
            tid,
            i,
            t.short_name if len(t.needles) == 1 else f"{t.short_name}, {n.id.upper()}",
            f"{n.label} of the {t.name}",
        )
        for tid, t in data.techniques.items()
        for i, n in enumerate(t.needles)
    ]
    st.markdown("Start from a technique's needle:")
    bcols = st.columns(len(presets))
    for col, (tid, i, label, long_label) in zip(bcols, presets, strict=True):
        col.button(
            label,
            key=f"sacroplasty.preset_{tid}_{i}",
            on_click=_load_preset,
            args=(tid, i),
            width="stretch",
            help=f"Put the entry and the aim where the {long_label} lies on this specimen.",
        )


def _plan_inputs() -> dict[str, float]:
    entry_col, aim_col = st.columns(2)
    values: dict[str, float] = {}
    for col, fields in ((entry_col, api.PLAN_FIELDS[:3]), (aim_col, api.PLAN_FIELDS[3:])):
        for f in fields:
            lo, hi = PLAN_LIMITS[f]
            values[f] = float(
                col.number_input(
                    PLAN_LABELS[f],
                    min_value=lo,
                    max_value=hi,
                    step=1.0,
                    format="%.1f",
                    key=state.sacroplasty_plan_key(f),
                )
            )
    return values


def _show_measures(measures: api.NeedleMeasures, side: str) -> None:
    m1, m2, m3 = st.columns(3)
    front = measures.tip_to_anterior_cortex_mm
    m1.metric("Tip → anterior cortex", "outside" if front is None else f"{front:.1f} mm")
    fgap = measures.foramen_gap_mm
    m2.metric("Nearest foramen", "inside it" if fgap < 0 else f"{fgap:.1f} mm")
    m3.metric("In bone", f"{measures.in_bone_mm:.0f} mm")
    for col, (nerve, label) in zip(st.columns(3), NERVE_METRICS, strict=True):
        nerve_gap = measures.gap_to(f"{nerve}_{side}")
        col.metric(
            label,
            "—" if nerve_gap is None else "touching" if nerve_gap <= 0 else f"{nerve_gap:.1f} mm",
        )
    st.markdown(
        f"**Tip:** {measures.tip_region}. The needle is {measures.length_mm:.0f} mm long, "
        f"{measures.in_bone_mm:.0f} mm of it in the scanned bone."
    )
    errors = [w for w in measures.warnings if w.severity == "error"]
    for w in measures.warnings:
        {"error": st.error, "warning": st.warning, "info": st.info}[w.severity](
            w.text, icon=":material/error:" if w.severity == "error" else None
        )
    if not errors:
        st.success("No breach: the needle stays in bone and clear of the foramina and nerves.")


def plan_scene(
    atlas: Atlas, specimen_: Specimen, side: str, values: dict[str, float]
) -> tuple[Specimen, SceneSpec]:
    """The planned needle in the see-through sacrum, seen from the front and the treated
    side: the specimen with the needle added, and the scene."""
    scene_specimen = api.with_instruments(specimen_, api.planned_needle(side, values))
    sign = 1.0 if side == "right" else -1.0
    focus = (sign * 28.0, -20.0, -15.0)
    toward = (sign * 0.82, 0.45, 0.35)
    eye = (
        focus[0] + 470.0 * toward[0],
        focus[1] + 470.0 * toward[1],
        focus[2] + 470.0 * toward[2],
    )
    camera = CameraSpec(
        name="sacroplasty",
        title="The planned needle in the see-through sacrum, from the front and side",
        position=eye,
        focal_point=focus,
        view_up=(0.0, 0.0, 1.0),
        view_angle=30.0,
    )
    scene = compose_scene(
        atlas,
        scene_specimen,
        isolate=api.plan_scene_ids(scene_specimen, side),
        translucent=["sacrum"],
        camera=camera,
        title="Planned needle: sacrum see-through, nerves in yellow",
    )
    return scene_specimen, scene


def planner(
    atlas: Atlas, specimen_: Specimen, side: str, style: str, nerves: bool, layout: str
) -> None:
    """The whole planner section, its views laid out as ``layout`` says."""
    data = sacroplasty_data()
    st.session_state[state.SACROPLASTY_SPEC] = specimen_.spec
    if any(state.sacroplasty_plan_key(k) not in st.session_state for k in api.PLAN_FIELDS):
        _load_preset("long_axis", 0)
    _preset_buttons(data)
    values = _plan_inputs()
    spec_values = tuple(sorted(values.items()))
    measures, plan_images = plan_result(specimen_.spec, side, spec_values, style, nerves)
    _show_measures(measures, side)
    show_views(layout, [(title, jpeg, f"{title}: planned needle") for title, jpeg in plan_images])
    scene_specimen, scene = plan_scene(atlas, specimen_, side, values)
    live, text_alternative = live_scene(scene, scene_specimen)
    show_viewer(live, key="sacroplasty.viewer", height=480, camera_token=int(side == "left"))
    with st.expander("What this view shows (text alternative)"):
        st.text(text_alternative)
