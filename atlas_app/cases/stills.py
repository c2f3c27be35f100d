"""Labelled stills of view slides, drawn on the server in child processes (never here).

A plain view goes to the app's render worker (:func:`~atlas_app.scene.render_pool.
render_png`): it builds the specimen from its SPEC string and keeps it warm. A view at an
approach step cannot go there: the worker knows specimens, not the field of a step (the
tissue held by retractors, the working corridor and the instruments), and would draw the
tissue unretracted and leave the corridor out. Those stills are drawn by a one-off child
(:mod:`atlas_app.cases.still_batch`) that rebuilds each step's field from
the atlas and renders it with the same :func:`~atlas_app.scene.render_still.render_still`;
it gets the GL settings the start-up check found, and a crash in it (VTK segfaults without
OpenGL) only costs the stills it was drawing.

Failures do not raise: each still comes back as PNG bytes or a :class:`RenderError`, so an
export can put a placeholder on that slide and say why.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from atlas_app.scene.render_pool import gl_status, render_png
from atlas_app.scene.render_worker import RenderError, describe_exit
from atlas_app.scene.spec import SceneSpec

BATCH_START_S = 90.0
"""Time for the child to start: import VTK, load the atlas, build the meshes."""
BATCH_PER_STILL_S = 45.0
_PROJECT_DIR = Path(__file__).resolve().parents[2]

Progress = Callable[[int], None]  # called with the index of each still when it is done


@dataclass(frozen=True)
class StillJob:
    """One still to draw: the scene, the SPEC string of its base specimen, and for a view
    at an approach step, the approach and step whose field it shows."""

    spec: str
    scene: SceneSpec
    approach: str | None = None
    step: int | None = None
    labels: bool | tuple[str, ...] = True

    @property
    def at_step(self) -> bool:
        return self.approach is not None


def render_stills(
    atlas_dir: Path | str,
    jobs: Sequence[StillJob],
    size: tuple[int, int],
    progress: Progress | None = None,
) -> list[bytes | RenderError]:
    """Each job's PNG (``size`` pixels), or the reason it could not be drawn, in order."""
    out: list[bytes | RenderError] = [RenderError("not drawn")] * len(jobs)
    status = gl_status()
    if not status.ok:
        return [RenderError(status.message) for _ in jobs]
    for i, job in enumerate(jobs):
        if job.at_step:
            continue
        try:
            out[i] = render_png(atlas_dir, job.spec, job.scene, size=size, labels=job.labels)
        except RenderError as exc:
            out[i] = exc
        if progress is not None:
            progress(i)
    at_step = [i for i, job in enumerate(jobs) if job.at_step]
    if at_step:
        drawn = _render_batch(
            atlas_dir, [jobs[i] for i in at_step], size, dict(status.env), progress, at_step
        )
        for i, result in zip(at_step, drawn, strict=True):
            out[i] = result
    return out


# --- The one-off child, seen from here -----------------------------------------------------


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    path = env.get("PYTHONPATH", "")
    if str(_PROJECT_DIR) not in path.split(os.pathsep):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_DIR), path) if p)
    return env


def _tail(path: Path, n: int = 6) -> str:
    try:
        lines = [x for x in path.read_text("utf-8", "replace").splitlines() if x.strip()]
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def _render_batch(
    atlas_dir: Path | str,
    jobs: Sequence[StillJob],
    size: tuple[int, int],
    env: dict[str, str],
    progress: Progress | None,
    indices: Sequence[int],
) -> list[bytes | RenderError]:
    request = {
        "atlas_dir": str(Path(atlas_dir).resolve()),
        "size": [int(size[0]), int(size[1])],
        "jobs": [
            {
                "spec": j.spec,
                "approach": j.approach,
                "step": j.step,
                "scene": j.scene.to_dict(),
                "labels": j.labels if isinstance(j.labels, bool) else list(j.labels),
            }
            for j in jobs
        ],
    }
    results: list[bytes | RenderError] = [
        RenderError("the still renderer stopped before drawing it") for _ in jobs
    ]
    with tempfile.TemporaryDirectory(prefix="case-stills-") as tmp:
        folder = Path(tmp)
        err_path = folder / "stderr.txt"
        with open(err_path, "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "atlas_app.cases.still_batch", "--batch", str(folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=_child_env(env),
                start_new_session=True,
            )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(request).encode("utf-8"))
            proc.stdin.close()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + BATCH_START_S + BATCH_PER_STILL_S * len(jobs)
        timed_out = _read_reports(proc, deadline, folder, results, progress, indices)
        if timed_out:
            proc.kill()
        code = proc.wait(timeout=30)
        proc.stdout.close()
        if timed_out or code != 0:
            why = "it took too long and was stopped" if timed_out else describe_exit(code)
            tail = _tail(err_path)
            reason = f"the still renderer failed: {why}" + (
                f"; its last words:\n{tail}" if tail else ""
            )
            results = [r if isinstance(r, bytes) else RenderError(reason) for r in results]
    return results


def _read_reports(
    proc: subprocess.Popen[bytes],
    deadline: float,
    folder: Path,
    results: list[bytes | RenderError],
    progress: Progress | None,
    indices: Sequence[int],
) -> bool:
    """Read the child's one-line reports until it closes its output; True on time-out."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buffer = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return True
        chunk = os.read(fd, 65536)
        if not chunk:
            return False
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            _take_report(line, folder, results, progress, indices)


def _take_report(
    line: bytes,
    folder: Path,
    results: list[bytes | RenderError],
    progress: Progress | None,
    indices: Sequence[int],
) -> None:
    try:
        report = json.loads(line)
        i = int(report["i"])
    except (ValueError, KeyError, TypeError):
        return
    if not 0 <= i < len(results):
        return
    if report.get("ok"):
        results[i] = (folder / f"{i}.png").read_bytes()
    else:
        results[i] = RenderError(str(report.get("error", "the still could not be drawn")))
    if progress is not None:
        progress(indices[i])
