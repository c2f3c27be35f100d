"""Server-side stills, always through the worker process (a GL crash must not reach
pytest): GL check, image size and content, cameras, labels, and a worker that dies."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest
from PIL import Image

from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.scene import render_worker
from atlas_app.scene.compose import compose_scene
from atlas_app.scene.render_pool import WorkerPool
from atlas_app.scene.render_worker import RenderError, RenderWorker, check_gl, describe_exit
from tests.conftest import MINI_ATLAS


@pytest.fixture(scope="module")
def gl():
    status = check_gl()
    if not status.ok:
        pytest.fail(status.message)
    return status


@pytest.fixture(scope="module")
def worker(gl):
    w = RenderWorker(env=gl.env)
    yield w
    w.close()


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(MINI_ATLAS)


@pytest.fixture(scope="module")
def specimen(atlas):
    return build_specimen(atlas)


def pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB")).astype(int)


def test_check_gl_reports_ok_here(gl) -> None:
    assert gl.ok
    assert gl.window and "RenderWindow" in gl.window
    assert "OpenGL works" in gl.message


def test_a_still_has_the_requested_size_and_is_not_blank(worker, atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen)
    for size in ((900, 600), (640, 480), (300, 200)):
        img = pixels(worker.render_png(MINI_ATLAS, "default", spec, size=size))
        assert img.shape == (size[1], size[0], 3)
        view = img[:, : int(size[0] * 0.6)]
        white = (view == 255).all(axis=2)
        assert 0.02 < 1 - white.mean() < 0.9  # something drawn, not everything
        reds = (view[..., 0] > 150) & (view[..., 1] < 90)  # the red vessel
        assert reds.sum() > 100


def test_cameras_give_different_pictures(worker, atlas, specimen) -> None:
    images = [
        pixels(
            worker.render_png(
                MINI_ATLAS, "default", compose_scene(atlas, specimen, camera=c), labels=False
            )
        )
        for c in ("anterior", "lateral_right", "axial_superior")
    ]
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            assert np.abs(images[i] - images[j]).mean() > 2


def test_labels_draw_pins_and_a_key(worker, atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen)
    bare = pixels(worker.render_png(MINI_ATLAS, "default", spec, labels=False))
    labelled = pixels(worker.render_png(MINI_ATLAS, "default", spec, labels=True))
    key = labelled[:, 700:]
    assert (key != 255).any(axis=2).mean() > 0.5  # the key panel is drawn on the right
    dark = (labelled.sum(axis=2) < 150) & (bare.sum(axis=2) >= 150)
    assert dark.sum() > 200  # pin outlines and numbers


def test_the_variant_changes_the_picture(worker, atlas) -> None:
    usual = build_specimen(atlas)
    low = build_specimen(atlas, "junction_low")
    a = pixels(worker.render_png(MINI_ATLAS, "default", compose_scene(atlas, usual), labels=False))
    b = pixels(
        worker.render_png(MINI_ATLAS, "junction_low", compose_scene(atlas, low), labels=False)
    )
    assert np.abs(a - b).mean() > 0.5


def test_the_worker_comes_back_after_being_killed(worker, atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen)
    first = worker.ping()
    os.kill(first, signal.SIGKILL)
    png = worker.render_png(MINI_ATLAS, "default", spec, size=(400, 300))
    assert pixels(png).shape == (300, 400, 3)
    assert worker.ping() != first


def test_bad_input_is_a_clear_error_and_the_worker_lives_on(worker, atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen)
    before = worker.ping()
    with pytest.raises(RenderError, match="unknown variant 'no_such_variant'"):
        worker.render_png(MINI_ATLAS, "no_such_variant", spec)
    with pytest.raises(RenderError, match="atlas directory not found"):
        worker.render_png("/no/such/atlas", "default", spec)
    assert worker.ping() == before


# --- Failures, with stand-in child processes ----------------------------------------------

CRASH = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
READ_THEN_CRASH = "import os, signal, sys; sys.stdin.buffer.read(8); " + CRASH
SILENT = "import sys, time; sys.stdin.buffer.read(8); time.sleep(120)"


def stand_in(monkeypatch, code: str) -> None:
    monkeypatch.setattr(render_worker, "worker_command", lambda mode: [sys.executable, "-c", code])


def test_check_gl_explains_a_crash(monkeypatch) -> None:
    stand_in(monkeypatch, CRASH)
    status = check_gl(["vtkOSOpenGLRenderWindow", None])
    assert not status.ok
    assert "segmentation fault" in status.message
    assert "libosmesa6" in status.message and "VTK_DEFAULT_OPENGL_WINDOW" in status.message


def test_a_worker_that_always_dies_gives_a_render_error(monkeypatch, atlas, specimen) -> None:
    stand_in(monkeypatch, READ_THEN_CRASH)
    w = RenderWorker()
    try:
        with pytest.raises(RenderError, match=r"died twice.*SIGSEGV"):
            w.render_png(MINI_ATLAS, "default", compose_scene(atlas, specimen))
    finally:
        w.close()


def test_a_worker_that_never_answers_is_stopped(monkeypatch, atlas, specimen) -> None:
    stand_in(monkeypatch, SILENT)
    w = RenderWorker(timeout=0.5, cold_timeout=0.5)
    try:
        with pytest.raises(RenderError, match="no answer"):
            w.render_png(MINI_ATLAS, "default", compose_scene(atlas, specimen))
        assert not w.alive()
    finally:
        w.close()


@pytest.mark.slow
def test_a_stalled_worker_does_not_hold_up_other_users(atlas, specimen) -> None:
    """Issue 15: one stalled worker held up every user's stills for 127 s. With a pool, a
    still asked for meanwhile comes from the other worker; the stalled one is stopped at its
    time limit and replaced."""
    gl = check_gl()
    if not gl.ok:
        pytest.skip(gl.message)
    spec = compose_scene(atlas, specimen)
    pool = WorkerPool(env=gl.env, size=2, timeout=15, cold_timeout=120)
    stalled_pid: int | None = None
    try:
        # two workers, both warm
        warm = [threading.Thread(target=pool.render_png, args=(MINI_ATLAS, "default", spec))]
        warm.append(threading.Thread(target=pool.render_png, args=(MINI_ATLAS, "default", spec)))
        for t in warm:
            t.start()
        for t in warm:
            t.join()
        assert len(pool.workers) == 2
        stalled = pool._idle[-1]  # the worker the next request takes
        stalled_pid = stalled.pid
        assert stalled_pid is not None
        os.kill(stalled_pid, signal.SIGSTOP)
        events: dict[str, float] = {}

        def first_user() -> None:
            try:
                pool.render_png(MINI_ATLAS, "default", spec, size=(300, 200))
            except RenderError:
                events["first_failed"] = time.monotonic()

        t = threading.Thread(target=first_user)
        t.start()
        time.sleep(0.5)  # the first user's request is now stuck in the stopped worker
        png = pool.render_png(MINI_ATLAS, "default", spec, size=(300, 200))
        events["second_served"] = time.monotonic()
        assert pixels(png).shape == (200, 300, 3)
        t.join()
        assert "first_failed" in events, "the stalled request was not stopped"
        assert events["second_served"] < events["first_failed"]
        assert not stalled.alive()  # killed at its limit
        assert pool.ping() != stalled_pid  # and the pool serves with a fresh one
    finally:
        if stalled_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(stalled_pid, signal.SIGKILL)
        pool.close()


def test_exit_codes_in_words() -> None:
    assert "segmentation fault" in describe_exit(-11)
    assert "segmentation fault" in describe_exit(139)
    assert describe_exit(1) == "exited with status 1"
