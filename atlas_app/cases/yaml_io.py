"""A case as a YAML file, and back: what faculty exchange between installations.

The file names atlas ids (structures, variants, approaches); it never copies geometry.
Import is strict and all-or-nothing: a file larger than :data:`MAX_IMPORT_BYTES`, not
UTF-8, holding control characters, anchors or aliases (the "billion laughs" bomb), not
valid YAML, not a case, or naming ids this atlas lacks raises :class:`CaseImportError`
whose message names the line and the field; nothing is returned half-built.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import ValidationError

from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.checks import case_problems
from atlas_app.cases.model import Case, case_data, case_from_data
from atlas_app.model.atlas import Atlas
from atlas_app.model.yaml_io import CASE_LIMITS, DocPath, YamlError, decode_text, line_in
from atlas_app.model.yaml_reader import parse_yaml

MAX_IMPORT_BYTES: Final = CASE_LIMITS.max_bytes
"""A case file larger than this is refused before it is parsed."""

EXAMPLE_CASE: Final = "l5_cement_leak.yaml"
_NAME: Final = Path("case file")
_HEADER = "# Sacral Ala Atlas case (atlas ids only: no geometry, no patient identifiers)\n"


class _Dumper(yaml.SafeDumper):
    """Safe dumping, with multi-line text as literal blocks (readable in a text editor)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


class CaseImportError(ValueError):
    """A case file that cannot be imported; the message says where and why."""


def case_to_yaml(case: Case) -> str:
    """The case as YAML: ``schema_version`` first, fields in the model's order, slides in
    their order; the same case always gives the same text."""
    body = yaml.dump(
        case_data(case),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return _HEADER + body


def _decode(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_IMPORT_BYTES:
        raise CaseImportError(
            f"the file is {len(raw) // 1024} kB; a case file may be at most "
            f"{MAX_IMPORT_BYTES // 1024} kB"
        )
    try:
        return decode_text(_NAME, raw)
    except YamlError as exc:
        raise CaseImportError(f"line {exc.line}: {exc.problem}") from exc


def _parse(text: str) -> tuple[Any, dict[DocPath, int]]:
    # The shared reader refuses anchors and aliases (no use in a case; how YAML bombs are
    # built), nesting past its limit before any recursive parser sees it, duplicate keys and
    # unsafe tags.
    try:
        return parse_yaml(text, _NAME, CASE_LIMITS)
    except YamlError as exc:
        where = f"{exc.field}: " if exc.field != "-" else ""
        prefix = "not valid YAML: " if exc.check == "yaml_syntax" else ""
        raise CaseImportError(f"line {exc.line}: {where}{prefix}{exc.problem}") from exc


def case_from_yaml(data: bytes | str, atlas: Atlas, approaches: ApproachSet) -> Case:
    """The case a YAML file holds, checked against this atlas and its approaches.

    Raises :class:`CaseImportError` naming the line and field of the first problem."""
    text = _decode(data)
    loaded, lines = _parse(text)
    if not isinstance(loaded, dict):
        raise CaseImportError("line 1: a case file is a mapping with a title and slides")
    try:
        case = case_from_data(loaded)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _TAGS))
        where = ".".join(str(p) for p in loc) or "-"
        raise CaseImportError(
            f"line {line_in(lines, loc)}: {where}: {err['msg']}"
            + (f" ({len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else "")
        ) from exc
    problems = case_problems(case, atlas, approaches)
    if problems:
        first = problems[0]
        more = f" ({len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise CaseImportError(f"line {line_in(lines, first.path)}: {first}{more}")
    return case


# Pydantic puts the discriminator's tag in an error's location; the file has no such key.
_TAGS = frozenset(
    {
        "view",
        "chart",
        "text",
        "preset",
        "placed",
        "corridor_distances",
        "corridor_summary",
        "step_profile",
        "variability",
    }
)


def example_case_text() -> str:
    """The shipped example case's YAML."""
    return resources.files("atlas_app.cases").joinpath("examples", EXAMPLE_CASE).read_text("utf-8")


def example_case(atlas: Atlas, approaches: ApproachSet) -> Case:
    """The shipped example: an extra-osseous cement leak onto the right L5 root after
    sacroplasty, removed through the anterior transpsoas approach (de-identified)."""
    return case_from_yaml(example_case_text(), atlas, approaches)
