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

from atlas_app.model.camera import CameraSpec

SPEC_FORMAT = 1
"""Bump when the meaning of a field changes: it is part of every key."""

HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
LABEL_PRIORITY = ("pathology", "nerve", "artery", "vein", "viscus", "muscle", "bone")
"""Which structures are named first when not all labels fit, after the highlighted ones
(the still's numbered pins and the live view's labels alike)."""


def _color(value: str, name: str) -> str:
    color = value.lower()
    if not HEX_COLOR.match(color):
        raise ValueError(f"{name} must be a colour like '#a1b2c3', got {value!r}")
    return color


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

    @property
    def visible_ids(self) -> tuple[str, ...]:
        """The ids of the structures drawn: the surfaces a renderer must be given."""
        return tuple(a.structure_id for a in self.visible_actors)

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
