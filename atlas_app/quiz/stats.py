"""Numbers from answers: a trainee's mastery over time and streak; for faculty, how hard
each item is and how well it separates stronger from weaker trainees, per topic and per
trainee.

Works on any rows with the fields of ``storage.quiz_store.AnswerRow`` (user_id, username,
item_id, topic, correct, score, answered_at); nothing here reads the database.

- **Mastery** of a topic on a day: the mean, over the topic's items answered so far, of
  each item's latest score. Answering an item again replaces its old score.
- **Streak**: consecutive days (UTC) with at least one answer, up to today — or up to
  yesterday while today has none yet.
- **Titles**: an item is shown and exported by its id and a readable title that the caller
  gives (:func:`.titles.item_titles`); CSV cells of text are neutralised like every other.
- **Difficulty** of an item: the proportion of trainees right at their first attempt
  (classical p; higher = easier).
- **Discrimination**: the point-biserial correlation between being right on the item (first
  attempt) and the trainee's proportion right on the *other* items (the rest score), and
  the upper–lower index: p in the best 27 % by rest score minus p in the lowest 27 %.
  Undefined (None) with fewer than :data:`MIN_TRAINEES` trainees or no spread.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import numpy as np

MIN_TRAINEES = 4
GROUP_FRACTION = 0.27


class AnswerLike(Protocol):
    """What the statistics read of an answer. Read-only members, so that the store's frozen
    rows (:class:`~atlas_app.storage.quiz_store.AnswerRow`) satisfy it."""

    @property
    def user_id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def correct(self) -> bool: ...
    @property
    def score(self) -> float: ...
    @property
    def answered_at(self) -> datetime: ...


@dataclass(frozen=True)
class MasteryPoint:
    day: date
    topic: str
    mastery: float
    items: int  # items of the topic answered so far


@dataclass(frozen=True)
class ItemStat:
    item_id: str
    item_title: str  # readable (see :mod:`.titles`); the id when no title is known
    topic: str
    trainees: int
    answers: int
    difficulty: float  # proportion right at the first attempt
    point_biserial: float | None
    upper_lower: float | None


@dataclass(frozen=True)
class TopicStat:
    topic: str
    trainees: int
    answers: int
    items: int
    proportion_correct: float
    mean_score: float


@dataclass(frozen=True)
class TraineeStat:
    user_id: int
    username: str
    answers: int
    items: int
    proportion_correct: float
    last_answer: datetime | None


def _day(when: datetime) -> date:
    return when.date()


def _ordered(answers: Iterable[AnswerLike]) -> list[AnswerLike]:
    return sorted(answers, key=lambda a: a.answered_at)


def mastery_over_time(answers: Iterable[AnswerLike]) -> list[MasteryPoint]:
    """One point per topic per day on which that topic was answered."""
    latest: dict[str, dict[str, float]] = defaultdict(dict)  # topic → item → latest score
    points: dict[tuple[date, str], MasteryPoint] = {}
    for a in _ordered(answers):
        latest[a.topic][a.item_id] = float(a.score)
        scores = latest[a.topic]
        points[(_day(a.answered_at), a.topic)] = MasteryPoint(
            _day(a.answered_at), a.topic, float(np.mean(list(scores.values()))), len(scores)
        )
    return sorted(points.values(), key=lambda p: (p.day, p.topic))


def mastery_by_topic(answers: Iterable[AnswerLike]) -> dict[str, float]:
    """Today's mastery of each topic answered."""
    out: dict[str, float] = {}
    for p in mastery_over_time(answers):
        out[p.topic] = p.mastery
    return dict(sorted(out.items()))


def streak(answers: Iterable[AnswerLike], today: date) -> int:
    """Consecutive days with an answer, ending today (or yesterday)."""
    days = {_day(a.answered_at) for a in answers}
    start = today if today in days else today - timedelta(days=1)
    n = 0
    while start - timedelta(days=n) in days:
        n += 1
    return n


