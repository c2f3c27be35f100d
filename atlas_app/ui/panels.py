"""Widgets shared by pages: the specimen picker, fault banners, the structure panel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import streamlit as st

from atlas_app.model.atlas import Atlas
from atlas_app.model.prevalence import option_label, split_unreported
from atlas_app.model.records import CONFIDENCE_MEANING, Citation
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen, format_spec, sample_choices
from atlas_app.scene.compose import variant_names
from atlas_app.ui.resources import LoadedAtlas
from atlas_app.ui.state import ATLAS_RANDOM_SEED, variant_key


def show_faults(loaded: LoadedAtlas) -> None:
    """Tell the user when part of the atlas failed validation; the rest still serves."""
    if not loaded.faults:
        return
    with st.expander(
        f":material/warning: {len(loaded.faults)} problem(s) in the atlas data — the rest of the "
        "atlas is shown without the broken records",
        expanded=False,
    ):
        st.code("\n".join(str(f) for f in loaded.faults[:200]), language=None)


def option_labeller(atlas: Atlas, group_id: str) -> Callable[[str], str]:
    """A picker's ``format_func``: an option id → its name and prevalence (or that no
    study reports it), flagged when no citation gives it verbatim."""
    group = atlas.variant_groups[group_id]
    options = {o.id: o for o in group.options}
    return lambda option_id: option_label(group, options[option_id])


def _randomise(atlas: Atlas) -> None:
    seed = int(np.random.default_rng().integers(0, 1_000_000))
    st.session_state[ATLAS_RANDOM_SEED] = seed
    (choices,) = sample_choices(atlas, 1, seed)
    for group_id, option_id in choices.items():
        st.session_state[variant_key(group_id)] = option_id


def _reset(atlas: Atlas) -> None:
    st.session_state.pop(ATLAS_RANDOM_SEED, None)
    for g in atlas.variant_groups.values():
        st.session_state[variant_key(g.id)] = g.default


def specimen_in_state(atlas: Atlas) -> str:
    """The SPEC string the shared pickers hold now, before (or without) drawing them: a
    group not picked yet, or holding what is no option of it, is set to its default."""
    choices: dict[str, str] = {}
    for g in atlas.variant_groups.values():
        key = variant_key(g.id)
        if st.session_state.get(key) not in {o.id for o in g.options}:
            st.session_state[key] = g.default
        choices[g.id] = st.session_state[key]
    return format_spec(atlas, choices)


def specimen_picker(atlas: Atlas) -> str:
    """One picker per variant group, a random-specimen button; returns the SPEC string."""
    # One button per line: side by side they are cut off in a tablet's narrow sidebar.
    st.button(
        "Random specimen",
        icon=":material/casino:",
        on_click=_randomise,
        args=(atlas,),
        help="Draw every variant from its published prevalence",
        width="stretch",
    )
    st.button(
        "Usual anatomy",
        on_click=_reset,
        args=(atlas,),
        width="stretch",
        help="Every variant at its default (most common or textbook) option",
    )
    specimen_in_state(atlas)  # every picker holds an option of its group
    choices: dict[str, str] = {}
    for g in atlas.variant_groups.values():
        key = variant_key(g.id)
        choices[g.id] = st.selectbox(
            g.name,
            [o.id for o in g.options],
            key=key,
            format_func=option_labeller(atlas, g.id),
            help=g.description,
        )
    seed = st.session_state.get(ATLAS_RANDOM_SEED)
    if seed is not None:
        st.caption(f"Random specimen, seed {seed}.")
    return format_spec(atlas, choices)


def prevalence_note(atlas: Atlas, specimen: Specimen) -> str:
    p = specimen.prevalence(atlas)
    if specimen.spec == "default":
        head = "Usual anatomy (every variant at its default)"
    else:
        head = "Specimen with " + "; ".join(variant_names(specimen, atlas))
    unreported = [g.name for g in atlas.variant_groups.values() if split_unreported(g)]
    caveat = (
        f" No study reports how often each option of {', '.join(unreported)} occurs: the atlas "
        "counts them as equally common."
        if unreported
        else ""
    )
    return (
        f"{head}. Expected in about **{p:.1%}** of people, if the variant groups are "
        f"independent (no study reports how they combine).{caveat}"
    )


def cite_text(atlas: Atlas, cites: Iterable[Citation]) -> str:
    parts = []
    for c in cites:
        ref = atlas.references.get(c.ref)
        name = ref.short if ref else c.ref
        flag = "" if c.confidence == "V" else f" [{c.confidence}]"
        parts.append(name + flag)
    return "; ".join(parts)


def structure_panel(
    atlas: Atlas,
    specimen: Specimen,
    structure: Structure,
    endangered_by: Mapping[str, list[str]] | None = None,
) -> None:
    """What the selected structure is and does, its measurements with sources, how it
    varies and which approaches endanger it."""
    badge = " · schematic" if structure.schematic else ""
    st.markdown(f"#### {structure.name}")
    st.caption(f"{structure.category.capitalize()} · {structure.side}{badge}")
    st.write(structure.description)
    if structure.schematic:
        st.caption(
            "Shape authored from published measurements against the registered bones, "
            "not segmented from imaging."
        )
    if structure.figures:
        lines = ["| Measure | Value | Source |", "|---|---|---|"]
        for f in structure.figures:
            if f.value is not None:
                value = f"{f.value:g}" + (f" ± {f.sd:g}" if f.sd is not None else "")
            else:
                value = f"{f.min:g}–{f.max:g}"
            who = f" ({f.population})" if f.population else ""
            lines.append(f"| {f.label}{who} | {value} {f.unit} | {cite_text(atlas, f.cite)} |")
        st.markdown("\n".join(lines))
    st.caption("Geometry source: " + cite_text(atlas, structure.geometry.source))
    varies = variants_touching(atlas, structure.id)
    if varies:
        st.markdown("**How it varies**")
        for group_name, options in varies:
            st.markdown(f"- {group_name}: " + ", ".join(options))
    if endangered_by:
        st.markdown("**Endangered by**")
        for approach, steps in endangered_by.items():
            st.markdown(f"- {approach}: " + ", ".join(steps))
    legend = ", ".join(f"{k} = {v}" for k, v in CONFIDENCE_MEANING.items() if k != "V")
    st.caption(f"Source flags: {legend}; no flag = verbatim in the source.")


def variants_touching(atlas: Atlas, structure_id: str) -> list[tuple[str, list[str]]]:
    """Variant groups whose options change, add or remove this structure."""
    out = []
    for g in atlas.variant_groups.values():
        names = []
        for o in g.options:
            p = o.patch
            touched = (
                structure_id in p.remove
                or structure_id in p.modify
                or any(s.id == structure_id for s in p.add)
                or any(structure_id in w.moved() for w in p.warp)
            )
            if touched:
                names.append(option_label(g, o))
        if names:
            out.append((g.name, names))
    return out


def picked_specimen(atlas: Atlas) -> Specimen:
    """The specimen chosen with the shared pickers in the sidebar (the usual anatomy, with a
    message, when the combination cannot be built)."""
    with st.sidebar:
        st.subheader("Specimen")
        spec_string = specimen_picker(atlas)
    return built_specimen(spec_string)


def built_specimen(spec_string: str) -> Specimen:
    """The specimen of a SPEC string (the usual anatomy, with a message here, when the
    combination cannot be built)."""
    from atlas_app.ui.resources import specimen

    chosen, error = specimen(spec_string)
    if error:
        st.error(
            f"This combination of variants cannot be built ({error}); showing the usual "
            "anatomy instead."
        )
    return chosen
