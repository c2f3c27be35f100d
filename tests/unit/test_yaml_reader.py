"""The one YAML reader (atlas_app.model.yaml_io): the same values as ``yaml.safe_load``
for every document within its limits, a named refusal for everything else, and never
another exception (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas_app.model.yaml_io import CASE_LIMITS, DATA_LIMITS, YamlError, YamlLimits
from atlas_app.model.yaml_reader import load_yaml, parse_yaml
from atlas_app.paths import DEFAULT_ATLAS_DIR

NAME = Path("doc.yaml")
# The reader builds values as libyaml's safe loader does (pure-Python PyYAML differs on a few
# corner cases, such as a lone "!" or a tab after a value).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)


def refusal(text: str, limits: YamlLimits = DATA_LIMITS) -> YamlError:
    with pytest.raises(YamlError) as caught:
        parse_yaml(text, NAME, limits)
    return caught.value


@pytest.mark.parametrize("path", sorted(DEFAULT_ATLAS_DIR.rglob("*.yaml")), ids=str)
def test_shipped_files_read_as_safe_load_reads_them(path: Path):
    assert load_yaml(path).data == safe_load(path.read_text(encoding="utf-8"))


def test_lines_name_the_key_of_a_field():
    doc = "a: 1\nb:\n  - x: 2\n    y: [1, 2]\n  - z\n"
    _, lines = parse_yaml(doc, NAME)
    assert lines[("a",)] == 1
    assert lines[("b", 0, "y")] == 4
    assert lines[("b", 1)] == 5


def test_aliases_share_what_they_name_in_atlas_data():
    data, _ = parse_yaml("ring: &r [a, b]\nstep: [*r, *r]\n", NAME)
    assert data == {"ring": ["a", "b"], "step": [["a", "b"], ["a", "b"]]}


def test_case_files_refuse_anchors():
    assert refusal("title: &t x\nsummary: *t\n", CASE_LIMITS).check == "yaml_alias"


def test_duplicate_key_names_both_lines():
    err = refusal("points:\n  - id: a\n    radius: 3\n    radius: 4\n")
    assert (err.check, err.line, err.field) == ("yaml_duplicate_key", 4, "points.0.radius")
    assert "first on line 3" in err.problem


def test_deep_nesting_is_refused_before_any_recursion():
    err = refusal("title: " + "[" * 1_000_000 + "]" * 1_000_000)
    assert err.check == "yaml_limits" and "levels deep" in err.problem


def test_alias_expansion_is_bounded():
    laughs = "a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
        for p, c in zip("abcdef", "bcdefg", strict=True)
    )
    err = refusal(laughs)
    assert err.check == "yaml_limits" and "aliases" in err.problem


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("a: !!binary aGk=\n", "yaml_tag"),
        ("a: !!timestamp 2001-01-01\n", "yaml_tag"),
        ("a: !custom x\n", "yaml_tag"),
        ("<<: {a: 1}\n", "yaml_alias"),
        ("a: &x [1, *x]\n", "yaml_alias"),
        ("&x [&x ]", "yaml_alias"),
        ("!!str []", "yaml_tag"),
        ("a: !!map [1]\n", "yaml_tag"),
        ("a: &x 1\nb: &x 2\n", "yaml_alias"),
        ('a: "bell\\a"\n', "yaml_characters"),
        ("a: " + "1" * 200 + "\n", "yaml_limits"),
        ("a: 1\n---\nb: 2\n", "yaml_syntax"),
        ("a: [1\n", "yaml_syntax"),
    ],
)
def test_refusals_are_named(text: str, check: str):
    assert refusal(text).check == check


def test_file_limits_are_checked_before_reading(tmp_path: Path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(DATA_LIMITS.max_bytes + 1)
    with pytest.raises(YamlError) as caught:
        load_yaml(big)
    assert caught.value.check == "yaml_limits"


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("a: 1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.yaml").symlink_to(outside)
    with pytest.raises(YamlError) as caught:
        load_yaml(tmp_path / "data" / "x.yaml")
    assert caught.value.check == "file_readable"


# -- properties ------------------------------------------------------------------------
# Derandomized, so the suite is the same on every run; a new search can be run by hand with
# HYPOTHESIS settings changed. ("&x [&x ]", a duplicate anchor, was found by a random run.)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.dictionaries(st.text(min_size=1, max_size=10), inner, max_size=6),
    ),
    max_leaves=60,
)


@given(documents, st.booleans())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
def test_any_document_reads_back_as_safe_load_reads_it(doc: Any, flow: bool):
    text = yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True)
    try:
        data, _ = parse_yaml(text, NAME)
    except YamlError as err:  # only what the limits or the character rule refuse
        assert err.check in ("yaml_characters", "yaml_limits"), err
        return
    assert repr(data) == repr(safe_load(text))  # repr: nan equals nan


@given(st.text(max_size=300))
@settings(max_examples=500, derandomize=True)
def test_any_text_is_read_or_refused_never_raised(text: str):
    try:
        data, _ = parse_yaml(text, NAME)
    except YamlError:
        return
    assert repr(data) == repr(safe_load(text))  # repr: nan equals nan


yamlish = st.lists(
    st.sampled_from(
        ["a", ":", " ", "\n", "- ", "[", "]", "{", "}", ",", "&x ", "*x", "!!str ", "<<", '"',
         "'", "#", "|", ">", "  ", "1", "0x1F", ".nan", "~", "? ", "---", "\\x1b", "\t"]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@given(yamlish)
@settings(max_examples=3000, derandomize=True)
def test_yaml_shaped_noise_is_read_or_refused_never_raised(text: str):
    try:
        data, _ = parse_yaml(text, NAME)
    except YamlError:
        return
    assert repr(data) == repr(safe_load(text))  # repr: nan equals nan
