"""Sacroplasty files → typed records, with faults named by file, line and field.

``anatomy_data/sacroplasty/*.yaml`` each carry ``schema_version`` and any of the sections
in :data:`SECTIONS`. Every id they name must exist: landmarks and structures in the atlas
(for both sides when the id holds ``{side}``), named points, views and references here.
Never raises on bad data: broken records are left out and described in ``faults``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.data_files import (
    Issue,
    field_path,
    known_structures,
    read_versioned,
    relative_path,
    validate_record,
    walk,
)
from atlas_app.model.records import Citation
from atlas_app.model.yaml_io import DocPath, LoadedYaml
from atlas_app.sacroplasty.schema import (
    SIDES,
    DenisZone,
    FluoroView,
    Foramen,
    LeakScenario,
    NamedPoint,
    PointSpec,
    Technique,
    sided,
)

FOLDER = "sacroplasty"
SECTIONS: dict[str, type[BaseModel]] = {
    "points": NamedPoint,
    "foramina": Foramen,
    "views": FluoroView,
    "techniques": Technique,
    "denis_zones": DenisZone,
    "leaks": LeakScenario,
}


@dataclass(frozen=True)
class Source:
    """Where a record was read: the file as a reader types it, the document, its path."""

    file: str
    doc: LoadedYaml
    path: DocPath

    def line(self, *sub: str | int) -> int:
        return self.doc.line_of((*self.path, *sub))


@dataclass(frozen=True)
class SacroplastySet:
    """Every sacroplasty record by id, and the faults met reading them."""

    points: dict[str, NamedPoint] = field(default_factory=dict)
    foramina: dict[str, Foramen] = field(default_factory=dict)
    views: dict[str, FluoroView] = field(default_factory=dict)
    techniques: dict[str, Technique] = field(default_factory=dict)
    denis_zones: dict[str, DenisZone] = field(default_factory=dict)
    leaks: dict[str, LeakScenario] = field(default_factory=dict)
    faults: tuple[Fault, ...] = ()
    sources: dict[tuple[str, str], Source] = field(default_factory=dict, repr=False)

    def section(self, name: str) -> dict[str, Any]:
        records: dict[str, Any] = getattr(self, name)
        return records

    def zones_in_order(self) -> list[DenisZone]:
        return sorted(self.denis_zones.values(), key=lambda z: z.number)


def load_sacroplasty(atlas: Atlas) -> SacroplastySet:
    """Read and check every sacroplasty file of an atlas."""
    folder = atlas.root / FOLDER
    faults: list[Fault] = []
    records: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    sources: dict[tuple[str, str], Source] = {}
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        faults.append(Fault(relative_path(folder), 1, "-", "no sacroplasty data files", "schema"))
    for path in paths:
        read = read_versioned(path, faults)
        if read is None:
            continue
        doc, data = read
        rel = relative_path(path)
        for key in data:
            if key != "schema_version" and key not in SECTIONS:
                faults.append(
                    Fault(
                        rel,
                        doc.line_of((key,)),
                        str(key),
                        f"unknown section (known: {', '.join(SECTIONS)})",
                        "schema",
                    )
                )
        for name, model in SECTIONS.items():
            if name not in data:
                continue
            items = data[name]
            if not isinstance(items, list):
                faults.append(Fault(rel, doc.line_of((name,)), name, "expected a list", "schema"))
                continue
            for i, raw in enumerate(items):
                record = validate_record(model, raw, (name, i), doc, faults)
                if record is None:
                    continue
                rid: str = record.id  # type: ignore[attr-defined]
                if rid in records[name]:
                    first = sources[(name, rid)]
                    faults.append(
                        Fault(
                            rel,
                            doc.line_of((name, i, "id")),
                            f"{name}.{i}.id",
                            f"duplicate id '{rid}' (first in {first.file}:{first.line('id')})",
                            "unique_ids",
                        )
                    )
                    continue
                records[name][rid] = record
                sources[(name, rid)] = Source(rel, doc, (name, i))
    loaded = _make_set(records, (), sources)
    for (name, rid), src in sources.items():
        record = loaded.section(name)[rid]
        for loc, problem, check in _cross_check(record, atlas, loaded):
            faults.append(
                Fault(src.file, src.line(*loc), field_path((*src.path, *loc)), problem, check)
            )
    for section, problem in _whole_set_problems(loaded):
        faults.append(Fault(relative_path(folder), 1, section, problem, "schema"))
    return _make_set(records, tuple(sorted(set(faults))), sources)


def _make_set(
    records: dict[str, dict[str, Any]],
    faults: tuple[Fault, ...],
    sources: dict[tuple[str, str], Source],
) -> SacroplastySet:
    return SacroplastySet(
        points=records["points"],
        foramina=records["foramina"],
        views=records["views"],
        techniques=records["techniques"],
        denis_zones=records["denis_zones"],
        leaks=records["leaks"],
        faults=faults,
        sources=sources,
    )


def _missing_sided(template: str, known: set[str] | dict[str, Any]) -> list[str]:
    names = [sided(template, s) for s in SIDES] if "{side}" in template else [template]
    return [n for n in names if n not in known]


def _cross_check(record: BaseModel, atlas: Atlas, loaded: SacroplastySet) -> Iterator[Issue]:
    structures = known_structures(atlas)
    for loc, value in walk(record):
        if isinstance(value, Citation) and value.ref not in atlas.references:
            yield (*loc, "ref"), f"unknown reference '{value.ref}'", "citations_resolve"
        if isinstance(value, PointSpec):
            yield from _check_point(value, loc, atlas, structures, loaded)
    if isinstance(record, Technique):
        for i, view in enumerate(record.views):
            if view not in loaded.views:
                yield ("views", i), f"unknown view '{view}'", "references_resolve"
    if isinstance(record, LeakScenario):
        for i, sid in enumerate(record.threatens):
            for name in _missing_sided(sid, structures):
                yield ("threatens", i), f"unknown structure '{name}'", "references_resolve"
    if isinstance(record, NamedPoint):
        cycle = _point_cycle(record.id, loaded)
        if cycle:
            yield ("where",), "points refer to each other in a loop: " + " → ".join(cycle), "schema"


def _check_point(
    spec: PointSpec, loc: DocPath, atlas: Atlas, structures: set[str], loaded: SacroplastySet
) -> Iterator[Issue]:
    if spec.landmark is not None:
        for name in _missing_sided(spec.landmark, atlas.landmarks):
            yield (*loc, "landmark"), f"unknown landmark '{name}'", "references_resolve"
    if spec.point is not None and spec.point not in loaded.points:
        yield (*loc, "point"), f"unknown point '{spec.point}'", "references_resolve"
    if spec.midway is not None:
        for j, ref in enumerate(spec.midway):
            if ref in loaded.points:
                continue
            for name in _missing_sided(ref, atlas.landmarks):
                yield (
                    (*loc, "midway", j),
                    f"'{name}' is neither a landmark nor a point of this data",
                    "references_resolve",
                )
    if spec.along is not None:
        for name in _missing_sided(spec.along.structure, structures):
            yield (*loc, "along", "structure"), f"unknown structure '{name}'", "references_resolve"


def _point_refs(spec: PointSpec, loaded: SacroplastySet) -> list[str]:
    refs = [spec.point] if spec.point else []
    if spec.midway:
        refs += [r for r in spec.midway if r in loaded.points]
    return refs


def _point_cycle(start: str, loaded: SacroplastySet) -> list[str]:
    """The loop of point references through ``start``, or [] when there is none."""

    def visit(pid: str, trail: list[str]) -> list[str]:
        point = loaded.points.get(pid)
        if point is None:
            return []
        for ref in _point_refs(point.where, loaded):
            if ref == start:
                return [*trail, ref]
            if ref not in trail:
                found = visit(ref, [*trail, ref])
                if found:
                    return found
        return []

    return visit(start, [start])


def _whole_set_problems(loaded: SacroplastySet) -> Iterator[tuple[str, str]]:
    numbers = sorted(z.number for z in loaded.denis_zones.values())
    if loaded.denis_zones and numbers != [1, 2, 3]:
        yield "denis_zones", f"expected zones 1, 2 and 3 once each, found {numbers}"
    if not loaded.techniques:
        yield "techniques", "no technique could be loaded"
