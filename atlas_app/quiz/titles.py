"""A readable one-line title for each quiz item id, for the Progress and Cohort pages.

Answers are stored by item id (``lst_width``, ``measure.lst_width_right``,
``at_risk.interaortic.lateral_reach``), which people cannot read. An authored item's title
is its stem; a generated item's is built from the parts of its id and the atlas (a
structure's name, an approach step's title, a variant's name), never by generating the
item: no specimen is drawn and no still rendered, so it is fast and deterministic.

:func:`item_titles` lists a title for every id the bank and the model can name: for the
templates that pick their structures by what a view shows (``identify``, ``click``) it names
every structure of the atlas, a superset that needs no visibility survey. An id it does not
know (an answer to an item since removed or renamed) gets its id as its title
(:func:`title_of`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from atlas_app.quiz.items import in_sentence
from atlas_app.quiz.loader import QuizBank
from atlas_app.quiz.template import Context

MAX_TITLE = 110
"""Characters a title may have (longer stems are cut at a word and end with "…")."""


def one_line(text: str, limit: int = MAX_TITLE) -> str:
    """``text`` on one line (runs of white space made one space), at most ``limit`` long."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:–—-") + "…"


def _generated(ctx: Context) -> dict[str, str]:
    from atlas_app.quiz.gen_facts import MEASURES, unsided

    atlas, approaches = ctx.atlas, ctx.approaches
    out: dict[str, str] = {}
    for sid, s in atlas.structures.items():
        out[f"identify.{sid}"] = f"Name the highlighted structure: {in_sentence(s.name)}"
        out[f"click.{sid}"] = f"Click on the {in_sentence(s.name)}"
        for f in s.figures:
            out[f"figure.{sid}.{f.id}"] = (
                f"{unsided(s.name)}: {in_sentence(f.label)} (published value)"
            )
    for gid, g in atlas.variant_groups.items():
        if gid.startswith("lst_formation_"):
            side = gid.rsplit("_", 1)[1]
            out[f"lst_level.{gid}"] = f"Where L4 joins L5, relative to the ala ({side} side)"
        for o in g.options:
            out[f"prevalence.{o.id}"] = f"{unsided(g.name)} — how often is “{o.name}” found?"
    for aid, a in approaches.approaches.items():
        short = in_sentence(a.short_name)
        out[f"order.{aid}"] = f"Put the steps of the {short} approach in order"
        for i, step in enumerate(a.steps):
            out[f"at_risk.{aid}.{step.id}"] = (
                f"At risk in step {i + 1} of the {short} approach: {step.title}"
            )
    for m in MEASURES:
        out[f"measure.{m.id}"] = f"Estimate {m.what} (mm)"
    return out


def item_titles(bank: QuizBank, ctx: Context) -> dict[str, str]:
    """Item id → a one-line title, for every authored item and every id the model can name
    (a superset of the generated ids); deterministic, and nothing is generated or drawn."""
    titles = {k: one_line(v) for k, v in _generated(ctx).items()}
    for target, q in bank.questions.items():
        titles[f"figure.{target}" if q.figure else f"prevalence.{target}"] = one_line(q.stem)
    for item_id, item in bank.items.items():
        titles[item_id] = one_line(item.stem)
    return titles


def title_of(titles: Mapping[str, str], item_id: str) -> str:
    """The title of ``item_id``, or the id itself when it is not known (any more)."""
    return titles.get(item_id) or item_id
