"""A case conference as plain, frozen, validated data, and the edits made to it.

A :class:`Case` is what faculty build around one patient: a title, a de-identified
summary, the presentation and imaging findings, the specimen (the atlas's variants chosen
to match the patient), the approaches to compare, and an ordered list of slides. A slide is
a :class:`ViewSlide` (a view of the atlas, optionally at one step of an approach), a
:class:`ChartSlide` (one of the approach charts) or a :class:`TextSlide`.

A case refers to the atlas by id (structures, variants, approaches, camera presets); it
never copies geometry. Every free-text field has a length limit (:data:`LIMITS`) and
refuses control characters; a case has at most :data:`MAX_SLIDES` slides. Whether the
ids exist in a given atlas is checked by :mod:`atlas_app.cases.checks`.

Edits (:func:`add_slide`, :func:`move_slide`, :func:`duplicate_slide`,
:func:`delete_slide`, :func:`edit_slide`, :func:`edit_case`) return a new case and leave
the old one as it was. Slides carry a random id (uuid4 hex), so a slide keeps its identity
when slides are reordered or duplicated.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    model_validator,
)

from atlas_app.model.camera import CAMERA_PRESETS, CORRIDOR_CAMERA, CameraSpec
from atlas_app.model.records import Id
from atlas_app.model.schema import SCENE_CATEGORIES, Category
from atlas_app.model.yaml_io import FORBIDDEN_CHARACTERS

CASE_SCHEMA_VERSION: Final = 1
"""Bump when the meaning of a field changes; stored and exported cases carry it."""

MAX_SLIDES = 60
MAX_APPROACHES = 6
MAX_IDS = 200  # structure ids in one list (hidden, highlighted, isolated, labelled)
MAX_ANNOTATIONS = 12
MAX_CHART_STRUCTURES = 30

LIMITS: dict[str, int] = {
    "title": 160,  # the case's and every slide's title: one line
    "summary": 4000,
    "presentation": 4000,
    "imaging": 4000,
    "annotation": 300,  # one annotation of a slide
    "notes": 6000,  # speaker notes
    "body": 6000,  # a text slide's body
    "specimen": 600,  # a SPEC string
    "camera_name": 60,
}
"""Characters allowed in each free-text field (the page can give them to its inputs)."""

SLIDE_ID_PATTERN = r"^[0-9a-f]{32}$"
SPEC_PATTERN = r"^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$"
_CONTROL = FORBIDDEN_CHARACTERS


class CaseError(ValueError):
    """An edit that cannot be made (an unknown slide, too many slides, a bad change), or a
    slide that cannot be shown on this atlas."""


def new_slide_id() -> str:
    """A fresh slide id (uuid4, 32 hex digits)."""
    return uuid.uuid4().hex


def _clean_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(value)
    if bad:
        code = ord(bad.group())
        kind = "character" if code >= 0xD800 else "control character"
        raise ValueError(
            f"{kind} U+{code:04X} is not allowed in text (PowerPoint and the exports cannot "
            "carry it)"
        )
    return value


def _clean_line(value: str) -> str:
    value = _clean_text(value)
    if "\n" in value:
        raise ValueError("must be a single line")
    return value.strip()


def _clean_annotation(value: str) -> str:
    value = _clean_line(value)
    if not value:
        raise ValueError("an annotation must not be empty")
    return value


# Length limits sit on the string itself (checked first, with a plain message), then the
# text is cleaned.
Title = Annotated[str, Field(max_length=LIMITS["title"]), AfterValidator(_clean_line)]
Summary = Annotated[str, Field(max_length=LIMITS["summary"]), AfterValidator(_clean_text)]
Presentation = Annotated[str, Field(max_length=LIMITS["presentation"]), AfterValidator(_clean_text)]
Imaging = Annotated[str, Field(max_length=LIMITS["imaging"]), AfterValidator(_clean_text)]
Annotation = Annotated[
    str, Field(max_length=LIMITS["annotation"]), AfterValidator(_clean_annotation)
]
Notes = Annotated[str, Field(max_length=LIMITS["notes"]), AfterValidator(_clean_text)]
Body = Annotated[str, Field(max_length=LIMITS["body"]), AfterValidator(_clean_text)]
CameraTitle = Annotated[str, Field(max_length=LIMITS["camera_name"]), AfterValidator(_clean_line)]
SlideId = Annotated[str, Field(pattern=SLIDE_ID_PATTERN)]
SpecString = Annotated[
    str, Field(min_length=1, max_length=LIMITS["specimen"], pattern=SPEC_PATTERN)
]
Coordinate = Annotated[float, Field(allow_inf_nan=False, ge=-1e5, le=1e5)]
Point = tuple[Coordinate, Coordinate, Coordinate]
IdList = Annotated[tuple[Id, ...], Field(max_length=MAX_IDS)]


def _unique(values: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{what} '{v}' is listed twice")
        seen.add(v)


class Frozen(BaseModel):
    """Immutable, and unknown fields are errors (a typo in a YAML file must not pass)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CameraModel(Frozen):
    """A camera placed by hand (a :class:`~atlas_app.model.camera.CameraSpec` as data)."""

    name: CameraTitle = "custom"
    title: Title = "Custom view"
    position: Point
    focal_point: Point
    view_up: Point
    view_angle: Annotated[float, Field(ge=1.0, le=120.0)] = 30.0
    parallel_scale: Annotated[float, Field(gt=0, le=1e5)] | None = None

    @model_validator(mode="after")
    def _is_a_camera(self) -> CameraModel:
        self.to_spec()  # CameraSpec's own checks (position ≠ focal point, up ≠ 0)
        return self

    def to_spec(self) -> CameraSpec:
        return CameraSpec(
            name=self.name,
            title=self.title,
            position=self.position,
            focal_point=self.focal_point,
            view_up=self.view_up,
            view_angle=self.view_angle,
            parallel_scale=self.parallel_scale,
        )

    @classmethod
    def from_spec(cls, camera: CameraSpec) -> CameraModel:
        return cls.model_validate(camera.to_dict())


