"""Statistics on hand-made answers: mastery, streak, difficulty, discrimination."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from atlas_app.quiz.stats import (
    item_stats,
    mastery_by_topic,
    mastery_over_time,
    streak,
    to_csv,
    topic_stats,
    trainee_stats,
    trainee_topic_table,
)

DAY0 = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class A:
    user_id: int
    username: str
    item_id: str
    topic: str
    correct: bool
    score: float
    answered_at: datetime


def a(user, item, correct, day=0, topic="t1", minute=0, score=None):
    return A(
        user,
        f"user{user}",
        item,
        topic,
        correct,
        float(correct) if score is None else score,
        DAY0 + timedelta(days=day, minutes=minute),
    )


def test_mastery_uses_the_latest_score_of_each_item():
    answers = [
        a(1, "i1", False, day=0),
        a(1, "i2", True, day=0, minute=1),
        a(1, "i1", True, day=2),  # i1 learnt: replaces its 0
        a(1, "j1", False, day=2, topic="t2"),
    ]
    points = mastery_over_time(answers)
    t1 = [(p.day, p.mastery, p.items) for p in points if p.topic == "t1"]
    assert t1 == [(date(2026, 2, 1), 0.5, 2), (date(2026, 2, 3), 1.0, 2)]
    assert mastery_by_topic(answers) == {"t1": 1.0, "t2": 0.0}


def test_streak_counts_consecutive_days_up_to_today_or_yesterday():
    answers = [a(1, "i", True, day=d) for d in (0, 1, 2, 4, 5)]
    today = (DAY0 + timedelta(days=5)).date()
    assert streak(answers, today) == 2
    assert streak(answers, today + timedelta(days=1)) == 2, "today not yet answered"
    assert streak(answers, today + timedelta(days=2)) == 0
    assert streak([], today) == 0


def _cohort():
    """Six trainees: users 1-3 strong, 4-6 weak. Item 'good' separates them; 'flat' is
    answered right by everyone; 'odd' is right only for the weak ones."""
    rows = []
    for u in range(1, 7):
        strong = u <= 3
        rows += [
            a(u, "good", strong, minute=1),
            a(u, "flat", True, minute=2),
            a(u, "odd", not strong, minute=3),
            a(u, "x1", strong, minute=4),
            a(u, "x2", strong, minute=5),
        ]
    rows.append(a(4, "good", True, day=3))  # a later retry does not change first-attempt stats
    return rows


def test_item_difficulty_and_discrimination():
    stats = {s.item_id: s for s in item_stats(_cohort())}
    good, flat, odd = stats["good"], stats["flat"], stats["odd"]
    assert good.difficulty == pytest.approx(0.5) and good.trainees == 6 and good.answers == 7
    assert good.point_biserial > 0.8 and good.upper_lower == pytest.approx(1.0)
    assert flat.difficulty == 1.0 and flat.point_biserial is None, "no spread, no correlation"
    assert flat.upper_lower == 0.0
    assert odd.point_biserial < -0.8 and odd.upper_lower == pytest.approx(-1.0)


def test_point_biserial_by_hand():
    """Four trainees on item 'q' (1, 1, 0, 0) with rest scores (1, .5, .5, 0)."""
    rows = [
        a(1, "q", True), a(1, "r", True),
        a(2, "q", True), a(2, "r", True), a(2, "s", False),
        a(3, "q", False), a(3, "r", True), a(3, "s", False),
        a(4, "q", False), a(4, "r", False),
    ]  # fmt: skip
    q = {s.item_id: s for s in item_stats(rows)}["q"]
    x, y = [1, 1, 0, 0], [1.0, 0.5, 0.5, 0.0]
    mx, my = sum(x) / 4, sum(y) / 4
    cov = sum((xi - mx) * (yi - my) for xi, yi in zip(x, y, strict=True))
    sx = sum((xi - mx) ** 2 for xi in x) ** 0.5
    sy = sum((yi - my) ** 2 for yi in y) ** 0.5
    assert q.point_biserial == pytest.approx(cov / (sx * sy), abs=1e-3)


def test_too_few_trainees_give_no_discrimination():
    rows = [a(u, "i", u == 1) for u in (1, 2, 3)] + [a(u, "j", True) for u in (1, 2, 3)]
    stat = {s.item_id: s for s in item_stats(rows)}["i"]
    assert stat.point_biserial is None and stat.upper_lower is None
    assert stat.difficulty == pytest.approx(1 / 3)


def test_topic_and_trainee_tables():
    rows = _cohort()
    topics = topic_stats(rows)
    assert [t.topic for t in topics] == ["t1"] and topics[0].trainees == 6
    trainees = {t.username: t for t in trainee_stats(rows)}
    assert trainees["user1"].proportion_correct == pytest.approx(0.8)
    assert trainees["user4"].answers == 6
    table = trainee_topic_table(rows)
    assert set(table) == {f"user{u}" for u in range(1, 7)}


def test_csv_export_neutralises_formulas():
    rows = [A(1, '=HYPERLINK("x")', "i", "t1", True, 1.0, DAY0)]
    text = to_csv(trainee_stats(rows))
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["username"] == '\'=HYPERLINK("x")'
    assert parsed[0]["last_answer"].startswith("2026-02-01")
    assert to_csv([]) == ""
    items = list(csv.DictReader(io.StringIO(to_csv(item_stats(_cohort())))))
    assert {"item_id", "difficulty", "point_biserial", "upper_lower"} <= set(items[0])


def test_items_carry_a_title_and_the_csv_exports_it_beside_the_id():
    rows = _cohort()
    ids = sorted({r.item_id for r in rows})
    titles = {ids[0]: "=cmd|' /C calc'!A0", ids[1]: "Where does L4 join L5?"}
    stats = item_stats(rows, titles)
    by_id = {s.item_id: s for s in stats}
    assert by_id[ids[1]].item_title == "Where does L4 join L5?"
    assert by_id[ids[2]].item_title == ids[2], "an id without a title keeps its id"
    assert [s.item_title for s in item_stats(rows)] == ids, "no titles: the ids"
    parsed = list(csv.DictReader(io.StringIO(to_csv(stats))))
    header = list(parsed[0])
    assert header[:2] == ["item_id", "item_title"]
    cells = {r["item_id"]: r["item_title"] for r in parsed}
    assert cells[ids[0]] == "'=cmd|' /C calc'!A0", "a title is data: no formula"
    assert cells[ids[1]] == "Where does L4 join L5?"


def test_the_item_chart_hovers_with_the_title_escaped():
    from atlas_app.quiz.charts import item_map

    rows = _cohort()
    stats = item_stats(rows, {"good": "Is <b>this</b> the trunk?"})
    fig = item_map(stats)
    texts = [t for trace in fig.data for t in trace.text]
    assert "Is &lt;b&gt;this&lt;/b&gt; the trunk?<br>good" in texts
    assert not any("<b>" in t for t in texts)


def test_one_day_of_answers_reads_as_a_date_not_as_milliseconds():
    """Plotly zooms a single day to "23:59:59.999 … 00:00:00.001": the axis is pinned to
    whole days, with a day either side."""
    from datetime import date

    from atlas_app.quiz.charts import DAY_MS, day_axis, mastery_figure
    from atlas_app.quiz.stats import MasteryPoint

    fig = mastery_figure([MasteryPoint(date(2026, 12, 7), "lst_formation", 0.5, 3)])
    axis = fig.layout.xaxis
    assert axis.type == "date" and axis.tickformat == "%-d %b %Y"
    assert "%H" not in axis.tickformat and axis.dtick == DAY_MS
    assert list(axis.range) == ["2026-12-06", "2026-12-08"]
    long = day_axis([date(2026, 1, 1), date(2026, 3, 1)])
    assert long["dtick"] % DAY_MS == 0 and (59 + 2) / (long["dtick"] / DAY_MS) <= 8


def test_the_cohort_counts_trainees_by_account_who_answered():
    from atlas_app.quiz.stats import cohort_summary

    rows = [a(1, "x", True), a(1, "y", False), a(2, "x", True)]
    summary = cohort_summary(rows)
    assert (summary.trainees_answered, summary.answers, summary.items) == (2, 3, 2)
    assert cohort_summary([]).trainees_answered == 0
