"""The adult source body: BodyParts3D 3.0 surfaces and Z-Anatomy extracts, read as its
``MANIFEST.json`` lists them, each checked against its sha256 before use.

Both sources describe one adult male body (Z-Anatomy remodelled BodyParts3D). Their frames
share axes (mm, +X subject left, +Y posterior, +Z superior); Z-Anatomy's placement differs by
the similarity in ``zanatomy_extract/za_to_bp3d_similarity.json`` (scale 0.97, fitted by ICP
on the bones), which :meth:`Source.surface` applies, so every surface it returns is in the
BodyParts3D frame.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyvista as pv

REPO = Path(__file__).resolve().parents[1]
SOURCE_ENV = "ATLAS_ADULT_SOURCE"
SOURCE_CANDIDATES = (
    REPO / "data" / "adult_pelvis",
    REPO.parent / "shared" / "data" / "adult_pelvis",
    REPO.parent.parent / "shared" / "data" / "adult_pelvis",
)
MANIFEST = "MANIFEST.json"
BODYPARTS3D = "bodyparts3d"
ZANATOMY = "zanatomy"


class SourceError(RuntimeError):
    """The source folder is missing, incomplete or not what its manifest says."""


def default_source() -> Path:
    """Where the source folder is: ``$ATLAS_ADULT_SOURCE``, else the first candidate found
    (``data/adult_pelvis`` in the repository, then the project's shared data folder)."""
    if os.environ.get(SOURCE_ENV):
        return Path(os.environ[SOURCE_ENV])
    return next((p for p in SOURCE_CANDIDATES if (p / MANIFEST).is_file()), SOURCE_CANDIDATES[0])


@dataclass(frozen=True)
class SourceFile:
    """One surface of the source: ``key`` is the FMA id (BodyParts3D) or the file stem
    (Z-Anatomy, e.g. ``Femoral_nerve.r``)."""

    key: str
    kind: str
    name: str
    path: Path
    sha256: str
    licence: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Source:
    """The source folder, read through its manifest."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        manifest = self.root / MANIFEST
        if not manifest.is_file():
            raise SourceError(f"{manifest}: not found (is the adult source folder here?)")
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files: dict[str, SourceFile] = {}
        for entry in data["bodyparts3d_3.0_stl"]:
            files[entry["fma"]] = SourceFile(
                entry["fma"],
                BODYPARTS3D,
                entry["name"],
                self.root / entry["file"],
                entry["sha256"],
                entry["licence"],
            )
        for entry in data["zanatomy_extract"]:
            stem = Path(entry["file"]).stem
            files[stem] = SourceFile(
                stem,
                ZANATOMY,
                entry.get("za_name", stem),
                self.root / entry["file"],
                entry["sha256"],
                entry["licence"],
            )
        self.files = files
        self._checked: set[str] = set()

    def file(self, key: str) -> SourceFile:
        try:
            return self.files[key]
        except KeyError:
            raise SourceError(f"{self.root / MANIFEST}: no surface '{key}'") from None

    def check(self, key: str) -> SourceFile:
        """The file of ``key``, after checking it exists and has the manifest's sha256."""
        entry = self.file(key)
        if key not in self._checked:
            if not entry.path.is_file():
                raise SourceError(f"{entry.path}: listed in the manifest but missing")
            found = sha256_of(entry.path)
            if found != entry.sha256:
                raise SourceError(
                    f"{entry.path}: sha256 {found[:12]}… differs from the manifest's "
                    f"{entry.sha256[:12]}… (the file changed)"
                )
            self._checked.add(key)
        return entry

    @cached_property
    def za_to_bp3d(self) -> np.ndarray:
        """The 4×4 similarity taking Z-Anatomy points onto BodyParts3D (p_bp3d = M p_za)."""
        path = self.root / "zanatomy_extract" / "za_to_bp3d_similarity.json"
        matrix = np.asarray(json.loads(path.read_text(encoding="utf-8"))["matrix"], float)
        if matrix.shape != (4, 4):
            raise SourceError(f"{path}: matrix is not 4×4")
        return matrix

    def surface(self, key: str) -> pv.PolyData:
        """The surface of ``key`` in the BodyParts3D frame, triangulated, duplicate points
        merged (a fresh copy each call)."""
        entry = self.check(key)
        mesh = pv.read(entry.path)
        if not isinstance(mesh, pv.PolyData):
            raise SourceError(f"{entry.path}: not a surface")
        mesh = mesh.triangulate().clean()
        mesh.clear_data()
        if entry.kind == ZANATOMY:
            mesh = mesh.transform(self.za_to_bp3d, inplace=False)
        return mesh

    def licence_texts(self) -> dict[str, str]:
        """The attribution and licence texts shipped with the source, by file name."""
        folder = self.root / "LICENSES"
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
