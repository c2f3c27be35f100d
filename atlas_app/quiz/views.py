"""The stills of quiz items: what is shown, from where, and how much of each structure shows.

A quiz view hides the abdominal wall (it covers everything from the front) and the
pathology of the technical note (it sits on the right ala), and, depending on its mode
(:data:`MODES`), the muscles (psoas hides the plexus) or the vessels as well. Nothing in
a quiz view names what the question asks: the title is neutral and no labels are drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import pyvista as pv

from atlas_app.approaches.field_view import WALL_GROUP
from atlas_app.caching import ObjectMemo
from atlas_app.geometry.specimen_meshes import surfaces_of
from atlas_app.model.atlas import Atlas
from atlas_app.model.camera import CAMERA_PRESETS, CameraSpec
from atlas_app.model.specimen import Specimen, build_specimen
from atlas_app.quiz.items import PickMap
from atlas_app.quiz.pick import label_map, pixel_counts
from atlas_app.scene.bounds import structures_bounds
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
    """A neutral-titled scene for a quiz still, framed by :func:`frame_for_quiz`."""
    highlight = list(highlight)
    scene = compose_scene(
        atlas,
        specimen,
        hidden_structures=hidden_for(specimen, mode) if hidden is None else hidden,
        isolate=isolate,
        highlight=highlight,
        camera=camera,
        title=QUIZ_TITLE,
    )
    # An isolated set is small: show all of it. In the whole region, close in on the
    # highlighted structures.
    return frame_for_quiz(atlas, specimen, scene, highlight if isolate is None else ())


FOCUS_HALF_MM = 60.0
"""A still about highlighted structures shows at least ±60 mm around them (the context)."""
FRAME_MARGIN = 1.06


def frame_for_quiz(
    atlas: Atlas, specimen: Specimen, scene: SceneSpec, highlight: Sequence[str] = ()
) -> SceneSpec:
    """The scene with its camera moved (same direction, same up) so the still shows what
    the question is about whole: the ``highlight`` structures with their surroundings
    (at least :data:`FOCUS_HALF_MM` around them), else everything drawn. The atlas's
    presets frame the right ala for a surgeon; centred on it, a quiz still cut off the
    vessels above it and hid a highlighted aorta."""
    shown = {a.structure_id for a in scene.visible_actors}
    ids = [s for s in highlight if s in shown] or sorted(shown)
    box = structures_bounds([specimen.structures[s] for s in ids if s in specimen.structures],
                            atlas.root)  # fmt: skip
    if box is None:
        return scene
    lo, hi = np.array(box[0::2], float), np.array(box[1::2], float)
    if highlight and ids != sorted(shown):
        centre = (lo + hi) / 2
        half = np.maximum((hi - lo) / 2, FOCUS_HALF_MM)
        lo, hi = centre - half, centre + half
        everything = structures_bounds([specimen.structures[s] for s in shown], atlas.root)
        if everything is not None:  # no empty space beyond what is drawn
            lo = np.maximum(lo, np.array(everything[0::2], float))
            hi = np.minimum(hi, np.array(everything[1::2], float))
    return replace(scene, camera=framed_camera(scene.camera, lo, hi, QUIZ_SIZE))


def framed_camera(
    camera: CameraSpec, lo: np.ndarray, hi: np.ndarray, size: tuple[int, int]
) -> CameraSpec:
    """``camera`` looking at the middle of the box ``lo``–``hi`` from as far as it must to
    fit the whole box in a still of ``size`` (a perspective camera's view angle is the
    still's height; its width is wider by the aspect ratio)."""
    position, focal = np.array(camera.position, float), np.array(camera.focal_point, float)
    toward = position - focal
    toward /= np.linalg.norm(toward)
    up = np.array(camera.view_up, float) - np.dot(camera.view_up, toward) * toward
    up /= np.linalg.norm(up)
    right = np.cross(up, toward)
    centre = (lo + hi) / 2
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                        for z in (lo[2], hi[2])]) - centre  # fmt: skip
    aspect = size[0] / size[1]
    half = max(np.abs(corners @ up).max(), np.abs(corners @ right).max() / aspect, 1.0)
    half *= FRAME_MARGIN
    front = max(float((corners @ toward).max()), 0.0)
    distance = half / np.tan(np.radians(camera.view_angle) / 2) + front
    if camera.parallel_scale is not None:
        return replace(
            camera,
            focal_point=_vec(centre),
            position=_vec(centre + toward * distance),
            parallel_scale=half,
        )
    return replace(camera, focal_point=_vec(centre), position=_vec(centre + toward * distance))


def _vec(v: np.ndarray) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def scene_meshes(atlas: Atlas, specimen: Specimen, scene: SceneSpec) -> dict[str, pv.PolyData]:
    """The surfaces of what the scene shows (from the shared mesh cache)."""
    return surfaces_of(atlas, specimen.structures, scene.visible_ids)


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


_surveys: ObjectMemo[dict[str, int]] = ObjectMemo(items=64)


def default_visibility(atlas: Atlas, camera: str, mode: str) -> dict[str, int]:
    """:func:`survey` of the usual anatomy in a whole-region quiz view (remembered per
    atlas object: the atlas is the same for every user)."""

    def make() -> dict[str, int]:
        specimen = build_specimen(atlas)
        return survey(atlas, specimen, quiz_scene(atlas, specimen, camera, mode=mode))

    return _surveys.get_or_make((atlas,), make, camera, mode)


def camera_phrase(camera: str) -> str:
    preset = CAMERA_PRESETS.get(camera)
    return f"seen {preset.phrase}" if preset else "seen from a custom direction"


def pixels_per_mm(
    atlas: Atlas, specimen: Specimen, scene: SceneSpec, ids: Sequence[str], height: int
) -> float | None:
    """How many pixels of a still ``height`` pixels tall one millimetre spans at the depth
    of the middle of ``ids`` (a perspective view shrinks what lies farther away, so a scale
    bar holds at that depth only)."""
    box = structures_bounds([specimen.structures[s] for s in ids if s in specimen.structures],
                            atlas.root)  # fmt: skip
    if box is None:
        return None
    camera = scene.camera
    if camera.parallel_scale is not None:
        return height / (2 * camera.parallel_scale)
    position, focal = np.array(camera.position, float), np.array(camera.focal_point, float)
    ahead = (focal - position) / np.linalg.norm(focal - position)
    centre = (np.array(box[0::2], float) + np.array(box[1::2], float)) / 2
    depth = float(np.dot(centre - position, ahead))
    if depth <= 0:
        return None
    return height / (2 * depth * np.tan(np.radians(camera.view_angle) / 2))
