"""What the PowerPoint and HTML exports share: each slide made ready (scene and text
alternative, chart data), progress reporting, and the result handed back."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.charts import ChartData, chart_data
from atlas_app.cases.model import AnySlide, Case, CaseError, ChartSlide, TextSlide, ViewSlide
from atlas_app.cases.scenes import scene_for_slide
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import Specimen, build_specimen
from atlas_app.scene.compose import describe_scene, variant_names
from atlas_app.scene.spec import SceneSpec

ProgressFn = Callable[[float, str], None]
"""``progress(fraction, message)``: fraction from 0 to 1, a message for people."""

ATLAS_NOTE = "Schematic 3D atlas (not the patient's imaging)"


@dataclass(frozen=True)
class ExportResult:
    """An exported case: the file's bytes, a file name, its media type, the number of
    slides in it, and what could not be drawn (a slide still carries its title and text)."""

    data: bytes
    filename: str
    mime: str
    slides: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadyView:
    slide: ViewSlide
    specimen: Specimen
    scene: SceneSpec
    description: str  # the text alternative
    caption: str  # what the picture is: atlas, specimen, step


@dataclass(frozen=True)
class ReadyChart:
    slide: ChartSlide
    data: ChartData
    caption: str  # what was measured, on what


@dataclass(frozen=True)
class Unready:
    """A slide that cannot be shown on this atlas (a variant or approach it lacks)."""

    slide: AnySlide
    reason: str


Ready = ReadyView | ReadyChart | TextSlide | Unready


def file_name(title: str, suffix: str) -> str:
    """A safe file name from the case's title (ASCII letters, digits, dashes)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:60].strip("-")
    return f"{stem or 'case'}{suffix}"


def specimen_words(specimen: Specimen, atlas: Atlas) -> str:
    names = variant_names(specimen, atlas)
    return "usual anatomy" if not names else ", ".join(names)


def ready_slide(
    atlas: Atlas,
    approaches: ApproachSet,
    case: Case,
    slide: AnySlide,
    progress: Callable[[float], None] | None = None,
) -> Ready:
    """A slide made ready to draw: its scene and text alternative, or its chart's data."""
    try:
        if isinstance(slide, ViewSlide):
            specimen, scene = scene_for_slide(atlas, approaches, slide, case_specimen=case.specimen)
            caption = f"{ATLAS_NOTE} · specimen: {specimen_words(specimen, atlas)}"
            if slide.approach is not None:
                approach = approaches.approaches[slide.approach]
                step = approach.steps[slide.step or 0]
                caption += f" · {approach.name}, step {(slide.step or 0) + 1}: {step.title}"
            return ReadyView(
                slide, specimen, scene, describe_scene(scene, specimen, atlas), caption
            )
        if isinstance(slide, ChartSlide):
            data = chart_data(
                atlas,
                approaches,
                slide,
                case_specimen=case.specimen,
                case_approaches=case.approaches,
                progress=progress,
            )
            v = data.variability
            if v is not None:
                caption = (
                    f"Measured on the schematic atlas across {v.n:,} specimens sampled from "
                    f"the published prevalences of the variants (seed {v.seed})"
                )
            else:
                specimen = build_specimen(atlas, data.specimen)
                caption = (
                    f"Measured on the schematic atlas · specimen: {specimen_words(specimen, atlas)}"
                )
            return ReadyChart(slide, data, caption)
    except CaseError as exc:
        return Unready(slide, str(exc))
    return slide


def slide_weight(slide: AnySlide) -> float:
    """Rough relative cost of a slide in an export (for the progress bar)."""
    if isinstance(slide, ViewSlide):
        return 3.0
    if isinstance(slide, ChartSlide):
        return 4.0 if slide.chart.type == "variability" else 1.0
    return 0.1


class Tracker:
    """Turns work done (in weight units) into ``progress(fraction, message)`` calls."""

    def __init__(self, progress: ProgressFn | None, total: float) -> None:
        self.progress = progress
        self.total = max(total, 1e-9)
        self.done = 0.0

    def report(self, message: str) -> None:
        if self.progress is not None:
            self.progress(min(1.0, self.done / self.total), message)

    def set(self, done: float, message: str) -> None:
        self.done = done
        self.report(message)

    def advance(self, weight: float, message: str) -> None:
        self.done += weight
        self.report(message)

    def part(self, weight: float, message: str) -> Callable[[float], None]:
        """A callback for a sub-task of ``weight`` that reports its own fraction."""
        start = self.done

        def sub(fraction: float) -> None:
            self.done = start + weight * min(max(fraction, 0.0), 1.0)
            self.report(message)

        return sub


def key_structures(ready: ReadyView, approaches: ApproachSet) -> bool | tuple[str, ...]:
    """What a view slide's still labels, most important first: the slide's own choice;
    else, at an approach step, the structures the step puts at risk (those the view shows)
    before the rest; else the renderer's own order (True)."""
    if ready.slide.labels:
        return tuple(ready.slide.labels)
    approach = approaches.approaches.get(ready.slide.approach or "")
    step = ready.slide.step
    if approach is None or step is None or not 0 <= step < len(approach.steps):
        return True
    visible = [a.structure_id for a in ready.scene.label_order()]
    at_risk = [s for s in approach.steps[step].at_risk if s in visible]
    if not at_risk:
        return True
    return tuple(dict.fromkeys([*at_risk, *visible]))
