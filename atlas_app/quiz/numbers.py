"""Plausible wrong numbers for multiple-choice questions about published figures."""

from __future__ import annotations

import numpy as np

from atlas_app.quiz.items import format_number

FACTORS = (0.25, 0.4, 0.5, 0.65, 1.5, 1.8, 2.0, 2.5, 3.0, 4.0)
MIN_RELATIVE_GAP = 0.2  # a distractor differs from the answer by at least 20 %


def format_percent(p: float) -> str:
    """A proportion (0–1) as a percentage: ``25%``, ``8%``, ``0.4%``."""
    value = 100 * p
    if value >= 10:
        return f"{value:.0f}%"
    return f"{value:.1f}%".replace(".0%", "%")


def value_distractors(value: float, unit: str, rng: np.random.Generator, n: int = 3) -> list[str]:
    """``n`` formatted values clearly different from ``value`` and from each other."""
    true_text = format_number(value, unit)
    candidates = [value * f for f in FACTORS]
    if unit == "%":
        candidates = [c for c in candidates if 0.1 <= c <= 99.5]
        candidates += [v for v in (100 - value, value + 25, value - 25) if 0.1 <= v <= 99.5]
    order = rng.permutation(len(candidates))
    out: list[str] = []
    taken = {true_text}
    for i in order:
        c = candidates[int(i)]
        if abs(c - value) < MIN_RELATIVE_GAP * max(abs(value), 1e-9):
            continue
        text = format_number(_round_like(c, value), unit)
        if text in taken:
            continue
        taken.add(text)
        out.append(text)
        if len(out) == n:
            break
    return out


def percent_distractors(p: float, rng: np.random.Generator, n: int = 3) -> list[str]:
    """``n`` percentages clearly different from the proportion ``p``."""
    candidates = [p * f for f in FACTORS] + [1 - p, p + 0.25, p - 0.25, p + 0.1, p - 0.1]
    candidates = [c for c in candidates if 0.002 <= c <= 0.995]
    order = rng.permutation(len(candidates))
    taken = {format_percent(p)}
    out: list[str] = []
    for i in order:
        c = candidates[int(i)]
        if abs(c - p) < max(0.04, MIN_RELATIVE_GAP * p):
            continue
        text = format_percent(c)
        if text in taken:
            continue
        taken.add(text)
        out.append(text)
        if len(out) == n:
            break
    return out


def _round_like(candidate: float, value: float) -> float:
    """Round a distractor as coarsely as the published value is given."""
    if value == int(value) and abs(candidate) >= 3:
        return float(round(candidate))
    return float(f"{candidate:.2g}") if abs(candidate) < 10 else float(round(candidate, 1))
