"""The stills of quiz items: what is shown, from where, and how much of each structure shows.

A quiz view hides the abdominal wall (it covers everything from the front) and the
pathology of the technical note (it sits on the right ala), and, depending on its mode
(:data:`MODES`), the muscles (psoas hides the plexus) or the vessels as well. Nothing in
a quiz view names what the question asks: the title is neutral and no labels are drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from threading import Lock

import pyvista as pv

from atlas_app.approaches.field_view import WALL_GROUP
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import Specimen, build_specimen
from atlas_app.quiz.items import PickMap
from atlas_app.quiz.pick import label_map, pixel_counts
from atlas_app.scene.cameras import CAMERA_PRESETS
from atlas_app.scene.compose import compose_scene
from atlas_app.scene.spec import SceneSpec

QUIZ_SIZE = (720, 480)
"""Width and height of an item's still, in pixels."""
PICK_SCALE = 2
"""The pick map of a click item is drawn at half the still's resolution."""
SURVEY_SCALE = 4
"""Visibility surveys are drawn at a quarter of it."""
QUIZ_CAMERAS = ("anterior", "right_oblique", "lateral_right", "axial_superior")
QUIZ_TITLE = "Quiz view"


MODES: dict[str, tuple[str, ...]] = {
    "whole": ("muscle",),
    "muscles": (),
    "deep": ("muscle", "artery", "vein", "viscus"),
}
"""View modes: the categories hidden besides the wall and the pathology. ``whole`` for most
questions, ``muscles`` for questions about a muscle, ``deep`` (no vessels or viscera) for
the nerves and bones that the great vessels cover."""


def hidden_for(specimen: Specimen, mode: str) -> list[str]:
    """What a quiz view of the whole region hides in a mode of :data:`MODES`."""
    categories = MODES[mode]
    return [
        sid
        for sid, s in specimen.structures.items()
        if s.parent == WALL_GROUP or s.category == "pathology" or s.category in categories
    ]


def modes_for(category: str) -> tuple[str, ...]:
    """The view modes in which a structure of this category may be asked about."""
    if category == "muscle":
        return ("muscles",)
    if category in ("nerve", "bone"):
        return ("whole", "deep")
    return ("whole",)


def quiz_scene(
    atlas: Atlas,
    specimen: Specimen,
    camera: str,
    *,
    mode: str = "whole",
    highlight: Iterable[str] = (),
    isolate: Iterable[str] | None = None,
    hidden: Iterable[str] | None = None,
) -> SceneSpec:
    """A neutral-titled scene for a quiz still."""
    return compose_scene(
        atlas,
        specimen,
        hidden_structures=hidden_for(specimen, mode) if hidden is None else hidden,
        isolate=isolate,
        highlight=highlight,
        camera=camera,
        title=QUIZ_TITLE,
    )


def scene_meshes(atlas: Atlas, specimen: Specimen, scene: SceneSpec) -> dict[str, pv.PolyData]:
    """The surfaces of what the scene shows (from the shared mesh cache)."""
    return {
        a.structure_id: cached_structure_mesh(atlas, specimen.structures[a.structure_id])
        for a in scene.visible_actors
        if a.structure_id in specimen.structures
    }


def pick_map(
    atlas: Atlas, specimen: Specimen, scene: SceneSpec, size: tuple[int, int] = QUIZ_SIZE
) -> PickMap:
    """Which structure each point of the still shows, at 1/:data:`PICK_SCALE`."""
    small = (size[0] // PICK_SCALE, size[1] // PICK_SCALE)
    labels, ids = label_map(scene_meshes(atlas, specimen, scene), scene.camera, small)
    names = tuple(specimen.structures[i].name for i in ids)
    return PickMap(labels, ids, names, PICK_SCALE)


def survey(atlas: Atlas, specimen: Specimen, scene: SceneSpec) -> dict[str, int]:
    """Pixels showing each structure in a quarter-resolution drawing of the still."""
    small = (QUIZ_SIZE[0] // SURVEY_SCALE, QUIZ_SIZE[1] // SURVEY_SCALE)
    labels, ids = label_map(scene_meshes(atlas, specimen, scene), scene.camera, small)
    return pixel_counts(labels, ids)


_SURVEYS: dict[tuple[int, str, str], tuple[Atlas, dict[str, int]]] = {}
_lock = Lock()


def default_visibility(atlas: Atlas, camera: str, mode: str) -> dict[str, int]:
    """:func:`survey` of the usual anatomy in a whole-region quiz view (remembered per
    atlas object: the atlas is the same for every user)."""
    key = (id(atlas), camera, mode)
    with _lock:
        found = _SURVEYS.get(key)
    if found is not None and found[0] is atlas:
        return found[1]
    specimen = build_specimen(atlas)
    result = survey(atlas, specimen, quiz_scene(atlas, specimen, camera, mode=mode))
    with _lock:
        _SURVEYS[key] = (atlas, result)
    return result


def camera_phrase(camera: str) -> str:
    preset = CAMERA_PRESETS.get(camera)
    return f"seen {preset.phrase}" if preset else "seen from a custom direction"
