"""Generated items on published numbers: a structure's figures, a variant's prevalence,
and distances measured on the specimen's geometry (estimated within a tolerance)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import CenterlineGeometry
from atlas_app.model.prevalence import split_unreported
from atlas_app.model.records import Citation, Figure
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen, arc_lengths
from atlas_app.quiz.items import AtlasLink, Choice, Item, View, format_number
from atlas_app.quiz.loader import figure_questions
from atlas_app.quiz.numbers import format_percent, percent_distractors, value_distractors
from atlas_app.quiz.schema import FigureQuestion
from atlas_app.quiz.template import Context, Template, sample_specimen
from atlas_app.quiz.topics import topic_of_group, topic_of_structure
from atlas_app.quiz.views import QUIZ_SIZE, camera_phrase, pixels_per_mm, quiz_scene

FIGURE_UNITS = ("mm", "cm", "%")
SOURCED = ("V", "S")  # a question rests on a verbatim or secondary figure, not an inference


def unsided(name: str) -> str:
    """``Lumbosacral trunk (right)`` → ``Lumbosacral trunk``; ``Right psoas`` → ``Psoas``."""
    for suffix in (" (right)", " (left)"):
        name = name.removesuffix(suffix)
    for prefix in ("Right ", "Left "):
        if name.startswith(prefix):
            name = name[len(prefix) :].capitalize()
    return name


def _sourced(cites: list[Citation]) -> bool:
    return any(c.confidence in SOURCED for c in cites)


def _caution(cites: list[Citation] | tuple[Citation, ...]) -> str:
    if all(c.confidence == "V" for c in cites):
        return ""
    return (
        " Part of this rests on a secondary source or an inference (flagged in the citation): "
        "treat it with caution."
    )


def _value_text(f: Figure) -> str:
    assert f.value is not None
    sd = f" ± {f.sd:g}" if f.sd is not None else ""
    return f"{f.value:g}{sd} {f.unit}".replace(" %", "%")


# --- A structure's published figures -------------------------------------------------------


def _figures(ctx: Context) -> dict[str, tuple[Structure, Figure, FigureQuestion]]:
    """Item id → (structure, figure, question) for each sourced figure with a question."""
    questions = figure_questions(ctx.atlas)
    out = {}
    for sid, s in ctx.atlas.structures.items():
        for f in s.figures:
            q = questions.get(f"{sid}.{f.id}")
            if q and f.value is not None and f.unit in FIGURE_UNITS and _sourced(f.cite):
                out[f"figure.{sid}.{f.id}"] = (s, f, q)
    return out


def _figure_ids(ctx: Context) -> dict[str, str]:
    return {k: topic_of_structure(s) for k, (s, _, _) in _figures(ctx).items()}


def _letters(
    texts: list[str], answer: str, rng: np.random.Generator
) -> tuple[tuple[Choice, ...], str]:
    """Options v1… in a shuffled order; returns them and the id of ``answer``."""
    order = [texts[int(i)] for i in rng.permutation(len(texts))]
    choices = tuple(Choice(f"v{i + 1}", t) for i, t in enumerate(order))
    return choices, next(c.id for c in choices if c.text == answer)


def distractor_rng(item_id: str) -> np.random.Generator:
    """The distractors of a published number depend on the item only, not on the attempt:
    every attempt offers the same values (in a new order)."""
    return np.random.default_rng(zlib.crc32(item_id.encode()))


def _also(q: FigureQuestion) -> str:
    return f" {q.also}" if q.also else ""


def make_figure(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    s, f, q = _figures(ctx)[item_id]
    assert f.value is not None
    answer = format_number(f.value, f.unit)
    wrong = value_distractors(f.value, f.unit, distractor_rng(item_id))
    choices, answer_id = _letters([answer, *wrong], answer, rng)
    who = f", {f.population}" if f.population else ""
    return Item(
        id=item_id,
        seed=seed,
        kind="choice",
        topic=topic_of_structure(s),
        difficulty=2,
        stem=q.stem,
        explanation=f"{f.label}: {_value_text(f)}{who}.{_also(q)} {s.description}"
        + _caution(f.cite),
        cite=(*f.cite, *q.also_cite),
        template="figure",
        choices=choices,
        answer=(answer_id,),
        link=AtlasLink("atlas", "default", select=s.id, highlight=(s.id,)),
    )


# --- How common a variant is ----------------------------------------------------------------


def _options(ctx: Context) -> dict[str, tuple[str, str, FigureQuestion]]:
    """Item id → (group id, option id, question) for sourced prevalences with a question."""
    questions = figure_questions(ctx.atlas)
    out = {}
    for g in ctx.atlas.variant_groups.values():
        if split_unreported(g):
            continue  # equal shares: the frequencies are unknown, not published
        for o in g.options:
            q = questions.get(o.id)
            if q and _sourced(o.cite):
                out[f"prevalence.{o.id}"] = (g.id, o.id, q)
    return out


def _prevalence_ids(ctx: Context) -> dict[str, str]:
    return {k: topic_of_group(g) for k, (g, _, _) in _options(ctx).items()}


def _touched(atlas: Atlas, group_id: str, option_id: str) -> str | None:
    """A structure that shows the variant: one its patch changes or adds, else one another
    option of the group changes."""
    group = atlas.variant_groups[group_id]
    ordered = sorted(group.options, key=lambda o: o.id != option_id)
    for o in ordered:
        p = o.patch
        ids = [*p.modify, *(s.id for s in p.add), *p.remove]
        for w in p.warp:
            ids += w.moved()
        if ids:
            return ids[0]
    return None


def make_prevalence(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    group_id, option_id, q = _options(ctx)[item_id]
    group = ctx.atlas.variant_groups[group_id]
    option = next(o for o in group.options if o.id == option_id)
    answer = format_percent(option.prevalence)
    texts = [answer, *percent_distractors(option.prevalence, distractor_rng(item_id))]
    choices, answer_id = _letters(texts, answer, rng)
    notes = "; ".join(c.note for c in option.cite if c.note)
    shown = _touched(ctx.atlas, group_id, option_id)
    spec = option_id if option_id != group.default else "default"
    return Item(
        id=item_id,
        seed=seed,
        kind="choice",
        topic=topic_of_group(group_id),
        difficulty=2 if option.prevalence >= 0.1 else 3,
        stem=q.stem,
        explanation=f"About {answer}. {option.description} {group.description}"
        + (f" ({notes}.)" if notes else "")
        + _also(q)
        + _caution(option.cite),
        cite=(*option.cite, *q.also_cite),
        template="prevalence",
        choices=choices,
        answer=(answer_id,),
        link=AtlasLink("atlas", spec, select=shown, highlight=(shown,) if shown else ()),
    )


# --- Distances measured on the specimen ----------------------------------------------------


def _points(s: Structure) -> np.ndarray:
    assert isinstance(s.geometry, CenterlineGeometry)
    return np.asarray(s.geometry.points, float)


def _width(sid: str) -> Callable[[Specimen], float]:
    def measure(sp: Specimen) -> float:
        g = sp.structures[sid].geometry
        assert isinstance(g, CenterlineGeometry)
        return 2.0 * float(np.mean(g.radii()))

    return measure


def _length(sid: str) -> Callable[[Specimen], float]:
    return lambda sp: float(arc_lengths(_points(sp.structures[sid]))[-1])


def _mouth_to(sid: str, parent: str, landmark: str) -> Callable[[Specimen], float]:
    def measure(sp: Specimen) -> float:
        pts, host = _points(sp.structures[sid]), _points(sp.structures[parent])
        ends = pts[[0, -1]]
        gap = [np.linalg.norm(host - e, axis=1).min() for e in ends]
        mouth = ends[int(np.argmin(gap))]
        return float(np.linalg.norm(mouth - np.asarray(sp.landmarks[landmark])))

    return measure


def _between(a: str, b: str) -> Callable[[Specimen], float]:
    return lambda sp: float(np.linalg.norm(np.subtract(sp.landmarks[a], sp.landmarks[b])))


@dataclass(frozen=True)
class Measure:
    """A distance to estimate, how to take it on a specimen, and what was published."""

    id: str
    topic: str
    what: str  # completes "Estimate …"
    structures: tuple[str, ...]  # what the still shows highlighted (and needs)
    camera: str
    shown: tuple[str, ...] | None  # what the still isolates (prefixes); None: a whole view
    take: Callable[[Specimen], float]
    published: tuple[float, float | None, str]  # value, spread (sd), population
    cite: tuple[Citation, ...]


NERVES_ON_BONE = (
    "l4_ventral_ramus_right",
    "l5_ventral_ramus_right",
    "lumbosacral_trunk_right",
    "s1_ventral_ramus_right",
    "sacrum",
    "l5_vertebra",
    "l5_s1_disc",
)
VEINS_ON_BONE = (
    "ivc",
    "common_iliac_vein",
    "iliolumbar_vein",
    "internal_iliac_vein",
    "external_iliac_vein",
    "sacrum",
    "l4_vertebra",
    "l5_vertebra",
    "l4_l5_disc",
    "l5_s1_disc",
    "hip_bone",
)

MEASURES = (
    Measure(
        id="lst_width_right",
        topic="lst_formation",
        what="the width of the right lumbosacral trunk",
        structures=("lumbosacral_trunk_right",),
        camera="anterior",
        shown=NERVES_ON_BONE,
        take=_width("lumbosacral_trunk_right"),
        published=(11.4, 1.8, "20 male cadavers, both sides"),
        cite=(Citation(ref="ebraheim_1997"),),
    ),
    Measure(
        id="l5_diameter_right",
        topic="root_variants",
        what="the diameter of the right L5 ventral ramus",
        structures=("l5_ventral_ramus_right",),
        camera="anterior",
        shown=NERVES_ON_BONE,
        take=_width("l5_ventral_ramus_right"),
        published=(5.29, 0.9, "MR neurography of 11 volunteers"),
        cite=(Citation(ref="clin_anat_2018_roots"),),
    ),
    Measure(
        id="ilv_length_right",
        topic="iliolumbar_vein",
        what="the length of the right iliolumbar vein",
        structures=("iliolumbar_vein_right",),
        camera="anterior",
        shown=VEINS_ON_BONE,
        take=_length("iliolumbar_vein_right"),
        published=(37.0, None, "15 fresh cadavers, 30 sides"),
        cite=(Citation(ref="ilv_seattle"),),
    ),
    Measure(
        id="ilv_mouth_right",
        topic="iliolumbar_vein",
        what="the straight-line distance from where the vena cava forms to the mouth of the "
        "right iliolumbar vein",
        structures=("iliolumbar_vein_right", "ivc", "common_iliac_vein_right"),
        camera="anterior",
        shown=VEINS_ON_BONE,
        take=_mouth_to("iliolumbar_vein_right", "common_iliac_vein_right", "iliocaval_confluence"),
        published=(37.4, None, "single veins in 8 cadavers"),
        cite=(Citation(ref="stirling_weaver_2002"),),
    ),
    Measure(
        id="confluence_height",
        topic="great_vessels",
        what="the distance from the sacral promontory to where the common iliac veins join",
        structures=("ivc", "common_iliac_vein_right", "common_iliac_vein_left"),
        camera="anterior",
        shown=VEINS_ON_BONE,
        take=_between("iliocaval_confluence", "sacral_promontory"),
        published=(30.2, 12.8, "20 cadavers"),
        cite=(Citation(ref="akhgar_2016"),),
    ),
)
_MEASURES = {m.id: m for m in MEASURES}


def tolerance_for(value: float) -> float:
    """How far an estimate may be off and still count: 20 %, at least 2 mm."""
    return round(max(2.0, 0.2 * abs(value)), 1)


def _measure_ids(ctx: Context) -> dict[str, str]:
    out = {}
    for m in MEASURES:
        if all(s in ctx.atlas.structures for s in m.structures) and all(
            c.ref in ctx.atlas.references for c in m.cite
        ):
            out[f"measure.{m.id}"] = m.topic
    return out


def make_measure(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    m = _MEASURES[item_id.split(".", 1)[1]]
    specimen = sample_specimen(ctx.atlas, rng, need=m.structures)
    value = round(m.take(specimen), 1)
    shown = None
    if m.shown is not None:
        shown = [k for k in specimen.structures if k.startswith(m.shown)]
    scene = quiz_scene(
        ctx.atlas, specimen, m.camera, isolate=shown, hidden=(), highlight=m.structures
    )
    pub, spread, population = m.published
    published = f"{pub:g}" + (f" ± {spread:g}" if spread is not None else "") + " mm"
    schematic = any(specimen.structures[s].schematic for s in m.structures)
    return Item(
        id=item_id,
        seed=seed,
        kind="numeric",
        topic=m.topic,
        difficulty=3,
        stem=f"Estimate {m.what} in this specimen, in millimetres.",
        explanation=f"Measured on this specimen's geometry: {value:g} mm. Published: "
        f"{published} ({population})."
        + (
            " The shape is drawn from published measurements, so this checks that you know them."
            if schematic
            else " The model's value is one specimen; the published spread is what to expect."
        ),
        cite=m.cite,
        template="measure",
        value=value,
        tolerance=tolerance_for(value),
        unit="mm",
        view=View(
            scene,
            specimen.spec,
            QUIZ_SIZE,
            f"What is measured is highlighted; {camera_phrase(m.camera)}. The scale bar holds "
            "at the depth of the highlighted structures.",
            px_per_mm=pixels_per_mm(ctx.atlas, specimen, scene, m.structures, QUIZ_SIZE[1]),
        ),
        link=AtlasLink(
            "atlas", specimen.spec, select=m.structures[0], highlight=m.structures, camera=m.camera
        ),
    )


TEMPLATES = (
    Template("figure", _figure_ids, make_figure),
    Template("prevalence", _prevalence_ids, make_prevalence),
    Template("measure", _measure_ids, make_measure),
)
