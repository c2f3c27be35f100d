"""Benchmark of the server-side stills when one render worker stalls.

Issue 15 measured one stalled worker holding up every user's labelled stills for 127 s.
Here one worker is stopped (SIGSTOP) while it serves a request, then another user asks for
a still: with one worker (the old set-up, its time limit now 20 s) they wait for the stall
to be cut off and a worker to restart cold; with the pool of two they are served by the
other worker. Also the warm still on its own, for scale.

Run: VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow .venv/bin/python bench/bench_stills.py
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.scene.compose import compose_scene
from atlas_app.scene.render_pool import WorkerPool, gl_status
from atlas_app.scene.render_worker import RENDER_TIMEOUT_S

SIZE = (900, 600)


def other_user_wait(size: int) -> tuple[float, float]:
    """Seconds until another user's still arrives while one worker is stalled, and the
    warm still's own time, with a pool of ``size`` workers (all warm before the stall)."""
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    scene = compose_scene(atlas, build_specimen(atlas))
    pool = WorkerPool(env=gl_status().env, size=size)

    def draw() -> bytes:
        return pool.render_png(DEFAULT_ATLAS_DIR, "default", scene, SIZE, labels=True)

    warmers = [threading.Thread(target=draw) for _ in range(size)]
    for t in warmers:
        t.start()
    for t in warmers:
        t.join()
    warm, _ = timed(draw, repeat=3)
    victim = pool._idle[-1]  # the worker the next request takes
    pid = victim.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    stuck = threading.Thread(target=_swallow, args=(draw,))
    stuck.start()
    time.sleep(0.5)
    started = time.perf_counter()
    draw()
    waited = time.perf_counter() - started
    stuck.join()
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    pool.close()
    return waited, warm


def _swallow(fn: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):
        fn()


def main() -> None:
    if not gl_status().ok:
        print(gl_status().message)
        sys.exit(1)
    single, warm = other_user_wait(1)
    pooled, _ = other_user_wait(2)
    rows = [
        row("labelled still 900×600, warm worker", warm, "s"),
        row("another user's still while a worker stalls, one worker", single, "s"),
        row(
            "another user's still while a worker stalls, pool of two",
            pooled,
            "s",
            "< 2 s",
            pooled < 2,
        ),
    ]
    report(
        "stills",
        rows,
        [
            f"a stalled worker is stopped after {RENDER_TIMEOUT_S:.0f} s of silence "
            "(its first, cold request: 90 s) and replaced on the next request",
        ],
    )


if __name__ == "__main__":
    main()
