"""The schema: made by the migrations on both databases, equal to the models, constrained."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from atlas_app.storage import db
from atlas_app.storage.models import Base

TABLES = {"users", "quiz_sessions", "answers", "review_cards", "cases", "case_members"}


def test_migrations_create_the_schema(engine: Engine) -> None:
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= TABLES
    assert db.head_revision() is not None
    assert db.current_revision(engine) == db.head_revision()
    assert "uq_users_username" in {c["name"] for c in inspector.get_unique_constraints("users")}
    assert {"ck_users_role", "ck_users_auth_source"} <= {
        c["name"] for c in inspector.get_check_constraints("users")
    }
    answer_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("answers")}
    assert answer_indexes["ix_answers_user_id_answered_at"] == ["user_id", "answered_at"]
    card_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("review_cards")}
    assert card_indexes["ix_review_cards_user_id_due"] == ["user_id", "due"]


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    """A model changed without a migration (or the reverse) fails here."""
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrating_again_changes_nothing(db_url: str) -> None:
    first = db.make_engine(db_url)
    second = db.make_engine(db_url)  # e.g. a second app server starting
    try:
        assert db.current_revision(second) == db.head_revision()
    finally:
        first.dispose()
        second.dispose()


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    db.downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    db.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_role_check_constraint_holds_in_the_database(engine: Engine) -> None:
    insert = text(
        "INSERT INTO users (username, auth_source, role, display_name, created_at) "
        "VALUES ('mallory', 'password', 'root', 'M', CURRENT_TIMESTAMP)"
    )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert)


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    insert = text(
        "INSERT INTO quiz_sessions (user_id, topics_json, length, seed, started_at) "
        "VALUES (4242, '[]', 1, 0, CURRENT_TIMESTAMP)"
    )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert)


def test_sqlite_is_wal_with_busy_timeout(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'a' / 'b.sqlite3'}")  # folder created
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert timeout == db.SQLITE_READ_BUSY_MS  # a read waits briefly for a lock
        with db.writer(engine).connect() as connection:
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert timeout == db.SQLITE_WRITE_BUSY_MS
    finally:
        engine.dispose()


def test_default_database_is_a_sqlite_file_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = db.database_url()
    assert url.startswith("sqlite:///")
    assert Path(url.removeprefix("sqlite:///")) == db.DEFAULT_SQLITE_PATH
    assert db.DEFAULT_SQLITE_PATH.parent.name == "var"


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:secret@db.example/atlas")
    assert db.database_url() == "postgresql+psycopg://u:secret@db.example/atlas"
    assert "secret" not in db.safe_url(db.database_url())


def test_get_engine_is_cached_per_url(tmp_path: Path) -> None:
    url_a = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    url_b = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    try:
        assert db.get_engine(url_a) is db.get_engine(url_a)
        assert db.get_engine(url_a) is not db.get_engine(url_b)
        assert db.current_revision(db.get_engine(url_b)) == db.head_revision()
    finally:
        db.dispose_engines()
