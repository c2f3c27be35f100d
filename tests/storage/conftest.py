"""Storage fixtures: every ``db_url`` / ``engine`` test runs on SQLite and on PostgreSQL.

PostgreSQL is a real server: a throwaway cluster made with Debian's ``postgresql`` binaries
(``atlas_app/storage/local_postgres.py``: ``initdb``, ``pg_ctl`` in a temporary folder, a
unix socket only, run as ``postgres`` when the tests run as root), stopped after the session.
Each test gets its own new database. Without the binaries the PostgreSQL tests fail, saying
what to install, unless ``SKIP_POSTGRES=1``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from atlas_app.storage.db import dispose_engines, make_engine
from atlas_app.storage.local_postgres import (
    LocalPostgresError,
    PgServer,
    create_database,
    throwaway_postgres,
)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if os.environ.get("SKIP_POSTGRES") == "1":
        pytest.skip("SKIP_POSTGRES=1: PostgreSQL storage tests skipped")
    try:
        with throwaway_postgres() as server:
            yield server
            dispose_engines()
    except LocalPostgresError as exc:
        pytest.fail(f"{exc} (or set SKIP_POSTGRES=1 to skip the PostgreSQL storage tests)",
                    pytrace=False)  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database (not yet migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'atlas.sqlite3'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield create_database(server, name)
    dispose_engines()
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on the test's database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def fast_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: a default hash takes ~0.15 s and the tests make hundreds."""
    from argon2 import PasswordHasher

    from atlas_app.storage import accounts

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
