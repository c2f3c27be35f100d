"""Reading the atlas's other data folders (approaches, sacroplasty, quiz) the same way.

Each folder's loader reads its files with :func:`read_versioned`, validates records with
:func:`validate_record` and reports every problem as a :class:`Fault` named by file, line
and field. Nothing here raises on bad data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.loader import describe_error
from atlas_app.model.schema import SCHEMA_VERSION
from atlas_app.model.yaml_io import LoadedYaml, YamlError, load_yaml, relative_path

Loc = tuple[str | int, ...]
"""A path inside a YAML document: keys and list indexes."""


def field_path(loc: Loc) -> str:
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
    data = doc.data if isinstance(doc.data, dict) else {}
    if data.get("schema_version") != SCHEMA_VERSION:
        faults.append(
            Fault(
                rel,
                doc.line_of(("schema_version",)),
                "schema_version",
                f"{data.get('schema_version')!r} is not supported "
                f"(this app reads {SCHEMA_VERSION})",
                "schema_version",
            )
        )
        return None
    return doc, data


def validate_record(
    model: type[BaseModel], raw: Any, prefix: Loc, doc: LoadedYaml, faults: list[Fault]
) -> BaseModel | None:
    """``raw`` as a ``model``, or None with each problem added to ``faults`` at its line."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        rel = relative_path(doc.path)
        for err in exc.errors():
            loc, msg = describe_error(err)
            where = (*prefix, *loc)
            faults.append(Fault(rel, doc.line_of(where), field_path(where), msg, "schema"))
        return None


def walk(value: object, loc: Loc = ()) -> Iterator[tuple[Loc, object]]:
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
