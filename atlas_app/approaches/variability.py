"""Risk across anatomical variation: each approach's working step against many specimens.

Specimens are sampled from the published prevalences. What is measured on each (how close
each watched structure comes to the corridor's path, how far the blades would have to go
to clear it, how much the retraction stretches an untied tributary) is worked out once per
distinct anatomy *that matters to it*: the walk of a step reads only the vessels, what the
step retracts and carries, and the points its corridor is aimed by, so it is run once per
combination of the variant groups that change those (:func:`acting_groups`); a structure
that is only looked at is measured once per combination of the groups that change it.
Thousands of specimens cost what a few dozen walks do; a test checks the results against
walking every sampled specimen in full.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from atlas_app.approaches.engine import StepState, field_at
from atlas_app.approaches.loader import ApproachSet
from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.variant_effects import Choices, acting_groups, group_touches, vessel_ids
from atlas_app.caching import memoize
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import CenterlineGeometry
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen, build_specimen, format_spec, sample_choices

# The structures the issue asks about, each a family (strands and branches count too).
WATCHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "l5_lst": (
        "L5 root / lumbosacral trunk",
        (
            "l5_ventral_ramus_right",
            "lumbosacral_trunk_right",
            "l5_ventral_ramus_accessory_right",
            "l5_ventral_ramus_strand_right",
            "l5_ventral_ramus_twig_right",
        ),
    ),
    "obturator": ("Obturator nerve", ("obturator_nerve_right", "accessory_obturator_nerve_right")),
    "genitofemoral": (
        "Genitofemoral nerve",
        ("genitofemoral_nerve_right", "genitofemoral_genital_branch_right"),
    ),
    "iliac_veins": (
        "Iliac veins",
        (
            "common_iliac_vein_right",
            "external_iliac_vein_right",
            "internal_iliac_vein_right",
            "iliolumbar_vein_right",
            "iliolumbar_vein_accessory_right",
        ),
    ),
}


BLADE = "blade_mm"

STRAIN = "strain"


@dataclass(frozen=True)
class Measure:
    """One quantity measured on every specimen: its label, unit, and which end is worse."""

    label: str
    unit: str
    worse: str  # "low" (a gap) or "high" (a retraction, a strain)


def measures() -> dict[str, Measure]:
    """Every measure, by key: a gap per watched family (its key), the blades' travel, the
    strain on untied tributaries."""
    out = {
        f: Measure(f"{label}: gap to the corridor", "mm", "low")
        for f, (label, _) in WATCHED.items()
    }
    out[BLADE] = Measure("Retraction needed to clear the path", "mm", "high")
    out[STRAIN] = Measure("Stretch of an untied tributary", "%", "high")
    return out


@dataclass(frozen=True)
class Driver:
    """The variant group that most explains a measure's spread: the share of its variance
    between that group's options (η²), and the median value under each option present."""

    group: str
    share: float
    medians: Mapping[str, float]


