"""The prose of the atlas (names, descriptions, colours, citations, figures) and the few
numbers that steer each structure's build, read from ``atlas_build/prose/*.yaml``.

An entry whose id contains ``{side}`` stands for a right and a left structure: ``sides`` maps
each side to its own build values (the source surface, say), and ``{side}`` / ``{Side}`` in any
text become ``right`` / ``Right`` or ``left`` / ``Left`` (and ``{s}`` the ``r`` or ``l`` of
Z-Anatomy's file names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROSE = Path(__file__).parent / "prose"
RECORD_FIELDS = (
    "id",
    "name",
    "category",
    "side",
    "parent",
    "groups",
    "color",
    "ontology",
    "description",
    "schematic",
)
"""Copied into the atlas record in this order; ``figures`` goes last, after the geometry."""
SIDES = ("right", "left")


class ProseError(ValueError):
    """A prose file that names a field the build does not know, or misses one it needs."""


@dataclass(frozen=True)
class Entry:
    """One structure's prose (``record``) and build values (``build``)."""

    id: str
    record: dict[str, Any]
    build: dict[str, Any]
    figures: list[dict[str, Any]] = field(default_factory=list)
    cite: list[Any] = field(default_factory=list)

    def atlas_record(self, geometry: dict[str, Any]) -> dict[str, Any]:
        """The record as the atlas stores it, with this geometry."""
        out = {k: self.record[k] for k in RECORD_FIELDS if k in self.record}
        out["geometry"] = geometry
        if self.figures:
            out["figures"] = self.figures
        return out


def _fill(value: Any, side: str) -> Any:
    if isinstance(value, str):
        return (
            value.replace("{side}", side)
            .replace("{Side}", side.capitalize())
            .replace("{s}", side[0])
        )
    if isinstance(value, list):
        return [_fill(v, side) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, side) for k, v in value.items()}
    return value


def _entry(raw: dict[str, Any], where: str) -> Entry:
    if "id" not in raw:
        raise ProseError(f"{where}: an entry has no id")
    record = {k: raw[k] for k in RECORD_FIELDS if k in raw}
    build = {
        k: v for k, v in raw.items() if k not in RECORD_FIELDS and k not in ("figures", "cite")
    }
    return Entry(raw["id"], record, build, list(raw.get("figures", [])), list(raw.get("cite", [])))


ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def _fill_level(value: Any, level: int) -> Any:
    if isinstance(value, str):
        return value.replace("{level}", str(level)).replace("{ordinal}", ORDINALS[level])
    if isinstance(value, list):
        return [_fill_level(v, level) for v in value]
    if isinstance(value, dict):
        return {k: _fill_level(v, level) for k, v in value.items()}
    return value


def expand(raw: dict[str, Any], where: str) -> list[Entry]:
    """One entry per level of a ``{level}`` template (``levels: [...]``; ``{ordinal}`` becomes
    first, second…), then per side of a ``{side}`` template, else the entry itself."""
    if "{level}" in str(raw.get("id", "")):
        out = []
        for level in raw.get("levels", []):
            concrete = {k: v for k, v in raw.items() if k != "levels"}
            concrete = _fill_level(concrete, int(level))
            concrete["level"] = int(level)
            out += expand(concrete, where)
        return out
    if "{side}" not in str(raw.get("id", "")):
        return [_entry(raw, where)]
    sides = raw.get("sides")
    if not isinstance(sides, dict) or set(sides) - set(SIDES):
        raise ProseError(f"{where}: {raw.get('id')}: a sided entry needs sides: {{right, left}}")
    out = []
    for side in SIDES:
        if side not in sides:
            continue
        concrete = {k: v for k, v in raw.items() if k != "sides"}
        concrete = _fill(concrete, side)
        concrete["side"] = side
        extra = sides[side]
        if isinstance(extra, dict):
            concrete.update(extra)
        else:
            concrete["source"] = extra
        out.append(_entry(concrete, where))
    return out


def load_prose(name: str, folder: Path = PROSE) -> dict[str, Entry]:
    """Every entry of ``prose/<name>.yaml``, sides expanded, by id (in file order)."""
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries: dict[str, Entry] = {}
    for i, raw in enumerate(data.get("structures", [])):
        for entry in expand(raw, f"{path.name}[{i}]"):
            if entry.id in entries:
                raise ProseError(f"{path.name}: {entry.id} is defined twice")
            entries[entry.id] = entry
    return entries


def load_section(name: str, section: str, folder: Path = PROSE) -> Any:
    """Another top-level section of a prose file (groups of variants, notices…)."""
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if section not in data:
        raise ProseError(f"{path.name}: no section '{section}'")
    return data[section]
