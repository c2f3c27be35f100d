"""My progress: mastery by topic over time, items due for review, streak.

Only the signed-in user's own answers are read (the store filters by user id); guests are
invited to sign in. Nothing here is cached: a user's answers never go into a shared cache
(the item titles are cached, but they come from the atlas, not from anyone's answers).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from atlas_app.quiz.api import (
    mastery_by_topic,
    mastery_figure,
    mastery_over_time,
    streak,
    title_of,
    topic_bars,
    topic_name,
)
from atlas_app.ui import state
from atlas_app.ui.account import account_unavailable, page_account
from atlas_app.ui.errors import stop_unavailable
from atlas_app.ui.quiz_titles import titles_or_ids

engine, user = page_account()

st.title("My progress")
if account_unavailable():
    stop_unavailable()
if user is None or engine is None:
    st.info(
        "Sign in from the sidebar to see your progress: mastery by topic over time, the items "
        "due for review and your streak. Guests can take quizzes on the *Quiz* page, but their "
        "answers are not kept.",
        icon=":material/login:",
    )
    st.stop()

from atlas_app.storage.quiz_store import due_cards, user_answers  # noqa: E402

now = datetime.now(UTC)
answers = user_answers(engine, user.id)
due_now = due_cards(engine, user.id, now)
due_week = due_cards(engine, user.id, now + timedelta(days=7))

c1, c2, c3, c4 = st.columns(4)
c1.metric("Answers", len(answers))
c2.metric("Right", f"{sum(a.correct for a in answers) / len(answers):.0%}" if answers else "–")
days = streak(answers, now.date())
c3.metric("Streak", f"{days} day{'s' if days != 1 else ''}")
c4.metric("Due now", len(due_now), help=f"{len(due_week)} due within a week")

if due_now:
    if st.button(f"Review the {len(due_now)} due item(s)", type="primary", key="progress.review"):
        st.session_state[state.QUIZ_START_REVIEW] = True
        st.switch_page("app_pages/quiz.py")
else:
    st.caption("Nothing is due for review now.")

if not answers:
    st.info("No answers yet: take a quiz, and your progress will show here.")
    st.stop()

points = mastery_over_time(answers)
st.plotly_chart(mastery_figure(points), width="stretch", key="progress.mastery")
st.caption(
    "Mastery of a topic on a day: the mean of the latest score of each of its items answered "
    "so far (answering an item again replaces its score)."
)
st.plotly_chart(topic_bars(mastery_by_topic(answers)), width="stretch", key="progress.now")

st.markdown("#### Recent answers")
recent = sorted(answers, key=lambda a: a.answered_at, reverse=True)[:20]
titles = titles_or_ids()
st.dataframe(
    [
        {
            "When (UTC)": a.answered_at.strftime("%Y-%m-%d %H:%M"),
            "Topic": topic_name(a.topic),
            "Question": title_of(titles, a.item_id),
            "Right": "yes" if a.correct else "no",
            "Score": f"{a.score:.0%}",
        }
        for a in recent
    ],
    hide_index=True,
    width="stretch",
    column_config={"Question": st.column_config.TextColumn(width="large")},
)
