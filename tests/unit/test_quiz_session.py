"""Planning a quiz and the review queue; authored items as items."""

from __future__ import annotations

from collections import Counter

import pytest

from atlas_app.approaches.loader import load_approaches
from atlas_app.quiz.loader import load_quiz_bank
from atlas_app.quiz.session import (
    ItemRef,
    authored_item,
    deck_items,
    make_item,
    plan_quiz,
    review_queue,
)


@pytest.fixture(scope="module")
def approaches(shipped_atlas):
    return load_approaches(shipped_atlas)


@pytest.fixture(scope="module")
def bank(shipped_atlas):
    return load_quiz_bank(shipped_atlas)


def test_plans_are_reproducible_and_mixed(shipped_atlas, approaches, bank):
    topics = ["lst_formation", "great_vessels", "approaches"]
    a = plan_quiz(shipped_atlas, approaches, bank, topics, 15, seed=3)
    b = plan_quiz(shipped_atlas, approaches, bank, topics, 15, seed=3)
    assert a == b and len(a) == 15 and len({r.item_id for r in a}) == 15
    assert a != plan_quiz(shipped_atlas, approaches, bank, topics, 15, seed=4)
    items = [make_item(shipped_atlas, approaches, bank, r) for r in a]
    assert set(Counter(i.topic for i in items)) == set(topics), "every topic comes up"
    assert len({i.template for i in items}) >= 5, "kinds are mixed"
    assert any(i.template == "authored" for i in items)


def test_a_plan_can_leave_out_items_that_need_a_still(shipped_atlas, approaches, bank):
    plan = plan_quiz(
        shipped_atlas, approaches, bank, ["lumbar_plexus"], 20, 1, ("identify", "click")
    )
    assert plan and not [r for r in plan if r.item_id.startswith(("identify.", "click."))]


def test_short_topics_give_short_quizzes(shipped_atlas, approaches, bank):
    plan = plan_quiz(shipped_atlas, approaches, bank, ["sacroplasty"], 500, seed=1)
    assert 5 <= len(plan) < 500


def test_authored_items_shuffle_their_options_by_seed(shipped_atlas, bank):
    record = bank.items["lst_width"]
    orders = {
        tuple(c.id for c in authored_item(shipped_atlas, record, s).choices) for s in range(8)
    }
    assert len(orders) > 1
    item = authored_item(shipped_atlas, record, 1)
    assert item.choice_text(item.answer[0]) == "About 11 mm"
    assert item.link is not None and item.link.select == "lumbosacral_trunk_right"


def test_authored_specimen_is_linked(shipped_atlas, bank):
    item = authored_item(shipped_atlas, bank.items["double_l4"], 1)
    assert item.link.spec == "l4_double_right"


def test_review_queue_keeps_known_items_with_fresh_seeds(shipped_atlas, approaches, bank):
    due = ["lst_width", "retired_item", "identify.femoral_nerve_right"]
    queue = review_queue(shipped_atlas, approaches, bank, due, seed=5)
    assert [r.item_id for r in queue] == ["lst_width", "identify.femoral_nerve_right"]
    again = review_queue(shipped_atlas, approaches, bank, due, seed=6)
    assert [r.seed for r in queue] != [r.seed for r in again]


def test_make_item_handles_both_sources(shipped_atlas, approaches, bank):
    assert make_item(shipped_atlas, approaches, bank, ItemRef("lst_width", 1)).source == "authored"
    generated = make_item(shipped_atlas, approaches, bank, ItemRef("order.interaortic", 1))
    assert generated.source == "generated"


def test_deck_items_cover_a_topic(shipped_atlas, approaches, bank):
    items = deck_items(shipped_atlas, approaches, bank, "iliolumbar_vein")
    assert {i.topic for i in items} == {"iliolumbar_vein"}
    assert {"authored", "prevalence", "measure"} <= {i.template for i in items}
    assert not [i for i in items if i.kind == "click"]
