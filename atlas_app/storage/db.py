"""The database: which one, its engine, and its schema brought up to date on first use.

``DATABASE_URL`` names the database (``postgresql+psycopg://user:pw@host/db`` for a deployment
of several app servers); without it the store is a SQLite file, ``var/atlas.sqlite3`` in the
project, created on first start. :func:`get_engine` caches one engine per URL and, the first
time, runs Alembic's ``upgrade head`` under a lock (two servers starting together migrate once).

SQLite is opened in WAL mode (readers never wait for the writer), with foreign keys on and a
busy timeout, and SQLAlchemy emits the ``BEGIN`` itself: a write transaction starts with
``BEGIN IMMEDIATE`` (see :func:`writer`), so two writers queue for the lock instead of one
failing at its first write, and a read transaction is one consistent snapshot. A read waits
at most 2 s for a lock, a write 10 s: a file locked by something else fails soon, and the
pages that need no store never wait on it.

A store that cannot be opened raises :class:`StoreUnavailable`; writes that failed before
anything could have been committed (no connection, a deadlock, a serialisation failure) are
tried again (:func:`retry_when_safe`).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from atlas_app.paths import PROJECT_DIR

DEFAULT_SQLITE_PATH = PROJECT_DIR / "var" / "atlas.sqlite3"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_READ_BUSY_MS = 2_000  # how long a read (and opening the file) waits for a lock
SQLITE_WRITE_BUSY_MS = 10_000  # how long a write waits for the write lock
RETRY_PAUSES = (0.2, 0.8)  # seconds before each further try of a write that may be retried
WRITE_OPTION = "atlas_write"  # execution option: this transaction will write
_MIGRATION_LOCK_KEY = 0x5AC2A1A5  # pg_advisory_xact_lock key: one migrator at a time

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class StoreUnavailable(Exception):  # noqa: N818 (a state of the store, not a bug)
    """The store cannot be opened now (its file, disk, lock or server); the cause is chained."""


def database_url() -> str:
    """``DATABASE_URL`` if set, else the SQLite file ``<project>/var/atlas.sqlite3``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_url(url: str) -> str:
    """Point bare ``postgres://`` / ``postgresql://`` URLs (as hosts hand them out) at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # an unparsable URL is not shown (it may hold a password)
        return "<unparsable database URL>"


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default :func:`database_url`), created and migrated once;
    StoreUnavailable when it cannot be opened now (it is tried again at the next call)."""
    url = normalise_url(url) if url else database_url()
    engine = _engines.get(url)
    if engine is not None:
        return engine
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            try:
                engine = make_engine(url)
            except (SQLAlchemyError, OSError) as exc:
                raise StoreUnavailable(f"the store {safe_url(url)} cannot be opened") from exc
            _engines[url] = engine
    return engine


def make_engine(url: str | None = None) -> Engine:
    """A new engine for ``url`` (not cached), its database migrated to the newest schema."""
    engine = configured_engine(url or database_url())
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def dispose_engines() -> None:
    """Close every cached engine's connections and forget them (tests, shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def writer(engine: Engine) -> Engine:
    """``engine`` for a write transaction: on SQLite its ``BEGIN`` takes the write lock."""
    return engine.execution_options(**{WRITE_OPTION: True})


def configured_engine(url: str) -> Engine:
    """An engine with this project's connection settings, without migrating."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _sqlite_on_begin)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_READ_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")  # a commit is on disk when it returns
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    busy = SQLITE_WRITE_BUSY_MS if write else SQLITE_READ_BUSY_MS
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {busy}")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def retry_when_safe(write: F) -> F:
    """``write`` (a function of the store that runs its own transaction) tried again, after a
    short pause, when it failed where nothing can have been committed: before its first
    statement (the database could not be reached), or by a deadlock or serialisation failure
    (PostgreSQL rolled it back). Any other failure, and the last one, is raised."""

    @functools.wraps(write)
    def run(*args: Any, **kwargs: Any) -> Any:
        for pause in (*RETRY_PAUSES, None):
            try:
                return write(*args, **kwargs)
            except DBAPIError as exc:
                if pause is None or not _nothing_committed(exc):
                    raise
                _log.warning("retrying %s after: %s", write.__qualname__, type(exc.orig).__name__)
                time.sleep(pause)
        raise AssertionError("unreachable")

    return run  # type: ignore[return-value]


_ROLLED_BACK = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _nothing_committed(exc: DBAPIError) -> bool:
    if exc.statement is None:  # failed while connecting: no statement ran
        return True
    return getattr(exc.orig, "sqlstate", None) in _ROLLED_BACK


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's configuration, made in code (no alembic.ini needed at run time)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` in one transaction, one migrator at a time.
    A database already at the newest revision is only read (no write lock is taken)."""
    from alembic import command

    if revision == "head" and current_revision(engine) == head_revision():
        return
    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"``: no tables) in one transaction."""
    from alembic import command

    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A write transaction that holds the migration lock (SQLite's write lock, or an advisory
    lock on PostgreSQL), so two servers starting at once migrate one after the other."""
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
        yield connection


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest schema revision this code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
