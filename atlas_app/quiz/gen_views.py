"""Generated items on a still: name the highlighted structure, click the named one, and
where L4 joins L5 in the specimen shown."""

from __future__ import annotations

from functools import partial

import numpy as np

from atlas_app.model.records import Citation
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen
from atlas_app.quiz.items import AtlasLink, Choice, Item, View, in_sentence, option_name
from atlas_app.quiz.template import Context, Template, sample_specimen
from atlas_app.quiz.topics import topic_of_structure
from atlas_app.quiz.views import (
    QUIZ_CAMERAS,
    QUIZ_SIZE,
    WALL_GROUP,
    camera_phrase,
    default_visibility,
    modes_for,
    pick_map,
    quiz_scene,
)

IDENTIFY_MIN_PIXELS = 20
"""Quarter-resolution pixels a structure must show to be asked about when highlighted."""
CLICK_MIN_PIXELS = 40
"""… and to be clicked on (unhighlighted, it must be easy to find and hit)."""
N_DISTRACTORS = 3
BASE_DIFFICULTY = {"bone": 1, "muscle": 1, "viscus": 1, "artery": 2, "vein": 2, "nerve": 2}
UNUSUAL_CAMERAS = ("lateral_right", "axial_superior")
LST_PARTS = ("l4_ventral_ramus", "l5_ventral_ramus", "lumbosacral_trunk", "s1_ventral_ramus")
LST_BONES = ("sacrum", "l5_vertebra", "l5_s1_disc")


def _askable(s: Structure) -> bool:
    return s.parent != WALL_GROUP and s.category not in ("pathology", "instrument")


def view_options(ctx: Context, structure_id: str, min_pixels: int) -> list[tuple[str, str]]:
    """(camera, mode) pairs in which the usual anatomy shows the structure well enough."""
    s = ctx.atlas.structures[structure_id]
    out = []
    for mode in modes_for(s.category):
        for camera in QUIZ_CAMERAS:
            if default_visibility(ctx.atlas, camera, mode).get(structure_id, 0) >= min_pixels:
                out.append((camera, mode))
    return out


def _ids(ctx: Context, prefix: str, min_pixels: int) -> dict[str, str]:
    return {
        f"{prefix}.{sid}": topic_of_structure(s)
        for sid, s in ctx.atlas.structures.items()
        if _askable(s) and view_options(ctx, sid, min_pixels)
    }


def _difficulty(s: Structure, camera: str) -> int:
    return min(3, BASE_DIFFICULTY.get(s.category, 2) + (camera in UNUSUAL_CAMERAS))


def _source(s: Structure) -> tuple[Citation, ...]:
    return tuple(s.geometry.source)


def _distractors(
    specimen: Specimen, target: str, shown: set[str], rng: np.random.Generator
) -> list[str]:
    s = specimen.structures[target]
    same = sorted(k for k in shown if k != target and specimen.structures[k].category == s.category)
    other = sorted(k for k in shown if k != target and k not in same)
    picked = [same[int(i)] for i in rng.permutation(len(same))][:N_DISTRACTORS]
    rest = [other[int(i)] for i in rng.permutation(len(other))]
    return (picked + rest)[:N_DISTRACTORS]


def _shuffled(choices: list[Choice], rng: np.random.Generator) -> tuple[Choice, ...]:
    return tuple(choices[int(i)] for i in rng.permutation(len(choices)))


def _link(specimen: Specimen, sid: str, camera: str) -> AtlasLink:
    return AtlasLink("atlas", specimen.spec, select=sid, highlight=(sid,), camera=camera)


