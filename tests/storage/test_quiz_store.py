"""Quiz sessions, answers and review cards (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine

from atlas_app.storage import quiz_store as store
from atlas_app.storage.access import SignedOutError
from atlas_app.storage.accounts import User, create_user, set_role
from atlas_app.storage.db import make_engine

PASSWORD = "sacral ala 2026"
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _answer(engine: Engine, user: User, session_id: int, item_id: str = "q1", **kw: object) -> int:
    values: dict[str, object] = {
        "item_id": item_id,
        "topic": "nerves",
        "seed": 7,
        "response": "below the ala",
        "correct": True,
        "score": 1.0,
    }
    values.update(kw)
    return store.record_answer(engine, session_id=session_id, user_id=user.id, **values)  # type: ignore[arg-type]


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    return {
        "ana": create_user(engine, "ana", PASSWORD, cohort="2026"),
        "ben": create_user(engine, "ben", PASSWORD, cohort="2026"),
        "cy": create_user(engine, "cy", PASSWORD, cohort="2027"),
        "fac": create_user(engine, "fac", PASSWORD, role="faculty", cohort="2026"),
        "dean": create_user(engine, "dean", PASSWORD, role="admin"),
    }


def test_session_and_answers_round_trip(engine: Engine, people: dict[str, User]) -> None:
    ana = people["ana"]
    sid = store.start_session(engine, ana.id, ["nerves", "vessels"], length=5, seed=2**40)
    answer_id = _answer(engine, ana, sid, answered_at=T0, correct=False, score=0.25, seed=2**62)
    store.finish_session(engine, sid)
    store.finish_session(engine, sid)  # again: harmless
    [row] = store.user_answers(engine, ana.id)
    assert row == store.AnswerRow(
        id=answer_id,
        session_id=sid,
        user_id=ana.id,
        username="ana",
        item_id="q1",
        topic="nerves",
        seed=2**62,
        response="below the ala",
        correct=False,
        score=0.25,
        answered_at=T0,
    )
    assert row.answered_at.tzinfo is not None and row.answered_at.utcoffset() == timedelta(0)


def test_answer_time_defaults_to_now_in_utc(engine: Engine, people: dict[str, User]) -> None:
    sid = store.start_session(engine, people["ana"].id, ["nerves"], 1, 0)
    before = datetime.now(UTC)
    _answer(engine, people["ana"], sid)
    [row] = store.user_answers(engine, people["ana"].id)
    assert before - timedelta(seconds=1) <= row.answered_at <= datetime.now(UTC)


def test_times_in_other_zones_are_stored_as_utc(engine: Engine, people: dict[str, User]) -> None:
    sid = store.start_session(engine, people["ana"].id, ["nerves"], 1, 0)
    tokyo = T0.astimezone(timezone(timedelta(hours=9)))
    _answer(engine, people["ana"], sid, answered_at=tokyo)
    [row] = store.user_answers(engine, people["ana"].id)
    assert row.answered_at == T0 and row.answered_at.tzinfo == UTC


def test_naive_times_are_refused(engine: Engine, people: dict[str, User]) -> None:
    sid = store.start_session(engine, people["ana"].id, ["nerves"], 1, 0)
    with pytest.raises(ValueError, match="naive"):
        _answer(engine, people["ana"], sid, answered_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        store.due_cards(engine, people["ana"].id, datetime(2026, 1, 1))


def test_a_trainee_sees_only_their_own_answers(engine: Engine, people: dict[str, User]) -> None:
    ana, ben = people["ana"], people["ben"]
    sid_a = store.start_session(engine, ana.id, ["nerves"], 3, 1)
    sid_b = store.start_session(engine, ben.id, ["nerves"], 3, 2)
    for i in range(3):
        _answer(engine, ana, sid_a, f"a{i}")
        _answer(engine, ben, sid_b, f"b{i}")
    ana_rows = store.user_answers(engine, ana.id)
    assert [r.item_id for r in ana_rows] == ["a0", "a1", "a2"]
    assert {(r.user_id, r.username) for r in ana_rows} == {(ana.id, "ana")}
    assert {r.user_id for r in store.user_answers(engine, ben.id)} == {ben.id}


def test_answers_go_only_into_the_users_own_session(
    engine: Engine, people: dict[str, User]
) -> None:
    sid_a = store.start_session(engine, people["ana"].id, ["nerves"], 3, 1)
    with pytest.raises(ValueError, match="not user"):
        _answer(engine, people["ben"], sid_a)
    with pytest.raises(ValueError, match="no quiz session"):
        _answer(engine, people["ben"], 999_999)
    assert store.user_answers(engine, people["ben"].id) == []


def test_guests_are_never_written(engine: Engine, people: dict[str, User]) -> None:
    with pytest.raises(ValueError, match="guest"):
        store.start_session(engine, None, ["nerves"], 3, 1)
    sid = store.start_session(engine, people["ana"].id, ["nerves"], 3, 1)
    with pytest.raises(ValueError, match="guest"):
        store.record_answer(
            engine,
            session_id=sid,
            user_id=None,
            item_id="q1",
            topic="nerves",
            seed=1,
            response="x",
            correct=True,
            score=1.0,
        )
    with pytest.raises(ValueError, match="guest"):
        store.save_card(engine, None, "q1", "{}", T0)  # type: ignore[arg-type]
    assert store.user_answers(engine, people["ana"].id) == []


def test_bad_values_are_refused(engine: Engine, people: dict[str, User]) -> None:
    ana = people["ana"]
    with pytest.raises(SignedOutError):
        store.start_session(engine, 424_242, ["nerves"], 3, 1)  # no such user
    with pytest.raises(ValueError):
        store.start_session(engine, ana.id, ["nerves"], 0, 1)
    sid = store.start_session(engine, ana.id, ["nerves"], 3, 1)
    with pytest.raises(ValueError):
        _answer(engine, ana, sid, score=float("nan"))
    with pytest.raises(ValueError):
        _answer(engine, ana, sid, seed=2**64)
    with pytest.raises(ValueError):
        _answer(engine, ana, sid, item_id="")
    with pytest.raises(TypeError):
        _answer(engine, ana, sid, response=["a", "b"])
    with pytest.raises(ValueError):
        store.finish_session(engine, 999_999)
    assert store.user_answers(engine, ana.id) == []


def test_cohort_answers_refuse_trainees(engine: Engine, people: dict[str, User]) -> None:
    sid = store.start_session(engine, people["ben"].id, ["nerves"], 1, 1)
    _answer(engine, people["ben"], sid)
    with pytest.raises(PermissionError):
        store.cohort_answers(engine, people["ana"].id)
    with pytest.raises(PermissionError):
        store.cohort_answers(engine, people["ana"].id, cohort="2026")


def test_cohort_answers_for_faculty_and_admins(engine: Engine, people: dict[str, User]) -> None:
    for name in ("ana", "ben", "cy", "fac"):
        sid = store.start_session(engine, people[name].id, ["nerves"], 1, 1)
        _answer(engine, people[name], sid, f"item-{name}")
    fac, dean = people["fac"], people["dean"]
    assert {r.username for r in store.cohort_answers(engine, fac.id)} == {"ana", "ben"}
    assert {r.username for r in store.cohort_answers(engine, fac.id, "2026")} == {"ana", "ben"}
    with pytest.raises(PermissionError):
        store.cohort_answers(engine, fac.id, "2027")  # not their cohort
    assert {r.username for r in store.cohort_answers(engine, dean.id)} == {"ana", "ben", "cy"}
    assert {r.username for r in store.cohort_answers(engine, dean.id, "2027")} == {"cy"}


def test_a_stale_faculty_user_object_loses_access(engine: Engine, people: dict[str, User]) -> None:
    fac = people["fac"]
    set_role(engine, "fac", "trainee")  # demoted while signed in
    with pytest.raises(PermissionError):
        store.cohort_answers(engine, fac.id)
    with pytest.raises(PermissionError):  # a trainee's id gets nothing, whatever a page thinks
        store.cohort_answers(engine, people["ana"].id)


def test_an_answer_survives_a_new_engine(db_url: str) -> None:
    """What a server restart does: a new process opens the same database."""
    first = make_engine(db_url)
    ana = create_user(first, "ana", PASSWORD)
    sid = store.start_session(first, ana.id, ["nerves"], 1, 1)
    answer_id = _answer(first, ana, sid, response="on the ala")
    # no dispose, no close: the answer must already be committed
    second = make_engine(db_url)
    try:
        [row] = store.user_answers(second, ana.id)
        assert (row.id, row.response) == (answer_id, "on the ala")
    finally:
        first.dispose()
        second.dispose()


_ANSWER_THEN_DIE = """
import os, signal, sys
from atlas_app.storage.accounts import create_user
from atlas_app.storage.db import make_engine
from atlas_app.storage.quiz_store import record_answer, start_session
engine = make_engine(sys.argv[1])
user = create_user(engine, "ana", "sacral ala 2026")
sid = start_session(engine, user.id, ["nerves"], 2, 1)
record_answer(engine, session_id=sid, user_id=user.id, item_id="q1", topic="nerves",
              seed=1, response="on the ala", correct=True, score=1.0)
