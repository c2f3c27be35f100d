"""What a needle plan measures: breaches, nerve gaps, warnings and the whole record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BreachKind = Literal[
    "anterior_cortex",
    "cephalad_cortex",
    "s1_endplate",
    "foramen",
    "lateral_cortex",
    "medial_cortex",
    "posterior_cortex",
]
BREACH_LABELS: dict[str, str] = {
    "anterior_cortex": "anterior cortex of the sacrum",
    "cephalad_cortex": "cephalad cortex (top) of the ala",
    "s1_endplate": "S1 endplate, into the L5–S1 disc",
    "foramen": "a sacral foramen",
    "lateral_cortex": "side of the ala, toward the sacroiliac joint",
    "medial_cortex": "inner cortex, toward the sacral canal",
    "posterior_cortex": "back of the sacrum",
}
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Breach:
    kind: BreachKind
    point: tuple[float, float, float]
    detail: str = ""

    @property
    def label(self) -> str:
        return BREACH_LABELS[self.kind]


@dataclass(frozen=True)
class PlanWarning:
    """A message about a plan: ``error`` for a breach, ``warning`` for a close call,
    ``info`` for what cannot be checked."""

    kind: str
    severity: Severity
    text: str


@dataclass(frozen=True)
class NerveGap:
    id: str
    name: str
    gap_mm: float


@dataclass(frozen=True)
class NeedleMeasures:
    length_mm: float
    in_bone_mm: float
    enters_bone: bool
    tip_in_bone: bool
    tip_depth_mm: float
    tip_to_anterior_cortex_mm: float | None
    tip_zone: int | None
    tip_region: str
    stays_in_bone: bool
    in_ala_or_s1_body: bool
    min_bone_margin_mm: float | None
    foramen_gap_mm: float
    nearest_foramen: str
    nerve_gaps: tuple[NerveGap, ...]
    breaches: tuple[Breach, ...]
    warnings: tuple[PlanWarning, ...]

    def gap_to(self, nerve_id: str) -> float | None:
        return next((g.gap_mm for g in self.nerve_gaps if g.id == nerve_id), None)

    @property
    def breach_kinds(self) -> set[str]:
        return {b.kind for b in self.breaches}

    def as_dict(self) -> dict[str, object]:
        return {
            "length_mm": round(self.length_mm, 1),
            "in_bone_mm": round(self.in_bone_mm, 1),
            "tip_in_bone": self.tip_in_bone,
            "tip_depth_mm": round(self.tip_depth_mm, 1),
            "tip_to_anterior_cortex_mm": None
            if self.tip_to_anterior_cortex_mm is None
            else round(self.tip_to_anterior_cortex_mm, 1),
            "tip_zone": self.tip_zone,
            "tip_region": self.tip_region,
            "stays_in_bone": self.stays_in_bone,
            "foramen_gap_mm": round(self.foramen_gap_mm, 1),
            "nerve_gaps": {g.id: round(g.gap_mm, 1) for g in self.nerve_gaps},
            "breaches": [b.kind for b in self.breaches],
            "warnings": [w.text for w in self.warnings],
        }
