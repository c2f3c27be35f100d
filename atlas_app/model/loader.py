"""YAML files → an :class:`Atlas`, record by record, never raising on bad data.

An atlas directory holds ``*.yaml`` files. Each carries ``schema_version`` and one
top-level list (or, for the manifest, mapping) named by its kind:

====================  ================================================
key                   records
====================  ================================================
``atlas``             the manifest (one per atlas)
``references``        the bibliography
``structures``        bones, muscles, vessels, nerves, viscera, pathology
``landmarks``         named points
``groups``            systems and plexuses
``variant_groups``    anatomical variants
``allowed_contacts``  structures anatomy lets pass into one another
====================  ================================================

Folders listed in :data:`OTHER_LOADERS` hold other kinds of data (approaches, quiz items)
read by their own loaders.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from atlas_app.model.atlas import Atlas, Fault, Origin
from atlas_app.model.data_files import read_versioned, validate_record
from atlas_app.model.records import Reference
from atlas_app.model.schema import (
    AllowedContact,
    AtlasInfo,
    Group,
    Landmark,
    Structure,
    VariantGroup,
)
from atlas_app.model.yaml_io import DocPath, LoadedYaml, relative_path

LIST_KINDS: dict[str, type[BaseModel]] = {
    "references": Reference,
    "structures": Structure,
    "landmarks": Landmark,
    "groups": Group,
    "variant_groups": VariantGroup,
    "allowed_contacts": AllowedContact,
}
OTHER_LOADERS = ("approaches", "quiz", "meshes", "sacroplasty", "cases")


def iter_data_files(root: Path) -> Iterator[Path]:
    """The atlas's YAML files in a stable order, skipping folders other loaders own."""
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root)
        if rel.parts[0] in OTHER_LOADERS or any(p.startswith(".") for p in rel.parts):
            continue
        yield path


def linked_folders(root: Path) -> Iterator[Path]:
    """Links to folders inside the atlas: the reader does not follow them (they could lead
    out of the atlas or round in a loop), so their files would be silently missed."""
    for folder, dirs, _files in os.walk(root):
        for name in sorted(dirs):
            if (Path(folder) / name).is_symlink():
                yield Path(folder) / name


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.faults: list[Fault] = []
        self.records: dict[str, dict[str, Any]] = {k: {} for k in LIST_KINDS}
        self.origins: dict[tuple[str, str], Origin] = {}
        self.info: AtlasInfo | None = None

    def rel(self, path: Path) -> str:
        return relative_path(path)

    def fault(self, doc: LoadedYaml, path: DocPath, field: str, problem: str, check: str) -> None:
        self.faults.append(Fault(self.rel(doc.path), doc.line_of(path), field, problem, check))

    def read_file(self, path: Path) -> None:
        versioned = read_versioned(path, self.faults)
        if versioned is None:
            return
        doc, data = versioned
        kinds = [k for k in data if k != "schema_version"]
        if len(kinds) != 1 or kinds[0] not in (*LIST_KINDS, "atlas"):
            self.fault(
                doc,
                (),
                "-",
                f"expected schema_version and one of {', '.join(['atlas', *LIST_KINDS])}; "
                f"found {', '.join(map(str, kinds)) or 'nothing'}",
                "schema",
            )
            return
        kind = kinds[0]
        if kind == "atlas":
            self.read_manifest(doc, data["atlas"])
        else:
            self.read_list(doc, kind, data[kind])

    def read_manifest(self, doc: LoadedYaml, raw: Any) -> None:
        info = validate_record(AtlasInfo, raw, ("atlas",), doc, self.faults, "atlas")
        if info is None:
            return
        if self.info is not None:
            self.fault(doc, ("atlas",), "atlas", "a second atlas manifest", "unique_ids")
            return
        self.info = info
        self.origins[("atlas", "atlas")] = Origin(self.rel(doc.path), ("atlas",), doc.lines)

    def read_list(self, doc: LoadedYaml, kind: str, items: Any) -> None:
        if not isinstance(items, list):
            self.fault(doc, (kind,), kind, "expected a list", "schema")
            return
        model = LIST_KINDS[kind]
        for i, raw in enumerate(items):
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            label = str(raw_id) if raw_id else f"{kind}[{i}]"
            record = validate_record(model, raw, (kind, i), doc, self.faults, label)
            if record is None:
                continue
            record_id: str = record.id  # type: ignore[attr-defined]
            key = (kind, record_id)
            if key in self.origins:
                first = self.origins[key]
                self.fault(
                    doc,
                    (kind, i, "id"),
                    f"{record_id}.id",
                    f"duplicate id (first defined in {first.file}:{first.line()})",
                    "unique_ids",
                )
                continue
            self.origins[key] = Origin(self.rel(doc.path), (kind, i), doc.lines)
            self.records[kind][record_id] = record


def load_atlas(root: Path | str) -> Atlas:
    """Read every data file under ``root``. Never raises on bad data: broken records are
    left out and described in ``Atlas.faults``."""
    root = Path(root)
    reader = _Reader(root)
    if not root.is_dir():
        reader.faults.append(Fault(str(root), 1, "-", "atlas directory not found", "yaml_syntax"))
    else:
        for path in iter_data_files(root):
            reader.read_file(path)
        for link in linked_folders(root):
            reader.faults.append(
                Fault(
                    reader.rel(link),
                    1,
                    "-",
                    "a link to a folder: its files are not read",
                    "file_readable",
                )
            )
        if reader.info is None:
            reader.faults.append(
                Fault(str(root.name), 1, "atlas", "no atlas manifest (atlas.yaml)", "schema")
            )
    r = reader.records
    return Atlas(
        root=root,
        info=reader.info,
        references=r["references"],
        structures=r["structures"],
        landmarks=r["landmarks"],
        groups=r["groups"],
        variant_groups=r["variant_groups"],
        allowed_contacts=r["allowed_contacts"],
        origins=reader.origins,
        faults=tuple(reader.faults),
    )
