"""Alembic environment: migrate the store's database.

Run by :func:`atlas_app.storage.db.upgrade`, which hands over a connection already inside a
write transaction (``config.attributes["connection"]``); or by the ``alembic`` command with
``atlas_app/storage/alembic.ini``, which migrates ``DATABASE_URL`` or the default SQLite file.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from atlas_app.storage.db import configured_engine, database_url, writer
from atlas_app.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER on SQLite = copy table
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: print the SQL instead of running it."""
    url = config.get_main_option("sqlalchemy.url") or database_url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # from db.upgrade: its transaction commits
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    engine = configured_engine(config.get_main_option("sqlalchemy.url") or database_url())
    try:
        with writer(engine).connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
