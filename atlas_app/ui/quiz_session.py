"""The quiz run of this browser session, and the one way its answers reach the store.

The run (:class:`~atlas_app.quiz.run.QuizRun`) is kept in session state field by field under
the keys of :data:`~atlas_app.ui.state.QUIZ_RUN_KEYS`; the page reads it with
:func:`current_run`, changes it, and writes it back with :func:`keep_run`. A signed-in
user's answers, due items and finished sessions go through the functions below, which turn a
failing store into a message and let the quiz go on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import streamlit as st
from sqlalchemy import Engine

from atlas_app.quiz.items import Item
from atlas_app.quiz.run import QuizRun
from atlas_app.storage.accounts import User
from atlas_app.ui import state
from atlas_app.ui.errors import STORE_ERRORS, message, report


def new_seed() -> int:
    return int(np.random.default_rng().integers(1, 1_000_000))


def current_run() -> QuizRun | None:
    """The run in progress, or None before a quiz is started."""
    ss = st.session_state
    if not ss.get(state.QUIZ_PLAN):
        return None
    return QuizRun(
        plan=[(str(i), int(s)) for i, s in ss[state.QUIZ_PLAN]],
        seed=int(ss.get(state.QUIZ_SEED) or 0),
        mode=str(ss.get(state.QUIZ_MODE) or "quiz"),
        of_topics=list(ss.get(state.QUIZ_OF_TOPICS) or []),
        index=int(ss.get(state.QUIZ_INDEX) or 0),
        results=list(ss.get(state.QUIZ_RESULTS) or []),
        feedback=ss.get(state.QUIZ_FEEDBACK),
        session_id=ss.get(state.QUIZ_SESSION_ID),
        finished=bool(ss.get(state.QUIZ_FINISHED)),
        ended_at=ss.get(state.QUIZ_ENDED_AT),
    )


def keep_run(run: QuizRun) -> None:
    for name, key in state.QUIZ_RUN_KEYS.items():
        st.session_state[key] = getattr(run, name)


def end_run() -> None:
    """Forget the run (the setup form is shown again)."""
    for key in state.QUIZ_RUN_KEYS.values():
        st.session_state.pop(key, None)


def change_run(change: Callable[[QuizRun], None]) -> Callable[[], None]:
    """A widget callback that applies ``change`` to the run in progress."""

    def callback() -> None:
        run = current_run()
        if run is not None:
            change(run)
            keep_run(run)

    return callback


# --- The store's facade for the quiz ------------------------------------------------------


def save_answer(engine: Engine, user: User, run: QuizRun, item: Item) -> str | None:
    """Store a signed-in user's answer (the run's last result) and move its review card,
    starting the stored session at the first answer; an error message, or None."""
    from atlas_app.storage.quiz_store import record_graded_answer, start_session

    result = run.results[-1]
    assert run.feedback is not None, "an answer is saved after it is kept"
    try:
        if run.session_id is None:
            run.session_id = start_session(
                engine, user.id, list(run.of_topics), len(run.plan), run.seed
            )
        record_graded_answer(
            engine,
            session_id=run.session_id,
            user_id=user.id,
            item_id=item.id,
            topic=item.topic,
            seed=item.seed,
            response=run.feedback.response,
            correct=result.correct,
            score=result.score,
            answered_at=datetime.now(UTC),
        )
    except STORE_ERRORS as exc:  # the quiz goes on; the user is told beside the feedback
        return message(report(exc, "saving an answer"), "saved")
    except PermissionError:  # the account was deactivated since the page was drawn
        return "Your answer was not saved: this account is no longer active."
    return None


def due_item_ids(engine: Engine | None, user: User | None) -> list[str]:
    from atlas_app.storage.quiz_store import due_cards

    if engine is None or user is None:
        return []
    try:
        return [c.item_id for c in due_cards(engine, user.id, datetime.now(UTC))]
    except STORE_ERRORS as exc:  # no review today; the quiz itself needs no store
        report(exc, "reading the due items")
        return []


def finish_run(engine: Engine | None, run: QuizRun) -> None:
    """Mark the stored session finished, once (the answers are stored as they are given)."""
    if run.session_id is None or engine is None or run.finished:
        return
    from atlas_app.storage.quiz_store import finish_session

    try:
        finish_session(engine, run.session_id)
    except STORE_ERRORS as exc:  # the answers are stored; only the end mark is missing
        report(exc, "finishing a quiz")
    run.finished = True
    keep_run(run)
