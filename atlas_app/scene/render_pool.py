"""The app's render workers: a small pool (a second worker starts only when a still is asked
for while the first is busy), started on first use and shut down at exit, and the one call
the app makes (:func:`render_png`), plus the start-up GL check's result (:func:`gl_status`).
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from atlas_app.scene.render_worker import (
    COLD_TIMEOUT_S,
    POOL_SIZE,
    QUEUE_TIMEOUT_S,
    RENDER_TIMEOUT_S,
    GLStatus,
    RenderError,
    RenderWorker,
    check_gl,
)
from atlas_app.scene.spec import SceneSpec


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
