"""Generated items on the approaches: the structures a step endangers, the order of steps."""

from __future__ import annotations

import numpy as np

from atlas_app.approaches.schema import Approach
from atlas_app.quiz.items import AtlasLink, Choice, Item, View, option_name
from atlas_app.quiz.template import Context, Template, sample_specimen
from atlas_app.quiz.views import QUIZ_SIZE, WALL_GROUP, camera_phrase, quiz_scene

AT_RISK_CATEGORIES = ("nerve", "artery", "vein", "viscus")
MAX_CHOICES = 8
ORDER_LENGTH = 5


def _steps_with_risk(approach: Approach) -> list[int]:
    return [i for i, s in enumerate(approach.steps) if s.at_risk]


def _at_risk_ids(ctx: Context) -> dict[str, str]:
    return {
        f"at_risk.{aid}.{a.steps[i].id}": "approaches"
        for aid, a in ctx.approaches.approaches.items()
        for i in _steps_with_risk(a)
    }


def _removed_by(approach: Approach, index: int) -> set[str]:
    removed: set[str] = set()
    for step in approach.steps[: index + 1]:
        removed = (removed | set(step.removed)) - set(step.restored)
    return removed


def _named_at_risk(ctx: Context) -> set[str]:
    """Every structure some step of some approach names at risk (plausible distractors)."""
    return {sid for a in ctx.approaches.approaches.values() for s in a.steps for sid in s.at_risk}


def make_at_risk(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    _, aid, step_id = item_id.split(".", 2)
    approach = ctx.approaches.approaches[aid]
    index = next(i for i, s in enumerate(approach.steps) if s.id == step_id)
    step = approach.steps[index]
    specimen = sample_specimen(ctx.atlas, rng, need=step.at_risk[:1])
    answer = [sid for sid in step.at_risk if sid in specimen.structures]
    removed = _removed_by(approach, index)
    pool = sorted(
        sid
        for sid, s in specimen.structures.items()
        if s.category in AT_RISK_CATEGORIES and sid not in answer and sid not in removed
    )
    plausible = [sid for sid in pool if sid in _named_at_risk(ctx)]
    others = [sid for sid in pool if sid not in plausible]
    n_wrong = max(2, min(4, MAX_CHOICES - len(answer)))
    wrong = [plausible[int(i)] for i in rng.permutation(len(plausible))][: n_wrong - 1]
    wrong += [others[int(i)] for i in rng.permutation(len(others))][: n_wrong - len(wrong)]
    ids = [*answer, *wrong]
    order = [ids[int(i)] for i in rng.permutation(len(ids))]
    choices = tuple(Choice(sid, option_name(specimen.structures[sid].name)) for sid in order)
    hidden = set(removed)
    if any(s.corridor is not None for s in approach.steps[: index + 1]):
        # Once the wall is open it is held aside (as on the Approaches page).
        hidden |= {k for k, v in specimen.structures.items() if v.parent == WALL_GROUP}
    # Steps share their approach's surgeon's camera unless they name a preset; a quiz still
    # takes a preset, framed on what it shows.
    camera = step.camera or "right_oblique"
    scene = quiz_scene(ctx.atlas, specimen, camera, hidden=sorted(hidden))
    pitfalls = " ".join(step.pitfalls)
    names = ", ".join(specimen.structures[s].name for s in answer)
    return Item(
        id=item_id,
        seed=seed,
        kind="multi",
        topic="approaches",
        difficulty=3 if len(answer) >= 4 else 2,
        stem=f"{approach.short_name} approach, step {index + 1} of {len(approach.steps)}: "
        f"“{step.title}”. Which structures does this step put at risk? Choose all that apply.",
        explanation=f"At risk in this step: {names}. {step.text}"
        + (f" Pitfalls: {pitfalls}" if pitfalls else ""),
        cite=tuple(step.cite),
        template="at_risk",
        choices=choices,
        answer=tuple(answer),
        view=View(
            scene,
            specimen.spec,
            QUIZ_SIZE,
            f"The field of this step, {camera_phrase(camera)}: what the steps so far "
            "removed is hidden, the opened abdominal wall too; retraction is not drawn.",
        ),
        link=AtlasLink(
            "approaches",
            specimen.spec,
            approach=aid,
            step=index,
            label="Walk this step on the Approaches page",
        ),
    )


def _order_ids(ctx: Context) -> dict[str, str]:
    return {
        f"order.{aid}": "approaches"
        for aid, a in ctx.approaches.approaches.items()
        if len(a.steps) >= 3
    }


def make_order(ctx: Context, item_id: str, rng: np.random.Generator, seed: int) -> Item:
    aid = item_id.split(".", 1)[1]
    approach = ctx.approaches.approaches[aid]
    k = min(ORDER_LENGTH, len(approach.steps))
    chosen = sorted(int(i) for i in rng.choice(len(approach.steps), size=k, replace=False))
    steps = [approach.steps[i] for i in chosen]
    shown = list(range(k))
    while shown == sorted(shown):  # never offer them already in order
        shown = [int(i) for i in rng.permutation(k)]
    explanation = " ".join(f"{n + 1}. {s.title}." for n, s in enumerate(steps))
    return Item(
        id=item_id,
        seed=seed,
        kind="order",
        topic="approaches",
        difficulty=2,
        stem=f"Put these steps of the {approach.name.lower()} in order, first to last.",
        explanation=f"In order: {explanation} {approach.summary}",
        cite=tuple(approach.cite),
        template="order",
        choices=tuple(Choice(steps[i].id, steps[i].title) for i in shown),
        answer=tuple(s.id for s in steps),
        link=AtlasLink(
            "approaches",
            "default",
            approach=aid,
            step=chosen[0],
            label="Walk this approach on the Approaches page",
        ),
    )


TEMPLATES = (
    Template("at_risk", _at_risk_ids, make_at_risk),
    Template("order", _order_ids, make_order),
)
