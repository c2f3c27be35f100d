"""Specimen + viewing choices → a :class:`SceneSpec` (what is shown, how, from where).

The rules of a view live here and nowhere else:

- ``hidden_categories`` and ``hidden_structures`` hide; ``isolate`` shows only the given
  structures (whatever is hidden otherwise); preset cameras frame what is visible;
- ``highlight`` draws the named structures in their own colour made vivid (greys and
  whites, which have no colour to strengthen, in :data:`GREY_ACCENT`) and dims every other
  one toward grey (opaque: see below); a highlighted structure that is hidden stays
  hidden, and the text alternative says so;
- ``translucent_muscles`` draws muscles at :data:`MUSCLE_OPACITY` and everything else
  opaque. WebGL draws stacked transparent layers badly, so there is at most one
  translucent layer: a highlighted muscle stays opaque.

:func:`describe_scene` says in words what a scene shows, for screen readers.
"""

from __future__ import annotations

import colorsys
from collections import Counter
from collections.abc import Iterable

from PIL import ImageColor

from atlas_app.model.atlas import Atlas
from atlas_app.model.camera import CAMERA_PRESETS, DEFAULT_CAMERA, CameraSpec, preset
from atlas_app.model.schema import SCENE_CATEGORIES
from atlas_app.model.specimen import DEFAULT_SPEC, Specimen
from atlas_app.scene.bounds import structure_bounds
from atlas_app.scene.cameras import Bounds, camera_for, union_bounds
from atlas_app.scene.spec import ActorSpec, LegendEntry, SceneSpec
from atlas_app.scene.view import ViewChoices, id_set

MUSCLE_OPACITY = 0.35
DIM_TOWARD = (0.85, 0.85, 0.85)  # the grey that dimmed structures fade toward
DIM_AMOUNT = 0.65  # 0 = own colour, 1 = the grey
BACKGROUND = "#ffffff"
GREY_ACCENT = "#ff3dcb"  # a bright magenta no system uses: highlighted greys and whites

CATEGORY_PLURAL = {
    "bone": "Bones",
    "muscle": "Muscles",
    "artery": "Arteries",
    "vein": "Veins",
    "nerve": "Nerves",
    "viscus": "Viscera",
    "pathology": "Pathology",
    "instrument": "Instruments and corridor",
}


def _rgb(color: str) -> tuple[float, float, float]:
    r, g, b = ImageColor.getrgb(color)[:3]
    return (r / 255, g / 255, b / 255)


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def dim_color(color: str) -> str:
    """The colour faded toward light grey (keeps a hint of its hue)."""
    return _hex(c + (g - c) * DIM_AMOUNT for c, g in zip(_rgb(color), DIM_TOWARD, strict=True))


def vivid_color(color: str) -> str:
    """The colour made saturated and bright, hue kept. A grey or white (bone, cement) has
    no hue to strengthen and would look like the dimmed rest: it gets :data:`GREY_ACCENT`."""
    h, s, v = colorsys.rgb_to_hsv(*_rgb(color))
    if s <= 0.06:
        return GREY_ACCENT
    return _hex(colorsys.hsv_to_rgb(h, max(s, 0.85), max(v, 0.95)))


def _check_categories(categories: Iterable[str]) -> None:
    unknown = sorted(set(categories) - set(SCENE_CATEGORIES))
    if unknown:
        raise ValueError(
            f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)} "
            f"(known: {', '.join(SCENE_CATEGORIES)})"
        )


def _bounds(atlas: Atlas, specimen: Specimen, ids: Iterable[str]) -> Bounds:
    boxes: list[Bounds] = []
    for sid in ids:
        try:
            boxes.append(structure_bounds(specimen.structures[sid], atlas.root))
        except (OSError, ValueError):
            continue  # a missing mesh file is reported by validation, not here
    found = union_bounds(boxes)
    if found is not None:
        return found
    if atlas.info is not None:
        lo, hi = atlas.info.region
        return (lo[0], hi[0], lo[1], hi[1], lo[2], hi[2])
    return (-100.0, 100.0, -100.0, 100.0, -100.0, 100.0)


