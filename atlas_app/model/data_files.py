"""Reading the atlas's data files the same way (its own, approaches, sacroplasty, quiz).

Each folder's loader reads its files with :func:`read_versioned`, validates records with
:func:`validate_record` and reports every problem as a :class:`Fault` named by file, line
and field. Nothing here raises on bad data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.schema import SCHEMA_VERSION
from atlas_app.model.yaml_io import DocPath, LoadedYaml, YamlError, relative_path
from atlas_app.model.yaml_reader import load_yaml

M = TypeVar("M", bound=BaseModel)
Issue = tuple[DocPath, str, str]
"""A problem a loader's cross-check finds in a record: (field path, problem, check)."""


def field_path(loc: DocPath) -> str:
    """``steps.2.camera`` for a location, ``-`` for the whole document."""
    return ".".join(str(p) for p in loc) or "-"


def read_versioned(path: Path, faults: list[Fault]) -> tuple[LoadedYaml, dict[str, Any]] | None:
    """A YAML file of this schema version and its top-level mapping, or None with the fault
    (bad YAML, or a schema version this app does not read) added to ``faults``."""
    rel = relative_path(path)
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        faults.append(Fault(rel, exc.line, exc.field, exc.problem, exc.check))
        return None
    data = doc.data
    if not isinstance(data, dict):
        faults.append(Fault(rel, 1, "-", "expected a mapping at the top of the file", "schema"))
        return None
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        problem = (
            "missing"
            if version is None
            else f"{version!r} is not supported (this app reads {SCHEMA_VERSION})"
        )
        line = doc.line_of(("schema_version",))
        faults.append(Fault(rel, line, "schema_version", problem, "schema_version"))
        return None
    return doc, data


def describe_error(err: Any) -> tuple[DocPath, str]:
    """A pydantic error as (path inside the record, readable problem)."""
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown field (typo?)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    return loc, msg


# pydantic puts the tag of a discriminated union in the error location; a reader wants
# the field path, not the union branch.
_UNION_TAGS = {
    "centerline",
    "mesh",
    "mirror",
    "offset",
    "parametric",
    "function-before[_from_string()]",
}


def validate_record(
    model: type[M],
    raw: Any,
    prefix: DocPath,
    doc: LoadedYaml,
    faults: list[Fault],
    label: str | None = None,
) -> M | None:
    """``raw`` as a ``model``, or None with each problem added to ``faults`` at its line
    (``raw`` stands at ``prefix`` in the document). A fault's field is named from
    ``prefix``, or from ``label`` (the record's id) when given."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        rel = relative_path(doc.path)
        for err in exc.errors():
            loc, msg = describe_error(err)
            where = (*prefix, *loc)
            field = field_path(where if label is None else (label, *loc))
            faults.append(Fault(rel, doc.line_of(where), field, msg, "schema"))
        return None


def walk(value: object, loc: DocPath = ()) -> Iterator[tuple[DocPath, object]]:
    """Every value inside a record (models, lists, tuples, mappings) with its location."""
    yield loc, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from walk(getattr(value, name), (*loc, name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from walk(item, (*loc, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*loc, key))


def known_structures(atlas: Atlas) -> set[str]:
    """Structure ids of the base model and of every variant's additions."""
    ids = set(atlas.structures)
    for group in atlas.variant_groups.values():
        for option in group.options:
            ids |= {s.id for s in option.patch.add}
    return ids
