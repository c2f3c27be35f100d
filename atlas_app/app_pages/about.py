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
    "- **Bones, discs, psoas and iliacus** are surfaces segmented from one abdominal CT: the "
    "**SPL Abdominal Atlas**, Surgical Planning Laboratory, Brigham and Women's Hospital, "
    "published under the **Apache License 2.0**. We registered them to our frame (origin at the "
    "sacral promontory) and decimated them; the NOTICE and licence ship beside them in "
    "`anatomy_data/meshes/`.\n"
    "- That CT's vertebral bodies are about 12 mm tall, under half the adult 27 mm, so the "
    "registration scales its height ×2.27 and its width and depth ×1.20 to published adult "
    "sizes (Witek 2019; Bhat 2025). Proportions between structures come from the CT; absolute "
    "sizes are adult averages.\n"
    "- **The great and iliac vessels and the ureters** are centerlines with radii fitted to the "
    "same CT surfaces.\n"
    "- **Everything else is schematic**: nerves, the lumbosacral trunk, iliolumbar and median "
    "sacral vessels, sympathetic trunks, the superior hypogastric plexus, rectus abdominis, the "
    "parietal peritoneum, the fracture and the cement. They were placed by stated rules against "
    "the registered bones from the published measurements cited with each structure."
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
    "- CT-derived meshes and vessel centerlines: **Apache-2.0**, SPL Abdominal Atlas, Surgical "
    "Planning Laboratory, Brigham and Women's Hospital.\n"
    "- No patient data: the technical note's case appears only as published, without "
    "identifying details."
)
