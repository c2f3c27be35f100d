"""Typed, frozen records of the atlas data, as read from the YAML files.

Each class mirrors one kind of entry in ``anatomy_data/``: structures, landmarks, groups,
variants, the manifest and allowed contacts here; the base record and citations in
``records.py``; a structure's shapes in ``geometry_schema.py``. Validation here is per
record (types, shapes, ranges); checks that need the whole atlas (ids that resolve,
citations that exist, prevalences that add up) live in ``checks/``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from atlas_app.model.geometry_schema import (
    Geometry,
)
from atlas_app.model.records import (
    Cites,
    Figure,
    Id,
    Record,
    Vec3,
)

SCHEMA_VERSION = 1

Category = Literal["bone", "muscle", "artery", "vein", "nerve", "viscus", "pathology", "instrument"]

CATEGORIES: tuple[str, ...] = ("bone", "muscle", "artery", "vein", "nerve", "viscus", "pathology")
"""The anatomical categories of atlas data (docs/architecture.md §1)."""

SCENE_CATEGORIES: tuple[str, ...] = (*CATEGORIES, "instrument")
"""What a scene may also show: the instruments and working corridor of an approach step."""

Side = Literal["right", "left", "midline"]

SIDE_SIGN: dict[str, float] = {"right": 1.0, "left": -1.0}
"""The sign of x (the patient's left-right axis) on each side."""


class Structure(Record):
    """An anatomical structure: what it is, where it sits in the hierarchy, its shape."""

    id: Id
    name: str
    category: Category
    side: Side
    parent: Id | None = None
    groups: list[Id] = []
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    ontology: dict[str, str] = {}
    description: str = Field(min_length=10, description="What it is and does, in our own words")
    schematic: bool = Field(
        default=False, description="True when the shape is authored, not taken from imaging"
    )
    geometry: Geometry
    figures: list[Figure] = []


class Landmark(Record):
    """A named point of the frame (docs/architecture.md §1)."""

    id: Id
    name: str
    point: Vec3
    description: str
    source: Cites


class Group(Record):
    """A grouping of structures (a system, a plexus). ``bounds`` is an optional box that
    every structure whose parent is this group must lie in."""

    id: Id
    name: str
    parent: Id | None = None
    description: str | None = None
    bounds: tuple[Vec3, Vec3] | None = None


class Warp(Record):
    """Move a junction of vessels by ``by`` and carry the vessels with it, smoothly.

    Used by the variants that set where the aorta divides and where the iliac veins join.
    The junction is ``landmark`` (moved by ``by``) or, without one, the first named end.
    Every control point of the structures in ``ends`` (those joined at the junction, with
    the end that lies on it) and in ``follow`` (their branches and tributaries further on,
    moved when the specimen has them) moves by ``by`` times a weight of the straight-line
    distance to the junction, 1 there and 0 from ``falloff_mm`` on, with zero slope at
    both. A displacement field in space rather than along each line: points where vessels
    join move together, so joins hold at the junction and beyond it, and directions at the
    junction are kept, so no vessel kinks there. ``falloff_mm`` ≥ π·|by| keeps the field's
    steepest gradient (π·|by| / (2·falloff)) at or below one half: no segment shrinks or
    stretches by more than half, or turns by more than 30°, so no vessel folds.
    """

    ends: dict[Id, Literal["start", "end"]] = Field(min_length=1)
    follow: list[Id] = []
    by: Vec3
    falloff_mm: float = Field(gt=0)
    landmark: Id | None = None

    @model_validator(mode="after")
    def _does_not_fold(self) -> Warp:
        shift = sum(c * c for c in self.by) ** 0.5
        if self.falloff_mm < math.pi * shift:
            raise ValueError(
                f"falloff_mm {self.falloff_mm:g} is under π × |by| = {math.pi * shift:.1f}: "
                "the warp would crush or fold the vessels"
            )
        return self

    def moved(self) -> list[str]:
        """Every structure the warp may move."""
        return [*self.ends, *self.follow]


class Patch(Record):
    """How a variant changes the base model. Applied in this order: remove, modify, add,
    landmarks; the warps of every chosen variant come last, once all structures are in
    place (a warp carries the veins another variant adds). ``modify`` merges fields into
    an existing structure (lists are replaced whole)."""

    remove: list[Id] = []
    modify: dict[Id, dict[str, Any]] = {}
    add: list[Structure] = []
    warp: list[Warp] = []
    landmarks: dict[Id, Vec3] = {}


class VariantOption(Record):
    id: Id
    name: str
    description: str
    prevalence: float = Field(ge=0, le=1)
    cite: Cites
    patch: Patch = Patch()


class VariantGroup(Record):
    """Mutually exclusive anatomical variants: a specimen takes exactly one option."""

    id: Id
    name: str
    description: str
    default: Id
    options: list[VariantOption] = Field(min_length=2)

    @model_validator(mode="after")
    def _default_is_an_option(self) -> VariantGroup:
        if self.default not in {o.id for o in self.options}:
            raise ValueError(f"default '{self.default}' is not one of the options")
        return self


class CheckSwitches(Record):
    """Named checks an atlas may switch off (``checks:`` in ``atlas.yaml``). Only checks
    listed here can be switched off, and each is on unless the manifest says otherwise."""

    no_intersections: bool = True


class AtlasInfo(Record):
    """The atlas manifest (``atlas.yaml``)."""

    id: Id
    name: str
    version: str
    frame: dict[str, str]
    region: tuple[Vec3, Vec3]
    required_landmarks: list[Id] = []
    license: str
    attribution: list[str] = []
    credits: list[str] = Field(
        default=[],
        description="Lines every rendering or export derived from the anatomy must carry",
    )
    checks: CheckSwitches = CheckSwitches()


SIDE_PLACEHOLDER = "{side}"

ContactId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\{side\})?$")]


