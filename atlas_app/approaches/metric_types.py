"""The shape of the per-step metrics, typed: what :mod:`.metrics` computes and the charts,
cases, pages and the ``metrics`` command read.

They are ``TypedDict`` records, so the metrics stay plain data (the JSON the command prints
and the tests read is exactly these dicts) while mypy checks every key a reader uses and
the type of what it reads. Lengths in mm; ``None`` where a step has no corridor to measure
against.
"""

from __future__ import annotations

from typing import Literal, TypedDict

Why = Literal["through", "retracted", "carried", "dragged", "not_retracted"]
"""Why a structure lies in the corridor's path (see :func:`.metrics.in_the_way`)."""


class StructureMetrics(TypedDict):
    """One structure at one step."""

    distance_mm: float | None  # gap to the corridor's wall (negative: reaches into it)
    path_gap_mm: float | None  # gap to the corridor's path, short of its target zone
    displacement_mm: float  # how far the step's retractions moved it
    in_corridor: bool
    in_path: bool
    within_5mm: bool


class CorridorMetrics(TypedDict):
    depth_mm: float
    angle_deg: float  # from the anteroposterior axis
    entry: list[float]
    target: list[float]
    entry_radius_mm: float
    target_radius_mm: float


class TetherMetrics(TypedDict):
    """A tributary a retraction pulls on, and how much it is stretched."""

    structure: str
    parent: str
    mouth_shift_mm: float
    strain: float
    ligated: bool
    avulsion_risk: bool


class RetractionMetrics(TypedDict):
    """One blade: how far it moves its structure, and how far it would have to."""

    structure: str
    by_mm: float
    direction: list[float]
    needed_mm: float | None
    carried: list[str]
    instrument: str | None


class InTheWay(TypedDict):
    """A structure still in the corridor's path at a step, and why."""

    structure: str
    path_gap_mm: float
    moved_mm: float
    why: Why
    by: str | None
    needed_mm: float | None
    declared: str | None  # what the step itself says about it


class StepMetrics(TypedDict):
    """Everything measured on one step of an approach."""

    id: str
    phase: str
    title: str
    corridor: CorridorMetrics | None
    structures: dict[str, StructureMetrics]
    target_exposed_fraction: float
    tethers: list[TetherMetrics]
    retractions: list[RetractionMetrics]
    in_the_way: list[InTheWay]
    at_target: list[str]
    at_risk: list[str]
    near: list[str]


class ApproachMetrics(TypedDict):
    """One approach walked on one specimen (``specimen``: its SPEC string)."""

    approach: str
    specimen: str
    steps: list[StepMetrics]
