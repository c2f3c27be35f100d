"""A quiz: which items, in which order, with which seeds; and the review queue.

A quiz is planned as a list of :class:`ItemRef` (item id, seed) — small, storable, and
enough to make each item again — and each item is made only when it is shown.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from atlas_app.approaches.loader import ApproachSet
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import format_spec, parse_spec
from atlas_app.quiz.generate import (
    UnknownItemError,
    generate_item,
    generated_ids,
    pick_ids,
)
from atlas_app.quiz.items import AtlasLink, Choice, Item
from atlas_app.quiz.loader import QuizBank
from atlas_app.quiz.schema import AuthoredItem
from atlas_app.quiz.template import Context

AUTHORED = "authored"
AUTHORED_WEIGHT = 2
"""Authored items are planned as two template groups: they are the curated part of a quiz."""


@dataclass(frozen=True)
class ItemRef:
    item_id: str
    seed: int


def authored_item(atlas: Atlas, record: AuthoredItem, seed: int) -> Item:
    """An authored record as an item; the seed shuffles its options."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(record.id.encode())])
    texts = [*record.answers, *record.distractors]
    ids = [f"o{i + 1}" for i in range(len(texts))]
    order = [int(i) for i in rng.permutation(len(texts))]
    spec = "default"
    if record.specimen:
        spec = format_spec(atlas, parse_spec(atlas, ",".join(record.specimen)))
    link = None
    if record.structures or record.specimen:
        first = record.structures[0] if record.structures else None
        link = AtlasLink("atlas", spec, select=first, highlight=tuple(record.structures))
    return Item(
        id=record.id,
        seed=int(seed),
        kind=record.kind,
        topic=record.topic,
        difficulty=record.difficulty,
        stem=record.stem,
        explanation=record.explanation,
        cite=tuple(record.cite),
        template=AUTHORED,
        choices=tuple(Choice(ids[i], texts[i]) for i in order),
        answer=tuple(ids[: len(record.answers)]),
        value=record.value,
        tolerance=record.tolerance,
        unit=record.unit,
        link=link,
    )


def make_item(atlas: Atlas, approaches: ApproachSet, bank: QuizBank, ref: ItemRef) -> Item:
    """The item a reference names. Raises UnknownItemError for an id nobody knows."""
    if ref.item_id in bank.items:
        return authored_item(atlas, bank.items[ref.item_id], ref.seed)
    return generate_item(atlas, approaches, ref.item_id, ref.seed)


def item_pool(
    atlas: Atlas, approaches: ApproachSet, bank: QuizBank, topics: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """Every item id (authored and generated) of the topics → (template, topic)."""
    wanted = set(topics)
    pool = {k: v for k, v in generated_ids(Context(atlas, approaches)).items() if v[1] in wanted}
    for i, record in enumerate(bank.items.values()):
        if record.topic in wanted:
            pool[record.id] = (f"{AUTHORED}{i % AUTHORED_WEIGHT}", record.topic)
    return pool


def plan_quiz(
    atlas: Atlas,
    approaches: ApproachSet,
    bank: QuizBank,
    topics: Sequence[str],
    length: int,
    seed: int,
    exclude_templates: Iterable[str] = (),
) -> list[ItemRef]:
    """``length`` items (fewer if the topics have fewer) mixing topics and kinds; the same
    arguments give the same quiz. ``exclude_templates`` leaves out kinds of generated item
    (those that need a still, where stills cannot be drawn)."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 7])
    skip = set(exclude_templates)
    pool = {k: v for k, v in item_pool(atlas, approaches, bank, topics).items() if v[0] not in skip}
    ids = pick_ids(pool, length, rng)
    seeds = rng.integers(0, 2**31, size=len(ids))
    return [ItemRef(i, int(s)) for i, s in zip(ids, seeds, strict=True)]


def review_queue(
    atlas: Atlas,
    approaches: ApproachSet,
    bank: QuizBank,
    due_item_ids: Sequence[str],
    seed: int,
    limit: int = 20,
) -> list[ItemRef]:
    """The due items (most overdue first, as given) that still exist, each with a fresh
    seed: a generated item comes back on another specimen."""
    known = set(bank.items) | set(generated_ids(Context(atlas, approaches)))
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 11])
    out: list[ItemRef] = []
    for item_id in due_item_ids:
        if item_id in known and len(out) < limit:
            out.append(ItemRef(item_id, int(rng.integers(0, 2**31))))
    return out


NEEDS_A_STILL = ("identify", "lst_level")
"""Templates whose question is the still itself (a "click on the …" item is asked in the
live 3D view, drawn by the browser)."""
DECK_TEMPLATES = ("identify", "lst_level", "at_risk", "order", "measure", "figure", "prevalence")
"""What an Anki deck holds besides the authored items (a click item is an identify item
on paper)."""


def deck_items(
    atlas: Atlas, approaches: ApproachSet, bank: QuizBank, topic: str, seed: int = 1
) -> list[Item]:
    """Every authored item of a topic and one instance of each generated one, for a deck."""
    items = [authored_item(atlas, r, seed) for r in bank.items.values() if r.topic == topic]
    for item_id, (template, item_topic) in generated_ids(Context(atlas, approaches)).items():
        if item_topic == topic and template in DECK_TEMPLATES:
            items.append(generate_item(atlas, approaches, item_id, seed))
    return items


__all__ = [
    "NEEDS_A_STILL",
    "ItemRef",
    "UnknownItemError",
    "authored_item",
    "deck_items",
    "item_pool",
    "make_item",
    "plan_quiz",
    "review_queue",
]
