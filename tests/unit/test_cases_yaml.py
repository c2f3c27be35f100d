"""Case YAML: a round trip keeps the case; malformed, oversized or hostile files are
refused with the line, the field and the reason."""

from __future__ import annotations

import pytest
import yaml

from atlas_app.approaches.loader import load_approaches
from atlas_app.cases.edits import add_slide
from atlas_app.cases.model import TextSlide, case_data
from atlas_app.cases.yaml_io import (
    MAX_IMPORT_BYTES,
    CaseImportError,
    case_from_yaml,
    case_to_yaml,
    example_case,
    example_case_text,
)


@pytest.fixture(scope="module")
def approaches(shipped_atlas):
    return load_approaches(shipped_atlas)


@pytest.fixture(scope="module")
def example(shipped_atlas, approaches):
    return example_case(shipped_atlas, approaches)


def test_example_case_has_every_kind_of_slide(example):
    assert {s.kind for s in example.slides} == {"view", "chart", "text"}
    assert "anterior_retroperitoneal_transpsoas" in example.approaches


def test_round_trip_is_exact_and_stable(example, shipped_atlas, approaches):
    text = case_to_yaml(example)
    assert case_from_yaml(text, shipped_atlas, approaches) == example
    assert case_from_yaml(text.encode(), shipped_atlas, approaches) == example
    assert case_to_yaml(case_from_yaml(text, shipped_atlas, approaches)) == text
    first = next(line for line in text.splitlines() if not line.startswith("#"))
    assert first == "schema_version: 1"
    assert len(text) < 6000 and "vertices:" not in text  # ids, never geometry


def test_awkward_text_survives(example, shipped_atlas, approaches):
    case = add_slide(example, TextSlide(title="<script>alert(1)</script>", body="a: b\n- c\n'd'"))
    back = case_from_yaml(case_to_yaml(case), shipped_atlas, approaches)
    assert back.slides[-1] == case.slides[-1]


def refuse(text: str | bytes, shipped_atlas, approaches) -> str:
    with pytest.raises(CaseImportError) as info:
        case_from_yaml(text, shipped_atlas, approaches)
    return str(info.value)


def test_wrong_field_names_its_line(shipped_atlas, approaches):
    text = example_case_text().replace("  step: 7\n", "  step: seven\n")
    line = text.splitlines().index("  step: seven") + 1
    msg = refuse(text, shipped_atlas, approaches)
    assert msg.startswith(f"line {line}:") and "slides.2.step" in msg


def test_unknown_field_refused(shipped_atlas, approaches):
    text = example_case_text().replace("specimen: default", "specimen: default\ncolour: red")
    assert "colour" in refuse(text, shipped_atlas, approaches)


def test_unknown_atlas_ids_refused(shipped_atlas, approaches):
    text = example_case_text().replace("- cement_leak_right", "- no_such_thing", 1)
    msg = refuse(text, shipped_atlas, approaches)
    assert "no_such_thing" in msg and "slides.1.isolate.7" in msg
    line = text.splitlines().index("  - no_such_thing") + 1
    assert msg.startswith(f"line {line}:")
    text = example_case_text().replace("step: 7", "step: 70")
    refused = refuse(text, shipped_atlas, approaches)
    assert "step 71 (step: 70 in a case file) does not exist" in refused, refused
    text = example_case_text().replace("specimen: default", "specimen: not_a_variant")
    assert "specimen" in refuse(text, shipped_atlas, approaches)


def test_syntax_error_names_its_line(shipped_atlas, approaches):
    msg = refuse("title: ok\nslides: [\n", shipped_atlas, approaches)
    assert msg.startswith("line ") and "YAML" in msg
    assert "mapping" in refuse("- a list\n", shipped_atlas, approaches)
    assert "mapping" in refuse("", shipped_atlas, approaches)


def test_oversized_refused_before_parsing(shipped_atlas, approaches):
    big = "title: x\n#" + "a" * MAX_IMPORT_BYTES + "\n"
    assert "at most" in refuse(big, shipped_atlas, approaches)


def test_not_utf8_refused(shipped_atlas, approaches):
    assert "UTF-8" in refuse("title: caf\xe9\n".encode("latin-1"), shipped_atlas, approaches)


def test_control_characters_refused(shipped_atlas, approaches):
    msg = refuse("title: ok\nsummary: bell\x07\n", shipped_atlas, approaches)
    assert "line 2" in msg and "U+0007" in msg
    assert "U+0085" in refuse("title: a\u0085b\n", shipped_atlas, approaches)


def test_alias_bomb_refused(shipped_atlas, approaches):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    bomb += "title: *j\n"
    assert "aliases" in refuse(bomb, shipped_atlas, approaches)
    assert "aliases" in refuse("title: &t hello\n", shipped_atlas, approaches)


def test_python_tags_refused(shipped_atlas, approaches):
    msg = refuse("title: !!python/object/apply:os.system ['true']\n", shipped_atlas, approaches)
    assert "YAML" in msg


def test_schema_version_must_match(example, shipped_atlas, approaches):
    data = case_data(example)
    data["schema_version"] = 2
    assert "schema_version" in refuse(yaml.safe_dump(data), shipped_atlas, approaches)