@dataclass(frozen=True)
class Variability:
    """Per approach, one value per sampled specimen of every measure (NaN when it does not
    apply: a family absent, no blade, no tributary pulled), with the samples' choices.
    ``distances`` holds the gaps (mm) of the watched families, ``extra`` the other
    measures (retraction needed in mm, NaN also where no move clears the path; tributary
    strain as a fraction)."""

    approach_ids: tuple[str, ...]
    n: int
    seed: int
    step_ids: Mapping[str, str]
    distances: Mapping[str, Mapping[str, np.ndarray]]  # approach → family → (n,)
    unique_specimens: int
    extra: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)
    choices: tuple[Mapping[str, str], ...] = ()
    walks: int = 0
    uncleared: Mapping[str, int] = field(default_factory=dict)  # specimens no blade move clears

    def within(self, approach_id: str, family: str, mm: float = NEAR_MM) -> float:
        d = self.distances[approach_id][family]
        ok = ~np.isnan(d)
        return float((d[ok] <= mm).mean()) if ok.any() else 0.0

    def values(self, approach_id: str, measure: str) -> np.ndarray:
        if measure in self.distances.get(approach_id, {}):
            return self.distances[approach_id][measure]
        return self.extra[approach_id][measure]

    def worst(self, approach_id: str, measure: str) -> int | None:
        """The sampled specimen where the measure is worst (None if it never applies)."""
        v = self.values(approach_id, measure)
        if np.isnan(v).all():
            return None
        worse = measures()[measure].worse
        return int(np.nanargmin(v) if worse == "low" else np.nanargmax(v))

    def driver(self, approach_id: str, measure: str) -> Driver | None:
        """The group whose options explain the most of the measure's variance (None when
        the measure does not vary or has no sampled choices to explain it by)."""
        v = self.values(approach_id, measure)
        ok = ~np.isnan(v)
        if not self.choices or ok.sum() < 2 or np.ptp(v[ok]) < 1e-9:
            return None
        total = float(((v[ok] - v[ok].mean()) ** 2).sum())
        best: Driver | None = None
        for group in self.choices[0]:
            options = np.array([c[group] for c in self.choices], dtype=object)[ok]
            between = 0.0
            medians = {}
            for option in sorted(set(options)):
                part = v[ok][options == option]
                between += len(part) * (part.mean() - v[ok].mean()) ** 2
                medians[str(option)] = float(np.median(part))
            share = between / total
            if best is None or share > best.share:
                best = Driver(group, share, medians)
        return best


def working_step(approach_steps: Sequence[object]) -> int:
    """The step measured: the last one of the 'target' phase (else the last step)."""
    idx = [i for i, s in enumerate(approach_steps) if getattr(s, "phase", "") == "target"]
    return idx[-1] if idx else len(approach_steps) - 1


SHAFT_STOP_MM = 10.0
"""At the target every approach works on the L5 root and what lies on it; variation matters
on the way there, so distances are measured to the corridor ending this far short of it."""


@memoize(items=20_000)
def _curve_clearance(cone_key: tuple[float, ...], geometry_json: str) -> float:
    cone = Cone(np.asarray(cone_key[0:3]), np.asarray(cone_key[3:6]), cone_key[6], cone_key[7])
    g = CenterlineGeometry.model_validate_json(geometry_json)
    c = centerline_curve(g)
    return float(cone.clearance(c.points, c.radii).min())


def structure_gap(cone: Cone | None, s: Structure | None) -> float:
    """Gap between a tube and the corridor's path (NaN without either)."""
    if cone is None or s is None or not isinstance(s.geometry, CenterlineGeometry):
        return float("nan")
    return _curve_clearance(cone.shaft(SHAFT_STOP_MM).key(), s.geometry.model_dump_json())


def family_gap(state: StepState, members: Sequence[str]) -> float:
    """Smallest gap between the family's members in the field and the corridor's path
    (NaN if none is present)."""
    gaps = [structure_gap(state.cone, state.anatomy.get(sid)) for sid in members]
    finite = [g for g in gaps if not np.isnan(g)]
    return min(finite) if finite else float("nan")


def blade_needed(state: StepState) -> tuple[float, bool]:
    """The farthest any blade of the step must move its tissue to clear the path (NaN
    without blades or corridor), and whether some blade cannot clear it at all."""
    needs = [r.needed_mm for r in state.retractions if state.cone is not None]
    if not needs:
        return float("nan"), False
    known = [n for n in needs if n is not None]
    return (max(known) if known else float("nan")), any(n is None for n in needs)


def tributary_strain(state: StepState) -> float:
    """The largest stretch the step's retraction puts on a tributary still joined (NaN if
    it pulls on none)."""
    strains = [t.strain for t in state.tethers if t.branch not in state.removed]
    return max(strains) if strains else float("nan")


# --- the run ------------------------------------------------------------------------------


