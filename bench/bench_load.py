"""Load: N concurrent sessions driving the Atlas and Approaches pages, measured on the server.

Each session is a headless client that speaks the app's own websocket protocol (the
``BackMsg``/``ForwardMsg`` protobufs a browser tab sends and receives), so what is measured
is the server alone: no browser draws anything here (``bench_browser.py`` measures drawing).
On this 2-core machine 40 chromium tabs drawing WebGL would take the cores from the server
and measure the browsers instead.

A session: open the Atlas page; pick a variant (session i takes option i of the L4/L5 joining
site); make the muscles see-through;
open the Approaches page; press *Next* three times; a think time of ``--think`` seconds
between actions. All N sessions start together. Measured per N:
- server time per run of the page script (p50, p95, max), from the app's own run log
  (``ATLAS_RUN_LOG``, :mod:`atlas_app.ui.run_log`), and the client's time from sending an
  action to the end of the run (which adds queueing and the transfer);
- memory: the server's resident set (its process and its render workers) when idle, with
  the N sessions open (per session = the rise ÷ N) and after they close and expire
  (Streamlit keeps a closed session ``server.disconnectedSessionTTL`` seconds for a
  reconnect: 120 s by default, ``--ttl`` here so the run is short);
- errors: exceptions shown on a page, runs that did not finish, lost connections.

Idle is measured after one warm-up session has gone through the same actions and expired,
so the shared caches (the atlas, the approach set, the meshes) are in it; the difference
after the load is what sessions leave behind.

Run: .venv/bin/python bench/bench_load.py [--sessions 10,20,40] [--think 1.0] [--ttl 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Selectbox_pb2 import Selectbox
from websockets.typing import Origin, Subprotocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _report import report, row  # noqa: E402

from deploy.cluster import free_port, wait_healthy  # noqa: E402

RUN_TIMEOUT_S = 600.0
VARIANT = "Where L4 joins L5 (right)"  # the picker each session turns to one of its options
FINISHED = ForwardMsg.ScriptFinishedStatus
ENDED = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


@dataclass
class Run:
    page: str
    seconds: float
    received: int


@dataclass
class Session:
    """One headless tab: its websocket, the pages the app offers, the widgets last drawn."""

    url: str
    origin: str
    think: float
    rng: random.Random
    ws: websockets.ClientConnection | None = None
    pages: dict[str, str] = field(default_factory=dict)  # url path → page script hash
    choice: int = 0  # which option of the variant picker this session takes
    options_seen: int = 0
    widgets: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, label) → id
    selectboxes: dict[str, Selectbox] = field(default_factory=dict)  # label → element
    page: str = ""
    runs: list[Run] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def open(self) -> None:
        self.ws = await websockets.connect(
            self.url,
            subprotocols=[Subprotocol("streamlit")],
            origin=Origin(self.origin),
            max_size=None,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, page: str, **widget: object) -> None:
        """Run ``page`` (a url path, "" for the first page) as a browser does: with the
        page's hash and, for an action, the state of the one widget acted on."""
        assert self.ws is not None
        msg = BackMsg()
        state = msg.rerun_script
        state.page_name = page
        state.page_script_hash = self.pages.get(page, "")
        if widget:
            w = state.widget_states.widgets.add()
            w.id = str(widget.pop("id"))
            for key, value in widget.items():
                setattr(w, key, value)
        if page != self.page:
            self.widgets, self.selectboxes = {}, {}
        self.page = page
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        received = 0
        while True:
            data = await asyncio.wait_for(self.ws.recv(), RUN_TIMEOUT_S)
            received += len(data)
            if self._read(ForwardMsg.FromString(data)):
                break
        self.runs.append(Run(page or "atlas", time.perf_counter() - started, received))
        await asyncio.sleep(self.think * (0.5 + self.rng.random()))

    def _read(self, f: ForwardMsg) -> bool:
        """Note what the message says; True when the run has ended."""
        kind = f.WhichOneof("type")
        if kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in f.navigation.app_pages}
        elif kind == "delta" and f.delta.WhichOneof("type") == "new_element":
            element = f.delta.new_element
            et = element.WhichOneof("type")
            if et == "exception":
                self.errors.append(f"{self.page}: {element.exception.type}")
            elif et is not None:
                sub = getattr(element, et)
                if getattr(sub, "id", "") and getattr(sub, "label", ""):
                    self.widgets[(et, sub.label)] = sub.id
                if et == "selectbox":
                    self.selectboxes[sub.label] = sub
        elif kind == "script_finished":
            if f.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                return False  # the page asked for a rerun (st.rerun): it follows at once
            if f.script_finished not in ENDED:
                self.errors.append(f"{self.page}: {FINISHED.Name(f.script_finished)}")
            return True
        return False

    def selectbox(self, label: str) -> Selectbox:
        found = self.selectboxes.get(label)
        if found is None:
            raise LookupError(f"no selectbox {label!r} on {self.page or 'atlas'}")
        return found

    def widget(self, kind: str, label: str) -> str:
        found = self.widgets.get((kind, label))
        if found is None:
            raise LookupError(f"no {kind} {label!r} on {self.page or 'atlas'}")
        return found

    async def act(self) -> None:
        """The scripted visit (see the module's docstring)."""
        await self.rerun("")
        picker = self.selectbox(VARIANT)
        self.options_seen = len(picker.options)
        option = picker.options[self.choice % self.options_seen]
        await self.rerun("", id=picker.id, string_value=option)
        await self.rerun("", id=self.widget("checkbox", "See-through muscles"), bool_value=True)
        await self.rerun("approaches")
        for _ in range(3):
            await self.rerun("approaches", id=self.widget("button", "Next"), trigger_value=True)


