"""Does a case fit this atlas? Every id it names must exist here.

A case names structures, variants (in SPEC strings), approaches and their steps. Ids of an
atlas change over time, so a stored case is checked against the atlas in hand: on import
(:mod:`atlas_app.cases.yaml_io`, which refuses a case with any problem), and by a page that
opens an older case (which can show the problems and still show the slides that work:
unknown hidden or highlighted ids are simply ignored by the scene).
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_app.approaches.instruments import CORRIDOR_ID
from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.model import (
    CORRIDOR_CAMERA,
    AnySlide,
    Case,
    ChartSlide,
    CorridorDistances,
    StepProfile,
    ViewSlide,
    missing_step_message,
)
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import SpecError, parse_spec
from atlas_app.model.yaml_io import DocPath


@dataclass(frozen=True)
class CaseProblem:
    """One id of a case that this atlas does not have, at a field of the case."""

    path: DocPath
    problem: str

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path) or "-"

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


def known_structure_ids(atlas: Atlas, approaches: ApproachSet) -> frozenset[str]:
    """Every structure id a scene of this atlas can hold: the base model's, those a variant
    adds, the working corridor, the instruments and the retractor blades of the steps."""
    ids = set(atlas.structures)
    for group in atlas.variant_groups.values():
        for option in group.options:
            ids.update(s.id for s in option.patch.add)
    ids.add(CORRIDOR_ID)
    ids.update(approaches.instruments)
    for approach in approaches.approaches.values():
        for step in approach.steps:
            ids.update(f"blade_{r.structure}" for r in step.retract)
    return frozenset(ids)


def _spec_problem(atlas: Atlas, spec: str) -> str | None:
    try:
        parse_spec(atlas, spec)
    except SpecError as exc:
        return str(exc)
    return None


def _ids(path: DocPath, values: tuple[str, ...] | None, known: frozenset[str]) -> list[CaseProblem]:
    return [
        CaseProblem((*path, i), f"unknown structure '{v}'")
        for i, v in enumerate(values or ())
        if v not in known
    ]


def _view_problems(
    at: DocPath, slide: ViewSlide, approaches: ApproachSet, known: frozenset[str]
) -> list[CaseProblem]:
    out: list[CaseProblem] = []
    if slide.approach is not None:
        approach = approaches.approaches.get(slide.approach)
        if approach is None:
            out.append(CaseProblem((*at, "approach"), f"unknown approach '{slide.approach}'"))
        elif slide.step is not None and slide.step >= len(approach.steps):
            out.append(
                CaseProblem(
                    (*at, "step"),
                    missing_step_message(slide.step, approach.name, len(approach.steps)),
                )
            )
        elif slide.camera == CORRIDOR_CAMERA and not any(
            s.corridor is not None for s in approach.steps[: (slide.step or 0) + 1]
        ):
            out.append(
                CaseProblem((*at, "camera"), "there is no working corridor yet at this step")
            )
    for name in ("hidden_structures", "isolate", "highlight", "labels"):
        out += _ids((*at, name), getattr(slide, name), known)
    return out


def _chart_problems(
    at: DocPath, slide: ChartSlide, case: Case, approaches: ApproachSet, known: frozenset[str]
) -> list[CaseProblem]:
    out = [
        CaseProblem((*at, "approaches", i), f"unknown approach '{a}'")
        for i, a in enumerate(slide.approaches)
        if a not in approaches.approaches
    ]
    if not case.approaches_of(slide):
        out.append(
            CaseProblem((*at, "approaches"), "no approach to chart: name some here or on the case")
        )
    chart = slide.chart
    if isinstance(chart, CorridorDistances):
        out += _ids((*at, "chart", "structures"), chart.structures, known)
    elif isinstance(chart, StepProfile) and chart.structure not in known:
        out.append(
            CaseProblem((*at, "chart", "structure"), f"unknown structure '{chart.structure}'")
        )
    return out


def slide_problems(
    case: Case, index: int, atlas: Atlas, approaches: ApproachSet
) -> list[CaseProblem]:
    """The problems of one slide of the case (its path starts ``slides.<index>``)."""
    slide: AnySlide = case.slides[index]
    at: DocPath = ("slides", index)
    known = known_structure_ids(atlas, approaches)
    out: list[CaseProblem] = []
    if isinstance(slide, ViewSlide | ChartSlide) and slide.specimen is not None:
        problem = _spec_problem(atlas, slide.specimen)
        if problem:
            out.append(CaseProblem((*at, "specimen"), problem))
    if isinstance(slide, ViewSlide):
        out += _view_problems(at, slide, approaches, known)
    elif isinstance(slide, ChartSlide):
        out += _chart_problems(at, slide, case, approaches, known)
    return out


def case_problems(case: Case, atlas: Atlas, approaches: ApproachSet) -> list[CaseProblem]:
    """Every id of the case that this atlas and its approaches do not have (empty: the
    case fits)."""
    out: list[CaseProblem] = []
    problem = _spec_problem(atlas, case.specimen)
    if problem:
        out.append(CaseProblem(("specimen",), problem))
    out += [
        CaseProblem(("approaches", i), f"unknown approach '{a}'")
        for i, a in enumerate(case.approaches)
        if a not in approaches.approaches
    ]
    for i in range(len(case.slides)):
        out += slide_problems(case, i, atlas, approaches)
    return out
