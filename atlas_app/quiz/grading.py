"""A response → a grade: right or not, a score in [0, 1], and a message to show.

Never raises on what a user types: a response that cannot be read (a word where a number
is wanted, an option that does not exist, a click outside the picture) gives a grade with
``valid=False`` and a message saying what is wanted; such a response is not an answer and
is not saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atlas_app.quiz.items import Item, format_number, in_sentence
from atlas_app.quiz.pick import structure_at

CLICK_TOLERANCE_PX = 6.0
"""A click this close to the named structure (in image pixels) counts as on it."""
MAX_RESPONSE = 2_000
_NUMBER = re.compile(
    r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(mm|millimet(?:re|er)s?)?\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float
    message: str
    valid: bool = True


def _invalid(message: str) -> Grade:
    return Grade(False, 0.0, message, valid=False)


def split_ids(response: str) -> list[str]:
    return [p.strip() for p in response.split(",") if p.strip()]


def parse_number(text: str) -> float | None:
    """``"11"``, ``"11.5"``, ``"11,5"``, ``"11.5 mm"`` → 11.5; anything else → None."""
    if len(text) > 64:
        return None
    m = _NUMBER.match(text)
    if not m:
        return None
    try:
        value = float(m.group(1).replace(",", "."))
    except ValueError:
        return None
    return value if abs(value) < 1e6 else None


def _grade_choice(item: Item, response: str) -> Grade:
    ids = {c.id for c in item.choices}
    chosen = response.strip()
    if chosen not in ids:
        return _invalid("Choose one of the options.")
    if chosen == item.answer[0]:
        return Grade(True, 1.0, "Correct.")
    return Grade(False, 0.0, f"Not quite. The answer is: {item.answer_text()}.")


def _grade_multi(item: Item, response: str) -> Grade:
    ids = {c.id for c in item.choices}
    chosen = split_ids(response)
    if not chosen:
        return _invalid("Choose at least one option.")
    if any(c not in ids for c in chosen):
        return _invalid("Choose among the options shown.")
    picked, right = set(chosen), set(item.answer)
    hits, wrong = picked & right, picked - right
    score = max(0.0, (len(hits) - len(wrong)) / len(right))
    if picked == right:
        return Grade(True, 1.0, "Correct: all of them, and nothing else.")
    parts = [f"You found {len(hits)} of {len(right)}."]
    missed = [item.choice_text(a) for a in item.answer if a not in picked]
    if missed:
        parts.append("Missed: " + "; ".join(missed) + ".")
    if wrong:
        parts.append("Not at issue here: " + "; ".join(item.choice_text(w) for w in wrong) + ".")
    return Grade(False, round(score, 3), " ".join(parts))


def _grade_order(item: Item, response: str) -> Grade:
    given = split_ids(response)
    if sorted(given) != sorted(item.answer):
        return _invalid("Place every step exactly once.")
    if given == list(item.answer):
        return Grade(True, 1.0, "Correct: that is the order.")
    rank = {a: i for i, a in enumerate(item.answer)}
    n = len(given)
    pairs = n * (n - 1) // 2
    agree = sum(rank[given[i]] < rank[given[j]] for i in range(n) for j in range(i + 1, n))
    return Grade(
        False,
        round(agree / pairs, 3) if pairs else 0.0,
        f"Not quite ({agree} of {pairs} pairs in the right order). The order is: "
        f"{item.answer_text()}.",
    )


def _grade_numeric(item: Item, response: str) -> Grade:
    value = parse_number(response)
    if value is None:
        unit = item.unit or "units"
        return _invalid(f"That is not a number. Type a number of {unit}, for example 12 or 12.5.")
    assert item.value is not None and item.tolerance is not None
    off = abs(value - item.value)
    target = format_number(item.value, item.unit)
    tol = format_number(item.tolerance, item.unit)
    if off <= item.tolerance:
        return Grade(True, 1.0, f"Within {tol} of {target}: correct.")
    score = max(0.0, 1.0 - (off - item.tolerance) / item.tolerance)
    return Grade(
        False,
        round(score, 3),
        f"{format_number(value, item.unit)} is {format_number(off, item.unit)} off; the answer "
        f"is {target} (accepted within {tol}).",
    )


PICK_PREFIX = "pick:"
"""A click in the live 3D view answers with the structure it hit: ``pick:<structure id>``."""


def parse_pick(response: str) -> str | None:
    """The structure id of a click in the 3D view, or None (a click on a still, or junk)."""
    if not response.startswith(PICK_PREFIX):
        return None
    sid = response[len(PICK_PREFIX) :].strip()
    return sid if re.fullmatch(r"[a-z][a-z0-9_]{0,80}", sid) else None


def parse_click(response: str) -> tuple[float, float] | None:
    parts = split_ids(response)
    if len(parts) != 2:
        return None
    x, y = parse_number(parts[0]), parse_number(parts[1])
    return None if x is None or y is None else (x, y)


def _structure_name(item: Item, structure_id: str) -> str:
    name = item.pick.name_of(structure_id) if item.pick is not None else ""
    return name or structure_id.replace("_", " ")


def _grade_pick(item: Item, picked: str) -> Grade:
    """A click in the live 3D view: right when it hit the named structure."""
    target = item.answer[0]
    name = in_sentence(_structure_name(item, target))
    if picked == target:
        return Grade(True, 1.0, f"Correct: that is the {name}.")
    where = in_sentence(_structure_name(item, picked))
    return Grade(False, 0.0, f"You clicked the {where}. The {name} is shown named in the view.")


def _grade_click(item: Item, response: str) -> Grade:
    picked = parse_pick(response)
    if picked is not None:
        return _grade_pick(item, picked)
    if response.startswith(PICK_PREFIX):
        return _invalid("Click on a structure in the view.")
    point = parse_click(response)
    if point is None or item.pick is None:
        return _invalid("Click on the picture.")
    x, y = point
    p = item.pick
    height, width = (n * p.scale for n in p.labels.shape)
    if not (0 <= x < width and 0 <= y < height):
        return _invalid("Click inside the picture.")
    target = item.answer[0]
    hit = structure_at(p.labels, p.ids, x, y, p.scale, target, CLICK_TOLERANCE_PX)
    if hit == target:
        return Grade(True, 1.0, f"Correct: that is the {in_sentence(p.name_of(target))}.")
    where = f"the {in_sentence(p.name_of(hit))}" if hit else "no structure (the background)"
    name = in_sentence(p.name_of(target))
    return Grade(False, 0.0, f"You clicked {where}. The {name} is outlined on the picture.")


_GRADERS = {
    "choice": _grade_choice,
    "multi": _grade_multi,
    "order": _grade_order,
    "numeric": _grade_numeric,
    "click": _grade_click,
}


def grade(item: Item, response: str) -> Grade:
    """Grade a response (see :mod:`.items` for its form per kind). Never raises on input."""
    if not isinstance(response, str) or len(response) > MAX_RESPONSE:
        return _invalid("That answer could not be read.")
    return _GRADERS[item.kind](item, response)
