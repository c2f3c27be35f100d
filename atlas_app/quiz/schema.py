"""Authored quiz items as data (``anatomy_data/quiz/*.yaml``).

A file holds ``schema_version`` and a list ``quiz_items``. Each item has a stem, its
answer(s), an explanation in the project's own words, at least one citation, a topic and
a difficulty (1 easy, 2 medium, 3 hard). Kinds:

- ``choice``: exactly one of ``answers``, shown among at least two ``distractors``;
- ``multi``: one or more ``answers`` among the ``distractors`` (choose all that apply);
- ``numeric``: a ``value`` with a ``unit``, accepted within ``tolerance``.

``structures`` and ``specimen`` (variant option ids) say what the atlas should show after
the answer. Field checks are here (:func:`kind_problems` for what a kind needs); the loader
checks ids against the atlas.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from atlas_app.model.records import Citation, Cites, Id, Record

QUIZ_KEY = "quiz_items"
QUESTIONS_KEY = "figure_questions"


class AuthoredItem(Record):
    id: Id
    topic: Id
    difficulty: int = Field(ge=1, le=3)
    kind: Literal["choice", "multi", "numeric"]
    stem: str = Field(min_length=10)
    answers: list[str] = []
    distractors: list[str] = []
    value: float | None = None
    tolerance: float | None = Field(default=None, gt=0)
    unit: str | None = None
    explanation: str = Field(min_length=20, description="In the project's own words")
    cite: Cites
    structures: list[Id] = []
    specimen: list[Id] = Field(default_factory=list, description="variant option ids to show")


class FigureQuestion(Record):
    """How to ask about a published number of the atlas: a structure's figure
    (``figure: structure_id.figure_id``) or a variant's prevalence (``variant: option_id``).

    The atlas holds the number, its unit and its citation; the question is written by hand,
    since only a person can name the quantity, its unit and who was measured clearly. A
    figure or prevalence without a question is not asked. ``also`` gives other published
    figures of the same quantity (another method or population) with their citations
    (``also_cite``): the explanation shows them, so two items never seem to contradict
    each other."""

    figure: str | None = Field(default=None, pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    variant: Id | None = None
    stem: str = Field(min_length=20)
    also: str | None = None
    also_cite: list[Citation] = []

    @model_validator(mode="after")
    def _one_target(self) -> FigureQuestion:
        if (self.figure is None) == (self.variant is None):
            raise ValueError("a question names either a figure or a variant")
        if self.also and not self.also_cite:
            raise ValueError("'also' needs its sources in also_cite")
        return self

    @property
    def target(self) -> str:
        return self.figure or self.variant or ""


def kind_problems(item: AuthoredItem) -> list[tuple[str, str]]:
    """What a record lacks or has too much of for its kind, as (field, problem)."""
    out: list[tuple[str, str]] = []
    options = [*item.answers, *item.distractors]
    if any(not o.strip() for o in options):
        out.append(("answers", "an answer or distractor is empty"))
    seen: set[str] = set()
    for field, values in (("answers", item.answers), ("distractors", item.distractors)):
        for v in values:
            key = v.strip().lower()
            if key in seen:
                out.append((field, f"'{v}' is given twice"))
            seen.add(key)
    if item.kind == "choice":
        if len(item.answers) != 1:
            out.append(("answers", "a choice item has exactly one answer"))
        if len(item.distractors) < 2:
            out.append(("distractors", "a choice item needs at least two distractors"))
    elif item.kind == "multi":
        if not item.answers:
            out.append(("answers", "a multi item needs at least one answer"))
        if not item.distractors:
            out.append(("distractors", "a multi item needs at least one distractor"))
    else:
        if options:
            out.append(("answers", "a numeric item has no answers or distractors"))
        for name in ("value", "tolerance", "unit"):
            if getattr(item, name) is None:
                out.append((name, f"a numeric item needs a {name}"))
    if item.kind != "numeric":
        for name in ("value", "tolerance", "unit"):
            if getattr(item, name) is not None:
                out.append((name, f"{name} is for numeric items only"))
    return out