def _camera_name(value: str) -> str:
    if value != CORRIDOR_CAMERA and value not in CAMERA_PRESETS:
        known = ", ".join([*CAMERA_PRESETS, CORRIDOR_CAMERA])
        raise ValueError(f"unknown camera '{value}' (known: {known})")
    return value


def _camera_kind(value: Any) -> str:
    return "preset" if isinstance(value, str) else "placed"


CameraChoice = Annotated[
    Annotated[Annotated[str, AfterValidator(_camera_name)], Tag("preset")]
    | Annotated[CameraModel, Tag("placed")],
    Discriminator(_camera_kind),
]
"""A preset's name (or ``corridor``), or a camera placed by hand."""


class _SlideBase(Frozen):
    id: SlideId = Field(default_factory=new_slide_id)
    title: Title = ""
    notes: Notes = ""


class ViewSlide(_SlideBase):
    """A view of the atlas, optionally during one step of an approach.

    ``specimen`` None means the case's specimen. With ``approach`` (and ``step``, from 0)
    the field is that step's: what earlier steps divided is hidden, the tissue is held by
    the retractors, the corridor is drawn see-through, and the structures at risk are
    highlighted (unless ``highlight_at_risk`` is off). ``hidden_categories``,
    ``hidden_structures`` hide more; ``isolate`` shows only the given structures;
    ``highlight`` adds highlighted structures; ``labels`` chooses which structures get
    numbered pins on the still (None: the most important visible ones). ``camera`` None is
    the step's camera (or the anterior view); a name is a preset or ``corridor``; a mapping
    is a camera placed by hand.
    """

    kind: Literal["view"] = "view"
    specimen: SpecString | None = None
    approach: Id | None = None
    step: Annotated[int, Field(ge=0, le=999)] | None = None
    hidden_categories: Annotated[tuple[Category, ...], Field(max_length=len(SCENE_CATEGORIES))] = ()
    hidden_structures: IdList = ()
    isolate: IdList | None = None
    highlight: IdList = ()
    highlight_at_risk: bool = True
    translucent_muscles: bool = False
    labels: IdList | None = None
    camera: CameraChoice | None = None
    annotations: Annotated[tuple[Annotation, ...], Field(max_length=MAX_ANNOTATIONS)] = ()

    @model_validator(mode="after")
    def _consistent(self) -> ViewSlide:
        if (self.approach is None) != (self.step is None):
            raise ValueError("give an approach and a step together, or neither")
        if self.camera == CORRIDOR_CAMERA and self.approach is None:
            raise ValueError("the corridor camera needs an approach step")
        _unique(self.hidden_categories, "category")
        return self

    def camera_spec(self) -> CameraSpec | None:
        """The hand-placed camera, if the slide has one."""
        return self.camera.to_spec() if isinstance(self.camera, CameraModel) else None


class CorridorDistances(Frozen):
    """Each structure's gap to each approach's working corridor (empty: the key nerves and
    vessels present in the specimen)."""

    type: Literal["corridor_distances"] = "corridor_distances"
    structures: Annotated[tuple[Id, ...], Field(max_length=MAX_CHART_STRUCTURES)] = ()


class CorridorSummary(Frozen):
    """Depth, angle and target exposure of each approach's working corridor."""

    type: Literal["corridor_summary"] = "corridor_summary"


