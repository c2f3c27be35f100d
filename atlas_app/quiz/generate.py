"""Items made from the model, so the bank grows with the atlas.

A generated item's id names its template and what it is about
(``identify.obturator_nerve_right``, ``at_risk.interaortic.lateral_reach``); its seed
chooses the rest: the specimen (drawn from the published prevalences, so it varies from
attempt to attempt), the view, the distractors and their order. The same (item id, seed)
always gives the same item, so an attempt can be replayed.

Templates (see :mod:`.gen_views`, :mod:`.gen_approaches`, :mod:`.gen_facts`; what a template
is: :mod:`.template`; they are registered in :data:`TEMPLATES`):

==============  =================================================================
``identify``    name the highlighted structure in a still (choose from names)
``click``       click the named structure on a still
``lst_level``   where does L4 join L5 in the specimen shown: above, on or below the ala
``at_risk``     which structures does this step of this approach endanger (several)
``order``       put these steps of an approach in order
``measure``     estimate a distance measured on the specimen's geometry (tolerance)
``figure``      a published measurement of a structure (multiple choice)
``prevalence``  how common a variant is (multiple choice)
==============  =================================================================
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

from atlas_app.approaches.loader import ApproachSet
from atlas_app.caching import ObjectMemo
from atlas_app.model.atlas import Atlas
from atlas_app.quiz import gen_approaches, gen_facts, gen_views
from atlas_app.quiz.items import Item
from atlas_app.quiz.template import Context, Template, item_rng


class UnknownItemError(KeyError):
    """An item id that no template (or the authored bank) knows."""


TEMPLATES: Mapping[str, Template] = {
    t.name: t for t in (*gen_views.TEMPLATES, *gen_approaches.TEMPLATES, *gen_facts.TEMPLATES)
}
"""The registry of generators: every template by name. A new template is added here."""


_ids: ObjectMemo[dict[str, tuple[str, str]]] = ObjectMemo(items=8)


def generated_ids(ctx: Context) -> dict[str, tuple[str, str]]:
    """Every generated item id → (template, topic), in a stable order (remembered per
    atlas and approach set: they are shared, read-only objects)."""
    return _ids.get_or_make((ctx.atlas, ctx.approaches), lambda: _generated_ids(ctx))


def _generated_ids(ctx: Context) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for name, template in TEMPLATES.items():
        for item_id, topic in template.ids(ctx).items():
            out[item_id] = (name, topic)
    return out


def template_of(item_id: str) -> str | None:
    """The template named by a generated id (None for an authored id)."""
    return item_id.split(".", 1)[0] if "." in item_id else None


def generate_item(atlas: Atlas, approaches: ApproachSet, item_id: str, seed: int) -> Item:
    """The generated item ``item_id`` for attempt ``seed``. Raises UnknownItemError."""
    ctx = Context(atlas, approaches)
    template = TEMPLATES.get(template_of(item_id) or "")
    if template is None or item_id not in generated_ids(ctx):
        raise UnknownItemError(item_id)
    return template.make(ctx, item_id, item_rng(item_id, seed), int(seed))


def pick_ids(pool: Mapping[str, tuple[str, str]], n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct ids from a pool of id → (template, topic), mixing templates and
    topics: round robin over the (topic, template) groups in a shuffled order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for item_id, (template, topic) in pool.items():
        groups.setdefault((topic, template), []).append(item_id)
    keys = sorted(groups)
    for k in keys:
        ids = groups[k]
        groups[k] = [ids[int(i)] for i in rng.permutation(len(ids))]
    order = [keys[int(i)] for i in rng.permutation(len(keys))]
    out: list[str] = []
    while len(out) < n and any(groups[k] for k in order):
        for k in order:
            if groups[k] and len(out) < n:
                out.append(groups[k].pop())
    return out


def generate_items(
    atlas: Atlas, approaches: ApproachSet, topic: str, n: int, seed: int
) -> list[Item]:
    """``n`` generated items of a topic (fewer if the topic has fewer), reproducibly."""
    ctx = Context(atlas, approaches)
    pool = {k: v for k, v in generated_ids(ctx).items() if v[1] == topic}
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(topic.encode())])
    ids = pick_ids(pool, n, rng)
    seeds = rng.integers(0, 2**31, size=len(ids))
    return [generate_item(atlas, approaches, i, int(s)) for i, s in zip(ids, seeds, strict=True)]
