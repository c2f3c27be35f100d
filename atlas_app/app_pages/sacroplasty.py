"""Sacroplasty: the Denis zones, the short- and long-axis techniques on simulated
fluoroscopy, where cement escapes, and a needle planner."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from atlas_app.sacroplasty import api
from atlas_app.ui import state
from atlas_app.ui.panels import cite_text, picked_specimen, show_faults
from atlas_app.ui.resources import loaded_atlas
from atlas_app.ui.sacroplasty_planner import planner, show_views
from atlas_app.ui.sacroplasty_resources import (
    leak_summary,
    leak_view,
    sacroplasty_data,
    technique_cement_ml,
    technique_fill_text,
    technique_images,
    technique_measures,
    zone_image,
)

STYLE_LABELS = {
    "monitor": "Fluoroscopy monitor (bone dark)",
    "radiograph": "Radiograph (bone white)",
}
LAYOUT_LABELS = {
    "row": "Side by side",
    "tabs": "One at a time, larger",
}

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
if api.SACRUM_ID not in atlas.structures:
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
        key=state.SACROPLASTY_SIDE,
        horizontal=True,
        format_func=str.capitalize,
        help="The technical note's fracture and leak were on the right.",
    )
    style = st.radio(
        "Display",
        list(STYLE_LABELS),
        key=state.SACROPLASTY_STYLE,
        format_func=STYLE_LABELS.get,
        help="C-arm monitors usually show bone dark and metal black; a radiograph the reverse.",
    )
    nerves = st.toggle(
        "Draw the L5 root, trunk and S1 root (invisible on X-ray)",
        key=state.SACROPLASTY_NERVES,
        value=True,
    )
    layout = st.radio(
        "Fluoroscopic views",
        list(LAYOUT_LABELS),
        key=state.SACROPLASTY_LAYOUT,
        format_func=LAYOUT_LABELS.get,
        help="On a narrow screen, one view at a time in tabs shows each image larger.",
    )


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
    key=state.SACROPLASTY_TECHNIQUE,
    horizontal=True,
    format_func=lambda t: data.techniques[t].name,
)
tech = data.techniques[technique_id]
st.write(tech.summary)
images = technique_images(spec, technique_id, side, style, nerves)
boxes = show_views(
    layout, [(title, jpeg, f"{title}: {tech.short_name}") for _, title, jpeg in images]
)
for box, view_id in zip(boxes, [image[0] for image in images], strict=True):
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


def _gap(m: api.NeedleMeasures, nerve: str) -> str:
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
    how = "" if near_gap is None else f" — {api.describe_gap(near_gap)}"
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
    key=state.SACROPLASTY_LEAK,
    horizontal=True,
    format_func=lambda lid: data.leaks[lid].name,
    index=len(data.leaks) - 1,
)
leak = data.leaks[leak_id]
shown = leak_view(spec, leak_id, side, style, nerves)
if layout == "tabs":
    show_views(
        layout, [(title, jpeg, f"{title}: cement of this leak") for title, jpeg in shown.images]
    )
    leak_text = st.container()
else:
    pic_cols = st.columns([1, 1, 1.1], gap="medium")
    for col, (title, jpeg) in zip(pic_cols, shown.images, strict=False):
        col.image(jpeg, caption=f"{title}: cement of this leak", width="stretch")
    leak_text = pic_cols[-1]
with leak_text:
    st.markdown(f"**{leak.name}** · {leak.frequency_text}")
    st.write(leak.description.strip())
    st.markdown(f"**What it does.** {leak.consequence.strip()}")
    lines = []
    for name, gap, named in shown.threats:
        tag = "threatened" if named else "also near"
        lines.append(f"- {name} ({tag}): {api.describe_gap(gap)}")
    st.markdown("**Measured on this specimen**\n" + "\n".join(lines))
    st.caption(f"Sources: {cite_text(atlas, leak.cite)}. Cement drawn: {shown.volume_ml:.1f} mL.")
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


planner(atlas, specimen_, side, style, nerves, layout)