def first_attempts(answers: Iterable[AnswerLike]) -> dict[tuple[int, str], AnswerLike]:
    """Each trainee's first answer to each item."""
    out: dict[tuple[int, str], AnswerLike] = {}
    for a in _ordered(answers):
        out.setdefault((a.user_id, a.item_id), a)
    return out


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def item_stats(
    answers: Sequence[AnswerLike], titles: Mapping[str, str] | None = None
) -> list[ItemStat]:
    """Difficulty and discrimination of every item answered (see the module's text), each
    with its title from ``titles`` (item id → title; the id where it has none)."""
    titles = titles or {}
    first = first_attempts(answers)
    by_user: dict[int, dict[str, float]] = defaultdict(dict)
    for (uid, item), a in first.items():
        by_user[uid][item] = 1.0 if a.correct else 0.0
    counts: dict[str, int] = defaultdict(int)
    topics: dict[str, str] = {}
    for a in answers:
        counts[a.item_id] += 1
        topics[a.item_id] = a.topic
    out = []
    for item in sorted(counts):
        users = [u for u, got in by_user.items() if item in got]
        x = np.array([by_user[u][item] for u in users])
        rest = np.array(
            [
                np.mean([v for k, v in by_user[u].items() if k != item])
                if len(by_user[u]) > 1
                else np.nan
                for u in users
            ]
        )
        usable = ~np.isnan(rest)
        rpb = ul = None
        if usable.sum() >= MIN_TRAINEES:
            xs, rs = x[usable], rest[usable]
            rpb = _pearson(xs, rs)
            k = max(1, round(GROUP_FRACTION * len(xs)))
            order = np.argsort(rs, kind="stable")
            ul = float(xs[order[-k:]].mean() - xs[order[:k]].mean())
        out.append(
            ItemStat(
                item,
                titles.get(item) or item,
                topics[item],
                len(users),
                counts[item],
                float(x.mean()) if len(x) else 0.0,
                None if rpb is None else round(rpb, 3),
                None if ul is None else round(ul, 3),
            )
        )
    return out


def topic_stats(answers: Sequence[AnswerLike]) -> list[TopicStat]:
    groups: dict[str, list[AnswerLike]] = defaultdict(list)
    for a in answers:
        groups[a.topic].append(a)
    return [
        TopicStat(
            topic,
            len({a.user_id for a in rows}),
            len(rows),
            len({a.item_id for a in rows}),
            round(float(np.mean([a.correct for a in rows])), 3),
            round(float(np.mean([a.score for a in rows])), 3),
        )
        for topic, rows in sorted(groups.items())
    ]


def trainee_stats(answers: Sequence[AnswerLike]) -> list[TraineeStat]:
    groups: dict[int, list[AnswerLike]] = defaultdict(list)
    for a in answers:
        groups[a.user_id].append(a)
    out = []
    for uid, rows in groups.items():
        out.append(
            TraineeStat(
                uid,
                rows[0].username,
                len(rows),
                len({a.item_id for a in rows}),
                round(float(np.mean([a.correct for a in rows])), 3),
                max(a.answered_at for a in rows),
            )
        )
    return sorted(out, key=lambda t: t.username.lower())


@dataclass(frozen=True)
class CohortSummary:
    """The head of the cohort page: how many trainees answered, how many answers, items."""

    trainees_answered: int  # distinct trainees (by account) with at least one answer
    answers: int
    items: int


def cohort_summary(answers: Sequence[AnswerLike]) -> CohortSummary:
    """Counts over a cohort's answers. Trainees are counted by account, never by name (two
    trainees may share a display name); a trainee with no answer yet is not in the answers
    and so not counted: the page says "who answered"."""
    return CohortSummary(
        len({a.user_id for a in answers}),
        len(answers),
        len({a.item_id for a in answers}),
    )


def trainee_topic_table(answers: Sequence[AnswerLike]) -> dict[str, dict[str, float]]:
    """Username → topic → mastery (for a cohort heat map)."""
    groups: dict[str, list[AnswerLike]] = defaultdict(list)
    for a in answers:
        groups[a.username].append(a)
    return {u: mastery_by_topic(rows) for u, rows in sorted(groups.items())}


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Sequence[Any]) -> str:
    """Dataclass rows as CSV text (a header line, then one line per row)."""
    out = io.StringIO()
    if not rows:
        return ""
    names = [f.name for f in fields(rows[0])]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for r in rows:
        d = asdict(r)
        writer.writerow([_cell(d[n]) for n in names])
    return out.getvalue()
