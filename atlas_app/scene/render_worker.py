"""Server-side stills in a separate, persistent process, so a GL crash never takes the app down.

VTK picks an OpenGL backend at run time and **segfaults** (exit 139) when none works.
Everything that opens a GL context therefore runs in a child process:

- :func:`check_gl` runs a tiny render in a throw-away child at start-up, trying the
  configured window class and then the off-screen ones (OSMesa, EGL), and reports a
  :class:`GLStatus` with a clear message when none works.
- :func:`render_png` sends a SceneSpec (plain data) to a persistent worker
  (``python -m atlas_app.scene.render_worker``, framed messages on its stdin/stdout) from a
  small pool, so that one stalled request does not hold up every user's stills.
  The worker loads the atlas from its directory and builds the specimen from its SPEC
  string itself, keeps both (and the meshes) warm between requests, and answers with PNG
  bytes. A worker found dead is restarted; one that dies during a request is restarted
  and asked once more; one silent past its time limit (20 s; 90 s for its first, cold
  request) is killed and replaced on the next request. Failures raise
  :class:`RenderError` with the reason and the end of the worker's stderr.

Nothing here imports VTK in the calling process.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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
MAX_FRAME = 256 * 1024 * 1024
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
    return [sys.executable, "-m", "atlas_app.scene.render_worker", mode]


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


# --- Framing ------------------------------------------------------------------------


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)))
    stream.write(payload)
    stream.flush()


def _read_exact(stream: IO[bytes], n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = _read_exact(stream, 4)
    if head is None:
        return None
    (n,) = struct.unpack(">I", head)
    if n > MAX_FRAME:
        raise ValueError(f"frame of {n} bytes is too large")
    return _read_exact(stream, n)


class _TimedReader:
    """Reads frames from a pipe with a deadline (select on the file descriptor)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read_exact(self, n: int, deadline: float) -> bytes:
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def read_frame(self, deadline: float) -> bytes:
        (n,) = struct.unpack(">I", self.read_exact(4, deadline))
        if n > MAX_FRAME:
            raise EOFError
        return self.read_exact(n, deadline)


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
        self._reader: _TimedReader | None = None
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
        self._reader = _TimedReader(proc.stdout.fileno())
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
            _write_frame(self._proc.stdin, json.dumps(request).encode("utf-8"))
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


