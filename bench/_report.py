"""Shared output of the benchmarks: JSON (for machines) and a table (for people)."""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def report(name: str, rows: Sequence[dict[str, Any]], notes: Sequence[str] = ()) -> None:
    """Print rows as JSON then as a table, and save the JSON under bench/results/."""
    doc = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "python": sys.version.split()[0],
            "cpu_count": _cpus(),
            "platform": platform.platform(),
        },
        "rows": list(rows),
        "notes": list(notes),
    }
    text = json.dumps(doc, indent=1)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print()
    print(table(rows))
    for n in notes:
        print(f"- {n}")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of the rows (columns: measure, value, unit, target, met)."""
    cols = ["measure", "value", "unit", "target", "met"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        value = r.get("value")
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        met = r.get("met")
        lines.append(
            "| "
            + " | ".join(
                [
                    str(r.get("measure", "")),
                    shown,
                    str(r.get("unit", "")),
                    str(r.get("target", "")),
                    "" if met is None else ("yes" if met else "**no**"),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def row(
    measure: str, value: float | int, unit: str, target: str = "", met: bool | None = None
) -> dict[str, Any]:
    return {"measure": measure, "value": value, "unit": unit, "target": target, "met": met}
