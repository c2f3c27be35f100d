"""The measurements of a step in words: what lies in the way and why, what each blade does.

Pure functions of a step's metrics (:func:`atlas_app.approaches.metrics.step_metrics`) and
the structures' names, so the Approaches page, the case exports and the tests say the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from atlas_app.approaches.metric_types import InTheWay, RetractionMetrics

WAYS: tuple[tuple[str, tuple[float, float, float]], ...] = (
    ("medially", (-1.0, 0.0, 0.0)),
    ("laterally", (1.0, 0.0, 0.0)),
    ("upward", (0.0, 0.0, 1.0)),
    ("downward", (0.0, 0.0, -1.0)),
    ("forward", (0.0, 1.0, 0.0)),
    ("backward", (0.0, -1.0, 0.0)),
)


def way_word(direction: Sequence[float], side: str = "right") -> str:
    """A retraction's direction in a surgeon's words (``medially``, ``upward and
    medially``), for an approach on ``side`` (medial is toward the midline)."""
    v = np.asarray(direction, float)
    if side == "left":
        v = v * np.array([-1.0, 1.0, 1.0])
    v = v / max(float(np.linalg.norm(v)), 1e-9)
    scores = sorted(((float(v @ np.asarray(u)), w) for w, u in WAYS), reverse=True)
    (_, first), (second_score, second) = scores[0], scores[1]
    return f"{second} and {first}" if second_score > 0.4 else first


def _name(names: Mapping[str, str], sid: str | None) -> str:
    return names.get(sid or "", sid or "")


def in_the_way_text(row: InTheWay, names: Mapping[str, str]) -> str:
    """One line for a structure in the corridor's path (a row of ``in_the_way``)."""
    gap = -float(row["path_gap_mm"])
    head = f"{_name(names, row['structure'])}: {gap:.1f} mm into the path"
    why = row["why"]
    if why == "through":
        tail = "the corridor passes through it, its fibres parted (it is the corridor's wall)"
    elif why == "retracted":
        needed = row["needed_mm"]
        held = f"held {row['moved_mm']:.0f} mm"
        if needed is None:
            tail = f"{held}; no blade this way clears it"
        else:
            tail = f"{held}; clearing the path would need {needed:.0f} mm"
    elif why == "carried":
        tail = f"carried {row['moved_mm']:.0f} mm with the {_name(names, row['by']).lower()}"
    elif why == "dragged":
        tail = (
            f"dragged {row['moved_mm']:.0f} mm at its mouth by the "
            f"{_name(names, row['by']).lower()}"
        )
    else:
        tail = "not retracted at this step"
    line = f"{head} — {tail}."
    if row["declared"]:
        line += f" {row['declared']}"
    return line


def blade_rows(
    retractions: Sequence[RetractionMetrics], names: Mapping[str, str], side: str
) -> list[dict[str, str]]:
    """The blades of a step as table rows: what, how far which way, what it carries, and
    how far would clear the path."""
    rows = []
    for r in retractions:
        needed = r["needed_mm"]
        if needed is None:
            clear = "cannot (part of it is out of the blade's reach)"
        elif needed == 0:
            clear = "already clear"
        else:
            clear = f"{needed:.0f} mm"
        carried = ", ".join(_name(names, c) for c in r["carried"]) or "—"
        rows.append(
            {
                "Held aside": _name(names, r["structure"]),
                "How far": f"{r['by_mm']:.0f} mm {way_word(r['direction'], side)}",
                "Carries with it": carried,
                "To clear the path": clear,
            }
        )
    return rows
