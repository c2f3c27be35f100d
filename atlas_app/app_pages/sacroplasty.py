"""Sacroplasty: the Denis zones, the short- and long-axis techniques on simulated
fluoroscopy, where cement escapes, and a needle planner."""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from atlas_app.model.camera import CameraSpec
from atlas_app.sacroplasty import api
from atlas_app.sacroplasty.fluoro import Style
from atlas_app.sacroplasty.fracture import describe_fill
from atlas_app.sacroplasty.leaks import build_leak, describe_gap
from atlas_app.sacroplasty.loader import SacroplastySet, load_sacroplasty
from atlas_app.sacroplasty.needle import (
    SACRUM_ID,
    NeedleMeasures,
    anatomy_for,
    measure_needle,
    technique_cement,
    technique_paths,
)
from atlas_app.scene.compose import compose_scene
from atlas_app.ui.panels import cite_text, picked_specimen, show_faults
from atlas_app.ui.resources import live_scene, loaded_atlas, specimen
from atlas_app.ui.viewer import show_viewer

K = "sacroplasty."
SIDE, STYLE, NERVES, LAYOUT = K + "side", K + "style", K + "nerves", K + "layout"
TECHNIQUE, LEAK = K + "technique", K + "leak"
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
STYLE_LABELS = {
    "monitor": "Fluoroscopy monitor (bone dark)",
    "radiograph": "Radiograph (bone white)",
}
LAYOUT_LABELS = {
    "row": "Side by side",
    "tabs": "One at a time, larger",
}


# --- Cached computations (shared by every user) -----------------------------------------


@st.cache_resource(show_spinner="Loading the sacroplasty data…")
def sacroplasty_data() -> SacroplastySet:
    return load_sacroplasty(loaded_atlas().atlas)


def _sp(spec: str) -> Any:
    return specimen(spec)[0]


def _style(name: str) -> Style:
    return "radiograph" if name == "radiograph" else "monitor"


@st.cache_data(max_entries=32, show_spinner=False)
def zone_image(spec: str, side: str, style: str) -> bytes:
    atlas = loaded_atlas().atlas
    return api.zone_picture(atlas, _sp(spec), sacroplasty_data(), side, _style(style)).jpeg()


@st.cache_data(max_entries=64, show_spinner="Simulating the fluoroscopic views…")
def technique_images(
    spec: str, technique_id: str, side: str, style: str, nerves: bool
) -> list[tuple[str, str, bytes]]:
    atlas = loaded_atlas().atlas
    pics = api.technique_pictures(
        atlas,
        _sp(spec),
        sacroplasty_data(),
        technique_id,
        side,
        style=_style(style),
        show_nerves=nerves,
    )
    return [(p.view_id, p.title, p.jpeg()) for p in pics]


@st.cache_data(max_entries=64, show_spinner=False)
def technique_measures(spec: str, technique_id: str, side: str) -> list[tuple[str, NeedleMeasures]]:
    atlas = loaded_atlas().atlas
    data = sacroplasty_data()
    sp = _sp(spec)
    anatomy = anatomy_for(atlas, sp, data, side)
    paths = technique_paths(data, sp, technique_id, side)
    return [(p.label, measure_needle(anatomy, p)) for p in paths]


@st.cache_data(max_entries=64, show_spinner=False)
def technique_cement_ml(spec: str, technique_id: str, side: str) -> float:
    return technique_cement(sacroplasty_data(), _sp(spec), technique_id, side).volume_ml()


@st.cache_data(max_entries=64, show_spinner=False)
def technique_fill_text(spec: str, technique_id: str, side: str) -> str:
    atlas = loaded_atlas().atlas
    fill = api.technique_fill(atlas, _sp(spec), sacroplasty_data(), technique_id, side)
    return describe_fill(fill)


@st.cache_data(max_entries=64, show_spinner="Simulating the leak…")
def leak_view(spec: str, leak_id: str, side: str, style: str, nerves: bool) -> dict[str, Any]:
    atlas = loaded_atlas().atlas
    leak, pics = api.leak_pictures(
        atlas,
        _sp(spec),
        sacroplasty_data(),
        leak_id,
        side,
        style=_style(style),
        show_nerves=nerves,
    )
    return {
        "threats": [(t.name, t.gap_mm, t.named) for t in leak.threats],
        "nearest": None
        if leak.nearest_named is None
        else (leak.nearest_named.name, leak.nearest_named.gap_mm),
        "volume_ml": leak.cement.volume_ml(),
        "images": [(p.title, p.jpeg()) for p in pics],
    }


