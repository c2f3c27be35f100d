"""The quiz run as a plain object: started, answered, moved on, ended early, retried and
scored, without Streamlit or a store."""

from __future__ import annotations

import pytest

from atlas_app.quiz.grading import Grade
from atlas_app.quiz.items import Item
from atlas_app.quiz.run import Feedback, QuizRun, Result
from atlas_app.quiz.session import ItemRef


def _item(item_id: str, seed: int, topic: str = "lst_formation") -> Item:
    return Item(
        id=item_id,
        seed=seed,
        kind="choice",
        topic=topic,
        difficulty=1,
        stem=f"Stem of {item_id}?",
        explanation="Because.",
        cite=(),
        template="authored",
    )


def _run() -> QuizRun:
    plan = [ItemRef("a", 1), ItemRef("b", 2), ItemRef("c", 3)]
    return QuizRun.start(plan, "quiz", 42, ["vessels", "lst_formation", "vessels"])


def _answer(run: QuizRun, score: float, topic: str = "lst_formation") -> Feedback:
    ref = run.current
    return run.answer(
        _item(ref.item_id, ref.seed, topic), "o1", Grade(score == 1, score, f"said {score}")
    )


def test_a_started_run_shows_its_first_item_with_nothing_answered():
    run = _run()
    assert run.plan == [("a", 1), ("b", 2), ("c", 3)]
    assert run.of_topics == ["lst_formation", "vessels"], "each topic once, sorted"
    assert run.current == ItemRef("a", 1)
    assert not run.over and not run.answered and not run.is_last
    assert run.results == [] and run.session_id is None and run.ended_at is None
    assert run.widget_key("choice") == "quiz.choice.42.0"
    assert run.mode_name == "Quiz"


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        QuizRun.start([ItemRef("a", 1)], "exam", 1, [])


def test_answering_keeps_the_feedback_until_the_next_item():
    run = _run()
    fb = _answer(run, 1.0)
    assert fb == Feedback("o1", True, 1.0, "said 1.0") and run.answered
    assert run.results == [Result("a", 1, "lst_formation", "Stem of a?", True, 1.0, "said 1.0")]
    run.note_save_error("not saved")
    assert run.feedback is not None and run.feedback.save_error == "not saved"
    run.advance()
    assert run.current == ItemRef("b", 2) and run.feedback is None
    assert run.widget_key("choice") == "quiz.choice.42.1", "fresh widgets for the next item"


def test_no_save_error_leaves_the_feedback_as_it_was():
    run = _run()
    fb = _answer(run, 0.0)
    run.note_save_error(None)
    assert run.feedback is fb


def test_the_last_item_leads_to_the_score():
    run = _run()
    for _ in range(2):
        _answer(run, 1.0)
        run.advance()
    assert run.is_last and not run.over
    _answer(run, 0.5, topic="vessels")
    run.advance()
    assert run.over
    score = run.score()
    assert (score.answered, score.right, score.total) == (3, 2, 2.5)
    assert score.fraction == pytest.approx(2.5 / 3)
    assert score.by_topic == {"lst_formation": [1.0, 1.0], "vessels": [0.5]}


def test_ending_early_scores_what_was_answered_and_lists_what_to_revisit():
    run = _run()
    _answer(run, 1.0)
    run.advance()
    _answer(run, 0.0)
    run.end_early()
    assert run.over and run.ended_at == 1 and run.feedback is None
    score = run.score()
    assert (score.answered, score.right) == (2, 1)
    assert [r.ref for r in run.missed()] == [("b", 2)]


def test_an_empty_score_has_no_fraction():
    run = _run()
    run.end_early()
    assert run.score().fraction is None and run.missed() == []


def test_a_retry_asks_the_same_questions_with_fresh_widgets():
    run = QuizRun.retry([("b", 2), ("c", 3)], seed=7, topics=["vessels"])
    assert run.plan == [("b", 2), ("c", 3)] and run.mode == "retry"
    assert run.mode_name == "Again" and run.seed == 7 and run.index == 0
    assert run.widget_key("choice") == "quiz.choice.7.0"