def _legend(actors: Iterable[ActorSpec]) -> tuple[LegendEntry, ...]:
    shown = [a for a in actors if a.visible]
    entries = [
        LegendEntry(a.label, a.color, (a.structure_id,), highlighted=True)
        for a in shown
        if a.highlighted
    ]
    for category in SCENE_CATEGORIES:
        members = [a for a in shown if a.category == category and not a.highlighted]
        if members:
            color = Counter(a.color for a in members).most_common(1)[0][0]
            entries.append(
                LegendEntry(
                    CATEGORY_PLURAL[category], color, tuple(a.structure_id for a in members)
                )
            )
    return tuple(entries)


def compose_scene(
    atlas: Atlas,
    specimen: Specimen,
    *,
    hidden_categories: Iterable[str] = (),
    hidden_structures: Iterable[str] = (),
    isolate: Iterable[str] | str | None = None,
    highlight: Iterable[str] | str = (),
    translucent_muscles: bool = False,
    translucent: Iterable[str] = (),
    camera: str | CameraSpec = DEFAULT_CAMERA,
    title: str | None = None,
    bounds: Bounds | None = None,
) -> SceneSpec:
    """:func:`compose_view` with the view's choices spelled as keywords (each the
    :class:`~atlas_app.scene.view.ViewChoices` field of that name)."""
    view = ViewChoices.of(
        hidden_categories=hidden_categories,
        hidden_structures=hidden_structures,
        isolate=isolate,
        highlight=highlight,
        translucent_muscles=translucent_muscles,
        camera=camera,
    )
    return compose_view(atlas, specimen, view, translucent=translucent, title=title, bounds=bounds)


def compose_view(
    atlas: Atlas,
    specimen: Specimen,
    view: ViewChoices,
    *,
    translucent: Iterable[str] = (),
    title: str | None = None,
    bounds: Bounds | None = None,
) -> SceneSpec:
    """What ``view`` of ``specimen`` shows, how, and from where.

    Ids that the specimen lacks (a variant removed them) are ignored; unknown categories
    and cameras raise ``ValueError``. A preset camera is framed on the visible structures
    (all of them when nothing is visible); ``bounds`` overrides the framed box.
    ``translucent`` names structures drawn see-through (an approach's working corridor);
    muscles are then kept opaque so at most one translucent layer is stacked.
    """
    hidden_cats = view.hidden_categories
    _check_categories(hidden_cats)
    hidden_ids = view.hidden_structures
    isolated = view.isolate
    highlighted = view.highlight & frozenset(specimen.structures)
    see_through = id_set(translucent)
    translucent_muscles = view.translucent_muscles and not see_through
    camera = view.camera

    actors: list[ActorSpec] = []
    for sid, s in specimen.structures.items():
        if isolated is not None:
            visible = sid in isolated
        else:
            visible = s.category not in hidden_cats and sid not in hidden_ids
        is_highlighted = sid in highlighted
        if is_highlighted:
            color = vivid_color(s.color)
        elif highlighted:
            color = dim_color(s.color)
        else:
            color = s.color
        opacity = 1.0
        if translucent_muscles and s.category == "muscle" and not is_highlighted:
            opacity = MUSCLE_OPACITY
        if sid in see_through:
            opacity = MUSCLE_OPACITY
        actors.append(ActorSpec(sid, s.name, s.category, color, opacity, is_highlighted, visible))

    if isinstance(camera, CameraSpec):
        cam = camera
    else:
        preset(camera)  # unknown names fail before any bounds are read
        framed = [a.structure_id for a in actors if a.visible] or list(specimen.structures)
        box = bounds if bounds is not None else _bounds(atlas, specimen, framed)
        cam = camera_for(camera, box, specimen.landmarks)

    if title is None:
        title = cam.title
        if specimen.spec != DEFAULT_SPEC:
            title += " — " + ", ".join(variant_names(specimen, atlas))
    return SceneSpec(
        actors=tuple(actors),
        camera=cam,
        title=title,
        specimen=specimen.spec,
        background=BACKGROUND,
        legend=_legend(actors),
    )