class StepProfile(Frozen):
    """One structure's gap to the corridor, step by step."""

    type: Literal["step_profile"] = "step_profile"
    structure: Id


class VariabilityChart(Frozen):
    """Gaps across ``n`` specimens sampled from the variants' prevalences (``seed`` makes
    them repeatable): their distributions, or how often each comes within 5 mm."""

    type: Literal["variability"] = "variability"
    n: Annotated[int, Field(ge=100, le=5000)] = 1000
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 1
    show: Literal["distributions", "within_5mm"] = "distributions"


ChartSpec = Annotated[
    CorridorDistances | CorridorSummary | StepProfile | VariabilityChart,
    Field(discriminator="type"),
]


class ChartSlide(_SlideBase):
    """One of the approach charts, measured on ``specimen`` (None: the case's) for
    ``approaches`` (empty: the case's)."""

    kind: Literal["chart"] = "chart"
    chart: ChartSpec
    approaches: Annotated[tuple[Id, ...], Field(max_length=MAX_APPROACHES)] = ()
    specimen: SpecString | None = None
    annotations: Annotated[tuple[Annotation, ...], Field(max_length=MAX_ANNOTATIONS)] = ()

    @model_validator(mode="after")
    def _unique_approaches(self) -> ChartSlide:
        _unique(self.approaches, "approach")
        return self


class TextSlide(_SlideBase):
    """A slide of text: a title and a body (plain text; lines starting with ``- `` are
    shown as bullets)."""

    kind: Literal["text"] = "text"
    body: Body = ""

    @model_validator(mode="after")
    def _not_empty(self) -> TextSlide:
        if not self.title and not self.body.strip():
            raise ValueError("a text slide needs a title or a body")
        return self


Slide = Annotated[ViewSlide | ChartSlide | TextSlide, Field(discriminator="kind")]
_SLIDE: TypeAdapter[ViewSlide | ChartSlide | TextSlide] = TypeAdapter(Slide)


class Case(Frozen):
    """A case conference: the patient (de-identified), the specimen that matches them,
    the approaches to compare, and the slides in order."""

    schema_version: Literal[1] = CASE_SCHEMA_VERSION
    title: Title
    summary: Summary = ""
    presentation: Presentation = ""
    imaging: Imaging = ""
    specimen: SpecString = "default"
    approaches: Annotated[tuple[Id, ...], Field(max_length=MAX_APPROACHES)] = ()
    slides: Annotated[tuple[Slide, ...], Field(max_length=MAX_SLIDES)] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if not self.title:
            raise ValueError("a case needs a title")
        _unique(self.approaches, "approach")
        _unique([s.id for s in self.slides], "slide id")
        return self

    def slide(self, slide_id: str) -> ViewSlide | ChartSlide | TextSlide:
        return self.slides[self.index_of(slide_id)]

    def index_of(self, slide_id: str) -> int:
        for i, s in enumerate(self.slides):
            if s.id == slide_id:
                return i
        raise CaseError(f"no slide '{slide_id}' in this case")

    def specimen_of(self, slide: ViewSlide | ChartSlide) -> str:
        """The SPEC string a view or chart slide is shown on."""
        return slide.specimen or self.specimen

    def approaches_of(self, slide: ChartSlide) -> tuple[str, ...]:
        """The approaches a chart slide compares."""
        return slide.approaches or self.approaches


AnySlide = ViewSlide | ChartSlide | TextSlide


def parse_slide(data: Any) -> AnySlide:
    """A slide from plain data (its ``kind`` picks the type). Raises ``ValidationError``."""
    return _SLIDE.validate_python(data)


def slide_data(slide: AnySlide) -> dict[str, Any]:
    """A slide as plain JSON-ready data: ``kind`` first, unset optional fields left out."""
    data = slide.model_dump(mode="json", exclude_none=True)
    return {"kind": data.pop("kind"), **data}


def case_data(case: Case) -> dict[str, Any]:
    """The case as plain JSON-ready data (what YAML export writes and a store keeps)."""
    data = case.model_dump(mode="json", exclude={"slides"})
    data["slides"] = [slide_data(s) for s in case.slides]
    return data


def case_from_data(data: Any) -> Case:
    """A case from plain data (:func:`case_data`'s shape). Raises ``ValidationError``."""
    return Case.model_validate(data)


def missing_step_message(step: int, approach_name: str, n_steps: int) -> str:
    """A step that an approach lacks, numbered as the pages number steps (from 1), with the
    0-based ``step:`` a case file holds beside it."""
    return (
        f"step {step + 1} (step: {step} in a case file) does not exist: “{approach_name}” has "
        f"{n_steps} steps"
    )
