"""Case YAML import/export: round trip, and every malformed or hostile file refused."""

from __future__ import annotations

import pytest

from atlas_app.approaches.loader import ApproachSet, load_approaches
from atlas_app.cases.model import Case
from atlas_app.cases.yaml_io import (
    MAX_IMPORT_BYTES,
    CaseImportError,
    case_from_yaml,
    case_to_yaml,
    example_case,
    example_case_text,
)
from atlas_app.model.atlas import Atlas


@pytest.fixture(scope="module")
def approaches(shipped_atlas: Atlas) -> ApproachSet:
    return load_approaches(shipped_atlas)


def test_example_case_loads_and_round_trips(shipped_atlas: Atlas, approaches: ApproachSet) -> None:
    case = example_case(shipped_atlas, approaches)
    assert {s.kind for s in case.slides} == {"view", "chart", "text"}
    text = case_to_yaml(case)
    assert "schema_version: 1" in text.splitlines()[1]
    again = case_from_yaml(text, shipped_atlas, approaches)
    assert again == case
    assert case_to_yaml(again) == text  # stable order
    assert "points:" not in text and "vertices:" not in text  # ids only, no geometry


def _bad(text: str | bytes, atlas: Atlas, approaches: ApproachSet) -> str:
    with pytest.raises(CaseImportError) as info:
        case_from_yaml(text, atlas, approaches)
    return str(info.value)


def test_unknown_structure_named_with_line(shipped_atlas: Atlas, approaches: ApproachSet) -> None:
    text = example_case_text().replace("- cement_leak_right", "- no_such_structure")
    message = _bad(text, shipped_atlas, approaches)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "no_such_structure" in row)
    assert "no_such_structure" in message and f"line {line}" in message


def test_bad_field_named_with_line(shipped_atlas: Atlas, approaches: ApproachSet) -> None:
    text = example_case_text().replace("  step: 7", "  step: many")
    message = _bad(text, shipped_atlas, approaches)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "step: many" in row)
    assert f"line {line}" in message and "step" in message


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"title: x\n" + b"#" * (MAX_IMPORT_BYTES + 1), "at most"),
        (b"title: caf\xe9\n", "UTF-8"),
        ("title: bell\x07\n", "control character"),
        ("title: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "mapping"),
        ('a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\ntitle: t\n', "aliases"),
        ("title: !!python/object/apply:os.system ['true']\n", "line 1"),
    ],
)
def test_hostile_or_malformed_refused(
    payload: str | bytes, reason: str, shipped_atlas: Atlas, approaches: ApproachSet
) -> None:
    assert reason in _bad(payload, shipped_atlas, approaches)


def test_nothing_half_imported(shipped_atlas: Atlas, approaches: ApproachSet) -> None:
    good = example_case_text()
    broken = good.replace("camera: right_oblique", "camera: 12")
    with pytest.raises(CaseImportError):
        case_from_yaml(broken, shipped_atlas, approaches)
    assert isinstance(case_from_yaml(good, shipped_atlas, approaches), Case)
