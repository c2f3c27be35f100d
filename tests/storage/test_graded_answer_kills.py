"""An answer and its review card are one transaction (issue 15): a quiz server killed
(SIGKILL) while saving leaves both or neither, never an answer whose item would not come
back for review. On SQLite and PostgreSQL, with real kills of a real writer process."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atlas_app.storage.db import make_engine
from atlas_app.storage.models import AnswerRecord, ReviewCardRecord

pytestmark = pytest.mark.slow  # kills writers at random, many times

PROJECT = Path(__file__).resolve().parents[2]

# The writer: one user, one quiz, then graded answers to items never seen before (each must
# leave a card). PAUSE makes the FSRS step (between the answer's INSERT and the card's
# upsert) announce itself and wait to be killed; otherwise it answers as fast as it can.
_WRITER = """
import sys, time
from datetime import UTC, datetime
from atlas_app.storage import quiz_store
from atlas_app.storage.accounts import create_user
from atlas_app.storage.db import make_engine

url, mode = sys.argv[1], sys.argv[2]
engine = make_engine(url)
user = create_user(engine, f"ana{time.time_ns()}", "sacral ala 2026")
sid = quiz_store.start_session(engine, user.id, ["nerves"], 1000, 1)
if mode == "pause":
    real_review = quiz_store.review

    def review_then_wait(*args, **kwargs):
        out = real_review(*args, **kwargs)
        print("between the answer and its card", flush=True)
        time.sleep(120)
        return out

    quiz_store.review = review_then_wait
print("ready", flush=True)
for i in range(100000):
    quiz_store.record_graded_answer(
        engine, session_id=sid, user_id=user.id, item_id=f"item-{i}", topic="nerves",
        seed=i, response="o1", correct=i % 2 == 0, score=float(i % 2 == 0),
        answered_at=datetime.now(UTC),
    )
"""


def _writer(db_url: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, db_url, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
    )


def _wait_for(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdout is not None
    got = proc.stdout.readline().strip()
    if got != line:
        proc.kill()
        raise AssertionError(f"the writer said {got!r}; stderr: {proc.communicate()[1]}")


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL


def _orphans(db_url: str) -> tuple[int, int, int]:
    """(answers, answers without their card, cards without an answer), read afresh."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            answers = session.scalar(select(func.count()).select_from(AnswerRecord)) or 0
            has_card = select(ReviewCardRecord.id).where(
                ReviewCardRecord.user_id == AnswerRecord.user_id,
                ReviewCardRecord.item_id == AnswerRecord.item_id,
            )
            lonely = session.scalar(
                select(func.count()).select_from(AnswerRecord).where(~has_card.exists())
            )
            has_answer = select(AnswerRecord.id).where(
                AnswerRecord.user_id == ReviewCardRecord.user_id,
                AnswerRecord.item_id == ReviewCardRecord.item_id,
            )
            cardless = session.scalar(
                select(func.count()).select_from(ReviewCardRecord).where(~has_answer.exists())
            )
        return int(answers), int(lonely or 0), int(cardless or 0)
    finally:
        engine.dispose()


def test_killed_between_the_answer_and_its_card_leaves_neither(db_url: str) -> None:
    """The kill lands exactly where two transactions would have left an answer alone: after
    the answer was written (INSERT sent), before the card."""
    proc = _writer(db_url, "pause")
    _wait_for(proc, "ready")
    _wait_for(proc, "between the answer and its card")
    _kill(proc)
    assert _orphans(db_url) == (0, 0, 0)


def test_random_kills_never_leave_an_answer_without_its_card(db_url: str) -> None:
    """Ten writers, each killed at a random moment while answering as fast as it can."""
    rng = random.Random(15)
    for _ in range(10):
        proc = _writer(db_url, "run")
        _wait_for(proc, "ready")
        time.sleep(rng.uniform(0.0, 0.3))
        _kill(proc)
    answers, lonely, cardless = _orphans(db_url)
    assert answers > 0, "the writers answered before they were killed"
    assert (lonely, cardless) == (0, 0)
