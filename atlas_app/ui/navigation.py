"""Going to a page with its widgets set: a specimen and an approach step."""

from __future__ import annotations

import streamlit as st

from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import SpecError, parse_spec
from atlas_app.ui import state

APPROACHES_PAGE = "app_pages/approaches.py"


def pick_specimen(atlas: Atlas, spec: str) -> None:
    """Set the sidebar's specimen pickers to ``spec`` (the usual anatomy if it cannot be
    read)."""
    try:
        choices = parse_spec(atlas, spec)
    except SpecError:
        choices = parse_spec(atlas, "default")
    for group_id, option_id in choices.items():
        st.session_state[state.variant_key(group_id)] = option_id
    st.session_state.pop(state.ATLAS_RANDOM_SEED, None)


def open_approach_step(atlas: Atlas, spec: str, approach_id: str, step: int) -> None:
    """Show step ``step`` (0-based) of an approach on the specimen ``spec``."""
    pick_specimen(atlas, spec)
    st.session_state[state.APPROACH_ID] = approach_id
    st.session_state[state.APPROACH_FOR_STEP] = approach_id
    st.session_state[state.APPROACH_STEP] = int(step)
    st.switch_page(APPROACHES_PAGE)
