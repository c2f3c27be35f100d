"""The Approaches page works out the next step in the background (ui/resources.py's
prefetch_step): the step's field, its measures and its moved surfaces are made before the
click on Next, one prefetch at a time."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from atlas_app.ui import resources

APPROACH = "anterior_retroperitoneal_transpsoas"


def _joined() -> None:
    for thread in threading.enumerate():
        if thread.name == "atlas-step-prefetch":
            thread.join(timeout=300)


def test_the_next_step_is_made_in_the_background_with_its_moved_surfaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoded: list[tuple[Any, Any]] = []
    real = resources.encode_all

    def encode_all(root: Any, specimen: Any, base: Any = None) -> None:
        encoded.append((specimen, base))
        real(root, specimen, base)

    monkeypatch.setattr(resources, "encode_all", encode_all)
    resources.prefetch_step(APPROACH, "default", 2)
    _joined()
    field = resources.step_field(APPROACH, "default", 2)  # cached: the same object
    assert len(encoded) == 1
    assert encoded[0][0] is field.specimen, "the step's own field was encoded"
    assert encoded[0][1] is resources.specimen("default")[0], "from the unretracted specimen"
    assert resources.step_metrics(APPROACH, "default", 2)["structures"]


def test_one_prefetch_at_a_time_and_a_failure_is_only_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    started, release = threading.Event(), threading.Event()
    asked: list[int] = []

    def slow_field(approach_id: str, spec: str, index: int) -> Any:
        asked.append(index)
        started.set()
        release.wait(timeout=60)
        raise RuntimeError("no field")

    monkeypatch.setattr(resources, "step_field", slow_field)
    resources.prefetch_step(APPROACH, "default", 1)
    assert started.wait(timeout=60)
    resources.prefetch_step(APPROACH, "default", 3)  # one is running: not started
    release.set()
    _joined()
    assert asked == [1]
    assert "prefetching step 1" in caplog.text
    resources.prefetch_step(APPROACH, "default", 4)  # the first is done: this one runs
    _joined()
    assert asked == [1, 4]