class WorkerPool:
    """Up to ``size`` render workers shared by every session. A request takes an idle
    worker, or starts another while there are fewer than ``size``, or waits for one to be
    free (at most ``queue_timeout`` seconds). Thread-safe."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        size: int = POOL_SIZE,
        timeout: float = RENDER_TIMEOUT_S,
        cold_timeout: float = COLD_TIMEOUT_S,
        queue_timeout: float = QUEUE_TIMEOUT_S,
    ) -> None:
        self.env = dict(env or {})
        self.size = size
        self.timeout = timeout
        self.cold_timeout = cold_timeout
        self.queue_timeout = queue_timeout
        self.workers: list[RenderWorker] = []
        self._idle: list[RenderWorker] = []
        self._free = threading.Condition()

    def _acquire(self) -> RenderWorker:
        deadline = time.monotonic() + self.queue_timeout
        with self._free:
            while True:
                if self._idle:
                    # the worker used last: the warmest, and its meshes are in memory
                    return self._idle.pop()
                if len(self.workers) < self.size:
                    worker = RenderWorker(self.env, self.timeout, self.cold_timeout)
                    self.workers.append(worker)
                    return worker
                left = deadline - time.monotonic()
                if left <= 0 or not self._free.wait(left):
                    raise RenderError("every render worker is busy; the still will come on a retry")

    def _release(self, worker: RenderWorker) -> None:
        with self._free:
            self._idle.append(worker)
            self._free.notify()

    def request(
        self, request: Mapping[str, Any], timeout: float | None = None
    ) -> tuple[dict[str, Any], bytes]:
        worker = self._acquire()
        try:
            return worker.request(request, timeout)
        finally:
            self._release(worker)

    def render_png(
        self,
        atlas_dir: Path | str,
        spec_string: str,
        scene_spec: SceneSpec,
        size: tuple[int, int] = (900, 600),
        labels: bool | Sequence[str] = True,
        timeout: float | None = None,
    ) -> bytes:
        worker = self._acquire()
        try:
            return worker.render_png(atlas_dir, spec_string, scene_spec, size, labels, timeout)
        finally:
            self._release(worker)

    def ping(self, timeout: float | None = None) -> int:
        """The process id of the worker that answered."""
        header, _ = self.request({"op": "ping"}, timeout)
        return int(header["pid"])

    def close(self) -> None:
        with self._free:
            workers, self.workers, self._idle = self.workers, [], []
        for worker in workers:
            worker.close()


_default: WorkerPool | None = None
_status: GLStatus | None = None
_default_lock = threading.Lock()


def gl_status() -> GLStatus:
    """:func:`check_gl`, run once per process."""
    global _status
    with _default_lock:
        if _status is None:
            _status = check_gl()
        return _status


def default_worker() -> WorkerPool:
    """The process-wide pool of workers (started on first use, with the GL that works)."""
    global _default
    status = gl_status()
    if not status.ok:
        raise RenderError(status.message)
    with _default_lock:
        if _default is None:
            _default = WorkerPool(env=status.env)
        return _default


def render_png(
    atlas_dir: Path | str,
    spec_string: str,
    scene_spec: SceneSpec,
    size: tuple[int, int] = (900, 600),
    labels: bool | Sequence[str] = True,
    timeout: float | None = None,
) -> bytes:
    """A PNG of ``scene_spec`` for the specimen ``spec_string`` of the atlas in
    ``atlas_dir``, exactly ``size`` (width, height) pixels, rendered by the worker.
    Raises :class:`RenderError` when it cannot be drawn."""
    return default_worker().render_png(atlas_dir, spec_string, scene_spec, size, labels, timeout)


def shutdown_worker() -> None:
    """Stop the process-wide workers (at exit, or in tests)."""
    global _default
    with _default_lock:
        worker, _default = _default, None
    if worker is not None:
        worker.close()


atexit.register(shutdown_worker)


# --- The worker process ---------------------------------------------------------------


def _check_gl_main() -> int:
    """Draw a red sphere on white at 64×64; report what GL is in use."""
    import pyvista as pv

    pl = pv.Plotter(off_screen=True, window_size=[64, 64])
    pl.background_color = pv.Color("white")
    pl.add_mesh(pv.Sphere(radius=0.5), color="red")
    pl.camera_position = "xy"
    pl.render()
    image = pl.screenshot(return_img=True)
    window = pl.render_window.GetClassName() if pl.render_window is not None else None
    renderer = None
    try:
        caps = pl.render_window.ReportCapabilities() if pl.render_window is not None else ""
        for line in caps.splitlines():
            if "renderer string" in line:
                renderer = line.split(":", 1)[1].strip()
    except Exception:  # pragma: no cover - informative only
        renderer = None
    pl.close()
    ok = (
        image is not None
        and image[32, 32, 0] > 150
        and image[32, 32, 1] < 100
        and image[1, 1].min() > 200
    )
    report = {"ok": bool(ok), "window": window, "renderer": renderer}
    if not ok:
        report["error"] = "the test render came out blank"
    print(json.dumps(report), flush=True)
    return 0 if ok else 1


class _Server:
    """State kept warm between requests: atlases and specimens by directory and SPEC."""

    def __init__(self) -> None:
        self.atlases: dict[str, tuple[tuple[tuple[str, int], ...], Any]] = {}
        self.specimens: dict[tuple[str, str], tuple[tuple[tuple[str, int], ...], Any]] = {}

    @staticmethod
    def fingerprint(root: Path) -> tuple[tuple[str, int], ...]:
        return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(root.rglob("*.yaml")))

    def specimen(self, atlas_dir: str, spec: str) -> tuple[Any, Any]:
        from atlas_app.model.loader import load_atlas
        from atlas_app.model.specimen import build_specimen

        root = Path(atlas_dir)
        if not root.is_dir():
            raise RenderError(f"atlas directory not found: {atlas_dir}")
        stamp = self.fingerprint(root)
        cached = self.atlases.get(atlas_dir)
        if cached is None or cached[0] != stamp:
            self.atlases[atlas_dir] = (stamp, load_atlas(root))
            self.specimens = {k: v for k, v in self.specimens.items() if k[0] != atlas_dir}
        atlas = self.atlases[atlas_dir][1]
        found = self.specimens.get((atlas_dir, spec))
        if found is None or found[0] != stamp:
            found = (stamp, build_specimen(atlas, spec))
            self.specimens[(atlas_dir, spec)] = found
        return atlas, found[1]

    def render(self, request: Mapping[str, Any]) -> bytes:
        from atlas_app.geometry.specimen_meshes import surfaces_of
        from atlas_app.scene.render_still import render_still

        atlas, specimen = self.specimen(str(request["atlas_dir"]), str(request["spec"]))
        scene = SceneSpec.from_dict(request["scene"])
        meshes = surfaces_of(atlas, specimen.structures, scene.visible_ids)
        width, height = request.get("size", (900, 600))
        labels = request.get("labels", True)
        return render_still(
            scene,
            meshes,
            (int(width), int(height)),
            labels if isinstance(labels, bool) else tuple(labels),
        )


def _serve() -> int:
    """Answer framed requests on stdin until it closes. Stdout carries only frames."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, not into the protocol
    sys.stdout = sys.stderr
    server = _Server()
    while True:
        raw = _read_frame(sys.stdin.buffer)
        if raw is None:
            return 0
        try:
            request = json.loads(raw)
            op = request.get("op")
            if op == "ping":
                _write_frame(out, json.dumps({"ok": True, "pid": os.getpid()}).encode())
            elif op == "render":
                png = server.render(request)
                _write_frame(out, json.dumps({"ok": True, "has_body": True}).encode())
                _write_frame(out, png)
            elif op == "exit":
                _write_frame(out, json.dumps({"ok": True}).encode())
                return 0
            else:
                raise RenderError(f"unknown request {op!r}")
        except Exception as exc:  # every failure is an answer, not a dead worker
            error = f"{type(exc).__name__}: {exc}"
            _write_frame(out, json.dumps({"ok": False, "error": error}).encode())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--check-gl"]:
        return _check_gl_main()
    if args == ["--serve"]:
        return _serve()
    print("usage: python -m atlas_app.scene.render_worker --check-gl | --serve", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