class _Builds:
    """Specimens built from partial choices (the rest as usual), each once, and the gaps of
    unmoved structures measured on them, each once per corridor."""

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.specimens: dict[Choices, Specimen] = {}
        self.gaps: dict[tuple[object, ...], float] = {}

    def specimen(self, choices: Choices) -> Specimen:
        if choices not in self.specimens:
            self.specimens[choices] = build_specimen(self.atlas, dict(choices))
        return self.specimens[choices]

    def member_gap(
        self, walk: tuple[str, Choices], state: StepState, sid: str, own: Choices
    ) -> float:
        """A structure's gap: as the step left it when the step moved it, else as its own
        variants (``own``) shape it."""
        if sid in state.displacement or sid in state.removed:
            return structure_gap(state.cone, state.anatomy.get(sid))
        key = (walk, sid, own)
        if key not in self.gaps:
            self.gaps[key] = structure_gap(state.cone, self.specimen(own).structures.get(sid))
        return self.gaps[key]


def _only(choices: Choices, groups: Sequence[str]) -> Choices:
    return tuple((g, o) for g, o in choices if g in groups)


def run_variability(
    atlas: Atlas,
    approaches: ApproachSet,
    approach_ids: Sequence[str],
    mesh_points: Mapping[str, np.ndarray],
    n: int = 2000,
    seed: int = 1,
    progress: Callable[[float], None] | None = None,
) -> Variability:
    """Sample ``n`` specimens and measure every approach's working step on each."""
    choices = sample_choices(atlas, n, seed)
    keys = [tuple(sorted(c.items())) for c in choices]
    unique = sorted(set(keys))
    position = {k: i for i, k in enumerate(unique)}
    rows = np.array([position[k] for k in keys])
    touches = group_touches(atlas)
    vessels = vessel_ids(atlas)
    centers = {k: v.mean(axis=0) for k, v in mesh_points.items()}
    builds = _Builds(atlas)
    own_groups = {
        sid: tuple(g for g, t in touches.items() if sid in t)
        for _, members in WATCHED.values()
        for sid in members
    }
    steps = {a: working_step(approaches.approaches[a].steps) for a in approach_ids}
    distances: dict[str, dict[str, np.ndarray]] = {}
    extra: dict[str, dict[str, np.ndarray]] = {}
    uncleared: dict[str, int] = {}
    walks = 0
    for done, a in enumerate(approach_ids, start=1):
        approach = approaches.approaches[a]
        groups = acting_groups(touches, approach, steps[a], vessels)
        states: dict[Choices, StepState] = {}
        gaps = {f: np.full(len(unique), np.nan) for f in WATCHED}
        blade = np.full(len(unique), np.nan)
        stuck = np.zeros(len(unique), dtype=bool)
        strain = np.full(len(unique), np.nan)
        for u, key in enumerate(unique):
            acting = _only(key, groups)
            state = states.get(acting)
            if state is None:
                state = states[acting] = field_at(
                    builds.specimen(acting),
                    approach,
                    steps[a],
                    approaches.instruments,
                    mesh_points,
                    draw_instruments=False,
                    centers=centers,
                )
            blade[u], stuck[u] = blade_needed(state)
            strain[u] = tributary_strain(state)
            for f, (_, members) in WATCHED.items():
                found = [
                    builds.member_gap((a, acting), state, sid, _only(key, own_groups[sid]))
                    for sid in members
                ]
                finite = [g for g in found if not np.isnan(g)]
                gaps[f][u] = min(finite) if finite else np.nan
        walks += len(states)
        distances[a] = {f: v[rows] for f, v in gaps.items()}
        extra[a] = {BLADE: blade[rows], STRAIN: strain[rows]}
        uncleared[a] = int(stuck[rows].sum())
        if progress is not None:
            progress(done / len(approach_ids))
    return Variability(
        tuple(approach_ids),
        n,
        seed,
        {a: approaches.approaches[a].steps[steps[a]].id for a in approach_ids},
        distances,
        len(unique),
        extra,
        tuple(choices),
        walks,
        uncleared,
    )


def specimen_spec(atlas: Atlas, variability: Variability, index: int) -> str:
    """The specimen string of one sampled specimen (to open it elsewhere)."""
    return format_spec(atlas, variability.choices[index])