def _names(actors: Iterable[ActorSpec]) -> str:
    names = [a.label for a in actors]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def variant_names(specimen: Specimen, atlas: Atlas | None = None) -> list[str]:
    """The specimen's non-default variants, by name when the atlas is at hand
    (``Level of the junction: Low``, ``Where L4 joins L5 (right): Below the ala``: the
    names as written, never lower-cased, so L4 stays L4), else by id made readable."""
    if specimen.spec == DEFAULT_SPEC:
        return []
    chosen = specimen.spec.split(",")
    if atlas is None:
        return [v.replace("_", " ") for v in chosen]
    names = []
    for group in atlas.variant_groups.values():
        option = next((o for o in group.options if o.id == specimen.choices.get(group.id)), None)
        if option is not None and option.id in chosen:
            names.append(f"{group.name}: {option.name}")
    return names


def _choices_text(specimen: Specimen, atlas: Atlas | None) -> str:
    if specimen.spec == DEFAULT_SPEC:
        return "the usual anatomy (the default option of every variant)"
    return "variants " + ", ".join(variant_names(specimen, atlas))


def describe_scene(spec: SceneSpec, specimen: Specimen, atlas: Atlas | None = None) -> str:
    """A text alternative of the view: direction, systems and structures shown, what is
    hidden, highlighted, see-through, and which shapes are schematic. With ``atlas``,
    variants are named rather than given by id."""
    cam = spec.camera
    if cam.name in CAMERA_PRESETS:
        seen = f"Seen {CAMERA_PRESETS[cam.name].phrase}."
    else:
        seen = "Seen from a custom direction."
    lines = [f"{spec.title}. {seen}", f"Specimen: {_choices_text(specimen, atlas)}."]

    visible = spec.visible_actors
    if not visible:
        lines.append("Nothing is shown: every structure is hidden.")
    else:
        parts = []
        for category in SCENE_CATEGORIES:
            members = [a for a in visible if a.category == category]
            if members:
                parts.append(f"{CATEGORY_PLURAL[category].lower()}: {_names(members)}")
        lines.append(
            f"Shown, {len(visible)} of {len(spec.actors)} structures — " + "; ".join(parts) + "."
        )
    hidden = [a for a in spec.actors if not a.visible]
    if hidden and visible:
        by_category = Counter(a.category for a in hidden)
        whole = [
            c
            for c in SCENE_CATEGORIES
            if by_category[c] and not any(a.category == c for a in visible)
        ]
        partial = [a for a in hidden if a.category not in whole]
        bits = [f"all {CATEGORY_PLURAL[c].lower()}" for c in whole]
        if partial:
            bits.append(_names(partial))
        lines.append("Hidden: " + "; ".join(bits) + ".")

    shown_high = [a for a in visible if a.highlighted]
    hidden_high = [a for a in spec.actors if a.highlighted and not a.visible]
    if shown_high:
        lines.append(f"Highlighted: {_names(shown_high)}; everything else is dimmed.")
    if hidden_high:
        lines.append(f"Highlighted but hidden in this view: {_names(hidden_high)}.")
    see_through = [a for a in visible if a.translucent]
    if see_through:
        lines.append(f"See-through, to show what lies behind: {_names(see_through)}.")
    schematic = [
        a
        for a in visible
        if a.structure_id in specimen.structures and specimen.structures[a.structure_id].schematic
    ]
    if schematic:
        lines.append(
            f"Schematic (drawn from published measurements, not from imaging): {_names(schematic)}."
        )
    return "\n".join(lines)
