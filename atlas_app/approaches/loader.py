"""Approach files → typed approaches, with faults named by file, line and field.

``anatomy_data/approaches/`` holds ``instruments.yaml`` (kind ``instruments``) and one file
per approach (kind ``approach``). Every id they name must exist in the atlas: structures
(of the base model or added by a variant), landmarks, instruments, references, cameras.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from atlas_app.approaches.schema import Approach, Instrument, PointRef
from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.camera import CAMERA_PRESETS
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
from atlas_app.model.yaml_io import LoadedYaml

FOLDER = "approaches"


@dataclass(frozen=True)
class ApproachSet:
    approaches: dict[str, Approach]
    instruments: dict[str, Instrument]
    faults: tuple[Fault, ...]
    sources: dict[str, tuple[str, LoadedYaml]]  # approach id → (file, document)


def load_approaches(atlas: Atlas) -> ApproachSet:
    """Read and check every approach file of an atlas. Never raises on bad data."""
    folder = atlas.root / FOLDER
    faults: list[Fault] = []
    approaches: dict[str, Approach] = {}
    instruments: dict[str, Instrument] = {}
    sources: dict[str, tuple[str, LoadedYaml]] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        read = read_versioned(path, faults)
        if read is None:
            continue
        doc, data = read
        rel = relative_path(path)
        if "approach" in data:
            record = validate_record(Approach, data["approach"], ("approach",), doc, faults)
            if isinstance(record, Approach):
                if record.id in approaches:
                    faults.append(
                        Fault(
                            rel,
                            doc.line_of(("approach", "id")),
                            "approach.id",
                            "duplicate approach id",
                            "unique_ids",
                        )
                    )
                else:
                    approaches[record.id] = record
                    sources[record.id] = (rel, doc)
        elif isinstance(data.get("instruments"), list):
            for i, raw in enumerate(data["instruments"]):
                inst = validate_record(Instrument, raw, ("instruments", i), doc, faults)
                if isinstance(inst, Instrument):
                    instruments[inst.id] = inst
        else:
            faults.append(
                Fault(
                    rel, 1, "-", "expected schema_version and 'approach' or 'instruments'", "schema"
                )
            )
    for aid, approach in approaches.items():
        rel, doc = sources[aid]
        for loc, problem, check in _cross_check(approach, atlas, instruments):
            line = doc.line_of(("approach", *loc))
            faults.append(Fault(rel, line, field_path(loc), problem, check))
    return ApproachSet(approaches, instruments, tuple(sorted(faults)), sources)


def _cross_check(
    approach: Approach, atlas: Atlas, instruments: dict[str, Instrument]
) -> Iterator[Issue]:
    structures = known_structures(atlas)
    for loc, value in walk(approach):
        if isinstance(value, Citation) and value.ref not in atlas.references:
            yield (*loc, "ref"), f"unknown reference '{value.ref}'", "citations_resolve"
        if isinstance(value, PointRef):
            if value.landmark and value.landmark not in atlas.landmarks:
                yield (
                    (*loc, "landmark"),
                    f"unknown landmark '{value.landmark}'",
                    "references_resolve",
                )
            if value.structure and value.structure not in structures:
                yield (
                    (*loc, "structure"),
                    f"unknown structure '{value.structure}'",
                    "references_resolve",
                )
    if approach.camera is None:
        yield ("camera",), "no surgeon's camera (look_at, toward_eye, distance)", "camera_defined"
    if approach.target.structure not in structures:
        yield (
            ("target", "structure"),
            f"unknown structure '{approach.target.structure}'",
            "references_resolve",
        )
    for i, step in enumerate(approach.steps):
        for field in ("removed", "restored", "exposed", "at_risk", "through"):
            for j, sid in enumerate(getattr(step, field)):
                if sid not in structures:
                    yield ("steps", i, field, j), f"unknown structure '{sid}'", "references_resolve"
        for j, o in enumerate(step.in_the_way):
            for k, sid in enumerate(o.structures):
                if sid not in structures:
                    yield (
                        ("steps", i, "in_the_way", j, "structures", k),
                        f"unknown structure '{sid}'",
                        "references_resolve",
                    )
        for j, r in enumerate(step.retract):
            if r.structure not in structures:
                yield (
                    ("steps", i, "retract", j, "structure"),
                    f"unknown structure '{r.structure}'",
                    "references_resolve",
                )
            for k, sid in enumerate(r.carries):
                if sid not in structures:
                    yield (
                        ("steps", i, "retract", j, "carries", k),
                        f"unknown structure '{sid}'",
                        "references_resolve",
                    )
            if r.instrument and r.instrument not in instruments:
                yield (
                    ("steps", i, "retract", j, "instrument"),
                    f"unknown instrument '{r.instrument}'",
                    "references_resolve",
                )
        for j, inst in enumerate(step.instruments):
            if inst not in instruments:
                yield (
                    ("steps", i, "instruments", j),
                    f"unknown instrument '{inst}'",
                    "references_resolve",
                )
        if step.camera is not None and step.camera not in CAMERA_PRESETS:
            yield (
                ("steps", i, "camera"),
                (f"unknown camera '{step.camera}' (known: {', '.join(CAMERA_PRESETS)})"),
                "references_resolve",
            )
    if (
        approach.steps
        and approach.steps[0].corridor is None
        and not any(s.corridor for s in approach.steps)
    ):
        yield ("steps",), "no step defines a working corridor", "corridor_defined"