@st.cache_data(max_entries=32, show_spinner=False)
def leak_summary(spec: str, side: str) -> list[tuple[str, float | None]]:
    """Each scenario's nearest threatened structure and gap, for the overview table."""
    atlas = loaded_atlas().atlas
    data = sacroplasty_data()
    out: list[tuple[str, float | None]] = []
    for lid in data.leaks:
        leak = build_leak(atlas, _sp(spec), data, lid, side)
        near = leak.nearest_named
        out.append((near.name, near.gap_mm) if near else ("—", None))
    return out


@st.cache_data(max_entries=256, show_spinner=False)
def plan_result(
    spec: str, side: str, values: tuple[tuple[str, float], ...], style: str, nerves: bool
) -> tuple[NeedleMeasures, list[tuple[str, bytes]]]:
    atlas = loaded_atlas().atlas
    data = sacroplasty_data()
    sp = _sp(spec)
    path, measures = api.measure_plan(atlas, sp, data, side, dict(values))
    pics = api.plan_pictures(
        atlas,
        sp,
        data,
        path,
        style=_style(style),
        show_nerves=nerves,
        breaches=measures.breaches,
    )
    return measures, [(p.title, p.jpeg()) for p in pics]


# --- The page ------------------------------------------------------------------------------

loaded = loaded_atlas()
atlas = loaded.atlas
data = sacroplasty_data()
show_faults(loaded)
if data.faults:
    with st.expander(f":material/warning: {len(data.faults)} problem(s) in the sacroplasty data"):
        st.code("\n".join(map(str, data.faults)), language=None)
if not data.techniques or not data.views:
    st.error("The sacroplasty data could not be loaded.")
    st.stop()
if SACRUM_ID not in atlas.structures:
    st.error(
        "The sacrum could not be read from the atlas data (see the problems above), and every "
        "view on this page is drawn on it."
    )
    st.stop()

with st.sidebar:
    st.subheader("Sacroplasty")
    side = st.radio(
        "Treated side",
        ["right", "left"],
        key=SIDE,
        horizontal=True,
        format_func=str.capitalize,
        help="The technical note's fracture and leak were on the right.",
    )
    style = st.radio(
        "Display",
        list(STYLE_LABELS),
        key=STYLE,
        format_func=STYLE_LABELS.get,
        help="C-arm monitors usually show bone dark and metal black; a radiograph the reverse.",
    )
    nerves = st.toggle(
        "Draw the L5 root, trunk and S1 root (invisible on X-ray)",
        key=NERVES,
        value=True,
    )
    layout = st.radio(
        "Fluoroscopic views",
        list(LAYOUT_LABELS),
        key=LAYOUT,
        format_func=LAYOUT_LABELS.get,
        help="On a narrow screen, one view at a time in tabs shows each image larger.",
    )


def show_views(items: list[tuple[str, bytes, str]]) -> list[Any]:
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


specimen_ = picked_specimen(atlas)
spec = specimen_.spec

st.title("Sacroplasty and where its cement goes")
st.caption(
    "Simulated fluoroscopy of the atlas's bones (one adult body, BodyParts3D): parallel "
    "X-ray projections computed on the server, not patient images. The foramina, the lower "
    "sacroiliac joint and the long-axis entry point are measured on that sacrum; the "
    "needles, the cement, the fracture and the nerves on the front of the ala are drawn. AP "
    "and oblique views are shown as the operator sees a prone patient: the patient's right "
    "(R) on the right."
)

# --- Denis zones ---------------------------------------------------------------------------
st.header("Denis zones")
zones = data.zones_in_order()
left, right = st.columns([1, 1], gap="medium")
with left:
    st.image(
        zone_image(spec, side, style),
        caption="AP view with the Denis zones coloured on the sacrum: 1 ala (lateral to the "
        "foramina), 2 the foraminal column, 3 the central canal. Boundaries are the lateral and "
        "medial margins of the foramina, measured on the sacrum.",
        width="stretch",
    )
with right:
    for z in zones:
        st.markdown(
            f"**{z.name}** · nerve injury in **{z.neuro_injury_percent:g}%**  \n"
            f"{z.definition.strip()} Usually injured: {z.typical_injury}."
        )
        st.caption("Source: " + cite_text(atlas, z.cite))
    st.caption(
        "Injury rates are Denis's series as quoted in a textbook, rounded ([S]: secondary "
        "source). Insufficiency fractures are mostly alar (zone 1), which is why cement put "
        "into them sits next to the L5 root."
    )

