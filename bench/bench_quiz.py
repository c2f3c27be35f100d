"""Benchmark of the quiz: making and drawing an item; grading and saving an answer.

"Generate and render": a new attempt of an item (a fresh seed, so a new specimen) made from
(item id, seed), and its still drawn by the render worker (warm: a running server's worker
has its meshes). Targets: under 1 s with the still. "Grade and save": grading a response,
storing the answer, reading the review card, scheduling it with FSRS and storing it, in one
transaction — on an SQLite file in WAL mode (the default store), then on PostgreSQL: a
throwaway local cluster made with Debian's ``postgresql`` binaries (as the storage tests do),
or ``DATABASE_URL`` when it names one. Target: under 100 ms.

Run: VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow .venv/bin/python bench/bench_quiz.py
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.approaches.loader import ApproachSet, load_approaches
from atlas_app.model.atlas import Atlas
from atlas_app.model.loader import load_atlas
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.quiz.generate import generate_item, generated_ids
from atlas_app.quiz.grading import grade
from atlas_app.quiz.items import Item
from atlas_app.quiz.template import Context
from atlas_app.scene.render_pool import gl_status, render_png, shutdown_worker
from atlas_app.storage.local_postgres import pg_bindir, throwaway_postgres

KINDS = ("identify", "click", "lst_level", "at_risk", "measure", "figure", "prevalence", "order")
ATTEMPTS = 6


def _response(item: Item) -> str:
    if item.kind == "choice":
        return item.answer[0]
    if item.kind in ("multi", "order"):
        return ",".join(item.answer)
    if item.kind == "numeric":
        return f"{item.value}"
    return "100,100"


def bench_items(atlas: Atlas, approaches: ApproachSet) -> list[dict[str, Any]]:
    ids = generated_ids(Context(atlas, approaches))
    rendering = gl_status().ok
    rows = []
    if rendering:  # a running server's worker is warm: start it and draw the atlas once
        t0 = time.perf_counter()
        first = generate_item(atlas, approaches, "identify.sacrum", 0)
        assert first.view is not None, "an identify item shows a view"
        render_png(DEFAULT_ATLAS_DIR, first.view.spec, first.view.scene, first.view.size, False)
        cold = time.perf_counter() - t0
        rows.append(row("first item after start (starts the render worker, builds meshes)",
                        cold, "s", "", None))  # fmt: skip
    worst_all = 0.0
    for kind in KINDS:
        pool = [i for i, (t, _) in ids.items() if t == kind][:ATTEMPTS]
        make, draw = [], []
        attempts = (pool * (1 + ATTEMPTS // max(len(pool), 1)))[:ATTEMPTS]
        for n, item_id in enumerate(attempts):
            t0 = time.perf_counter()
            item = generate_item(atlas, approaches, item_id, 1000 + n)
            t1 = time.perf_counter()
            if rendering and item.view is not None:
                render_png(
                    DEFAULT_ATLAS_DIR, item.view.spec, item.view.scene, item.view.size, False
                )
            t2 = time.perf_counter()
            make.append(t1 - t0)
            draw.append(t2 - t0)
        worst = max(draw)
        worst_all = max(worst_all, worst)
        rows.append(
            row(
                f"{kind}: generate + render an item (median of {len(draw)})",
                statistics.median(draw),
                "s",
                "< 1 s",
                statistics.median(draw) < 1.0,
            )
        )
        rows.append(row(f"{kind}: generate + render (worst)", worst, "s", "< 1 s", worst < 1.0))
        rows.append(row(f"{kind}: generate only (median)", statistics.median(make) * 1000, "ms"))
    if not rendering:
        rows.append(row("stills", 0, "-", "GL unavailable: generation only", None))
    return rows


@contextlib.contextmanager
def bench_postgres() -> Iterator[str | None]:
    """The URL of a throwaway PostgreSQL cluster with its durable defaults (fsync on), None
    without Debian's binaries."""
    if pg_bindir() is None:
        yield None
        return
    with throwaway_postgres(superuser="bench", durable=True) as server:
        yield server.url("postgres")


def bench_answers(atlas: Atlas, approaches: ApproachSet, url: str) -> list[dict[str, Any]]:
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import dispose_engines, get_engine
    from atlas_app.storage.quiz_store import record_graded_answer, start_session

    engine = get_engine(url)
    user = create_user(engine, f"bench{int(time.time() * 1000)}", "bench password 1")
    session_id = start_session(engine, user.id, ["lst_formation"], 50, 1)
    items = [
        generate_item(atlas, approaches, i, 3)
        for i in ("measure.lst_width_right", "at_risk.interaortic.lateral_reach")
    ] + [generate_item(atlas, approaches, "figure.lumbosacral_trunk_right.width", 3)]

    def answer(item: Item) -> None:
        response = _response(item)
        result = grade(item, response)
        record_graded_answer(
            engine,
            session_id=session_id,
            user_id=user.id,
            item_id=item.id,
            topic=item.topic,
            seed=item.seed,
            response=response,
            correct=result.correct,
            score=result.score,
            answered_at=datetime.now(UTC),
        )

    times = []
    for n in range(30):
        t, _ = timed(lambda n=n: answer(items[n % len(items)]))
        times.append(t)
    grade_only = [timed(lambda: grade(items[0], "12"))[0] for _ in range(50)]
    backend = url.split(":", 1)[0].split("+", 1)[0]
    dispose_engines()
    median, worst = statistics.median(times), max(times)
    rows = [
        row(f"grade and save an answer, {backend} (median of 30)", median * 1000, "ms",
            "< 100 ms", median < 0.1),
        row(f"grade and save an answer, {backend} (worst)", worst * 1000, "ms", "< 100 ms",
            worst < 0.1),
    ]  # fmt: skip
    if backend == "sqlite":
        rows.append(row("grade only (median)", statistics.median(grade_only) * 1e6, "µs"))
    return rows


def main() -> None:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    approaches = load_approaches(atlas)
    t, _ = timed(lambda: generated_ids(Context(atlas, approaches)))
    rows = [row("survey of the views at start-up (once per server)", t, "s")]
    rows += bench_items(atlas, approaches)
    with tempfile.TemporaryDirectory() as tmp:
        rows += bench_answers(atlas, approaches, f"sqlite:///{tmp}/bench.sqlite3")
    if os.environ.get("DATABASE_URL"):
        rows += bench_answers(atlas, approaches, os.environ["DATABASE_URL"])
    else:
        with bench_postgres() as pg_url:
            if pg_url is None:
                rows.append(row("grade and save, postgresql", 0, "-", "no server binaries", None))
            else:
                rows += bench_answers(atlas, approaches, pg_url)
    shutdown_worker()
    report(
        "quiz",
        rows,
        notes=[
            "Generate + render: a fresh seed per attempt (a new specimen), the still drawn by "
            "the warm render worker at 720×480 without labels; the page caches both by (item "
            "id, seed) and by scene, so a repeat costs nothing.",
            "Click items also draw their pick map (a numpy z-buffer at 360×240) when generated.",
            "Grade and save: grading, then the answer stored, the review card read, "
            "scheduled (FSRS) and written, in one transaction. PostgreSQL: a local cluster "
            "on a unix socket with its default (durable) settings.",
        ],
    )


if __name__ == "__main__":
    main()
