"""How long the server spends on each run of the app's script, for the load benchmark.

With ``ATLAS_RUN_LOG`` naming a file, every run appends one JSON line to it: when it ended,
the page, the seconds the server spent, and a short id of the session. Without it nothing is
recorded. A line is written with one ``write`` on a file opened for appending, so lines from
concurrent sessions never interleave.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.runtime.scriptrunner import get_script_run_ctx

LOG_VARIABLE = "ATLAS_RUN_LOG"


@contextmanager
def timed_run(page: str, started: float) -> Iterator[None]:
    """Record the run begun at ``started`` (``time.perf_counter()``) when the block ends,
    however it ends (a rerun or st.stop end it with an exception)."""
    path = os.environ.get(LOG_VARIABLE)
    try:
        yield
    finally:
        if path:
            ctx = get_script_run_ctx()
            line = {
                "t": round(time.time(), 3),
                "page": page,
                "seconds": round(time.perf_counter() - started, 4),
                "session": ctx.session_id[:8] if ctx else None,
            }
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (json.dumps(line) + "\n").encode())
            finally:
                os.close(fd)