# --- Techniques ----------------------------------------------------------------------------
st.header("Two techniques")
technique_id = st.radio(
    "Technique",
    list(data.techniques),
    key=TECHNIQUE,
    horizontal=True,
    format_func=lambda t: data.techniques[t].name,
)
tech = data.techniques[technique_id]
st.write(tech.summary)
images = technique_images(spec, technique_id, side, style, nerves)
boxes = show_views([(t, picture, f"{t}: {tech.short_name}") for _, t, picture in images])
for box, image in zip(boxes, images, strict=True):
    view_id = image[0]
    if view_id in tech.views:
        box.markdown("**Used by this technique**")
    box.caption(data.views[view_id].purpose)
st.caption(
    "Drawn over the images (X-rays show none of them): dashed yellow, the L5 root (L5), the "
    "lumbosacral trunk (LST) and the S1 root (S1); dashed pink, the atlas's zone 1 fracture "
    "(drawn on the right in this atlas); blue ring, the entry point."
)

steps_col, notes_col = st.columns([3, 2], gap="medium")
with steps_col:
    st.markdown(f"**Position.** {tech.positioning}")
    st.markdown("**Steps**\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(tech.steps, 1)))
    if tech.pitfalls:
        st.markdown("**Pitfalls**\n" + "\n".join(f"- {p}" for p in tech.pitfalls))
with notes_col:
    ml = technique_cement_ml(spec, technique_id, side)
    st.markdown(
        f"**Cement.** {tech.cement.description.strip()} Drawn here as {ml:.1f} mL of solid "
        "spheres (schematic)."
    )
    st.markdown(
        "**Along the fracture.** " + technique_fill_text(spec, technique_id, side),
        help="The atlas's zone 1 fracture (schematic, drawn as a dashed line on the frontal "
        "and oblique views) sampled every millimetre inside the bone; a sample is filled when "
        "it lies inside the cement.",
    )
    if tech.evidence:
        st.markdown("**Evidence**\n" + "\n".join(f"- {e}" for e in tech.evidence))
    st.caption("Sources: " + cite_text(atlas, tech.cite))

measured = technique_measures(spec, technique_id, side)
table = [
    "| Needle | Tip lies in | Tip → anterior cortex | Nearest foramen | L5 root | Trunk "
    "| S1 root |",
    "|---|---|---|---|---|---|---|",
]


def _gap(m: NeedleMeasures, nerve: str) -> str:
    g = m.gap_to(f"{nerve}_{side}")
    return "—" if g is None else f"{g:.1f} mm"


for label, m in measured:
    to_front = (
        "—" if m.tip_to_anterior_cortex_mm is None else f"{m.tip_to_anterior_cortex_mm:.1f} mm"
    )
    table.append(
        f"| {label} | {m.tip_region} | {to_front} | {m.foramen_gap_mm:.1f} mm | "
        f"{_gap(m, 'l5_ventral_ramus')} | {_gap(m, 'lumbosacral_trunk')} | "
        f"{_gap(m, 's1_ventral_ramus')} |"
    )
st.markdown("Measured on this specimen (gaps from the needle's surface):")
st.markdown("\n".join(table))
st.caption(
    "The published middle-of-S1 target lay 11.2–12.8 mm behind the anterior cortex on "
    "average (AJNR safe-target study); in this body the ala is shallower in front of "
    "that point (about 7 mm)."
)

# --- Leaks --------------------------------------------------------------------------------
st.header("Where cement escapes")
summary = leak_summary(spec, side)
rows = ["| Leak | Reported | Threatens (nearest) | Source |", "|---|---|---|---|"]
for leak, (near_name, near_gap) in zip(data.leaks.values(), summary, strict=True):
    how = "" if near_gap is None else f" — {describe_gap(near_gap)}"
    sources = cite_text(atlas, leak.cite)
    rows.append(f"| {leak.name} | {leak.frequency_text} | {near_name}{how} | {sources} |")
st.markdown("\n".join(rows))
st.caption(
    "Frequencies from one series of 63 sacroplasties (Bastian 2012; a leak can count at more "
    "than one site); the last is the technical note's case. Leak shapes are schematic."
)
leak_id = st.radio(
    "Show a leak",
    list(data.leaks),
    key=LEAK,
    horizontal=True,
    format_func=lambda lid: data.leaks[lid].name,
    index=len(data.leaks) - 1,
)
leak = data.leaks[leak_id]
shown = leak_view(spec, leak_id, side, style, nerves)
if layout == "tabs":
    show_views([(title, jpeg, f"{title}: cement of this leak") for title, jpeg in shown["images"]])
    leak_text = st.container()
else:
    pic_cols = st.columns([1, 1, 1.1], gap="medium")
    for col, (title, jpeg) in zip(pic_cols, shown["images"], strict=False):
        col.image(jpeg, caption=f"{title}: cement of this leak", width="stretch")
    leak_text = pic_cols[-1]
with leak_text:
    st.markdown(f"**{leak.name}** · {leak.frequency_text}")
    st.write(leak.description.strip())
    st.markdown(f"**What it does.** {leak.consequence.strip()}")
    lines = []
    for name, gap, named in shown["threats"]:
        tag = "threatened" if named else "also near"
        lines.append(f"- {name} ({tag}): {describe_gap(gap)}")
    st.markdown("**Measured on this specimen**\n" + "\n".join(lines))
    st.caption(
        f"Sources: {cite_text(atlas, leak.cite)}. Cement drawn: {shown['volume_ml']:.1f} mL."
    )
if leak.leads_to_approaches:
    st.markdown(
        "Cement on the L5 root in front of the ala is removed from the front: the Approaches "
        "page walks the three anterior routes to it step by step."
    )
    try:
        st.page_link(
            "app_pages/approaches.py",
            label="Approaches to the ala and the L5 root",
            icon=":material/route:",
        )
    except StreamlitAPIException:  # the page run on its own, outside the navigation
        st.markdown("[Approaches to the ala and the L5 root](/approaches)")

# --- Planner ------------------------------------------------------------------------------
st.header("Plan a needle")
st.caption(
    "Move the entry point and the aim (the tip). Distances from the midline are toward the "
    "treated side; y is positive to the front, z up, origin at the sacral promontory. The "
    "needle is measured against this specimen's sacrum and nerves as you change it."
)


def _load_preset(technique: str, needle: int) -> None:
    sp = specimen(st.session_state.get("sacroplasty.spec", "default"))[0]
    values = api.preset(data, sp, technique, st.session_state.get(SIDE, "right"), needle)
    for k, v in values.items():
        st.session_state[K + k] = v


st.session_state["sacroplasty.spec"] = spec
if any(K + k not in st.session_state for k in api.PLAN_FIELDS):
    _load_preset("long_axis", 0)


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
        key=f"{K}preset_{tid}_{i}",
        on_click=_load_preset,
        args=(tid, i),
        width="stretch",
        help=f"Put the entry and the aim where the {long_label} lies on this specimen.",
    )
