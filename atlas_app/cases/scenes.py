"""A view slide → the specimen and :class:`~atlas_app.scene.spec.SceneSpec` it shows.

A plain view is :func:`~atlas_app.scene.compose.compose_scene` with the slide's choices. A
view at an approach step is the field of that step (:func:`~atlas_app.approaches.engine.
field_at`: retracted tissue, corridor and instruments) drawn by the rules of the
Approaches page, which :func:`step_view` states once: what earlier steps divided is
hidden, and so is the abdominal wall once a corridor is open (its layers are held aside at
the edge of the field); the structures the step puts at risk are highlighted; the working
corridor is see-through; the camera is the step's, or looks down the corridor.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_app.approaches.api import mesh_vertices
from atlas_app.approaches.engine import CORRIDOR_ID, StepState, field_at
from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.model import CORRIDOR_CAMERA, CameraModel, CaseError, ViewSlide
from atlas_app.geometry.corridor import Cone
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import DEFAULT_SPEC, PatchError, SpecError, Specimen, build_specimen
from atlas_app.scene.cameras import DEFAULT_CAMERA
from atlas_app.scene.compose import compose_scene
from atlas_app.scene.spec import CameraSpec, SceneSpec

WALL_GROUP = "abdominal_wall"
"""The group of the abdominal wall's layers, hidden once a working corridor is open."""
CORRIDOR_BACKOFF = 0.8
"""The corridor camera stands this fraction of the corridor's length outside the incision."""


@dataclass(frozen=True)
class StepView:
    """How the field of one approach step is drawn (the Approaches page's rules)."""

    hidden: frozenset[str]
    highlight: tuple[str, ...]
    translucent: tuple[str, ...]
    camera: str | CameraSpec
    title: str


def corridor_camera(cone: Cone) -> CameraSpec:
    """A camera looking down the working corridor, as through the incision."""
    eye = cone.entry + (cone.entry - cone.target) * CORRIDOR_BACKOFF
    return CameraSpec(
        name=CORRIDOR_CAMERA,
        title="Down the working corridor",
        position=(float(eye[0]), float(eye[1]), float(eye[2])),
        focal_point=(float(cone.target[0]), float(cone.target[1]), float(cone.target[2])),
        view_up=(0.0, 0.0, 1.0),
        view_angle=30.0,
    )


def step_view(field: StepState, *, down_corridor: bool = False) -> StepView:
    """What the field of a step hides, highlights and shows see-through, and from where."""
    step = field.step
    structures = field.specimen.structures
    hidden = set(field.removed)
    if field.cone is not None:
        hidden |= {sid for sid, s in structures.items() if s.parent == WALL_GROUP}
    camera: str | CameraSpec = step.camera
    if down_corridor:
        if field.cone is None:
            raise CaseError(f"there is no working corridor yet at step '{step.id}'")
        camera = corridor_camera(field.cone)
    n = len(field.approach.steps)
    return StepView(
        hidden=frozenset(hidden),
        highlight=tuple(s for s in step.at_risk if s in structures and s not in hidden),
        translucent=(CORRIDOR_ID,) if CORRIDOR_ID in structures else (),
        camera=camera,
        title=f"{field.approach.short_name}, step {field.index + 1} of {n}: {step.title}",
    )


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
        raise CaseError(
            f"step {step} does not exist: '{approach.id}' has steps 0 to {len(approach.steps) - 1}"
        )
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


def compose_slide(
    atlas: Atlas, slide: ViewSlide, specimen: Specimen, field: StepState | None = None
) -> SceneSpec:
    """The scene of a view slide on ``specimen``, or on the field of its step."""
    if field is None:
        return compose_scene(
            atlas,
            specimen,
            hidden_categories=slide.hidden_categories,
            hidden_structures=slide.hidden_structures,
            isolate=slide.isolate,
            highlight=slide.highlight,
            translucent_muscles=slide.translucent_muscles,
            camera=_camera(slide, DEFAULT_CAMERA),
            title=slide.title or None,
        )
    view = step_view(field, down_corridor=slide.camera == CORRIDOR_CAMERA)
    highlight = list(view.highlight) if slide.highlight_at_risk else []
    highlight += [s for s in slide.highlight if s not in highlight]
    return compose_scene(
        atlas,
        field.specimen,
        hidden_categories=slide.hidden_categories,
        hidden_structures=sorted(view.hidden | set(slide.hidden_structures)),
        isolate=slide.isolate,
        highlight=highlight,
        translucent_muscles=slide.translucent_muscles,
        translucent=view.translucent,
        camera=_camera(slide, view.camera),
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
    :func:`~atlas_app.scene.render_html.visible_meshes` and
    :func:`~atlas_app.scene.compose.describe_scene`. Raises :class:`CaseError` when the
    slide names what this atlas lacks (a variant, an approach, a step)."""
    base = slide_specimen(atlas, slide, case_specimen)
    field = slide_field(atlas, approaches, base, slide)
    scene = compose_slide(atlas, slide, base, field)
    return (field.specimen if field is not None else base), scene
