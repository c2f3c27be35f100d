"""Approaches as data: positioning, incision, then ordered steps.

A step says what is divided or removed (hidden from then on), what it exposes, what is
held retracted (which way and how far), the instruments, the neuromonitoring, the camera,
the working corridor, the pitfalls and the structures at risk, with citations. Steps are
read in order: removals accumulate; retractions and the corridor are those in place
during the step (a step without a corridor keeps the previous one).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from atlas_app.model.records import Cites, Id, Record, Vec3

Phase = Literal["preparation", "exposure", "retraction", "target", "closure"]
PHASES: tuple[str, ...] = ("preparation", "exposure", "retraction", "target", "closure")
Direction = Literal["medial", "lateral", "superior", "inferior", "anterior", "posterior"]


class PointRef(Record):
    """A point of the specimen: a landmark, the centre of a structure, or coordinates, plus
    an optional offset (mm, in the frame; x is mirrored for left-sided approaches)."""

    landmark: Id | None = None
    structure: Id | None = None
    at: Vec3 | None = None
    offset: Vec3 = (0.0, 0.0, 0.0)

    @model_validator(mode="after")
    def _exactly_one(self) -> PointRef:
        given = [n for n in ("landmark", "structure", "at") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of landmark, structure or at")
        return self


MIN_REACH_MM = 35.0


class Retraction(Record):
    """A structure held aside during a step, ``by_mm`` in ``direction``. ``at`` is where the
    blade bears; by default it bears on every part of the structure that lies in the
    working corridor (or, outside it, on the point nearest its axis). Tissue within
    ``reach_mm`` of the blade follows with a smooth fall-off (default: 35 mm, or π × by_mm
    when that is more, the least that moves the tissue without folding it), and so do the
    vessels joined to a retracted vessel end to end, and what it ``carries`` (a nerve on or
    in a retracted muscle), by the same blade."""

    structure: Id
    by_mm: float = Field(gt=0, le=60)
    direction: Direction | Vec3
    at: PointRef | None = None
    carries: list[Id] = []
    reach_mm: float | None = Field(default=None, gt=0, le=150)
    instrument: Id | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _does_not_fold(self) -> Retraction:
        if self.reach_mm is not None and self.reach_mm < math.pi * self.by_mm:
            raise ValueError(
                f"reach_mm {self.reach_mm:g} is under π × by_mm = {math.pi * self.by_mm:.1f}: "
                "the retraction would crush or fold the tissue"
            )
        return self

    @property
    def reach(self) -> float:
        return (
            self.reach_mm if self.reach_mm is not None else max(MIN_REACH_MM, math.pi * self.by_mm)
        )


class Obstacle(Record):
    """What a step knowingly leaves in the path to the target, and why: the page says so
    beside the measurement."""

    structures: list[Id] = Field(min_length=1)
    why: str = Field(min_length=10)


class Corridor(Record):
    """The working channel: a truncated cone from the incision to the target."""

    entry: PointRef
    target: PointRef
    entry_radius_mm: float = Field(gt=0, le=80)
    target_radius_mm: float = Field(gt=0, le=60)


class Step(Record):
    id: Id
    phase: Phase
    title: str = Field(min_length=3)
    text: str = Field(min_length=20, description="What is done, in the project's own words")
    removed: list[Id] = Field(
        default_factory=list, description="incised, swept away, ligated or excised"
    )
    restored: list[Id] = Field(default_factory=list, description="brought back into view (closure)")
    exposed: list[Id] = []
    retract: list[Retraction] = []
    through: list[Id] = Field(
        default_factory=list,
        description="what the corridor passes through, its fibres parted (the corridor's wall)",
    )
    in_the_way: list[Obstacle] = []
    instruments: list[Id] = []
    neuromonitoring: str | None = None
    camera: str | None = None
    corridor: Corridor | None = None
    pitfalls: list[str] = []
    at_risk: list[Id] = []
    cite: Cites


class ApproachCamera(Record):
    """The surgeon's view of an approach, held through all its steps (a trainee's own
    camera replaces it once they turn the view): it looks at ``look_at`` from
    ``distance_mm`` away along ``toward_eye`` (from the point looked at toward the eye,
    x mirrored for a left-sided approach), head up on screen."""

    title: str = Field(min_length=3)
    look_at: PointRef
    toward_eye: Vec3
    distance_mm: float = Field(gt=50, le=2000)
    view_angle: float = Field(default=24.0, gt=5, le=60)

    @model_validator(mode="after")
    def _not_straight_up(self) -> ApproachCamera:
        x, y, z = self.toward_eye
        if math.hypot(x, y) < 1e-3 * max(math.hypot(x, y, z), 1e-9):
            raise ValueError("toward_eye must not point straight up or down (head up on screen)")
        return self


class Target(Record):
    """What the approach is for: a structure and the point the corridor aims at."""

    structure: Id
    label: str
    point: PointRef


class Approach(Record):
    id: Id
    name: str
    short_name: str
    side: Literal["right", "left"]
    summary: str = Field(min_length=20)
    positioning: str = Field(min_length=10)
    incision: str = Field(min_length=10)
    target: Target
    camera: ApproachCamera | None = None
    strengths: list[str] = []
    limits: list[str] = []
    cite: Cites
    steps: list[Step] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_step_ids(self) -> Approach:
        ids = [s.id for s in self.steps]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"step ids repeat: {', '.join(dup)}")
        return self


_Size = Annotated[float, Field(gt=0, le=2000, allow_inf_nan=False)]


class Instrument(Record):
    """An instrument the steps name, drawn schematically in the scene."""

    id: Id
    name: str
    description: str
    shape: Literal["ring", "blade", "probe", "punch", "ligature", "fluoroscope", "electrode"]
    size_mm: Annotated[
        tuple[_Size, _Size, _Size], Field(description="length, width, depth, each > 0")
    ]
