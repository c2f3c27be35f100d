"""Several app servers behind nginx on one PostgreSQL, on this machine.

    .venv/bin/python -m deploy.cluster [--servers 2] [--port 8080] [--database-url URL]

Starts a throwaway PostgreSQL cluster (unless ``--database-url``/``DATABASE_URL`` names a
database), migrates it once, starts the app servers on free ports with the same database and
the same secrets, and puts Debian's nginx in front of them on ``--port`` (the settings are in
``deploy/nginx.conf.in``). Ctrl-C stops everything. The two-server browser test drives the
same :class:`Cluster`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.in")
APP = ROOT / "atlas_app" / "serve.py"  # the app with its sign-in cookie route (as run.sh)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Until ``url``'s health endpoint answers 200 (or the process dies, or time runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy in {timeout:.0f} s")


@dataclass
class AppServer:
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """As nginx names it in its route log."""
        return f"127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """App servers sharing one database and secrets, and nginx in front of them."""

    workdir: Path
    database_url: str
    servers: int = 2
    port: int = 0
    env: Mapping[str, str] = field(default_factory=dict)
    app_servers: list[AppServer] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_env(self) -> dict[str, str]:
        # Every server must accept the sign-in cookies the others set: the same secrets.
        secret_file = self.workdir / "secret"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_hex(32))
            secret_file.chmod(0o600)
        secret = secret_file.read_text()
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "ATLAS_SESSION_SECRET": secret,
            "STREAMLIT_SERVER_COOKIE_SECRET": secret,
            "VTK_DEFAULT_OPENGL_WINDOW": os.environ.get(
                "VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow"
            ),
            **self.env,
        }

    def start_server(self, server: AppServer) -> None:
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.port",
            str(server.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ]
        server.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.server_env(),
            stdout=server.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        from atlas_app.storage.db import make_engine

        # Migrate once, before the servers start (they would otherwise race to do it).
        make_engine(self.database_url).dispose()
        for i in range(self.servers):
            server = AppServer(port=free_port(), log=self.workdir / f"server{i}.log")
            self.app_servers.append(server)
            self.start_server(server)
        for server in self.app_servers:
            assert server.proc is not None
            wait_healthy(server.url, server.proc)
        self.start_nginx()

    def nginx_conf(self) -> Path:
        prefix = self.workdir / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        servers = "\n".join(
            f"        server {s.address} max_fails=1 fail_timeout=30s;" for s in self.app_servers
        )
        text = TEMPLATE.read_text()
        for key, value in {
            "prefix": str(prefix),
            "port": str(self.port),
            "servers": servers,
        }.items():
            text = text.replace("{" + key + "}", value)
        conf = prefix / "nginx.conf"
        conf.write_text(text)
        return conf

    def start_nginx(self) -> None:
        conf = self.nginx_conf()
        check = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
        log = (self.workdir / "nginx.out").open("ab")
        self.nginx = subprocess.Popen(
            [NGINX, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_healthy(self.url, self.nginx, timeout=30)

    def routes(self) -> list[tuple[str, str]]:
        """(route cookie, server address) of each request nginx passed on, in order."""
        log = self.workdir / "nginx" / "routes.log"
        out = []
        for line in log.read_text().splitlines() if log.exists() else []:
            parts = line.split()
            if len(parts) >= 3:
                out.append((parts[1], parts[2].split(",")[-1].strip()))
        return out

    def server_at(self, address: str) -> AppServer:
        return next(s for s in self.app_servers if s.address == address)

    def kill(self, server: AppServer) -> None:
        """End a server abruptly (as a crashed machine would)."""
        if server.proc is not None and server.proc.poll() is None:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait(timeout=30)

    def restart(self, server: AppServer) -> None:
        """Start a killed server again on its port and wait until it answers."""
        self.start_server(server)
        assert server.proc is not None
        wait_healthy(server.url, server.proc)

    def stop(self) -> None:
        procs = [s.proc for s in self.app_servers if s.proc is not None]
        if self.nginx is not None:
            procs.append(self.nginx)
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def running_cluster(
    workdir: Path, database_url: str | None = None, servers: int = 2, port: int = 0
) -> Iterator[Cluster]:
    """A started cluster (and, without ``database_url``, a throwaway PostgreSQL for it)."""
    with ExitStack() as stack:
        if database_url is None:
            from atlas_app.storage.local_postgres import create_database, throwaway_postgres

            pg = stack.enter_context(throwaway_postgres(durable=True))
            database_url = create_database(pg, "atlas")
        cluster = Cluster(workdir, database_url, servers=servers, port=port)
        stack.callback(cluster.stop)
        cluster.start()
        yield cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "cluster")
    args = parser.parse_args(argv)
    with running_cluster(args.workdir, args.database_url, args.servers, args.port) as cluster:
        print(f"{args.servers} app servers behind nginx: {cluster.url}", flush=True)
        for s in cluster.app_servers:
            print(f"  {s.url}  (log: {s.log})", flush=True)
        with suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
