"""How the field of one approach step is drawn: the rules the Approaches page, the case
slides and their exports share.

What earlier steps divided is hidden, and so is the abdominal wall once a working corridor
is open (its layers are held aside at the edge of the field; drawn, they would hide the
deep work from every direction); the structures the step puts at risk are highlighted; the
working corridor is see-through; the camera is the step's preset, or looks down the
corridor as through the incision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from atlas_app.approaches.engine import CORRIDOR_ID, StepState
from atlas_app.geometry.corridor import Cone
from atlas_app.scene.cameras import CORRIDOR_CAMERA
from atlas_app.scene.spec import CameraSpec

WALL_GROUP: Final = "abdominal_wall"
"""The group of the abdominal wall's layers (rectus, parietal peritoneum): they cover the
retroperitoneum from the front, so views show them on demand only."""
CORRIDOR_BACKOFF: Final = 0.8
"""The corridor camera stands this fraction of the corridor's length outside the incision."""


class NoCorridorError(ValueError):
    """A view down the working corridor was asked for at a step that has none."""


@dataclass(frozen=True)
class StepView:
    """How the field of one approach step is drawn."""

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
    """What the field of a step hides, highlights and shows see-through, and from where.

    Raises :class:`NoCorridorError` for ``down_corridor`` at a step without a corridor.
    """
    step = field.step
    structures = field.specimen.structures
    hidden = set(field.removed)
    if field.cone is not None:
        hidden |= {sid for sid, s in structures.items() if s.parent == WALL_GROUP}
    camera: str | CameraSpec = step.camera or "right_oblique"
    if down_corridor:
        if field.cone is None:
            raise NoCorridorError(f"there is no working corridor yet at step '{step.id}'")
        camera = corridor_camera(field.cone)
    n = len(field.approach.steps)
    return StepView(
        hidden=frozenset(hidden),
        highlight=tuple(s for s in step.at_risk if s in structures and s not in hidden),
        translucent=(CORRIDOR_ID,) if CORRIDOR_ID in structures else (),
        camera=camera,
        title=f"{field.approach.short_name}, step {field.index + 1} of {n}: {step.title}",
    )
