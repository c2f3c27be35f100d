"""What the quiz pages use of the quiz package: the one door into it for ``app_pages``.

The Progress and Cohort pages read answers (from the store) and show them with these
statistics and charts; the Quiz page itself goes through ``ui.quiz_*`` over
:class:`~atlas_app.quiz.run.QuizRun`.
"""

from __future__ import annotations

from atlas_app.quiz.charts import item_map, mastery_figure, topic_bars, trainee_heatmap
from atlas_app.quiz.run import QuizRun
from atlas_app.quiz.stats import (
    MIN_TRAINEES,
    cohort_summary,
    item_stats,
    mastery_by_topic,
    mastery_over_time,
    streak,
    to_csv,
    topic_stats,
    trainee_stats,
    trainee_topic_table,
)
from atlas_app.quiz.titles import title_of
from atlas_app.quiz.topics import TOPICS, topic_name

__all__ = [
    "MIN_TRAINEES",
    "TOPICS",
    "QuizRun",
    "cohort_summary",
    "item_map",
    "item_stats",
    "mastery_by_topic",
    "mastery_figure",
    "mastery_over_time",
    "streak",
    "title_of",
    "to_csv",
    "topic_bars",
    "topic_name",
    "topic_stats",
    "trainee_heatmap",
    "trainee_stats",
    "trainee_topic_table",
]
