"""Give memory the app has freed back to the operating system.

A burst of sessions builds meshes, scenes and page messages at the same time; when they end,
Python and numpy free that memory, but glibc keeps the freed pages in its heaps, so the
server's resident memory stays at the burst's peak (bench_load: 3 sessions of the Atlas and
Approaches pages left 37 MB behind after they had closed and expired). ``malloc_trim(0)``
hands free pages back. One daemon thread calls it every ``ATLAS_TRIM_SECONDS`` (30 by
default, 0 switches it off); a call on a 500 MB heap takes a few milliseconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading
import time
from collections.abc import Callable

TRIM_VARIABLE = "ATLAS_TRIM_SECONDS"
DEFAULT_SECONDS = 30.0
_log = logging.getLogger(__name__)
_started = threading.Lock()
_thread: threading.Thread | None = None


def malloc_trim() -> Callable[[], int] | None:
    """glibc's ``malloc_trim(0)``, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: int(trim(0))


def trim_period() -> float:
    """Seconds between trims from the environment (0: never)."""
    raw = os.environ.get(TRIM_VARIABLE, "").strip()
    try:
        seconds = float(raw) if raw else DEFAULT_SECONDS
    except ValueError:
        _log.warning(
            "%s=%r is not a number of seconds; using %s", TRIM_VARIABLE, raw, DEFAULT_SECONDS
        )
        return DEFAULT_SECONDS
    return max(seconds, 0.0)


def start_trimming() -> bool:
    """Start the trimming thread once per process; False if it cannot or should not run."""
    global _thread
    period, trim = trim_period(), malloc_trim()
    if period == 0 or trim is None:
        return False
    with _started:
        if _thread is None:

            def loop() -> None:
                while True:
                    time.sleep(period)
                    trim()

            _thread = threading.Thread(target=loop, name="atlas-malloc-trim", daemon=True)
            _thread.start()
    return True
