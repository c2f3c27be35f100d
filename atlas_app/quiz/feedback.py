"""What the learner answered beside the key, option by option, after *Check*.

The quiz page shows this instead of the answer widgets once an item is answered, so the
learner's own answer stays on the screen with every option marked: chosen and right, chosen
and wrong, the answer that was missed, or neither. An order item compares the learner's
order with the key position by position. Pure: the page only draws the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from atlas_app.quiz.grading import parse_number, split_ids
from atlas_app.quiz.items import Item, format_number

Mark = Literal["right", "wrong", "missed", "other"]
"""``right``: chosen and right; ``wrong``: chosen and not right; ``missed``: right but not
chosen; ``other``: neither."""


@dataclass(frozen=True)
class OptionRow:
    """One option as it was offered, with what the learner did with it."""

    text: str
    chosen: bool
    correct: bool

    @property
    def mark(self) -> Mark:
        if self.chosen:
            return "right" if self.correct else "wrong"
        return "missed" if self.correct else "other"


@dataclass(frozen=True)
class OrderRow:
    """One position of an order item: the step the learner put there and the key's."""

    position: int  # from 1
    given: str
    key: str

    @property
    def right(self) -> bool:
        return self.given == self.key


def option_rows(item: Item, response: str) -> list[OptionRow]:
    """Every option of a choice or multi item, in the order it was offered."""
    chosen = set(split_ids(response))
    right = set(item.answer)
    return [OptionRow(c.text, c.id in chosen, c.id in right) for c in item.choices]


def order_rows(item: Item, response: str) -> list[OrderRow]:
    """The learner's order beside the key's, one row per position."""
    given = split_ids(response)
    return [
        OrderRow(i + 1, item.choice_text(given[i]) if i < len(given) else "", item.choice_text(k))
        for i, k in enumerate(item.answer)
    ]


def numeric_answer(item: Item, response: str) -> tuple[str, str]:
    """(what the learner estimated, the key with its tolerance), as text."""
    value = parse_number(response)
    given = format_number(value, item.unit) if value is not None else response.strip()
    key = format_number(item.value or 0.0, item.unit)
    if item.tolerance is not None:
        key += f" (accepted within {format_number(item.tolerance, item.unit)})"
    return given, key
