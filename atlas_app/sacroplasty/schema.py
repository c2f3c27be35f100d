"""Sacroplasty as data: techniques, fluoroscopic views, Denis zones and cement leaks.

Everything is written once for the right side; ``{side}`` in an id (a landmark such as
``s1_anterior_foramen_{side}``, a nerve such as ``l5_ventral_ramus_{side}``) is filled in
with ``right`` or ``left``, and x offsets are mirrored for the left side (the frame's x is
the patient's right). Points are built from landmarks, other named points of the file or
places on a structure, plus offsets, so the data says how each was derived.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from atlas_app.model.records import Cites, Id, Record, Vec3

SIDES: tuple[str, ...] = ("right", "left")
Side = Literal["right", "left"]

SidedId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\{side\})?[a-z0-9_]*$")]
"""An id that may contain ``{side}``, replaced by ``right`` or ``left``."""


def sided(template: str, side: str) -> str:
    """The id of a sided template for one side."""
    return template.replace("{side}", side)


class AlongStructure(Record):
    """A place on a structure: ``fraction`` of the way along a centerline (0 = its first
    control point), or the centre of a parametric shape."""

    structure: SidedId
    fraction: float = Field(default=0.5, ge=0.0, le=1.0)


class PointSpec(Record):
    """How a point is built: exactly one of a landmark, a named point of this data, the
    midpoint of two such points, a place along a structure, or coordinates (``at``, written
    for the right side); then ``offset`` (mm, right side; x mirrored on the left)."""

    landmark: SidedId | None = None
    point: Id | None = None
    midway: tuple[SidedId, SidedId] | None = None
    along: AlongStructure | None = None
    at: Vec3 | None = None
    offset: Vec3 = (0.0, 0.0, 0.0)

    @model_validator(mode="after")
    def _exactly_one(self) -> PointSpec:
        given = [
            n
            for n in ("landmark", "point", "midway", "along", "at")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one of landmark, point, midway, along or at")
        return self


class NamedPoint(Record):
    """A point the techniques use, built from the atlas's landmarks and other named points,
    with how it was derived (``schematic`` when it is placed by rule rather than measured)."""

    id: Id
    name: str
    where: PointSpec
    derivation: str = Field(min_length=20)
    schematic: bool = True
    cite: Cites


class Foramen(Record):
    """A sacral foramen as a straight canal running back from its anterior opening (in the
    shipped atlas: measured from its anterior to its dorsal mouth on the sacrum). The canals
    mark the Denis zone boundaries and tell a needle that crosses a foramen."""

    id: Id
    name: str
    opening: PointSpec
    direction: Vec3 = Field(description="From the anterior opening backwards (right side)")
    length_mm: float = Field(gt=0, le=60)
    radius_mm: float = Field(gt=0, le=12)
    derivation: str = Field(min_length=20)
    cite: Cites


Projection = Literal["ap", "lateral", "oblique"]


class FluoroView(Record):
    """A C-arm position. ``rotation_deg`` turns the image intensifier about the patient's
    long axis toward the side opposite the treated one; ``parallel_to_l5_s1`` tilts the
    beam so that it runs along the L5–S1 disc space."""

    id: Id
    name: str
    projection: Projection
    rotation_deg: float = Field(default=0.0, ge=0.0, le=60.0)
    parallel_to_l5_s1: bool = False
    purpose: str = Field(min_length=10)
    cite: Cites


class Needle(Record):
    """One cannula: where it enters the bone and where its tip ends (the aim)."""

    id: Id
    label: str
    entry: PointSpec
    aim: PointSpec
    derivation: str = Field(min_length=20)
    gauge_mm: float = Field(default=3.0, gt=0, le=6, description="outer diameter")


class CementPlan(Record):
    """How the cement is laid, drawn as spheres: one mass at each tip, or a column of
    spheres from the tip back along the path as the cannula is withdrawn."""

    pattern: Literal["at_tip", "along_withdrawal"]
    radius_mm: float = Field(gt=0, le=15)
    length_mm: float = Field(default=0.0, ge=0, le=100, description="along_withdrawal only")
    spacing_mm: float = Field(default=5.0, gt=0, le=20)
    description: str = Field(min_length=20)
    cite: Cites

    @model_validator(mode="after")
    def _length_for_column(self) -> CementPlan:
        if self.pattern == "along_withdrawal" and self.length_mm <= 0:
            raise ValueError("a column laid during withdrawal needs length_mm")
        return self


class Technique(Record):
    id: Id
    name: str
    short_name: str
    summary: str = Field(min_length=20)
    positioning: str = Field(min_length=10)
    views: list[Id] = Field(min_length=1)
    steps: list[str] = Field(min_length=2)
    needles: list[Needle] = Field(min_length=1)
    cement: CementPlan
    pitfalls: list[str] = []
    evidence: list[str] = []
    cite: Cites

    @model_validator(mode="after")
    def _unique_needles(self) -> Technique:
        ids = [n.id for n in self.needles]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"needle ids repeat: {', '.join(dup)}")
        return self


Boundary = Literal["midline", "foramen_medial_margin", "foramen_lateral_margin", "sacral_edge"]
BOUNDARY_ORDER: tuple[str, ...] = (
    "midline",
    "foramen_medial_margin",
    "foramen_lateral_margin",
    "sacral_edge",
)


class DenisZone(Record):
    """A Denis zone: the band of the sacrum between two boundaries (measured from the
    midline outward, derived from the foramina), and how often it injures a nerve."""

    id: Id
    number: Literal[1, 2, 3]
    name: str
    definition: str = Field(min_length=20)
    medial_boundary: Boundary
    lateral_boundary: Boundary
    neuro_injury_percent: float = Field(ge=0, le=100)
    typical_injury: str
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    cite: Cites

    @model_validator(mode="after")
    def _boundaries_in_order(self) -> DenisZone:
        if BOUNDARY_ORDER.index(self.medial_boundary) >= BOUNDARY_ORDER.index(
            self.lateral_boundary
        ):
            raise ValueError("medial_boundary must lie medial to lateral_boundary")
        return self


class CementSphere(Record):
    where: PointSpec
    radius_mm: float = Field(gt=0, le=15)


LeakSite = Literal["fracture_gap", "veins", "foramen", "disc", "anterior_cortex"]


class LeakScenario(Record):
    """Where cement escapes: how often it was reported, the shape of the leak, and the
    structures it threatens."""

    id: Id
    name: str
    site: LeakSite
    frequency_percent: float | None = Field(default=None, ge=0, le=100)
    frequency_text: str = Field(
        min_length=3, description="'27% of 63 sacroplasties', 'case report'"
    )
    description: str = Field(min_length=20)
    consequence: str = Field(min_length=10)
    cement: list[CementSphere] = Field(min_length=1)
    threatens: list[SidedId] = Field(min_length=1)
    leads_to_approaches: bool = False
    cite: Cites
