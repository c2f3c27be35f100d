"""How the field of one approach step is drawn: the rules the Approaches page, the case
slides and their exports share.

- **The camera** is the approach's surgeon's camera, the same at every step so that what
  changes from one step to the next is seen to change (a step may name a preset instead);
  or, on request, one looking down the working corridor as through the incision.
- **What is shown.** What earlier steps divided is hidden, and so is the abdominal wall
  once a working corridor is open (its layers are held aside at the edge of the field;
  drawn, they would hide the deep work from every direction). With the corridor open the
  view is the operative field: structures farther than :data:`FIELD_MM` from the corridor
  are left out (bones stay, for orientation), unless the whole body is asked for.
- **What stands out.** The structures the step puts at risk and those it changes (newly
  held aside, newly exposed) are highlighted; everything else is dimmed.
- **See-through.** The working corridor is an open see-through funnel: what lies in it is
  seen through its mouth, what lies outside it behind its wall, so the picture tells the
  two apart as the measurements do. Once the corridor is open, muscles are see-through
  too: the nerves at risk run in and under psoas, and the corridor runs through it or
  beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from atlas_app.approaches.engine import StepState, resolve_point
from atlas_app.approaches.instruments import CORRIDOR_ID
from atlas_app.geometry.corridor import Cone
from atlas_app.model.camera import CORRIDOR_CAMERA, CameraSpec
from atlas_app.model.schema import SIDE_SIGN

WALL_GROUP: Final = "abdominal_wall"
"""The group of the abdominal wall's layers (rectus, parietal peritoneum): they cover the
retroperitoneum from the front, so views show them on demand only."""
CORRIDOR_BACKOFF: Final = 0.8
"""The corridor camera stands this fraction of the corridor's length outside the incision."""
FIELD_MM: Final = 30.0
"""The operative field: what lies within this distance of the working corridor."""
SURGEON_CAMERA: Final = "surgeon"
"""The name of an approach's own camera (placed from its data, not a preset)."""
KEPT_IN_FIELD: Final = ("bone", "instrument", "pathology")
"""Categories shown however far from the corridor: orientation, the tools, the lesion."""


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
    changed: tuple[str, ...] = ()  # held aside anew or exposed at this step


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


def surgeon_camera(field: StepState) -> CameraSpec | None:
    """The approach's own camera on this specimen (None if the approach has none)."""
    cam = field.approach.camera
    if cam is None:
        return None
    side = field.approach.side
    focus = resolve_point(cam.look_at, field.specimen, side)
    toward = np.asarray(cam.toward_eye, float) * [SIDE_SIGN[side], 1.0, 1.0]
    eye = focus + toward / np.linalg.norm(toward) * cam.distance_mm
    return CameraSpec(
        name=SURGEON_CAMERA,
        title=cam.title,
        position=(float(eye[0]), float(eye[1]), float(eye[2])),
        focal_point=(float(focus[0]), float(focus[1]), float(focus[2])),
        view_up=(0.0, 0.0, 1.0),
        view_angle=cam.view_angle,
    )


def changed_at(field: StepState) -> tuple[str, ...]:
    """What this step changes that the previous one did not: structures held aside anew
    (or differently) and structures it exposes (not bones: the sacrum 'exposed' under the
    cement is a patch of its surface, and the whole bone lit up would hide the field)."""
    step = field.step
    before = field.approach.steps[field.index - 1].retract if field.index else []
    moved = [r.structure for r in step.retract if r not in before]
    structures = field.specimen.structures
    out: list[str] = []
    for sid in (*moved, *step.exposed):
        s = structures.get(sid)
        if s is None or sid in out or sid in field.removed or s.category == "bone":
            continue
        out.append(sid)
    return tuple(out)


def step_view(
    field: StepState,
    *,
    down_corridor: bool = False,
    near: Mapping[str, float | None] | None = None,
    whole_body: bool = False,
) -> StepView:
    """What the field of a step hides, highlights and shows see-through, and from where.

    ``near`` gives each structure's gap to the corridor (the step's metrics'
    ``distance_mm``): with it, and unless ``whole_body``, only the operative field is
    shown. Raises :class:`NoCorridorError` for ``down_corridor`` at a step without a
    corridor.
    """
    step = field.step
    structures = field.specimen.structures
    hidden = set(field.removed)
    changed = changed_at(field)
    at_risk = tuple(s for s in step.at_risk if s in structures)
    kept = {*changed, *at_risk, field.approach.target.structure}
    if field.cone is not None:
        hidden |= {sid for sid, s in structures.items() if s.parent == WALL_GROUP}
        if near is not None and not whole_body:
            hidden |= {
                sid
                for sid, gap in near.items()
                if gap is not None
                and gap > FIELD_MM
                and sid not in kept
                and sid in structures
                and structures[sid].category not in KEPT_IN_FIELD
            }
    camera: str | CameraSpec = step.camera or surgeon_camera(field) or "right_oblique"
    if down_corridor:
        if field.cone is None:
            raise NoCorridorError(f"there is no working corridor yet at step '{step.id}'")
        camera = corridor_camera(field.cone)
    translucent: tuple[str, ...] = ()
    if field.cone is not None:
        muscles = [s for s, v in structures.items() if v.category == "muscle" and s not in hidden]
        translucent = (CORRIDOR_ID, *muscles)
    n = len(field.approach.steps)
    highlight = tuple(dict.fromkeys(s for s in (*at_risk, *changed) if s not in hidden))
    return StepView(
        hidden=frozenset(hidden),
        highlight=highlight,
        translucent=translucent,
        camera=camera,
        title=f"{field.approach.short_name}, step {field.index + 1} of {n}: {step.title}",
        changed=changed,
    )