entry_col, aim_col = st.columns(2)
values: dict[str, float] = {}
for col, fields in ((entry_col, api.PLAN_FIELDS[:3]), (aim_col, api.PLAN_FIELDS[3:])):
    for f in fields:
        lo, hi = PLAN_LIMITS[f]
        values[f] = float(
            col.number_input(
                PLAN_LABELS[f], min_value=lo, max_value=hi, step=1.0, format="%.1f", key=K + f
            )
        )
measures, plan_images = plan_result(spec, side, tuple(sorted(values.items())), style, nerves)

m1, m2, m3 = st.columns(3)
front = measures.tip_to_anterior_cortex_mm
m1.metric("Tip → anterior cortex", "outside" if front is None else f"{front:.1f} mm")
fgap = measures.foramen_gap_mm
m2.metric("Nearest foramen", "inside it" if fgap < 0 else f"{fgap:.1f} mm")
m3.metric("In bone", f"{measures.in_bone_mm:.0f} mm")
m4, m5, m6 = st.columns(3)
for col, (nerve, label) in zip(
    (m4, m5, m6),
    (
        ("l5_ventral_ramus", "L5 root"),
        ("lumbosacral_trunk", "Lumbosacral trunk"),
        ("s1_ventral_ramus", "S1 root"),
    ),
    strict=True,
):
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

show_views([(title, jpeg, f"{title}: planned needle") for title, jpeg in plan_images])

path = api.planned_needle(side, values)
scene_specimen = api.with_instruments(specimen_, path)
sign = 1.0 if side == "right" else -1.0
focus = (sign * 28.0, -20.0, -15.0)
toward = (sign * 0.82, 0.45, 0.35)
eye = (focus[0] + 470.0 * toward[0], focus[1] + 470.0 * toward[1], focus[2] + 470.0 * toward[2])
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
live, text_alternative = live_scene(scene, scene_specimen)
show_viewer(live, key="sacroplasty.viewer", height=480, camera_token=int(side == "left"))
with st.expander("What this view shows (text alternative)"):
    st.text(text_alternative)
