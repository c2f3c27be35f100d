"""Storage fixtures: every ``db_url`` / ``engine`` test runs on SQLite and on PostgreSQL.

PostgreSQL is a real server: a throwaway cluster made with Debian's ``postgresql`` binaries
(``initdb``, ``pg_ctl``) in a temporary folder, listening only on a unix socket there, run as
an unprivileged user (``postgres`` when the tests run as root), stopped after the session.
Each test gets its own new database. Without the binaries the PostgreSQL tests fail, saying
what to install, unless ``SKIP_POSTGRES=1``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from atlas_app.storage.db import dispose_engines, make_engine

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_SUPERUSER = "atlas"


@dataclass(frozen=True)
class PgServer:
    """A running throwaway PostgreSQL cluster."""

    socket_dir: str
    port: int

    def url(self, database: str) -> str:
        return (
            f"postgresql+psycopg://{PG_SUPERUSER}@/{database}"
            f"?host={self.socket_dir}&port={self.port}"
        )


def _pg_bindir() -> Path | None:
    """``PG_BINDIR`` if set, else the newest ``/usr/lib/postgresql/<version>/bin``."""
    override = os.environ.get("PG_BINDIR")
    if override:
        candidates = [override]
    else:
        candidates = sorted(glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name))
        candidates.reverse()
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(owner: str | None, command: list[str]) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if os.environ.get("SKIP_POSTGRES") == "1":
        pytest.skip("SKIP_POSTGRES=1: PostgreSQL storage tests skipped")
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries not found (no initdb in $PG_BINDIR or "
            "/usr/lib/postgresql/*/bin): "
            "install the Debian package 'postgresql' (scripts/test.sh does) "
            "or set SKIP_POSTGRES=1 to skip the PostgreSQL storage tests",
            pytrace=False,
        )
    owner = None
    root = tempfile.mkdtemp(prefix="atlas-pg-")
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        owner = "postgres"
        try:
            entry = pwd.getpwnam(owner)
        except KeyError:
            pytest.fail("running as root but there is no 'postgres' user", pytrace=False)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o700)
    data, sockets = f"{root}/data", f"{root}/socket"
    port = _free_port()

    def run(*command: str) -> None:
        done = subprocess.run(
            _as_owner(owner, list(command)), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}", False)

    started = False
    try:
        run("mkdir", sockets)
        run(
            str(bindir / "initdb"),
            "-D",
            data,
            "-U",
            PG_SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-p {port} -k {sockets} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        run(str(bindir / "pg_ctl"), "-D", data, "-o", options, "-l", f"{root}/log", "-w", "start")
        started = True
        yield PgServer(socket_dir=sockets, port=port)
    finally:
        dispose_engines()
        if started:
            subprocess.run(
                _as_owner(owner, [str(bindir / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database (not yet migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'atlas.sqlite3'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.url(name)
        dispose_engines()
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
