"""Server-side stills in a separate, persistent process, so a GL crash never takes the app down.

VTK picks an OpenGL backend at run time and **segfaults** (exit 139) when none works.
Everything that opens a GL context therefore runs in a child process:

- :func:`check_gl` runs a tiny render in a throw-away child at start-up, trying the
  configured window class and then the off-screen ones (OSMesa, EGL), and reports a
  :class:`GLStatus` with a clear message when none works.
- :func:`~atlas_app.scene.render_pool.render_png` sends a SceneSpec (plain data) to a
  persistent worker (``python -m atlas_app.scene.render_child``, framed messages on its
  stdin/stdout) from a small pool (:mod:`~atlas_app.scene.render_pool`), so that one
  stalled request does not hold up every user's stills.
  The worker loads the atlas from its directory and builds the specimen from its SPEC
  string itself, keeps both (and the meshes) warm between requests, and answers with PNG
  bytes. A worker found dead is restarted; one that dies during a request is restarted
  and asked once more; one silent past its time limit (20 s; 90 s for its first, cold
  request) is killed and replaced on the next request. Failures raise
  :class:`RenderError` with the reason and the end of the worker's stderr.

Nothing here imports VTK in the calling process; the child's side is
:mod:`~atlas_app.scene.render_child`, its wire :mod:`~atlas_app.scene.render_frames`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from atlas_app.scene.render_frames import TimedReader, write_frame
from atlas_app.scene.spec import SceneSpec

WINDOW_VARIABLE = "VTK_DEFAULT_OPENGL_WINDOW"
OFFSCREEN_WINDOWS = ("vtkOSOpenGLRenderWindow", "vtkEGLRenderWindow")
CHECK_TIMEOUT_S = 60.0
COLD_TIMEOUT_S = 90.0
"""A worker's first request imports VTK and builds every mesh (3 s here, more under load)."""
RENDER_TIMEOUT_S = 20.0
"""A warm still takes under a second; a worker silent this long is stalled and replaced."""
POOL_SIZE = 2
"""Workers at most: a second one starts only when a still is asked for while the first is
busy, so one stalled or slow request never holds up everybody's stills."""
QUEUE_TIMEOUT_S = 30.0
GL_HELP = (
    "Install Mesa's off-screen library (apt-get install libosmesa6) and set "
    f"{WINDOW_VARIABLE}=vtkOSOpenGLRenderWindow, or Mesa EGL (libegl1 libegl-mesa0 "
    "libgl1-mesa-dri) with vtkEGLRenderWindow, or run the app under Xvfb. "
    "The interactive 3D viewer runs in the browser and does not need it."
)

_PROJECT_DIR = Path(__file__).resolve().parents[2]


class RenderError(RuntimeError):
    """A still could not be rendered (no GL, a crash, a time-out, bad input)."""


@dataclass(frozen=True)
class GLStatus:
    """Whether server-side rendering works here, and how."""

    ok: bool
    message: str
    window: str | None = None  # the VTK render-window class that worked
    renderer: str | None = None  # the OpenGL renderer string (e.g. "llvmpipe")
    env: Mapping[str, str] = field(default_factory=dict)  # what the worker's env needs


# --- Child-process helpers ------------------------------------------------------------


def _child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    path = env.get("PYTHONPATH", "")
    if str(_PROJECT_DIR) not in path.split(os.pathsep):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_DIR), path) if p)
    return env


def worker_command(mode: str) -> list[str]:
    """The command line of a child process (``--check-gl`` or ``--serve``)."""
    return [sys.executable, "-m", "atlas_app.scene.render_child", mode]


def describe_exit(code: int | None) -> str:
    """A return code in words (negative = killed by a signal)."""
    if code is None:
        return "still running"
    if code < 0 or code >= 128:
        num = -code if code < 0 else code - 128
        try:
            name = signal.Signals(num).name
        except ValueError:
            name = f"signal {num}"
        meaning = " (segmentation fault: no usable OpenGL?)" if num == signal.SIGSEGV else ""
        return f"killed by {name}{meaning}"
    return f"exited with status {code}"


def _last_lines(text: str, n: int = 6) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-n:])


