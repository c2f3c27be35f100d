"""A throwaway PostgreSQL cluster on this machine, from Debian's ``postgresql`` binaries.

For the storage tests, the benchmarks and the two-server demo (``deploy/cluster.py``): a
real server in a temporary folder (``initdb``, ``pg_ctl``), listening only on a unix socket
there, run as an unprivileged user (``postgres`` when the caller is root, since PostgreSQL
refuses to run as root), stopped and removed afterwards. Never used by the app itself, which
takes its database from ``DATABASE_URL``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "atlas"


class LocalPostgresError(RuntimeError):
    """The cluster could not be made or started; the message says what to install or fix."""


@dataclass(frozen=True)
class PgServer:
    """A running throwaway cluster."""

    socket_dir: str
    port: int
    superuser: str = SUPERUSER

    def url(self, database: str) -> str:
        return (
            f"postgresql+psycopg://{self.superuser}@/{database}"
            f"?host={self.socket_dir}&port={self.port}"
        )


def pg_bindir() -> Path | None:
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


@contextmanager
def throwaway_postgres(superuser: str = SUPERUSER, durable: bool = False) -> Iterator[PgServer]:
    """A running cluster for the duration of the ``with`` block.

    ``durable=False`` turns off fsync and synchronous commit (fast, for tests that do not
    kill the server); ``True`` keeps PostgreSQL's defaults, for crash and benchmark runs."""
    bindir = pg_bindir()
    if bindir is None:
        raise LocalPostgresError(
            "PostgreSQL server binaries not found (no initdb in $PG_BINDIR or "
            f"{PG_BIN_GLOB}): install the Debian package 'postgresql' (scripts/test.sh does)"
        )
    owner = None
    root = tempfile.mkdtemp(prefix="atlas-pg-")
    if os.geteuid() == 0:
        owner = "postgres"
        try:
            entry = pwd.getpwnam(owner)
        except KeyError as exc:
            raise LocalPostgresError("running as root but there is no 'postgres' user") from exc
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o700)
    data, sockets = f"{root}/data", f"{root}/socket"
    port = _free_port()

    def run(*command: str) -> None:
        full = ["runuser", "-u", owner, "--", *command] if owner else list(command)
        done = subprocess.run(full, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise LocalPostgresError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    started = False
    try:
        run("mkdir", sockets)
        init = [str(bindir / "initdb"), "-D", data, "-U", superuser, "-A", "trust", "-E", "UTF8"]
        run(*init, "--locale=C", *([] if durable else ["--no-sync"]))
        options = f"-p {port} -k {sockets} -c listen_addresses=''"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(str(bindir / "pg_ctl"), "-D", data, "-o", options, "-l", f"{root}/log", "-w", "start")
        started = True
        yield PgServer(socket_dir=sockets, port=port, superuser=superuser)
    finally:
        if started:
            stop = [str(bindir / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]
            subprocess.run(
                ["runuser", "-u", owner, "--", *stop] if owner else stop,
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


def create_database(server: PgServer, name: str) -> str:
    """A new empty database on the cluster; its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return server.url(name)
