"""Grading of every kind of item, including input that cannot be read."""

from __future__ import annotations

import numpy as np
import pytest

from atlas_app.model.records import Citation
from atlas_app.quiz.grading import grade, parse_number
from atlas_app.quiz.items import Choice, Item, PickMap

CITE = (Citation(ref="ebraheim_1997"),)


def _item(kind, **kw) -> Item:
    base = dict(
        id=f"test_{kind}",
        seed=1,
        kind=kind,
        topic="lst_formation",
        difficulty=2,
        stem="A question for the tests?",
        explanation="Because the tests say so.",
        cite=CITE,
        template="authored",
    )
    base.update(kw)
    return Item(**base)


CHOICE = _item(
    "choice",
    choices=(Choice("o1", "About 11 mm"), Choice("o2", "About 4 mm"), Choice("o3", "30 mm")),
    answer=("o1",),
)
MULTI = _item(
    "multi",
    choices=tuple(Choice(f"s{i}", f"Structure {i}") for i in range(5)),
    answer=("s0", "s1", "s2"),
)
ORDER = _item(
    "order",
    choices=(
        Choice("c", "Third"),
        Choice("a", "First"),
        Choice("d", "Fourth"),
        Choice("b", "Second"),
    ),
    answer=("a", "b", "c", "d"),
)
NUMERIC = _item("numeric", value=11.4, tolerance=2.0, unit="mm")


def _click_item() -> Item:
    labels = np.full((40, 60), -1, dtype=np.int16)
    labels[10:20, 10:20] = 0  # the target, top left
    labels[10:30, 40:50] = 1  # another structure, right
    pick = PickMap(labels, ("target_nerve", "other_vessel"), ("Target nerve", "Other vessel"), 2)
    return _item("click", answer=("target_nerve",), pick=pick)


CLICK = _click_item()


def test_choice():
    assert grade(CHOICE, "o1").correct
    wrong = grade(CHOICE, "o2")
    assert not wrong.correct and wrong.score == 0 and "About 11 mm" in wrong.message
    assert not grade(CHOICE, "").valid
    assert not grade(CHOICE, "o9").valid


def test_multi_partial_credit():
    assert grade(MULTI, "s0,s1,s2").correct
    assert grade(MULTI, "s2, s0 ,s1").correct, "order and spaces do not matter"
    two = grade(MULTI, "s0,s1")
    assert not two.correct and two.score == pytest.approx(2 / 3, abs=1e-3)
    assert "Missed: Structure 2" in two.message
    with_wrong = grade(MULTI, "s0,s1,s2,s3")
    assert not with_wrong.correct and with_wrong.score == pytest.approx(2 / 3, abs=1e-3)
    assert "Structure 3" in with_wrong.message
    assert grade(MULTI, "s3,s4").score == 0.0
    assert not grade(MULTI, "").valid
    assert not grade(MULTI, "s0,zz").valid


def test_order_scores_pairs_in_order():
    assert grade(ORDER, "a,b,c,d").correct
    swap = grade(ORDER, "a,b,d,c")
    assert not swap.correct and swap.score == pytest.approx(5 / 6, abs=1e-3)
    assert grade(ORDER, "d,c,b,a").score == 0.0
    assert not grade(ORDER, "a,b,c").valid, "every step must be placed"
    assert not grade(ORDER, "a,a,b,c").valid


@pytest.mark.parametrize("text", ["11.4", "12", " 10,5 ", "13.4 mm", "9.4mm", "11.4 millimetres"])
def test_numeric_within_tolerance(text):
    result = grade(NUMERIC, text)
    assert result.valid and result.correct and result.score == 1.0


def test_numeric_outside_tolerance_scores_down_linearly():
    near = grade(NUMERIC, "14.4")  # 3 off: 1 past the tolerance of 2
    assert not near.correct and near.score == pytest.approx(0.5)
    assert "11.4 mm" in near.message
    assert grade(NUMERIC, "30").score == 0.0


@pytest.mark.parametrize(
    "text",
    ["abc", "", "   ", "eleven", "11 cm?", "1e3", "NaN", "inf", "12..5", "<b>12</b>", "1" * 80],
)
def test_numeric_input_that_is_not_a_number_gives_a_message(text):
    result = grade(NUMERIC, text)
    assert not result.valid and not result.correct
    assert "not a number" in result.message


def test_parse_number():
    assert parse_number("11,5") == 11.5
    assert parse_number("-3") == -3.0
    assert parse_number(".5") == 0.5
    assert parse_number("12 mm") == 12.0
    assert parse_number("twelve") is None


def test_click_on_the_target_and_near_it():
    assert grade(CLICK, "30,30").correct  # map pixel (15, 15) at scale 2
    assert grade(CLICK, "41,30").correct, "within the tolerance of the target's edge"
    miss = grade(CLICK, "90,40")
    assert not miss.correct and "other vessel" in miss.message.lower()
    background = grade(CLICK, "110,75")
    assert not background.correct and "background" in background.message


def test_a_click_in_the_3d_view_is_graded_by_the_structure_it_hit():
    right = grade(CLICK, "pick:target_nerve")
    assert right.correct and right.score == 1.0 and "target nerve" in right.message
    wrong = grade(CLICK, "pick:other_vessel")
    assert not wrong.correct and wrong.valid and "other vessel" in wrong.message
    # A structure the still's map does not hold is still named (from its id).
    behind = grade(CLICK, "pick:psoas_major_right")
    assert not behind.correct and "psoas major right" in behind.message


@pytest.mark.parametrize("text", ["pick:", "pick:Target", "pick:<script>", "pick:a b"])
def test_a_3d_click_that_cannot_be_read(text):
    assert not grade(CLICK, text).valid


@pytest.mark.parametrize("text", ["", "12", "a,b", "1,2,3", "-5,10", "500,10", "10,500"])
def test_click_that_cannot_be_read(text):
    assert not grade(CLICK, text).valid


def test_grade_never_raises_on_hostile_input():
    for item in (CHOICE, MULTI, ORDER, NUMERIC, CLICK):
        for text in ("<script>alert(1)</script>", "'; DROP TABLE answers; --", "\x00", "x" * 5000):
            result = grade(item, text)
            assert not result.correct
        assert not grade(item, None).valid