def check_gl(
    windows: Sequence[str | None] | None = None, timeout: float = CHECK_TIMEOUT_S
) -> GLStatus:
    """Try a tiny off-screen render in a child process for each candidate window class.

    By default: the configured ``VTK_DEFAULT_OPENGL_WINDOW`` (or VTK's own choice when
    unset), then OSMesa, then EGL. The first that draws is reported; the calling process
    never opens a GL context."""
    if windows is None:
        configured = os.environ.get(WINDOW_VARIABLE) or None
        windows = [configured, *(w for w in OFFSCREEN_WINDOWS if w != configured)]
    tried = []
    for window in windows:
        env = {WINDOW_VARIABLE: window} if window else {}
        child_env = _child_env(env)
        if not window:
            child_env.pop(WINDOW_VARIABLE, None)
        try:
            done = subprocess.run(
                worker_command("--check-gl"),
                env=child_env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            tried.append(f"{window or 'VTK default'}: no answer in {timeout:.0f} s")
            continue
        report = _parse_report(done.stdout)
        if done.returncode == 0 and report.get("ok"):
            renderer = report.get("renderer")
            return GLStatus(
                ok=True,
                message=f"OpenGL works: {report.get('window')}"
                + (f" ({renderer})" if renderer else ""),
                window=report.get("window"),
                renderer=renderer,
                env=env,
            )
        reason = report.get("error") or describe_exit(done.returncode)
        tail = _last_lines(done.stderr, 2)
        tried.append(f"{window or 'VTK default'}: {reason}" + (f" [{tail}]" if tail else ""))
    return GLStatus(
        ok=False,
        message="Server-side rendering is unavailable: VTK found no usable OpenGL. Tried "
        + "; ".join(tried)
        + ". "
        + GL_HELP,
    )


def _parse_report(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return {}


# --- The persistent worker, seen from the app ------------------------------------------


class _WorkerDiedError(Exception):
    """The worker process ended during a request (internal: callers see RenderError)."""


class RenderWorker:
    """One render process and the pipe to it. Thread-safe: requests queue on a lock."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        timeout: float = RENDER_TIMEOUT_S,
        cold_timeout: float = COLD_TIMEOUT_S,
    ) -> None:
        self.env = dict(env or {})
        self.timeout = timeout
        self.cold_timeout = max(cold_timeout, timeout)
        self._answered = False  # has this process answered a request yet (is it warm)?
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: TimedReader | None = None
        self._stderr: deque[str] = deque(maxlen=40)
        self._lock = threading.Lock()
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _start(self) -> None:
        self._stop()
        self._stderr.clear()
        self._answered = False
        proc = subprocess.Popen(
            worker_command("--serve"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_child_env(self.env),
            start_new_session=True,
        )
        assert proc.stdout is not None and proc.stderr is not None
        self._proc = proc
        self._reader = TimedReader(proc.stdout.fileno())
        threading.Thread(target=self._drain, args=(proc.stderr,), daemon=True).start()

    def _drain(self, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self._stderr.append(line.decode("utf-8", "replace").rstrip())

    def _stop(self) -> None:
        proc, self._proc, self._reader = self._proc, None, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _why(self) -> str:
        code = self._proc.wait(timeout=5) if self._proc is not None else None
        time.sleep(0.05)  # let the stderr thread catch the last lines
        tail = "\n".join(list(self._stderr)[-6:])
        return describe_exit(code) + (f"; its last words:\n{tail}" if tail else "")

    def _exchange(self, request: Mapping[str, Any], timeout: float) -> tuple[dict[str, Any], bytes]:
        if not self.alive():
            if self._proc is not None:
                self.restarts += 1
            self._start()
        assert self._proc is not None and self._proc.stdin is not None
        assert self._reader is not None
        deadline = time.monotonic() + timeout
        try:
            write_frame(self._proc.stdin, json.dumps(request).encode("utf-8"))
            header = json.loads(self._reader.read_frame(deadline))
            body = self._reader.read_frame(deadline) if header.get("has_body") else b""
            self._answered = True
        except (BrokenPipeError, EOFError, ValueError) as exc:
            raise _WorkerDiedError(self._why()) from exc
        except TimeoutError:
            self._stop()
            raise RenderError(
                f"the render worker gave no answer in {timeout:.0f} s and was stopped"
            ) from None
        return header, body

    def request(
        self, request: Mapping[str, Any], timeout: float | None = None
    ) -> tuple[dict[str, Any], bytes]:
        """Send one request; restart a dead worker, and retry once if it dies mid-way.
        A worker that stays silent past the time limit (longer for its first request) is
        stopped; the next request starts a fresh one."""
        with self._lock:
            try:
                header, body = self._exchange(request, timeout or self._limit())
            except _WorkerDiedError:
                self.restarts += 1
                self._start()
                try:
                    header, body = self._exchange(request, timeout or self._limit())
                except _WorkerDiedError as again:
                    self._stop()
                    raise RenderError(f"the render worker died twice: {again}") from None
        if not header.get("ok"):
            raise RenderError(str(header.get("error", "the render worker failed")))
        return header, body

    def render_png(
        self,
        atlas_dir: Path | str,
        spec_string: str,
        scene_spec: SceneSpec,
        size: tuple[int, int] = (900, 600),
        labels: bool | Sequence[str] = True,
        timeout: float | None = None,
    ) -> bytes:
        request = {
            "op": "render",
            "atlas_dir": str(Path(atlas_dir).resolve()),
            "spec": spec_string,
            "scene": scene_spec.to_dict(),
            "size": [int(size[0]), int(size[1])],
            "labels": labels if isinstance(labels, bool) else list(labels),
        }
        _, body = self.request(request, timeout)
        return body

    def _limit(self) -> float:
        return self.timeout if self._answered and self.alive() else self.cold_timeout

    def ping(self, timeout: float | None = None) -> int:
        """The worker's process id, once it answers."""
        header, _ = self.request({"op": "ping"}, timeout)
        return int(header["pid"])
