"""Self-assessment: a quiz on chosen topics, or a review of the items that are due.

Guests can take a quiz; only signed-in users' answers are saved (each one when it is given).
Items are made from (item id, seed) and shared by everyone (cached); the run of a quiz — its
plan, answers and feedback (``quiz.run.QuizRun``) — lives in this browser session only.
"""

from __future__ import annotations

import streamlit as st

from atlas_app.quiz.api import QuizRun
from atlas_app.ui import state
from atlas_app.ui.account import account_unavailable, page_account
from atlas_app.ui.errors import unavailable_note
from atlas_app.ui.quiz_item import show_item
from atlas_app.ui.quiz_resources import quiz_bank
from atlas_app.ui.quiz_session import change_run, current_run
from atlas_app.ui.quiz_setup import setup, start_review
from atlas_app.ui.quiz_summary import summary
from atlas_app.ui.resources import loaded_atlas

loaded = loaded_atlas()
engine, user = page_account()

st.title("Quiz")
if account_unavailable():
    st.warning(
        unavailable_note() + " Your answers are not saved until it is back.",
        icon=":material/cloud_off:",
    )
elif user is None:
    st.info(
        "You are not signed in: you can take a quiz as a guest, but your answers are not "
        "saved and nothing is scheduled for review. Sign in from the sidebar to keep them.",
        icon=":material/person_off:",
    )
bank_faults = quiz_bank().faults
if bank_faults:
    with st.expander(f":material/warning: {len(bank_faults)} problem(s) in the quiz files"):
        st.code("\n".join(map(str, bank_faults)), language=None)

if st.session_state.pop(state.QUIZ_START_REVIEW, False) and user is not None:
    start_review(engine, user)

run = current_run()
if run is None:
    setup(engine, user)
elif run.over:
    summary(engine, user, run)
else:
    show_item(engine, user, run)
    st.button(
        "End this quiz",
        on_click=change_run(QuizRun.end_early),
        key="quiz.end",
        help="Stop here and see the score of the items answered so far",
    )
