"""What every approach chart shares: one colour per approach, the phase labels, the shading
of the inside of the corridor and its 5 mm line, and names for ids.

Each approach keeps one colour everywhere (Okabe-Ito palette, safe for colour-blind
readers); every bar also carries its value as text, so colour is never the only cue.
Distances are gaps between a structure and the wall of the working corridor: negative means
the structure reaches into the corridor, 0 is the wall, 5 mm is the "near" threshold of
:data:`atlas_app.approaches.metrics.NEAR_MM`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from atlas_app.approaches.metrics import NEAR_MM

APPROACH_COLORS: dict[str, str] = {
    "anterior_retroperitoneal_transpsoas": "#0072B2",  # blue
    "interaortic": "#D55E00",  # vermillion
    "iliac_retraction": "#009E73",  # bluish green
}
OTHER_COLORS: tuple[str, ...] = ("#CC79A7", "#E69F00", "#56B4E9", "#000000")
PHASE_LABELS: dict[str, str] = {
    "preparation": "Preparation",
    "exposure": "Exposure",
    "retraction": "Retraction",
    "target": "At the target",
    "closure": "Closure",
}
INSIDE_FILL = "rgba(213, 94, 0, 0.08)"  # the band of negative gaps: inside the corridor
LINE_COLOR = "#555555"
BAND_PAD_MM = 2.0  # the shaded band reaches this far below the lowest value shown


def approach_colors(approach_ids: Sequence[str]) -> dict[str, str]:
    """A fixed colour per known approach; others get the remaining colours in order."""
    spare = iter(OTHER_COLORS)
    out: dict[str, str] = {}
    for aid in approach_ids:
        out[aid] = APPROACH_COLORS.get(aid) or next(spare, "#777777")
    return out


def display_name(names: Mapping[str, str] | None, key: str) -> str:
    """The name of an id when ``names`` has one, else the id itself."""
    return names.get(key, key) if names else key


def threshold_lines(fig: go.Figure, axis: str, span: tuple[float, float]) -> None:
    """Shade the inside of the corridor and mark the wall (0) and the 5 mm line."""
    lo = min(span[0], 0.0) - BAND_PAD_MM
    if axis == "x":
        fig.add_vrect(x0=lo, x1=0.0, fillcolor=INSIDE_FILL, line_width=0, layer="below")
        fig.add_vline(x=0.0, line_color=LINE_COLOR, line_width=1.5)
        fig.add_vline(x=NEAR_MM, line_color=LINE_COLOR, line_width=1.5, line_dash="dash")
    else:
        fig.add_hrect(y0=lo, y1=0.0, fillcolor=INSIDE_FILL, line_width=0, layer="below")
        fig.add_hline(y=0.0, line_color=LINE_COLOR, line_width=1.5)
        fig.add_hline(y=NEAR_MM, line_color=LINE_COLOR, line_width=1.5, line_dash="dash")
