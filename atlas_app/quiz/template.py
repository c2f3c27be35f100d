"""What a generator of quiz items is, and what it reads (see :mod:`.generate`).

A template is a name, the item ids it can make (each with its topic) and the function that
makes one item from an id and a random stream. The generators (:mod:`.gen_views`,
:mod:`.gen_approaches`, :mod:`.gen_facts`) build on this module and :mod:`.generate`
registers them, so nothing imports back up from a generator to the registry.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from atlas_app.approaches.loader import ApproachSet
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import Specimen, build_specimen, sample_choices
from atlas_app.quiz.items import Item


@dataclass(frozen=True)
class Context:
    """What generation reads: the atlas and its approaches."""

    atlas: Atlas
    approaches: ApproachSet


Make = Callable[[Context, str, np.random.Generator, int], Item]
Ids = Callable[[Context], dict[str, str]]


@dataclass(frozen=True)
class Template:
    name: str
    ids: Ids  # every item id this template can make → its topic
    make: Make


def item_rng(item_id: str, seed: int) -> np.random.Generator:
    """The random stream of one attempt: a function of (item id, seed) only."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(item_id.encode())])


def sample_specimen(
    atlas: Atlas,
    rng: np.random.Generator,
    need: Iterable[str] = (),
    force: Mapping[str, str] | None = None,
) -> Specimen:
    """A specimen drawn from the prevalences (with ``force``'s choices imposed) that has
    every structure in ``need``; the usual anatomy (with ``force``) if none is found."""
    need = tuple(need)
    for _ in range(20):
        (choices,) = sample_choices(atlas, 1, int(rng.integers(2**31)))
        choices.update(force or {})
        specimen = build_specimen(atlas, choices)
        if all(n in specimen.structures for n in need):
            return specimen
    return build_specimen(atlas, dict(force or {}))
