"""The shapes a structure may have: a tube along a centreline, a surface mesh, a mirror or
an offset of another structure, or a parametric solid."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from atlas_app.model.records import Cites, Id, Record, Vec3


class CenterlineGeometry(Record):
    """A tube along control points: nerves, vessels, ureters.

    ``radius`` is one number or one per point. ``aspect`` < 1 flattens the tube into a
    band (the lumbosacral trunk is about 11 mm wide and 4 mm thick), thinnest along
    ``flat_normal``.
    """

    kind: Literal["centerline"]
    points: list[Vec3] = Field(min_length=2)
    radius: float | list[float]
    aspect: float = Field(default=1.0, gt=0, le=1)
    flat_normal: Vec3 | None = None
    source: Cites

    def radii(self) -> list[float]:
        if isinstance(self.radius, list):
            return list(self.radius)
        return [float(self.radius)] * len(self.points)


class MeshGeometry(Record):
    """A surface mesh shipped in ``anatomy_data/meshes``: ``file`` is the copy the browser
    gets, ``detail`` (optional) a finer copy of the same surface for measurements."""

    kind: Literal["mesh"]
    file: str = Field(pattern=r"^[\w./-]+\.(vtp|stl|ply)$")
    detail: str | None = Field(default=None, pattern=r"^[\w./-]+\.(vtp|stl|ply)$")
    closed: bool = True
    """A closed surface (a bone, a disc, a muscle); ``mesh_data`` checks it has no open edge."""
    source: Cites


class MirrorGeometry(Record):
    """The mirror image, across the midsagittal plane (x = 0), of another structure."""

    kind: Literal["mirror"]
    of: Id
    source: Cites


class OffsetGeometry(Record):
    """A strand running beside another centerline structure: that structure's points shifted
    by ``by`` (mm), over the stretch ``span`` of its length (fractions from its start), with
    its own radius. Resolved after the variants are applied, so a doubled root follows
    whatever course a variant gives the root it doubles."""

    kind: Literal["offset"]
    of: Id
    by: Vec3
    radius: float = Field(gt=0)
    span: tuple[float, float] = (0.0, 1.0)
    source: Cites

    @model_validator(mode="after")
    def _span_in_order(self) -> OffsetGeometry:
        a, b = self.span
        if not 0.0 <= a < b <= 1.0:
            raise ValueError("span must be two fractions 0 <= start < end <= 1")
        return self


class ParametricGeometry(Record):
    """A shape built from a few numbers, for what the CT lacks (always schematic).

    - ``ellipsoid``: ``center``, ``size`` (three diameters), optional ``axes``
      (rows = local x, y, z).
    - ``box``: ``center``, ``size``, optional ``axes``.
    - ``sheet``: a curved plate: ``points`` is its outline in the axial plane, swept from
      ``z_range[0]`` to ``z_range[1]``, ``thickness`` thick.
    - ``blob``: a smooth union of spheres at ``points`` with ``radii`` (cement, a fracture gap).
    - ``cone``: a truncated cone from ``points[0]`` to ``points[1]`` with end ``radii``
      (an approach's working corridor, an instrument's shaft); ``open``: without its end
      discs (a channel to look into).
    """

    kind: Literal["parametric"]
    shape: Literal["ellipsoid", "box", "sheet", "blob", "cone"]
    center: Vec3 | None = None
    size: Vec3 | None = None
    axes: tuple[Vec3, Vec3, Vec3] | None = None
    points: list[Vec3] | None = None
    radii: list[float] | None = None
    z_range: tuple[float, float] | None = None
    thickness: float | None = Field(default=None, gt=0)
    open: bool = False
    source: Cites

    @model_validator(mode="after")
    def _fields_for_shape(self) -> ParametricGeometry:
        need = {
            "ellipsoid": ("center", "size"),
            "box": ("center", "size"),
            "sheet": ("points", "z_range", "thickness"),
            "blob": ("points", "radii"),
            "cone": ("points", "radii"),
        }[self.shape]
        missing = [name for name in need if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.shape} needs {', '.join(missing)}")
        if self.shape in ("blob", "cone") and len(self.points or []) != len(self.radii or []):
            raise ValueError(f"a {self.shape} needs one radius per point")
        if self.shape == "cone" and len(self.points or []) != 2:
            raise ValueError("a cone has two end points")
        if self.open and self.shape != "cone":
            raise ValueError("only a cone can be open")
        if self.size is not None and min(self.size) <= 0:
            raise ValueError("sizes must be positive")
        return self


Geometry = Annotated[
    CenterlineGeometry | MeshGeometry | MirrorGeometry | OffsetGeometry | ParametricGeometry,
    Field(discriminator="kind"),
]
