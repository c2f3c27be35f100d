"""Starting a quiz: topics and length, a replayed seed, the spaced review, an Anki deck."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from atlas_app.model.atlas import Atlas
from atlas_app.quiz.anki import export_topic
from atlas_app.quiz.run import QuizRun
from atlas_app.quiz.session import NEEDS_A_STILL, ItemRef, deck_items, plan_quiz, review_queue
from atlas_app.quiz.topics import TOPICS, topic_name
from atlas_app.storage.accounts import User, may_export_decks
from atlas_app.ui import state
from atlas_app.ui.quiz_resources import (
    item_png,
    quiz_bank,
    topic_counts,
    topic_of_id,
    warm_up_stills,
)
from atlas_app.ui.quiz_session import due_item_ids, keep_run, new_seed
from atlas_app.ui.resources import RenderError, approach_set, loaded_atlas, render_status

LENGTHS = (5, 10, 15, 20, 30)


def start(plan: list[ItemRef], mode: str, seed: int) -> None:
    keep_run(QuizRun.start(plan, mode, seed, (topic_of_id(r.item_id) for r in plan)))


def start_review(engine: Engine | None, user: User | None) -> bool:
    atlas = loaded_atlas().atlas
    seed = new_seed()
    plan = review_queue(atlas, approach_set(), quiz_bank(), due_item_ids(engine, user), seed)
    if plan:
        start(plan, "review", seed)
    return bool(plan)


def setup(engine: Engine | None, user: User | None) -> None:
    atlas = loaded_atlas().atlas
    counts = topic_counts(list(TOPICS))
    st.markdown("#### A new quiz")
    topics = st.multiselect(
        "Topics",
        list(TOPICS),
        default=list(TOPICS)[:3],
        key=state.QUIZ_TOPICS,
        format_func=lambda t: f"{topic_name(t)} ({counts.get(t, 0)} items)",
    )
    length = st.select_slider("Number of items", LENGTHS, value=10, key=state.QUIZ_LENGTH)
    with st.expander("Replay a quiz"):
        replay = st.number_input(
            "Seed of the quiz to replay (0: a new one)",
            min_value=0,
            step=1,
            key=state.QUIZ_REPLAY,
        )
        st.caption("Everyone who enters the same seed, topics and length gets the same items.")
    stills_ok = render_status().ok
    if stills_ok:
        warm_up_stills()
    else:
        st.info("Stills cannot be drawn on this server: items that need a picture are left out.")
    if st.button("Start the quiz", type="primary", disabled=not topics, key="quiz.start"):
        seed = int(replay) or new_seed()
        exclude = () if stills_ok else NEEDS_A_STILL
        plan = plan_quiz(atlas, approach_set(), quiz_bank(), topics, int(length), seed, exclude)
        if plan:
            start(plan, "quiz", seed)
            st.rerun()
        st.warning("These topics have no items yet.")
    if user is not None:
        due = due_item_ids(engine, user)
        st.markdown("#### Spaced review")
        st.caption(
            "Items come back when the scheduler (FSRS) expects you to be about to forget them; "
            "missed ones come back within minutes."
        )
        if st.button(f"Review due items ({len(due)})", disabled=not due, key="quiz.review"):
            if start_review(engine, user):
                st.rerun()
            st.info("Nothing is due.")
    anki_export(atlas, user)


def anki_export(atlas: Atlas, user: User | None) -> None:
    """Build a topic's Anki deck: for signed-in accounts (``may_export_decks``), judged on
    the account as read from the store in this very run, the run the click starts."""
    with st.expander("Export a topic as an Anki deck"):
        if not may_export_decks(user):
            st.caption("Sign in to export a topic as an Anki deck (an .apkg file with its stills).")
            return
        topic = st.selectbox("Topic", list(TOPICS), format_func=topic_name, key="quiz.anki_topic")
        if st.button("Build the deck", key="quiz.anki_build"):
            with st.spinner("Drawing the stills and packing the deck…"):
                st.session_state[state.QUIZ_ANKI_DECK] = (topic, *build_deck(atlas, topic))
        deck = st.session_state.get(state.QUIZ_ANKI_DECK)
        if deck and deck[0] == topic:
            st.download_button(
                f"Download the deck ({deck[2]} cards)",
                deck[1],
                file_name=f"sacral_ala_atlas_{topic}.apkg",
                mime="application/octet-stream",
                key="quiz.anki_download",
            )


def build_deck(atlas: Atlas, topic: str) -> tuple[bytes, int]:
    """A topic's deck (.apkg bytes) and its number of cards; an item whose still cannot be
    drawn goes in without it."""
    items = deck_items(atlas, approach_set(), quiz_bank(), topic)
    images = {}
    for item in items:
        try:
            png = item_png(item)
        except RenderError:
            png = None
        if png is not None:
            images[item.id] = png
    apkg = export_topic(
        items,
        images,
        title=topic_name(topic),
        references={k: r.short for k, r in atlas.references.items()},
        credits=atlas.info.credits if atlas.info else (),
    )
    return apkg, len(items)
