"""Readable titles of quiz items for the Progress and Cohort pages (cached per server).

The titles depend on the atlas, its approaches and the authored bank only (the same for
every user), so they are cached with no arguments; the pages look up the ids of the answers
they read themselves, outside the cache.
"""

from __future__ import annotations

import streamlit as st

from atlas_app.quiz.loader import load_quiz_bank
from atlas_app.quiz.template import Context
from atlas_app.quiz.titles import item_titles
from atlas_app.ui.resources import approach_set, loaded_atlas


@st.cache_data(show_spinner=False)
def quiz_item_titles() -> dict[str, str]:
    """Item id → a one-line title (see :mod:`atlas_app.quiz.titles`)."""
    atlas = loaded_atlas().atlas
    return item_titles(load_quiz_bank(atlas), Context(atlas, approach_set()))


def titles_or_ids() -> dict[str, str]:
    """The titles, or none (the pages then show ids) if they cannot be made; says so."""
    try:
        return quiz_item_titles()
    except Exception as exc:  # a page of answers still shows, by item id
        st.caption(f"Item titles are not available ({type(exc).__name__}); items show by id.")
        return {}
