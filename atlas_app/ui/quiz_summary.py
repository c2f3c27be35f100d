"""The end of a quiz: the score, by topic, what to revisit and a way to try it again."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from atlas_app.quiz.run import QuizRun, Result
from atlas_app.quiz.topics import topic_name
from atlas_app.storage.accounts import User
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.quiz_resources import topic_of_id
from atlas_app.ui.quiz_session import end_run, finish_run, keep_run, new_seed


def _retry(refs: list[tuple[str, int]]) -> None:
    """A quiz of the given items again, each on the same seed (the same question); a new
    run seed gives fresh widget keys, so no stale answer shows."""
    keep_run(QuizRun.retry(refs, new_seed(), (topic_of_id(item_id) for item_id, _ in refs)))


def missed_items(missed: list[Result]) -> None:
    """Each item not fully right, with what was said, and a way to try it again."""
    if not missed:
        return
    st.markdown(f"#### To revisit ({len(missed)})")
    for n, r in enumerate(missed):
        with st.expander(f"{r.score:.0%} · {escape_markdown(r.stem or r.item_id)}"):
            st.markdown(escape_markdown(r.message or ""))
            st.button(
                "Try this item again",
                key=f"quiz.retry.{n}",
                on_click=_retry,
                args=([r.ref],),
                icon=":material/replay:",
            )
    st.button(
        f"Try the {len(missed)} missed item(s) again",
        key="quiz.retry_all",
        on_click=_retry,
        args=([r.ref for r in missed],),
        icon=":material/replay:",
    )


def summary(engine: Engine | None, user: User | None, run: QuizRun) -> None:
    finish_run(engine, run)
    score = run.score()
    st.markdown("#### Your score")
    if run.ended_at is not None:
        st.caption(
            f"You ended the quiz after {score.answered} answered item(s) of {len(run.plan)}: "
            "the score is of those."
        )
    c1, c2 = st.columns(2)
    c1.metric("Right", f"{score.right} of {score.answered}")
    c2.metric("Score", "–" if score.fraction is None else f"{score.fraction:.0%}")
    if score.by_topic:
        lines = ["| Topic | Items | Score |", "|---|---|---|"]
        for t, scores in sorted(score.by_topic.items()):
            lines.append(f"| {topic_name(t)} | {len(scores)} | {sum(scores) / len(scores):.0%} |")
        st.markdown("\n".join(lines))
    missed_items(run.missed())
    st.caption(f"Quiz seed {run.seed}: enter it under *Replay a quiz*.")
    if user is None:
        st.info("You took this quiz as a guest: nothing was saved. Sign in to keep a history.")
    else:
        st.caption("Every answer was saved as you gave it; see *Progress*.")
    st.button("Another quiz", type="primary", on_click=end_run, key="quiz.again")
