"""Plotly figures of quiz statistics: pure builders, no Streamlit.

Each topic keeps one colour (Okabe-Ito, safe for colour-blind readers) and every bar
carries its value as text. Names that users chose (usernames) are HTML-escaped before they
reach a figure: Plotly renders a few HTML tags in labels.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from atlas_app.quiz.stats import ItemStat, MasteryPoint
from atlas_app.quiz.topics import TOPICS, topic_name

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
TOPIC_COLORS = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(TOPICS)}


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        yaxis_title=y_title,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend_title_text="Topic",
        height=380,
    )
    return fig


def mastery_figure(points: Sequence[MasteryPoint]) -> go.Figure:
    """Mastery of each topic over time (one line per topic, a point per day answered)."""
    fig = go.Figure()
    for topic in sorted({p.topic for p in points}):
        rows = [p for p in points if p.topic == topic]
        fig.add_trace(
            go.Scatter(
                x=[p.day for p in rows],
                y=[100 * p.mastery for p in rows],
                mode="lines+markers",
                name=topic_name(topic),
                line={"color": TOPIC_COLORS.get(topic, "#777777")},
                customdata=[p.items for p in rows],
                hovertemplate="%{x|%-d %b %Y}: %{y:.0f}% over %{customdata} items<extra></extra>",
            )
        )
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    fig.update_xaxes(**day_axis([p.day for p in points]))
    return _layout(fig, "Mastery by topic over time", "Mastery")


DAY_MS = 86_400_000
MAX_DAY_TICKS = 8


def day_axis(days: Sequence[date]) -> dict[str, Any]:
    """An x axis that reads as dates: ticks on whole days (never hours, even with a single
    day of answers, when Plotly would otherwise zoom to milliseconds around it), at most
    :data:`MAX_DAY_TICKS` of them, and a day of margin either side."""
    if not days:
        return {"type": "date", "tickformat": "%-d %b %Y"}
    first, last = min(days), max(days)
    span = (last - first).days
    step = max(1, -(-(span + 2) // MAX_DAY_TICKS))  # whole days between ticks
    return {
        "type": "date",
        "tickformat": "%-d %b %Y",
        "dtick": step * DAY_MS,
        "tick0": first.isoformat(),
        "range": [(first - timedelta(days=1)).isoformat(), (last + timedelta(days=1)).isoformat()],
        "hoverformat": "%-d %b %Y",
    }


def topic_bars(mastery: Mapping[str, float]) -> go.Figure:
    """Today's mastery of each topic, as labelled horizontal bars."""
    topics = list(mastery)
    fig = go.Figure(
        go.Bar(
            y=[topic_name(t) for t in topics],
            x=[100 * mastery[t] for t in topics],
            orientation="h",
            marker_color=[TOPIC_COLORS.get(t, "#777777") for t in topics],
            text=[f"{100 * mastery[t]:.0f}%" for t in topics],
            textposition="auto",
            hovertemplate="%{y}: %{x:.0f}%<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig = _layout(fig, "Mastery now", "")
    fig.update_layout(showlegend=False, height=max(220, 60 + 40 * len(topics)))
    return fig


def item_map(stats: Sequence[ItemStat]) -> go.Figure:
    """Each item by difficulty (proportion right) and discrimination (point-biserial)."""
    shown = [s for s in stats if s.point_biserial is not None]
    fig = go.Figure()
    for topic in sorted({s.topic for s in shown}):
        rows = [s for s in shown if s.topic == topic]
        fig.add_trace(
            go.Scatter(
                x=[s.difficulty for s in rows],
                y=[s.point_biserial for s in rows],
                mode="markers",
                name=topic_name(topic),
                marker={"color": TOPIC_COLORS.get(topic, "#777777"), "size": 10},
                text=[f"{html.escape(s.item_title)}<br>{html.escape(s.item_id)}" for s in rows],
                hovertemplate="%{text}<br>p = %{x:.2f}, r = %{y:.2f}<extra></extra>",
            )
        )
    fig.add_hline(y=0.2, line_dash="dot", line_color="#888888")
    fig.update_xaxes(range=[-0.05, 1.05], title="Difficulty p (proportion right; higher = easier)")
    fig.update_yaxes(range=[-1.05, 1.05])
    return _layout(fig, "Items: difficulty and discrimination", "Point-biserial r")


def trainee_heatmap(table: Mapping[str, Mapping[str, float]]) -> go.Figure:
    """Trainees × topics, coloured by mastery."""
    users = list(table)
    topics = sorted({t for row in table.values() for t in row})
    z = [[100 * table[u][t] if t in table[u] else None for t in topics] for u in users]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[topic_name(t) for t in topics],
            y=[html.escape(u) for u in users],
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar={"title": "Mastery %"},
            hovertemplate="%{y} · %{x}: %{z:.0f}%<extra></extra>",
            texttemplate="%{z:.0f}",
        )
    )
    fig = _layout(fig, "Mastery by trainee and topic", "")
    fig.update_layout(height=max(260, 80 + 28 * len(users)))
    return fig
