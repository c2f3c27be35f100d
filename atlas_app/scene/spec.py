"""The scene description: what a view shows and from where, as plain frozen data.

A :class:`SceneSpec` is what every renderer draws (the browser viewer, the server-side
still) and what caches are keyed by. It holds no meshes and no VTK objects: only ids,
names, colours, opacities and a camera. It is hashable, has a stable :meth:`SceneSpec.key`
(the same in every process and on every machine) and round-trips through a dict or JSON,
so a case can store the views it shows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Vec3 = tuple[float, float, float]

SPEC_FORMAT = 1
"""Bump when the meaning of a field changes: it is part of every key."""

HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
LABEL_PRIORITY = ("pathology", "nerve", "artery", "vein", "viscus", "muscle", "bone")
"""Which structures are named first when not all labels fit, after the highlighted ones
(the still's numbered pins and the live view's labels alike)."""
_DIGITS = 4  # camera numbers are rounded this far before hashing and storing


def _vec3(value: Any, name: str) -> Vec3:
    try:
        x, y, z = (round(float(v), _DIGITS) for v in value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be three numbers, got {value!r}") from exc
    return (x, y, z)


def _color(value: str, name: str) -> str:
    color = value.lower()
    if not HEX_COLOR.match(color):
        raise ValueError(f"{name} must be a colour like '#a1b2c3', got {value!r}")
    return color


@dataclass(frozen=True)
class CameraSpec:
    """Where the camera is and what it looks at (atlas frame, mm).

    ``parallel_scale`` set means a parallel (orthographic) projection with that half-height
    in mm; otherwise a perspective projection with ``view_angle`` degrees.
    """

    name: str
    title: str
    position: Vec3
    focal_point: Vec3
    view_up: Vec3
    view_angle: float = 30.0
    parallel_scale: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", _vec3(self.position, "position"))
        object.__setattr__(self, "focal_point", _vec3(self.focal_point, "focal_point"))
        object.__setattr__(self, "view_up", _vec3(self.view_up, "view_up"))
        object.__setattr__(self, "view_angle", round(float(self.view_angle), _DIGITS))
        if not 1.0 <= self.view_angle <= 120.0:
            raise ValueError(f"view_angle must be 1–120 degrees, got {self.view_angle}")
        if self.parallel_scale is not None:
            scale = round(float(self.parallel_scale), _DIGITS)
            if scale <= 0:
                raise ValueError("parallel_scale must be positive")
            object.__setattr__(self, "parallel_scale", scale)
        if self.position == self.focal_point:
            raise ValueError("the camera position and focal point coincide")
        if self.view_up == (0.0, 0.0, 0.0):
            raise ValueError("view_up must not be zero")

    @property
    def direction(self) -> Vec3:
        """Unit vector from the camera to the focal point (the direction of view)."""
        d = [f - p for f, p in zip(self.focal_point, self.position, strict=True)]
        n = sum(c * c for c in d) ** 0.5
        return (d[0] / n, d[1] / n, d[2] / n)

    @property
    def distance(self) -> float:
        d = [f - p for f, p in zip(self.focal_point, self.position, strict=True)]
        return float(sum(c * c for c in d) ** 0.5)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "position": list(self.position),
            "focal_point": list(self.focal_point),
            "view_up": list(self.view_up),
            "view_angle": self.view_angle,
            "parallel_scale": self.parallel_scale,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CameraSpec:
        return cls(
            name=str(data["name"]),
            title=str(data["title"]),
            position=tuple(data["position"]),
            focal_point=tuple(data["focal_point"]),
            view_up=tuple(data["view_up"]),
            view_angle=float(data.get("view_angle", 30.0)),
            parallel_scale=data.get("parallel_scale"),
        )


@dataclass(frozen=True)
class ActorSpec:
    """One structure as drawn: its colour and opacity in this view, and whether it shows."""

    structure_id: str
    label: str
    category: str
    color: str
    opacity: float = 1.0
    highlighted: bool = False
    visible: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "color", _color(self.color, f"{self.structure_id}.color"))
        opacity = round(float(self.opacity), 3)
        if not 0.0 < opacity <= 1.0:
            raise ValueError(f"{self.structure_id}: opacity must be in (0, 1], got {opacity}")
        object.__setattr__(self, "opacity", opacity)

    @property
    def translucent(self) -> bool:
        return self.opacity < 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "structure_id": self.structure_id,
            "label": self.label,
            "category": self.category,
            "color": self.color,
            "opacity": self.opacity,
            "highlighted": self.highlighted,
            "visible": self.visible,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActorSpec:
        return cls(
            structure_id=str(data["structure_id"]),
            label=str(data["label"]),
            category=str(data["category"]),
            color=str(data["color"]),
            opacity=float(data.get("opacity", 1.0)),
            highlighted=bool(data.get("highlighted", False)),
            visible=bool(data.get("visible", True)),
        )


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend: a swatch colour, a label and the structures it stands for."""

    label: str
    color: str
    structure_ids: tuple[str, ...] = ()
    highlighted: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "color", _color(self.color, f"legend {self.label!r}"))
        object.__setattr__(self, "structure_ids", tuple(self.structure_ids))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "color": self.color,
            "structure_ids": list(self.structure_ids),
            "highlighted": self.highlighted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LegendEntry:
        return cls(
            label=str(data["label"]),
            color=str(data["color"]),
            structure_ids=tuple(str(s) for s in data.get("structure_ids", ())),
            highlighted=bool(data.get("highlighted", False)),
        )


