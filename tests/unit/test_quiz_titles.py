"""Readable item titles: every item id of the shipped bank has one, built without generating
the item; unknown ids fall back to themselves."""

from __future__ import annotations

import pytest

from atlas_app.approaches.loader import load_approaches
from atlas_app.quiz import gen_approaches, gen_facts, gen_views, generate
from atlas_app.quiz.generate import generated_ids
from atlas_app.quiz.loader import load_quiz_bank
from atlas_app.quiz.template import Context
from atlas_app.quiz.titles import MAX_TITLE, item_titles, one_line, title_of


@pytest.fixture(scope="module")
def world(shipped_atlas):
    return load_quiz_bank(shipped_atlas), Context(shipped_atlas, load_approaches(shipped_atlas))


@pytest.fixture(scope="module")
def titles(world):
    return item_titles(*world)


def test_every_item_of_the_bank_and_the_model_has_a_readable_title(world, titles):
    bank, ctx = world
    ids = [*bank.items, *generated_ids(ctx)]
    assert len(ids) > 100
    for item_id in ids:
        title = titles[item_id]
        assert title and title != item_id, item_id
        assert len(title) <= MAX_TITLE and "\n" not in title and title == title.strip()
        # Ids are snake_case with dots; titles are words.
        assert "_" not in title, (item_id, title)


def test_an_authored_title_is_its_stem(world, titles):
    bank, _ = world
    item = bank.items["lst_width"]
    assert titles["lst_width"] == " ".join(item.stem.split())
    assert titles["lst_width"].startswith("In adult male cadavers, about how wide")


def test_generated_titles_name_what_the_item_is_about(titles):
    assert titles["measure.lst_width_right"] == (
        "Estimate the width of the right lumbosacral trunk (mm)"
    )
    lateral = titles["at_risk.interaortic.lateral_reach"]
    assert lateral.startswith("At risk in step 8 of the interaortic approach: ")
    assert "lateral reach" in lateral
    assert titles["order.interaortic"] == "Put the steps of the interaortic approach in order"
    assert "L4 ventral ramus" in titles["click.l4_ventral_ramus_right"]
    assert titles["identify.l4_ventral_ramus_right"].startswith("Name the highlighted structure")
    assert "right side" in titles["lst_level.lst_formation_right"]
    assert titles["prevalence.l4_double_right"] == (
        "In 100 lumbosacral plexuses (50 cadavers), in what percentage was the L4 ventral ramus "
        "doubled?"
    ), "the written question"


def test_titles_are_deterministic_and_make_no_item(world, titles, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a title must not generate an item or draw a specimen")

    monkeypatch.setattr(generate, "generate_item", refuse)
    monkeypatch.setattr(generate, "generated_ids", refuse)  # its survey renders views
    for module in (gen_views, gen_approaches, gen_facts):
        monkeypatch.setattr(module, "sample_specimen", refuse)
        monkeypatch.setattr(module, "quiz_scene", refuse)
    monkeypatch.setattr(gen_views, "view_options", refuse)
    assert item_titles(*world) == titles
    assert list(item_titles(*world)) == list(titles)


def test_an_unknown_or_removed_id_falls_back_to_itself(titles):
    for old in ("identify.no_such_structure", "retired_item", "measure.gone", ""):
        assert old not in titles or old == ""
        assert title_of(titles, old) == old
    assert title_of(titles, "lst_width") == titles["lst_width"]
    assert title_of({}, "measure.lst_width_right") == "measure.lst_width_right"


def test_one_line_flattens_and_cuts_at_a_word():
    assert one_line("  Where   does\nthe trunk\tlie? ") == "Where does the trunk lie?"
    long = "word " * 60
    cut = one_line(long, 40)
    assert len(cut) <= 40 and cut.endswith("…") and not cut.endswith(" …")
    assert cut[:-1].split() == ["word"] * len(cut[:-1].split())
    assert one_line("x" * 50, 20) == "x" * 19 + "…"  # no space to cut at
