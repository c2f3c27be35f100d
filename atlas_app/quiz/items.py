"""What a quiz page shows and grades: one :class:`Item`, whatever made it.

An item is made from an authored record (:mod:`.loader`) or from the model
(:mod:`.generate`), always from an id and a seed, so an attempt can be replayed. A
response is one string, as stored with the answer:

================  =============================================================
kind              response
================  =============================================================
``choice``        the id of the chosen option
``multi``         the ids of the chosen options, comma-separated
``order``         the ids of the options in the order given, comma-separated
``numeric``       the number as typed (``"11"``, ``"11,5"``, ``"11.5 mm"``)
``click``         ``"x,y"``: pixels from the top left of the item's image
================  =============================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from atlas_app.model.records import Citation
from atlas_app.scene.spec import SceneSpec

Kind = Literal["choice", "multi", "order", "numeric", "click"]
KINDS: tuple[str, ...] = ("choice", "multi", "order", "numeric", "click")
KIND_NAMES = {
    "choice": "One answer",
    "multi": "Several answers",
    "order": "Put in order",
    "numeric": "Estimate",
    "click": "Click on the view",
}
DIFFICULTY_NAMES = {1: "easy", 2: "medium", 3: "hard"}


@dataclass(frozen=True)
class Choice:
    """An option: its id (what a response names) and the text shown."""

    id: str
    text: str


@dataclass(frozen=True)
class View:
    """The still that goes with an item: a scene of a specimen, drawn without labels."""

    scene: SceneSpec
    spec: str
    size: tuple[int, int]
    caption: str
    px_per_mm: float | None = None  # for a scale bar: pixels per mm at the measured depth


@dataclass(frozen=True, eq=False)
class PickMap:
    """Which structure is seen at each point of an item's image, at 1/``scale`` resolution.

    ``labels[r, c]`` is an index into ``ids`` (-1: background)."""

    labels: NDArray[np.int16]
    ids: tuple[str, ...]
    names: tuple[str, ...]
    scale: int

    def name_of(self, structure_id: str) -> str:
        return self.names[self.ids.index(structure_id)] if structure_id in self.ids else ""


@dataclass(frozen=True)
class AtlasLink:
    """Where the atlas shows what an item is about: a page and what to set on it."""

    page: Literal["atlas", "approaches"]
    spec: str = "default"
    select: str | None = None
    highlight: tuple[str, ...] = ()
    camera: str | None = None
    approach: str | None = None
    step: int | None = None
    label: str = "Show this in the atlas"


@dataclass(frozen=True, eq=False)
class Item:
    """One question, ready to show and grade."""

    id: str
    seed: int
    kind: Kind
    topic: str
    difficulty: int
    stem: str
    explanation: str
    cite: tuple[Citation, ...]
    template: str
    choices: tuple[Choice, ...] = ()
    answer: tuple[str, ...] = ()
    value: float | None = None
    tolerance: float | None = None
    unit: str | None = None
    view: View | None = None
    pick: PickMap | None = None
    link: AtlasLink | None = None
    note: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return "authored" if self.template == "authored" else "generated"

    def choice_text(self, choice_id: str) -> str:
        for c in self.choices:
            if c.id == choice_id:
                return c.text
        return choice_id

    def answer_text(self) -> str:
        """The right answer in words (for feedback and for an Anki card's back)."""
        if self.kind == "numeric":
            return format_number(self.value or 0.0, self.unit)
        if self.kind == "click":
            names = self.pick.name_of(self.answer[0]) if self.pick else ""
            return names or self.answer[0]
        if self.kind == "order":
            return " → ".join(self.choice_text(a) for a in self.answer)
        return "; ".join(self.choice_text(a) for a in self.answer)


def in_sentence(name: str) -> str:
    """A structure's name for use inside a sentence: ``Right psoas major`` → ``right psoas
    major``, but ``L4 ventral ramus`` and ``S1`` stay as they are."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def format_number(value: float, unit: str | None = None) -> str:
    """A measurement as people write it: ``11.4 mm``, ``25%``, ``3 cm``."""
    text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    if "e" in text:
        text = f"{value:.0f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


_SIDE = re.compile(r"^(?P<name>.+?)\s*\((?P<side>right|left)\)$")
_QUALIFIER = re.compile(r"\s*\([^()]*\)$")


def option_name(name: str) -> str:
    """A structure's name as an option among others, all in one form, so that no option
    stands out by its form: ``Iliolumbar vein (right)`` → ``Right iliolumbar vein``; a
    bracketed qualifier is left out (``Third lumbar vertebra (L3)`` → ``Third lumbar
    vertebra``)."""
    m = _SIDE.match(name)
    if m:
        return f"{m['side'].capitalize()} {in_sentence(m['name'])}"
    return _QUALIFIER.sub("", name)
