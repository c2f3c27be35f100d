"""Approaches as data: positioning, incision, then ordered steps.

A step says what is divided or removed (hidden from then on), what it exposes, what is
held retracted (which way and how far), the instruments, the neuromonitoring, the camera,
the working corridor, the pitfalls and the structures at risk, with citations. Steps are
read in order: removals accumulate; retractions and the corridor are those in place
during the step (a step without a corridor keeps the previous one).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from atlas_app.model.schema import Cites, Id, Record, Vec3

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


class Retraction(Record):
    """A structure held aside during a step. ``at`` is where the blade bears (default:
    the structure's point nearest the corridor's axis); tissue within ``reach_mm`` of it
    follows with a smooth fall-off."""

    structure: Id
    by_mm: float = Field(gt=0, le=60)
    direction: Direction | Vec3
    at: PointRef | None = None
    reach_mm: float = Field(default=35.0, gt=0, le=150)
    instrument: Id | None = None
    note: str | None = None


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
    instruments: list[Id] = []
    neuromonitoring: str | None = None
    camera: str = "right_oblique"
    corridor: Corridor | None = None
    pitfalls: list[str] = []
    at_risk: list[Id] = []
    cite: Cites


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
