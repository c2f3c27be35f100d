"""Fixtures shared by the AppTests of the case pages."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def store_awake():
    """A store failure makes the app rest the store for a few seconds (process-wide); no
    test inherits the rest of the one before."""
    from atlas_app.ui.errors import wake_store

    wake_store()
    yield
    wake_store()


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A throwaway SQLite store with two faculty (fay, gus) of cohort 2026, a trainee of
    theirs (tina) and a trainee of another cohort (otto): (engine, users by name)."""
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import dispose_engines, get_engine

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    dispose_engines()
    engine = get_engine()
    users = {
        "fay": create_user(engine, "fay", "correct horse 3", role="faculty", cohort="2026"),
        "gus": create_user(engine, "gus", "correct horse 4", role="faculty", cohort="2026"),
        "tina": create_user(engine, "tina", "correct horse 1", cohort="2026"),
        "otto": create_user(engine, "otto", "correct horse 5", cohort="2027"),
    }
    yield engine, users
    dispose_engines()
