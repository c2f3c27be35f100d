"""About: sources, licences, attribution, and what is schematic."""

from __future__ import annotations

import streamlit as st

from atlas_app.ui.resources import loaded_atlas

atlas = loaded_atlas().atlas

st.title("About this atlas")
st.markdown(
    "Sacral Ala Atlas is an open teaching atlas of the anterior approaches to the sacral ala "
    "and the L5 nerve root. It grew from a technical note on removing sacroplasty cement that "
    "leaked onto the L5 root, through an anterior retroperitoneal transpsoas approach "
    "(Spine Surg Relat Res 2021), and from Smith and Gilula's long-axis sacroplasty technique. "
    "It is a model for learning, not a plan for any patient: the nerve anatomy in particular "
    "varies and cannot be predicted from imaging."
)

st.header("Where the shapes come from")
st.markdown(
    "- **Bones, discs and muscles** (L3 to L5, the whole sacrum with its foramina and the "
    "coccyx, both hip bones, psoas, iliacus, quadratus lumborum, piriformis) are the surfaces "
    "of one adult male body from **BodyParts3D 3.0**, © The Database Center for Life Science, "
    "**CC BY-SA 2.1 Japan**. We moved them rigidly into our frame (origin at the sacral "
    "promontory; no scaling: the body is adult) and made a light copy for the browser and a "
    "finer one for measurements.\n"
    "- **The great and iliac vessels and the ureters** are centerlines with radii fitted to the "
    "same body's surfaces; where the separately modelled organs overlap, a vessel is laid "
    "against the bone or muscle, and an artery rides over the vein it crosses. The default "
    "specimen has the iliocaval confluence at L5, the commonest level (this body's veins join "
    "at the level of its arteries).\n"
    "- **The femoral, obturator, genitofemoral, lateral femoral cutaneous, iliohypogastric, "
    "sciatic, superior gluteal and pudendal nerves and the S1 and S2 rami** follow "
    "**Z-Anatomy**'s models of the same body (**CC BY-SA 4.0**). Where its drawing contradicts "
    "the cited dissections (the femoral nerve above the brim, the obturator nerve at the brim) "
    "the course is re-authored and marked schematic.\n"
    "- **Everything else is schematic**: the L4 and L5 rami, the lumbosacral trunk, the "
    "lumbar sympathetic trunk, the iliolumbar, median sacral, superior gluteal and lateral "
    "sacral vessels, the superior hypogastric plexus, rectus abdominis, the parietal "
    "peritoneum, the fracture and the cement. They were placed by stated rules against the "
    "real bones, joined to the real nerves, and held to the published measurements cited with "
    "each structure."
)
schematic = sorted(s.name for s in atlas.structures.values() if s.schematic)
with st.expander(f"The {len(schematic)} schematic structures"):
    st.markdown("\n".join(f"- {n}" for n in schematic))

st.header("Sources")
st.caption(
    "Flags after a citation: I = inferred or calculated from published numbers; "
    "S = from a secondary source; U = unsourced textbook value. Attributions taken only "
    "from the technical note's reference list say so."
)
for ref in sorted(atlas.references.values(), key=lambda r: r.short.lower()):
    line = f"**{ref.short}.** {ref.citation}"
    if ref.doi:
        line += f" doi:{ref.doi}"
    if ref.pmid:
        line += f" PMID {ref.pmid}"
    if ref.note:
        line += f" — *{ref.note}*"
    st.markdown(line)

st.header("Licences")
st.markdown(
    "- Code: **GPL-3.0-or-later**.\n"
    "- Authored atlas data: GPL-3.0-or-later.\n"
    "- The meshes, the fitted vessel and nerve centerlines and the measured landmarks are "
    "derived from BodyParts3D and Z-Anatomy and shared under the same terms (CC BY-SA; "
    "`anatomy_data/NOTICE` and `anatomy_data/LICENSES/`). Every view and export of them "
    "carries these lines:"
)
for line in atlas.info.credits if atlas.info else []:
    st.markdown(f"- {line}")
st.markdown(
    "- No patient data: the technical note's case appears only as published, without "
    "identifying details."
)
