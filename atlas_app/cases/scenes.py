"""A view slide → the specimen and :class:`~atlas_app.scene.spec.SceneSpec` it shows.

A plain view is :func:`~atlas_app.scene.compose.compose_view` of the slide's choices
(:func:`slide_choices`, a :class:`~atlas_app.scene.view.ViewChoices`). A
view at an approach step is the field of that step (:func:`~atlas_app.approaches.engine.
field_at`: retracted tissue, corridor and instruments) drawn by the rules of the
Approaches page, which :func:`atlas_app.approaches.field_view.step_view` states once: what
earlier steps divided is hidden, and so is the abdominal wall once a corridor is open (its
layers are held aside at the edge of the field); the structures the step puts at risk are
highlighted; the working corridor is see-through; the camera is the step's, or looks down
the corridor.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from atlas_app.approaches.api import mesh_vertices
from atlas_app.approaches.engine import StepState, field_at
from atlas_app.approaches.field_view import NoCorridorError, step_view
from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.model import (
    CORRIDOR_CAMERA,
    CameraModel,
    CaseError,
    ViewSlide,
    missing_step_message,
)
from atlas_app.model.atlas import Atlas
from atlas_app.model.camera import DEFAULT_CAMERA, CameraSpec
from atlas_app.model.specimen import DEFAULT_SPEC, PatchError, SpecError, Specimen, build_specimen
from atlas_app.scene.compose import compose_view
from atlas_app.scene.spec import SceneSpec
from atlas_app.scene.view import ViewChoices


def slide_specimen(atlas: Atlas, slide: ViewSlide, case_specimen: str = DEFAULT_SPEC) -> Specimen:
    """The specimen of the slide (the case's when the slide names none)."""
    spec = slide.specimen or case_specimen
    try:
        return build_specimen(atlas, spec)
    except (SpecError, PatchError) as exc:
        raise CaseError(f"specimen '{spec}': {exc}") from exc


def slide_field(
    atlas: Atlas, approaches: ApproachSet, specimen: Specimen, slide: ViewSlide
) -> StepState | None:
    """The field of the slide's approach step on ``specimen`` (None for a plain view)."""
    if slide.approach is None:
        return None
    approach = approaches.approaches.get(slide.approach)
    if approach is None:
        raise CaseError(f"unknown approach '{slide.approach}'")
    step = slide.step or 0
    if step >= len(approach.steps):
        raise CaseError(missing_step_message(step, approach.name, len(approach.steps)))
    return field_at(
        specimen, approach, step, approaches.instruments, mesh_vertices(atlas, specimen)
    )


def _camera(slide: ViewSlide, default: str | CameraSpec) -> str | CameraSpec:
    """The slide's own camera (placed by hand, or a preset), else ``default``."""
    if isinstance(slide.camera, CameraModel):
        return slide.camera.to_spec()
    if slide.camera is None or slide.camera == CORRIDOR_CAMERA:
        return default
    return slide.camera


def slide_choices(slide: ViewSlide, camera: str | CameraSpec) -> ViewChoices:
    """The slide's view, seen from ``camera`` (what the slide's camera resolves to)."""
    return ViewChoices.of(
        hidden_categories=slide.hidden_categories,
        hidden_structures=slide.hidden_structures,
        isolate=slide.isolate,
        highlight=slide.highlight,
        translucent_muscles=slide.translucent_muscles,
        camera=camera,
    )


def view_slide_fields(view: ViewChoices) -> dict[str, Any]:
    """The fields of a :class:`ViewSlide` that show ``view`` (a placed camera kept as one):
    what *Add this view to a case* stores."""
    camera = view.camera
    return {
        "hidden_categories": sorted(view.hidden_categories),
        "hidden_structures": sorted(view.hidden_structures),
        "isolate": None if view.isolate is None else sorted(view.isolate),
        "highlight": sorted(view.highlight),
        "translucent_muscles": view.translucent_muscles,
        "camera": camera if isinstance(camera, str) else CameraModel.from_spec(camera),
    }


def compose_slide(
    atlas: Atlas, slide: ViewSlide, specimen: Specimen, field: StepState | None = None
) -> SceneSpec:
    """The scene of a view slide on ``specimen``, or on the field of its step."""
    if field is None:
        choices = slide_choices(slide, _camera(slide, DEFAULT_CAMERA))
        return compose_view(atlas, specimen, choices, title=slide.title or None)
    try:
        view = step_view(field, down_corridor=slide.camera == CORRIDOR_CAMERA)
    except NoCorridorError as exc:
        raise CaseError(str(exc)) from exc
    choices = slide_choices(slide, _camera(slide, view.camera))
    at_risk = frozenset(view.highlight) if slide.highlight_at_risk else frozenset()
    choices = replace(
        choices,
        hidden_structures=choices.hidden_structures | view.hidden,
        highlight=choices.highlight | at_risk,
    )
    return compose_view(
        atlas,
        field.specimen,
        choices,
        translucent=view.translucent,
        title=slide.title or view.title,
    )


def scene_for_slide(
    atlas: Atlas,
    approaches: ApproachSet,
    slide: ViewSlide,
    *,
    case_specimen: str = DEFAULT_SPEC,
) -> tuple[Specimen, SceneSpec]:
    """The specimen a view slide shows and its scene. For a step, the specimen is the
    field's (retracted tissue, corridor and instruments included): give it to
    :func:`~atlas_app.scene.viewer_payload.viewer_scene` and
    :func:`~atlas_app.scene.compose.describe_scene`. Raises :class:`CaseError` when the
    slide names what this atlas lacks (a variant, an approach, a step)."""
    base = slide_specimen(atlas, slide, case_specimen)
    field = slide_field(atlas, approaches, base, slide)
    scene = compose_slide(atlas, slide, base, field)
    return (field.specimen if field is not None else base), scene