class AllowedContact(Record):
    """Structures that anatomy lets pass into one another — a nerve forming inside psoas, a
    vein draining into another, a root in its foramen — with why and the source.

    An id ending in ``{side}`` stands for the right and the left structure (one pair per
    side). ``max_depth_mm`` and ``max_length_mm``, when given, bound how deep and over what
    length the contact may run (a branch joins its trunk; it does not run inside it).
    """

    id: Id
    pairs: list[tuple[ContactId, ContactId]] = Field(min_length=1)
    reason: str = Field(min_length=10)
    cite: Cites
    max_depth_mm: float | None = Field(default=None, gt=0)
    max_length_mm: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _sides_pair_up(self) -> AllowedContact:
        for a, b in self.pairs:
            if a == b:
                raise ValueError(f"'{a}' is paired with itself")
            if a.endswith(SIDE_PLACEHOLDER) != b.endswith(SIDE_PLACEHOLDER) and not (
                _midline(a) or _midline(b)
            ):
                raise ValueError(f"'{a}' and '{b}': use {SIDE_PLACEHOLDER} on both or neither")
        return self

    def expanded(self) -> list[tuple[int, str, str]]:
        """(index of the pair, id, id) for every concrete pair, sides spelled out."""
        out = []
        for i, (a, b) in enumerate(self.pairs):
            if SIDE_PLACEHOLDER in a + b:
                for side in ("right", "left"):
                    out.append((i, _on_side(a, side), _on_side(b, side)))
            else:
                out.append((i, a, b))
        return out


def _midline(structure_id: str) -> bool:
    return not structure_id.endswith(("_right", "_left", SIDE_PLACEHOLDER))


def _on_side(structure_id: str, side: str) -> str:
    return structure_id.replace(SIDE_PLACEHOLDER, side)


def side_suffix_problem(structure_id: str, side: str) -> str | None:
    """Return why an id's side suffix disagrees with its side, or None."""
    match = re.search(r"_(right|left)$", structure_id)
    if side in ("right", "left") and (not match or match.group(1) != side):
        return f"id of a {side}-sided structure must end in _{side}"
    if side == "midline" and match:
        return f"midline structure must not end in _{match.group(1)}"
    return None