def make_identify(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    sid = item_id.split(".", 1)[1]
    options = view_options(ctx, sid, IDENTIFY_MIN_PIXELS)
    specimen = sample_specimen(ctx.atlas, rng, need=[sid])
    camera, mode = options[int(rng.integers(len(options)))]
    scene = quiz_scene(ctx.atlas, specimen, camera, mode=mode, highlight=[sid])
    shown = {a.structure_id for a in scene.visible_actors}
    wrong = _distractors(specimen, sid, shown, rng)
    names = {k: option_name(specimen.structures[k].name) for k in [sid, *wrong]}
    s = specimen.structures[sid]
    return Item(
        id=item_id,
        seed=seed,
        kind="choice",
        topic=topic_of_structure(s),
        difficulty=_difficulty(s, camera),
        stem="Which structure is highlighted in this view?",
        explanation=f"The highlighted structure is the {in_sentence(s.name)}, "
        f"{camera_phrase(camera)}. " + s.description,
        cite=_source(s),
        template="identify",
        choices=_shuffled([Choice(k, names[k]) for k in names], rng),
        answer=(sid,),
        view=View(
            scene,
            specimen.spec,
            QUIZ_SIZE,
            f"Highlighted in colour; the rest dimmed. View {camera_phrase(camera)}.",
        ),
        link=_link(specimen, sid, camera),
    )


def make_click(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    sid = item_id.split(".", 1)[1]
    options = view_options(ctx, sid, CLICK_MIN_PIXELS)
    specimen = sample_specimen(ctx.atlas, rng, need=[sid])
    best = None
    for i in rng.permutation(len(options)):
        camera, mode = options[int(i)]
        scene = quiz_scene(ctx.atlas, specimen, camera, mode=mode)
        picks = pick_map(ctx.atlas, specimen, scene)
        seen = int((picks.labels == picks.ids.index(sid)).sum()) if sid in picks.ids else 0
        if best is None or seen > best[0]:
            best = (seen, camera, scene, picks)
        if seen >= CLICK_MIN_PIXELS * 4:  # a half-resolution map has 4× the pixels
            break
    assert best is not None
    _, camera, scene, picks = best
    s = specimen.structures[sid]
    return Item(
        id=item_id,
        seed=seed,
        kind="click",
        topic=topic_of_structure(s),
        difficulty=min(3, _difficulty(s, camera) + 1),
        stem=f"Click on the {in_sentence(s.name)} in this view.",
        explanation=f"The {in_sentence(s.name)}, {camera_phrase(camera)}. " + s.description,
        cite=_source(s),
        template="click",
        answer=(sid,),
        view=View(scene, specimen.spec, QUIZ_SIZE, f"View {camera_phrase(camera)}."),
        pick=picks,
        link=_link(specimen, sid, camera),
    )


# --- Where L4 joins L5 -------------------------------------------------------------------


def _lst_groups(ctx: Context) -> list[str]:
    return [g for g in ctx.atlas.variant_groups if g.startswith("lst_formation_")]


def _lst_ids(ctx: Context) -> dict[str, str]:
    return {f"lst_level.{g}": "lst_formation" for g in _lst_groups(ctx)}


def make_lst_level(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    group = ctx.atlas.variant_groups[item_id.split(".", 1)[1]]
    side = group.id.rsplit("_", 1)[1]
    option = group.options[int(rng.integers(len(group.options)))]  # each site equally often
    specimen = sample_specimen(ctx.atlas, rng, force={group.id: option.id})
    shown = [
        sid
        for sid in specimen.structures
        if any(sid.startswith(p) and sid.endswith(f"_{side}") for p in LST_PARTS)
        or sid in LST_BONES
    ]
    l4 = [sid for sid in shown if sid.startswith("l4_ventral_ramus")]
    camera = ("right_oblique", "anterior")[int(rng.integers(2))] if side == "right" else "anterior"
    scene = quiz_scene(ctx.atlas, specimen, camera, isolate=shown, hidden=(), highlight=l4)
    nerves = tuple(s for s in shown if specimen.structures[s].category == "nerve")
    cites = tuple(option.cite)
    return Item(
        id=item_id,
        seed=seed,
        kind="choice",
        topic="lst_formation",
        difficulty=2,
        stem="In the specimen shown, where does the L4 ventral ramus join L5 to form the "
        "lumbosacral trunk, relative to the most anterior part of the sacral ala?",
        explanation=f"{option.name}: {option.description} {group.description} "
        "The three sites are published, their frequencies are not: the atlas draws each "
        "in a third of specimens.",
        cite=cites,
        template="lst_level",
        choices=tuple(Choice(o.id, o.name) for o in group.options),
        answer=(option.id,),
        view=View(
            scene,
            specimen.spec,
            QUIZ_SIZE,
            f"The {side} L4 ramus in colour; L5, S1 and the lumbosacral trunk pale; the "
            f"hip bone is hidden. View {camera_phrase(camera)}.",
        ),
        link=AtlasLink(
            "atlas",
            specimen.spec,
            select=f"lumbosacral_trunk_{side}",
            highlight=nerves,
            camera=camera,
        ),
    )


TEMPLATES = (
    Template(
        "identify", partial(_ids, prefix="identify", min_pixels=IDENTIFY_MIN_PIXELS), make_identify
    ),
    Template("click", partial(_ids, prefix="click", min_pixels=CLICK_MIN_PIXELS), make_click),
    Template("lst_level", _lst_ids, make_lst_level),
)
