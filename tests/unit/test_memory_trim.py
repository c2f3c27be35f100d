"""The server's memory trimmer (atlas_app/web/memory.py): configured by the environment,
started once, harmless where the C library has no malloc_trim."""

from __future__ import annotations

import pytest

from atlas_app.web import memory


@pytest.mark.parametrize(
    ("raw", "seconds"), [("", 30.0), ("5", 5.0), ("0", 0.0), ("-3", 0.0), ("soon", 30.0)]
)
def test_the_period_comes_from_the_environment(monkeypatch, raw, seconds) -> None:
    monkeypatch.setenv(memory.TRIM_VARIABLE, raw)
    assert memory.trim_period() == seconds


def test_glibc_trim_is_found_and_answers() -> None:
    trim = memory.malloc_trim()
    assert trim is not None, "glibc's malloc_trim (Debian)"
    assert trim() in (0, 1)  # 1: memory was released, 0: there was none to release


def test_zero_switches_it_off_and_it_starts_once(monkeypatch) -> None:
    monkeypatch.setattr(memory, "_thread", None)
    monkeypatch.setenv(memory.TRIM_VARIABLE, "0")
    assert not memory.start_trimming()
    assert memory._thread is None
    monkeypatch.setenv(memory.TRIM_VARIABLE, "60")
    assert memory.start_trimming()
    first = memory._thread
    assert first is not None and first.daemon and first.is_alive()
    assert memory.start_trimming() and memory._thread is first


def test_without_malloc_trim_nothing_starts(monkeypatch) -> None:
    monkeypatch.setattr(memory, "_thread", None)
    monkeypatch.setattr(memory, "malloc_trim", lambda: None)
    monkeypatch.setenv(memory.TRIM_VARIABLE, "60")
    assert not memory.start_trimming()