print(user.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the server dies: no close, no dispose, no atexit
"""


def test_an_answer_survives_the_server_being_killed(db_url: str) -> None:
    """A process that recorded an answer is killed at once (SIGKILL); a new process finds
    the answer: it was committed before record_answer returned."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-c", _ANSWER_THEN_DIE, db_url],
        capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    user_id = int(done.stdout.split()[0])
    engine = make_engine(db_url)
    try:
        [row] = store.user_answers(engine, user_id)
        assert (row.item_id, row.response, row.correct) == ("q1", "on the ala", True)
    finally:
        engine.dispose()


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE answers; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM users WHERE ('1'='1",
    "%s %(x)s {0} ${x} \\ \\\\ ?",
    "émoji 🦴 ünïcödé — ✓ 右 \u202e reversed",
    "line\nbreaks\r\nand\ttabs",
    "x" * 200_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_round_trips_unchanged(
    engine: Engine, people: dict[str, User], text: str
) -> None:
    ana = people["ana"]
    short = text[:100]
    sid = store.start_session(engine, ana.id, [short, "nerves"], 1, 1)
    _answer(engine, ana, sid, item_id=short, topic=short, response=text)
    store.save_card(engine, ana.id, short, text, T0)
    [row] = store.user_answers(engine, ana.id)
    assert (row.item_id, row.topic, row.response) == (short, short, text)
    card = store.get_card(engine, ana.id, short)
    assert card is not None and card.card_json == text
    named = create_user(engine, "hostile", PASSWORD, display_name=short.strip(), cohort=short)
    assert (named.display_name, named.cohort) == (short.strip(), short)
    assert {u.username for u in store_users(engine)} >= {"ana", "hostile"}  # tables intact


def store_users(engine: Engine) -> list[User]:
    from atlas_app.storage.accounts import list_users

    return list_users(engine)


def test_nul_and_lone_surrogates_are_stored_as_replacement_characters(
    engine: Engine, people: dict[str, User]
) -> None:
    sid = store.start_session(engine, people["ana"].id, ["nerves"], 1, 1)
    _answer(engine, people["ana"], sid, response="a\x00b\ud800c")
    [row] = store.user_answers(engine, people["ana"].id)
    assert row.response == "a\ufffdb\ufffdc"


def test_review_cards(engine: Engine, people: dict[str, User]) -> None:
    ana, ben = people["ana"], people["ben"]
    assert store.get_card(engine, ana.id, "q1") is None
    store.save_card(engine, ana.id, "q1", '{"state": 1}', T0)
    store.save_card(engine, ana.id, "q2", '{"state": 1}', T0 + timedelta(days=3))
    store.save_card(engine, ben.id, "q1", '{"state": 9}', T0)
    store.save_card(engine, ana.id, "q1", '{"state": 2}', T0 + timedelta(hours=1))  # replace
    card = store.get_card(engine, ana.id, "q1")
    assert card == store.CardRow(ana.id, "q1", '{"state": 2}', T0 + timedelta(hours=1))
    assert store.due_cards(engine, ana.id, T0) == []
    due = store.due_cards(engine, ana.id, T0 + timedelta(days=1))
    assert [c.item_id for c in due] == ["q1"]
    later = store.due_cards(engine, ana.id, T0 + timedelta(days=4))
    assert [(c.user_id, c.item_id) for c in later] == [(ana.id, "q1"), (ana.id, "q2")]
    assert [c.card_json for c in store.due_cards(engine, ben.id, T0)] == ['{"state": 9}']


def test_a_graded_answer_is_stored_and_schedules_its_review(
    engine: Engine, people: dict[str, User]
) -> None:
    ana = people["ana"]
    sid = store.start_session(engine, ana.id, ["nerves"], length=2, seed=1)
    values: dict[str, Any] = {
        "topic": "nerves",
        "seed": 3,
        "response": "on the ala",
        "session_id": sid,
    }
    store.record_graded_answer(
        engine, user_id=ana.id, item_id="q1", correct=False, score=0.0, answered_at=T0, **values
    )
    missed = store.get_card(engine, ana.id, "q1")
    assert missed is not None and T0 < missed.due < T0 + timedelta(days=1)  # relearn today
    store.record_graded_answer(
        engine,
        user_id=ana.id,
        item_id="q1",
        correct=True,
        score=1.0,
        answered_at=missed.due,
        **values,
    )
    known = store.get_card(engine, ana.id, "q1")
    assert known is not None and known.due > missed.due and known.card_json != missed.card_json
    assert [a.correct for a in store.user_answers(engine, ana.id)] == [False, True]
    with pytest.raises(ValueError):  # a guest's answer is neither stored nor scheduled
        store.record_graded_answer(
            engine, user_id=None, item_id="q2", correct=True, score=1.0, answered_at=T0, **values
        )
    assert store.get_card(engine, ana.id, "q2") is None