@dataclass(frozen=True)
class SceneSpec:
    """A whole view: the actors (visible or not, in a stable order), camera, title, legend.

    ``specimen`` is the canonical SPEC string of the specimen whose geometry the actors
    use (``default`` or variant ids): two scenes with the same actors but different
    specimens look different, so it is part of the key.
    """

    actors: tuple[ActorSpec, ...]
    camera: CameraSpec
    title: str
    specimen: str = "default"
    background: str = "#ffffff"
    legend: tuple[LegendEntry, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "actors", tuple(self.actors))
        object.__setattr__(self, "legend", tuple(self.legend))
        object.__setattr__(self, "background", _color(self.background, "background"))
        ids = [a.structure_id for a in self.actors]
        if len(ids) != len(set(ids)):
            raise ValueError("a structure appears twice among the actors")

    @property
    def visible_actors(self) -> tuple[ActorSpec, ...]:
        return tuple(a for a in self.actors if a.visible)

    def label_order(self, chosen: Sequence[str] | None = None) -> list[ActorSpec]:
        """The visible actors to name, most important first: the ``chosen`` ids in their
        order, or the highlighted ones, then by :data:`LABEL_PRIORITY`."""
        visible = {a.structure_id: a for a in self.visible_actors}
        if chosen is not None:
            return [visible[s] for s in chosen if s in visible]
        rank = {c: i for i, c in enumerate(LABEL_PRIORITY)}
        order = list(visible.values())
        order.sort(key=lambda a: (not a.highlighted, rank.get(a.category, len(rank))))
        return order

    def actor(self, structure_id: str) -> ActorSpec:
        for a in self.actors:
            if a.structure_id == structure_id:
                return a
        raise KeyError(structure_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SPEC_FORMAT,
            "title": self.title,
            "specimen": self.specimen,
            "background": self.background,
            "camera": self.camera.to_dict(),
            "actors": [a.to_dict() for a in self.actors],
            "legend": [e.to_dict() for e in self.legend],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SceneSpec:
        fmt = data.get("format", SPEC_FORMAT)
        if fmt != SPEC_FORMAT:
            raise ValueError(
                f"scene format {fmt!r} is not supported (this app reads {SPEC_FORMAT})"
            )
        return cls(
            actors=tuple(ActorSpec.from_dict(a) for a in data["actors"]),
            camera=CameraSpec.from_dict(data["camera"]),
            title=str(data["title"]),
            specimen=str(data.get("specimen", "default")),
            background=str(data.get("background", "#ffffff")),
            legend=tuple(LegendEntry.from_dict(e) for e in data.get("legend", ())),
        )

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces; equal scenes give equal strings."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> SceneSpec:
        return cls.from_dict(json.loads(text))

    def key(self) -> str:
        """A short, stable cache key: the same scene gives the same key in any process."""
        digest = hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()[:20]
        return f"scene{SPEC_FORMAT}-{digest}"

    def with_camera(self, camera: CameraSpec) -> SceneSpec:
        return SceneSpec(
            self.actors, camera, self.title, self.specimen, self.background, self.legend
        )
