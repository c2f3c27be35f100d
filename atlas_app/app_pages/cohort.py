"""The cohort, for faculty and admins: how hard each item is and how well it discriminates,
by topic and by trainee, with CSV exports. Items show by a readable title (the question);
the items CSV has the id beside it (``item_id``, ``item_title``) for analysis.

A trainee or a guest who opens this page (by the menu or by its URL) is refused before any
answer is read; the store checks the role again as stored now, at every run and again when
a CSV is downloaded (the file is made at the click, from the answers as they are then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from atlas_app.quiz.api import (
    MIN_TRAINEES,
    cohort_summary,
    item_map,
    item_stats,
    to_csv,
    topic_name,
    topic_stats,
    trainee_heatmap,
    trainee_stats,
    trainee_topic_table,
)
from atlas_app.storage.accounts import can_view_cohort
from atlas_app.ui.account import account_unavailable, page_account
from atlas_app.ui.errors import stop_unavailable
from atlas_app.ui.quiz_titles import titles_or_ids

engine, user = page_account()

st.title("Cohort")
if account_unavailable():
    stop_unavailable()
if engine is None or not can_view_cohort(user):
    st.error(
        "This page is for faculty and admins: it shows trainees' answers. Sign in with a "
        "faculty account to see it.",
        icon=":material/lock:",
    )
    st.stop()
assert user is not None
reader, viewer_id = engine, user.id  # as narrowed here, for the callbacks below

from atlas_app.storage.quiz_store import cohort_answers  # noqa: E402

cohort: str | None = None
if user.role == "faculty" and user.cohort:
    st.caption("Your cohort:")
    st.text(user.cohort)
    cohort = user.cohort
else:
    typed = st.text_input("Cohort (leave empty for every trainee)", key="cohort.name").strip()
    cohort = typed or None

try:
    answers = cohort_answers(engine, user.id, cohort)
except PermissionError:
    st.error("You cannot see this cohort.")
    st.stop()

if not answers:
    st.info("No trainee has answered yet.")
    st.stop()

titles = titles_or_ids()
items = item_stats(answers, titles)
topics = topic_stats(answers)
trainees = trainee_stats(answers)

summary = cohort_summary(answers)


def _csv_at_click(table: Callable[[list[Any]], Sequence[Any]]) -> Callable[[], str]:
    """The CSV of ``table`` made when the download is clicked, from the answers the store
    gives this account *then* (a role taken away since the page was drawn gets nothing)."""
    wanted = cohort
    return lambda: to_csv(table(cohort_answers(reader, viewer_id, wanted)))


c1, c2, c3 = st.columns(3)
c1.metric(
    "Trainees who answered",
    summary.trainees_answered,
    help="Trainees with at least one answer; those who have not answered yet are not counted, "
    "and faculty's own answers are not included.",
)
c2.metric("Answers", summary.answers)
c3.metric("Items answered", summary.items)

tab_items, tab_topics, tab_trainees = st.tabs(["Items", "Topics", "Trainees"])
with tab_items:
    st.caption(
        f"Difficulty p: the proportion right at the first attempt (higher = easier). "
        f"Discrimination: the point-biserial correlation with the rest score, and the "
        f"upper–lower 27 % index; blank below {MIN_TRAINEES} trainees. Items under r = 0.2 "
        "deserve a look."
    )
    st.plotly_chart(item_map(items), width="stretch", key="cohort.items_chart")
    st.dataframe(
        [
            {
                "Question": s.item_title,
                "Topic": topic_name(s.topic),
                "Trainees": s.trainees,
                "Answers": s.answers,
                "Difficulty p": round(s.difficulty, 2),
                "Point-biserial r": s.point_biserial,
                "Upper–lower D": s.upper_lower,
            }
            for s in items
        ],
        hide_index=True,
        width="stretch",
        column_config={"Question": st.column_config.TextColumn(width="large")},
    )
    st.download_button(
        "Download items (CSV)",
        _csv_at_click(lambda rows: item_stats(rows, titles)),
        "cohort_items.csv",
        "text/csv",
        key="cohort.csv_items",
    )
with tab_topics:
    st.dataframe(
        [
            {
                "Topic": topic_name(t.topic),
                "Trainees": t.trainees,
                "Items": t.items,
                "Answers": t.answers,
                "Right": f"{t.proportion_correct:.0%}",
                "Mean score": f"{t.mean_score:.0%}",
            }
            for t in topics
        ],
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Download topics (CSV)",
        _csv_at_click(topic_stats),
        "cohort_topics.csv",
        "text/csv",
        key="cohort.csv_topics",
    )
with tab_trainees:
    st.plotly_chart(
        trainee_heatmap(trainee_topic_table(answers)), width="stretch", key="cohort.heatmap"
    )
    st.dataframe(
        [
            {
                "Trainee": t.username,
                "Answers": t.answers,
                "Items": t.items,
                "Right": f"{t.proportion_correct:.0%}",
                "Last answer (UTC)": t.last_answer.strftime("%Y-%m-%d %H:%M")
                if t.last_answer
                else "",
            }
            for t in trainees
        ],
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Download trainees (CSV)",
        _csv_at_click(trainee_stats),
        "cohort_trainees.csv",
        "text/csv",
        key="cohort.csv_trainees",
    )
