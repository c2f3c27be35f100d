"""The authored quiz items: the shipped bank is clean; broken files fail with file:line."""

from __future__ import annotations

import textwrap
from collections import Counter

import pytest

from atlas_app.model.loader import load_atlas
from atlas_app.quiz.loader import load_quiz_bank
from atlas_app.quiz.topics import TOPICS


@pytest.fixture(scope="module")
def bank(shipped_atlas):
    return load_quiz_bank(shipped_atlas)


def test_the_shipped_items_load_without_faults(bank):
    assert not bank.faults, "\n".join(map(str, bank.faults))
    assert len(bank.items) >= 25


def test_the_bank_covers_the_topics_and_kinds(bank):
    topics = Counter(i.topic for i in bank.items.values())
    for topic in (
        "lst_formation",
        "root_variants",
        "great_vessels",
        "iliolumbar_vein",
        "lumbar_plexus",
        "approaches",
        "sacroplasty",
    ):
        assert topics[topic] >= 3, topic
    kinds = Counter(i.kind for i in bank.items.values())
    assert kinds["choice"] >= 20 and kinds["multi"] >= 2 and kinds["numeric"] >= 2
    assert set(Counter(i.difficulty for i in bank.items.values())) == {1, 2, 3}


def test_every_item_cites_and_explains(bank, shipped_atlas):
    for item in bank.items.values():
        assert item.cite and all(c.ref in shipped_atlas.references for c in item.cite)
        assert len(item.explanation) >= 60, item.id
        assert item.topic in TOPICS


MINI_ITEM = """\
schema_version: 1
quiz_items:
- id: good_item
  topic: lst_formation
  difficulty: 2
  kind: choice
  stem: How wide is the test nerve?
  answers: [About 11 mm]
  distractors: [About 4 mm, About 30 mm]
  explanation: A long enough explanation in the project's own words.
  cite: [book_a]
  structures: [nerve_right]
  specimen: [nerve_double]
"""


def _bank_with(atlas_dir, text, name="broken.yaml"):
    (atlas_dir / "quiz").mkdir(exist_ok=True)
    (atlas_dir / "quiz" / "good.yaml").write_text(MINI_ITEM)
    (atlas_dir / "quiz" / name).write_text(textwrap.dedent(text))
    return load_quiz_bank(load_atlas(atlas_dir))


def _faults(bank):
    return [(f.file.rsplit("/", 1)[-1], f.line, f.field, f.check) for f in bank.faults]


def test_a_mini_atlas_item_loads(mini_atlas_copy):
    (mini_atlas_copy / "quiz").mkdir()
    (mini_atlas_copy / "quiz" / "good.yaml").write_text(MINI_ITEM)
    bank = load_quiz_bank(load_atlas(mini_atlas_copy))
    assert not bank.faults and list(bank.items) == ["good_item"]


def test_no_quiz_folder_is_an_empty_bank(mini_atlas_copy):
    bank = load_quiz_bank(load_atlas(mini_atlas_copy))
    assert bank.items == {} and bank.faults == ()


BROKEN = {
    "unknown_field": (
        """\
        schema_version: 1
        quiz_items:
        - id: typo
          topic: lst_formation
          difficulty: 1
          kind: choice
          stem: A stem long enough?
          answers: [a]
          distractors: [b, c]
          explantion: misspelt field name here
          explanation: A long enough explanation in our words.
          cite: [book_a]
        """,
        ("broken.yaml", 10, "typo.explantion", "schema"),
    ),
    "two_answers_for_a_choice": (
        """\
        schema_version: 1
        quiz_items:
        - id: two
          topic: lst_formation
          difficulty: 1
          kind: choice
          stem: A stem long enough?
          answers: [a, b]
          distractors: [c, d]
          explanation: A long enough explanation in our words.
          cite: [book_a]
        """,
        ("broken.yaml", 8, "two.answers", "quiz_kind"),
    ),
    "numeric_without_tolerance": (
        """\
        schema_version: 1
        quiz_items:
        - id: num
          topic: lst_formation
          difficulty: 1
          kind: numeric
          stem: A stem long enough?
          value: 11
          unit: mm
          explanation: A long enough explanation in our words.
          cite: [book_a]
        """,
        ("broken.yaml", 3, "num.tolerance", "quiz_kind"),
    ),
    "unknown_reference": (
        """\
        schema_version: 1
        quiz_items:
        - id: ref
          topic: lst_formation
          difficulty: 3
          kind: choice
          stem: A stem long enough?
          answers: [a]
          distractors: [b, c]
          explanation: A long enough explanation in our words.
          cite: [book_a, nobody_2099]
        """,
        ("broken.yaml", 11, "ref.cite.1", "citations_resolve"),
    ),
    "unknown_structure_and_topic": (
        """\
        schema_version: 1
        quiz_items:
        - id: where
          topic: astrology
          difficulty: 2
          kind: multi
          stem: A stem long enough?
          answers: [a]
          distractors: [b]
          explanation: A long enough explanation in our words.
          cite: [book_a]
          structures:
          - nerve_right
          - spleen
        """,
        ("broken.yaml", 4, "where.topic", "quiz_topic"),
    ),
    "difficulty_out_of_range": (
        """\
        schema_version: 1
        quiz_items:
        - id: hard
          topic: lst_formation
          difficulty: 5
          kind: choice
          stem: A stem long enough?
          answers: [a]
          distractors: [b, c]
          explanation: A long enough explanation in our words.
          cite: [book_a]
        """,
        ("broken.yaml", 5, "hard.difficulty", "schema"),
    ),
    "duplicate_id": (
        MINI_ITEM,
        ("good.yaml", 3, "good_item.id", "unique_ids"),  # files are read in name order
    ),
    "bad_specimen": (
        """\
        schema_version: 1
        quiz_items:
        - id: spec
          topic: lst_formation
          difficulty: 1
          kind: choice
          stem: A stem long enough?
          answers: [a]
          distractors: [b, c]
          explanation: A long enough explanation in our words.
          cite: [book_a]
          specimen: [nerve_single, nerve_double]
        """,
        ("broken.yaml", 12, "spec.specimen", "references_resolve"),
    ),
    "yaml_syntax": (
        """\
        schema_version: 1
        quiz_items:
        - id: syntax
          stem: [unclosed
        """,
        ("broken.yaml", 5, "-", "yaml_syntax"),
    ),
    "schema_version": (
        """\
        schema_version: 7
        quiz_items: []
        """,
        ("broken.yaml", 1, "schema_version", "schema_version"),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_gives_a_file_line_field_fault(mini_atlas_copy, case):
    text, expected = BROKEN[case]
    bank = _bank_with(mini_atlas_copy, text)
    faults = _faults(bank)
    assert expected in faults, faults
    assert "good_item" in bank.items, "the rest of the bank still loads"
    for f in bank.faults:
        assert str(f).startswith(f"{f.file}:{f.line}: {f.field}: ")


def test_every_problem_of_an_item_is_reported(mini_atlas_copy):
    bank = _bank_with(mini_atlas_copy, BROKEN["unknown_structure_and_topic"][0])
    fields = {f.field for f in bank.faults}
    assert {"where.topic", "where.structures.1"} <= fields
    assert "where" not in bank.items
