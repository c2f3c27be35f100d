"""The loaded atlas: every record by id, where it came from, and the faults met on the way."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from atlas_app.model.records import Reference
from atlas_app.model.schema import (
    AllowedContact,
    AtlasInfo,
    Group,
    Landmark,
    Structure,
    VariantGroup,
)
from atlas_app.model.yaml_io import DocPath


def _printable(char: str) -> str:
    """A character as it can be printed on one line: itself, or its escape."""
    return char if char.isprintable() else repr(char)[1:-1]


@dataclass(frozen=True, order=True)
class Fault:
    """One problem in the data, printed as ``file:line: field: problem``."""

    file: str
    line: int
    field: str
    problem: str
    check: str

    def __str__(self) -> str:
        # One fault, one line: whatever a file held, nothing printed can forge another fault
        # line or reach the terminal as an escape code.
        text = f"{self.file}:{self.line}: {self.field}: {self.problem} [{self.check}]"
        return text if text.isprintable() else "".join(map(_printable, text))


@dataclass(frozen=True)
class Origin:
    """Where a record was read: its file (relative to the atlas root) and the path in it."""

    file: str
    path: DocPath
    lines: dict[DocPath, int] = field(repr=False, compare=False)

    def line(self, *sub: str | int) -> int:
        full = (*self.path, *sub)
        for end in range(len(full), -1, -1):
            found = self.lines.get(full[:end])
            if found is not None:
                return found
        return 1


@dataclass(frozen=True)
class Atlas:
    """Everything read from one atlas directory. Records that failed validation are absent
    and their faults are in ``faults``; the rest is usable."""

    root: Path
    info: AtlasInfo | None
    references: dict[str, Reference]
    structures: dict[str, Structure]
    landmarks: dict[str, Landmark]
    groups: dict[str, Group]
    variant_groups: dict[str, VariantGroup]
    allowed_contacts: dict[str, AllowedContact]
    origins: dict[tuple[str, str], Origin]
    faults: tuple[Fault, ...] = ()

    def origin(self, kind: str, record_id: str) -> Origin | None:
        return self.origins.get((kind, record_id))

    def without_structures(self, ids: set[str], faults: tuple[Fault, ...] = ()) -> Atlas:
        """The atlas with these structures left out (their data is unusable) and their
        faults added; the rest serves as before."""
        if not ids and not faults:
            return self
        kept = {k: v for k, v in self.structures.items() if k not in ids}
        return replace(self, structures=kept, faults=(*self.faults, *faults))

    def fault(self, check: str, kind: str, record_id: str, sub: DocPath, problem: str) -> Fault:
        """A fault located at a field of a loaded record."""
        origin = self.origin(kind, record_id)
        where = ".".join(str(s) for s in (record_id, *sub))
        if origin is None:
            return Fault("?", 1, where, problem, check)
        return Fault(origin.file, origin.line(*sub), where, problem, check)

    def option_group(self) -> dict[str, str]:
        """Variant option id → the id of its group."""
        return {o.id: g.id for g in self.variant_groups.values() for o in g.options}
