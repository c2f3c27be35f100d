"""Checks over the whole quiz bank: no vague stem, no option that gives the answer away.

A stem must say what is asked: a question about a number names the quantity's unit and,
for a published figure, who was measured (the population). An option cues the answer when
it stands out from the others in form rather than in content: the only one carrying a
number or a parenthesis, the only one in another unit, one far longer than all the rest,
or a catch-all ("all of the above"). Authored items are checked as they load (faults with
file and line, in ``validate``); generated items are checked over many seeds in the data
tests (:func:`item_problems` on each).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from atlas_app.quiz.items import Item

VAGUE_STEMS = (re.compile(r"which value (has been|was) (published|reported)", re.IGNORECASE),)
UNIT_WORDS = {
    "mm": ("millimetre", "millimeter", "mm"),
    "cm": ("centimetre", "centimeter", "cm"),
    "%": ("percent", "per cent", "percentage", "%", "proportion"),
}
POPULATION_WORDS = (  # regular expressions, matched from the start of a word
    "cadaver",
    "volunteer",
    "patient",
    r"men\b",
    r"women\b",
    "exposure",
    "plexuses",
    "region",
    "side",
    "specimen",
    "people",
    "adult",
    "bodies",
    "subject",
    "fracture",
    "series",
)
NEEDS_POPULATION = ("figure", "prevalence")
"""Templates asking for a published number: their stems name who was measured."""
CATCH_ALL = re.compile(r"\b(all|none) of the (above|options)\b", re.IGNORECASE)
MEASUREMENT = re.compile(r"(?<![A-Za-z0-9])\d+(?:[.,]\d+)?\s*(mm|cm|%|°|per ?cent)?")
LONGEST_RATIO = 2.2
"""An answer this many times longer than every other option gives itself away."""


def unit_of(texts: Sequence[str]) -> str | None:
    """The unit every option is given in (``mm``, ``cm``, ``%``), or None."""
    for unit in UNIT_WORDS:
        if texts and all(t.strip().endswith(unit) for t in texts):
            return unit
    return None


def stem_problems(stem: str, unit: str | None, needs_population: bool) -> list[str]:
    """What makes a stem vague: no named quantity, no unit, no population."""
    out = []
    if any(p.search(stem) for p in VAGUE_STEMS):
        out.append("the stem does not name the quantity asked for (say what was measured)")
    if not stem.rstrip().endswith(("?", ".")):
        out.append("the stem is not a question or an instruction (end it with ? or .)")
    lower = stem.lower()
    if unit is not None and not any(w in lower for w in UNIT_WORDS.get(unit, (unit,))):
        out.append(f"the stem does not name the unit of the answer ({unit})")
    if needs_population and not any(re.search(rf"\b{w}", lower) for w in POPULATION_WORDS):
        out.append("the stem does not say who was measured (the population)")
    return out


def _measurements(text: str) -> list[str]:
    return [m.group(1) or "" for m in MEASUREMENT.finditer(text)]


def cue_problems(texts: Sequence[str], answers: Sequence[str]) -> list[str]:
    """Answers that stand out from the other options in form (a distractor that stands out
    points away from the answer, and is left alone): each problem names the option."""
    out: list[str] = []
    if len(texts) < 3:
        return out
    right = set(answers)
    for t in texts:
        if CATCH_ALL.search(t):
            out.append(f"'{t}' is a catch-all option")
    numbered = [t for t in texts if _measurements(t)]
    if len(numbered) == 1 and numbered[0] in right:
        out.append(f"'{numbered[0]}' is the only option carrying a number")
    bracketed = [t for t in texts if "(" in t]
    if len(bracketed) == 1 and bracketed[0] in right:
        out.append(f"'{bracketed[0]}' is the only option with a parenthesis")
    units = {t: {u for u in _measurements(t) if u} for t in numbered}
    if len(numbered) >= 3:
        for t in right & set(numbered):
            others = set().union(*(units[o] for o in numbered if o != t))
            if units[t] and others and not units[t] & others:
                out.append(f"'{t}' is the only option in {', '.join(sorted(units[t]))}")
    for a in right:
        rest = [len(t) for t in texts if t not in right]
        if rest and len(a) > LONGEST_RATIO * max(rest) and len(a) > 30:
            out.append(f"'{a}' is far longer than every other option")
    return out


def item_problems(item: Item) -> list[str]:
    """The stem and cue problems of a made item (authored or generated)."""
    texts = [c.text for c in item.choices]
    unit = item.unit if item.kind == "numeric" else unit_of(texts)
    out = stem_problems(item.stem, unit, item.template in NEEDS_POPULATION)
    if item.kind in ("choice", "multi"):
        out += cue_problems(texts, [item.choice_text(a) for a in item.answer])
    return out