async def visit(session: Session) -> None:
    try:
        await session.open()
        await session.act()
    except (OSError, TimeoutError, LookupError, websockets.WebSocketException) as error:
        session.errors.append(f"{type(error).__name__}: {error}")


def tree_rss_mb(pid: int, workers: bool = True) -> float:
    """Resident memory of ``pid`` and (``workers``) its descendants, the render workers, in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []) if workers else [])
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0
        )
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_load(n: int, ws_url: str, origin: str, think: float) -> tuple[list[Session], float]:
    sessions = [Session(ws_url, origin, think, random.Random(i), choice=i) for i in range(n)]
    started = time.perf_counter()
    await asyncio.gather(*(visit(s) for s in sessions))
    return sessions, time.perf_counter() - started


async def warm_up(ws_url: str, origin: str, ttl: float) -> None:
    """One session per option of the picker, one after another, then let them expire: the
    shared caches then hold every specimen the load will show."""
    options, choice = 1, 0
    while choice < options:
        session = Session(ws_url, origin, 0.0, random.Random(0), choice=choice)
        await visit(session)
        await session.close()
        if session.errors:
            raise SystemExit(f"the warm-up session failed: {session.errors}")
        options = session.options_seen
        choice += 1
    await settle(ws_url, origin, ttl)


async def close_all(sessions: list[Session]) -> None:
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


async def settle(ws_url: str, origin: str, ttl: float) -> None:
    """Let closed sessions expire: wait out the time-to-live, then open and close one light
    session (Streamlit drops expired sessions when it next stores one)."""
    await asyncio.sleep(ttl + 1)
    probe = Session(ws_url, origin, 0.0, random.Random(0))
    await probe.open()
    await probe.rerun("about")
    await probe.close()
    await asyncio.sleep(4)  # two trims (ATLAS_TRIM_SECONDS=2)


def server_times(log: Path, since: float, until: float) -> list[float]:
    out = []
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        if since <= entry["t"] <= until and entry["page"] in ("atlas", "approaches"):
            out.append(float(entry["seconds"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,20,40")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between actions")
    parser.add_argument("--ttl", type=float, default=5.0, help="server.disconnectedSessionTTL")
    args = parser.parse_args(argv)
    counts = [int(x) for x in args.sessions.split(",")]

    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    log = work / "runs.jsonl"
    port = free_port()
    env = {
        **os.environ,
        "ATLAS_RUN_LOG": str(log),
        "ATLAS_TRIM_SECONDS": "2",  # freed memory back to the system soon after the load
        "DATABASE_URL": f"sqlite:///{work / 'atlas.sqlite3'}",
        "VTK_DEFAULT_OPENGL_WINDOW": os.environ.get(
            "VTK_DEFAULT_OPENGL_WINDOW", "vtkOSOpenGLRenderWindow"
        ),
    }
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "atlas_app" / "serve.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.disconnectedSessionTTL", str(int(args.ttl)),
    ]  # fmt: skip
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=(work / "server.log").open("wb"), stderr=subprocess.STDOUT
    )
    url, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/_stcore/stream"
    rows, notes = [], []
    try:
        wait_healthy(url, server)
        cold = tree_rss_mb(server.pid)
        asyncio.run(warm_up(ws_url, url, args.ttl))
        first_idle = tree_rss_mb(server.pid)
        for n in counts:
            idle, idle_alone = tree_rss_mb(server.pid), tree_rss_mb(server.pid, workers=False)
            since = time.time()

            async def one_load(n: int = n) -> tuple[list[Session], float, float, float]:
                sessions, wall = await run_load(n, ws_url, url, args.think)
                loaded = tree_rss_mb(server.pid)
                await close_all(sessions)
                await settle(ws_url, url, args.ttl)
                return sessions, wall, loaded, tree_rss_mb(server.pid)

            sessions, wall, loaded, after = asyncio.run(one_load())
            after_alone = tree_rss_mb(server.pid, workers=False)
            until = time.time()
            times = server_times(log, since, until)
            client = [r.seconds for s in sessions for r in s.runs]
            errors = [e for s in sessions for e in s.errors]
            sent = statistics.mean(r.received for s in sessions for r in s.runs) if client else 0
            back = (after - idle) / idle
            rows += [
                row(f"{n} sessions: runs of the page script", len(times), "runs"),
                row(f"{n} sessions: server time per run, p50", percentile(times, 0.5), "s"),
                row(f"{n} sessions: server time per run, p95", percentile(times, 0.95), "s"),
                row(f"{n} sessions: server time per run, max", max(times, default=0.0), "s"),
                row(
                    f"{n} sessions: action to run's end (client), p95",
                    percentile(client, 0.95),
                    "s",
                ),
                row(f"{n} sessions: all visits done", wall, "s"),
                row(f"{n} sessions: sent per run (mean)", sent / 1e6, "MB"),
                row(f"{n} sessions: memory idle → open", f"{idle:.0f} → {loaded:.0f}", "MB"),
                row(f"{n} sessions: memory per open session", (loaded - idle) / n, "MB"),
                row(
                    f"{n} sessions: memory after they close",
                    after,
                    "MB",
                    "idle +10 %",
                    back <= 0.10,
                ),
                row(
                    f"{n} sessions: the server process alone, idle → after",
                    f"{idle_alone:.0f} → {after_alone:.0f}",
                    "MB",
                ),
                row(f"{n} sessions: errors", len(errors), "", "0", not errors),
            ]
            if errors:
                notes.append(f"{n} sessions: first errors: {errors[:3]}")
        notes += [
            f"memory is the server process and its render workers (RSS): {cold:.0f} MB at start, "
            f"{first_idle:.0f} MB idle after the warm-up, {tree_rss_mb(server.pid):.0f} MB after "
            "every load had closed",
            f"think time {args.think} s (×0.5–1.5) between actions; closed sessions kept "
            f"{args.ttl:.0f} s (Streamlit's default is 120 s)",
            f"load average at the end {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
        ]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    report("bench_load", rows, notes)
    return 1 if any(r["met"] is False for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
