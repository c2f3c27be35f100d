"""The store under faults, below the pages: a file locked before first use is refused soon as
StoreUnavailable (not after 15 s of waiting on every page), nothing is left half-written by
a full disk, and only the writes that cannot have committed are tried again."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from atlas_app.storage import db
from atlas_app.storage.accounts import create_user
from atlas_app.storage.models import AnswerRecord, ReviewCardRecord

_HOLD = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.executescript(sys.argv[2])
print("held", flush=True)
time.sleep(3600)
"""


def _hold(path: Path, script: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(path), script],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_file_locked_before_first_use_is_unavailable_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "atlas.sqlite3"
    holder = _hold(path, "BEGIN EXCLUSIVE; CREATE TABLE scratch (x);")
    try:
        with pytest.raises(db.StoreUnavailable) as raised:
            db.get_engine(f"sqlite:///{path}")
        assert "database is locked" in str(raised.value.__cause__)
        assert db.SQLITE_READ_BUSY_MS <= 2_000, "opening waits a read's time, not a write's"
    finally:
        holder.kill()
        holder.wait()
        db.dispose_engines()
    engine = db.get_engine(f"sqlite:///{path}")  # the lock gone, the next call opens it
    assert db.current_revision(engine) == db.head_revision()
    db.dispose_engines()


def test_an_up_to_date_store_opens_beside_a_long_writer(tmp_path: Path) -> None:
    """A second server starting while another holds the write lock only reads the revision."""
    path = tmp_path / "atlas.sqlite3"
    db.make_engine(f"sqlite:///{path}").dispose()
    holder = _hold(path, "BEGIN IMMEDIATE; INSERT INTO users (username, auth_source, role, "
                   "display_name, created_at, active) VALUES ('w', 'password', 'trainee', 'w', "
                   "'2026-12-07 00:00:00', 1);")  # fmt: skip
    try:
        engine = db.make_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 0
        engine.dispose()
    finally:
        holder.kill()
        holder.wait()


def test_a_failed_answer_on_a_full_disk_leaves_nothing(tmp_path: Path) -> None:
    """SQLite's page limit stands in for the disk here (the pages' fault tests fill a real
    small disk): the answer and its card fail together, the file stays sound."""
    from datetime import UTC, datetime

    from sqlalchemy import event

    from atlas_app.storage import quiz_store

    url = f"sqlite:///{tmp_path / 'atlas.sqlite3'}"
    engine = db.make_engine(url)
    user = create_user(engine, "tina", "sacral ala 2026")
    sid = quiz_store.start_session(engine, user.id, ["nerves"], 500, 1)
    with engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar()

    def no_room(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", no_room)
    engine.dispose()  # new connections get the limit
    with pytest.raises(OperationalError, match="full"):
        for i in range(500):  # until the file would have to grow
            quiz_store.record_graded_answer(
                engine, session_id=sid, user_id=user.id, item_id=f"item-{i}", topic="nerves",
                seed=i, response="x" * 2000, correct=True, score=1.0,
                answered_at=datetime.now(UTC),
            )  # fmt: skip
    event.remove(engine, "connect", no_room)
    engine.dispose()
    with Session(engine) as session:
        answers = session.scalar(select(func.count()).select_from(AnswerRecord))
        cards = session.scalar(select(func.count()).select_from(ReviewCardRecord))
    assert answers == cards, "every answer stored has its card; the failed one has neither"
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None = None) -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("statement", "sqlstate", "tries"),
    [
        (None, None, 3),  # could not connect: nothing ran, tried again (then given up)
        ("UPDATE cases SET ...", "40001", 3),  # serialisation failure: rolled back
        ("UPDATE cases SET ...", "40P01", 3),  # deadlock: rolled back
        ("COMMIT", None, 1),  # the commit itself failed: it may have happened, not repeated
        ("BEGIN IMMEDIATE", None, 1),  # SQLite's lock wait ran out: no second wait
    ],
)
def test_only_writes_that_cannot_have_committed_are_tried_again(
    monkeypatch: pytest.MonkeyPatch, statement: str | None, sqlstate: str | None, tries: int
) -> None:
    monkeypatch.setattr(db, "RETRY_PAUSES", (0.0, 0.0))
    calls: list[int] = []

    @db.retry_when_safe
    def write() -> None:
        calls.append(1)
        raise OperationalError(statement, {}, _DriverError(sqlstate))

    with pytest.raises(OperationalError):
        write()
    assert len(calls) == tries


def test_a_retried_write_that_then_succeeds_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "RETRY_PAUSES", (0.0, 0.0))
    calls: list[int] = []

    @db.retry_when_safe
    def write() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError(None, {}, _DriverError())
        return "stored"

    assert write() == "stored" and len(calls) == 2
