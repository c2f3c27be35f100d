"""Two app servers writing to one SQLite file at once lose no answers."""

from __future__ import annotations

import threading
from pathlib import Path

from atlas_app.storage import quiz_store as store
from atlas_app.storage.accounts import create_user
from atlas_app.storage.db import make_engine

N_ANSWERS = 60


def test_two_engines_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engines = [make_engine(url), make_engine(url)]  # as two server processes would
    users = [create_user(engines[i], f"user{i}", "a long password") for i in range(2)]
    sessions = [store.start_session(engines[i], users[i].id, ["t"], N_ANSWERS, i) for i in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer(i: int) -> None:
        try:
            start.wait()
            for k in range(N_ANSWERS):
                store.record_answer(
                    engines[i],
                    session_id=sessions[i],
                    user_id=users[i].id,
                    item_id=f"item{k}",
                    topic="t",
                    seed=k,
                    response=str(k),
                    correct=k % 2 == 0,
                    score=float(k % 2 == 0),
                )
                if k % 10 == 0:  # reads in between, as the progress page does
                    store.user_answers(engines[1 - i], users[1 - i].id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        fresh = make_engine(url)
        for i in range(2):
            rows = store.user_answers(fresh, users[i].id)
            assert [r.item_id for r in rows] == [f"item{k}" for k in range(N_ANSWERS)]
        fresh.dispose()
    finally:
        for engine in engines:
            engine.dispose()
