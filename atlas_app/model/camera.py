"""Cameras as data: the named preset views and the camera record (RAS mm: docs/architecture.md §1).

A leaf of the model layer: it imports nothing of the atlas, so the approaches (which name
the camera of each step) and the scene (which places the presets around what it shows,
:mod:`atlas_app.scene.cameras`) both take their cameras from here. See
``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

Vec3 = tuple[float, float, float]

_DIGITS = 4  # camera numbers are rounded this far before hashing and storing


def _vec3(value: Any, name: str) -> Vec3:
    try:
        x, y, z = (round(float(v), _DIGITS) for v in value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be three numbers, got {value!r}") from exc
    return (x, y, z)


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
class CameraPreset:
    """A named view.

    ``toward_camera`` points from the focal point to the camera (need not be unit).
    ``focus`` is ``center`` (the middle of the bounds) or ``right_ala`` (the anterior
    surface of the right sacral ala). ``frame`` is the fraction of the bounding sphere's
    radius the view must fit (1 = everything).
    """

    id: str
    title: str
    phrase: str  # completes "seen …" in a sentence for the text alternative
    toward_camera: Vec3
    view_up: Vec3
    focus: Literal["center", "right_ala"] = "center"
    frame: float = 1.0


CORRIDOR_CAMERA: Final = "corridor"
"""The name of the camera that looks down an approach step's working corridor (as through
the incision); it is placed per step, so it is not among :data:`CAMERA_PRESETS`."""

CAMERA_PRESETS: dict[str, CameraPreset] = {
    p.id: p
    for p in (
        CameraPreset(
            "anterior",
            "Anterior view",
            "from the front (patient's right on the left)",
            (0.0, 1.0, 0.0),
            (0.0, 0.0, 1.0),
        ),
        CameraPreset(
            "right_oblique",
            "Right anterior oblique (surgeon's view of the right ala)",
            "from the front, right and slightly above, centred on the right sacral ala",
            (0.55, 0.8, 0.3),
            (0.0, 0.0, 1.0),
            focus="right_ala",
            frame=0.35,
        ),
        CameraPreset(
            "lateral_right",
            "Right lateral view",
            "from the patient's right side (anterior to the right)",
            (1.0, 0.0, 0.0),
            (0.0, 0.0, 1.0),
        ),
        CameraPreset(
            "axial_superior",
            "Axial view from above",
            "from above, looking down (anterior at the top)",
            (0.0, 0.0, 1.0),
            (0.0, 1.0, 0.0),
        ),
    )
}
DEFAULT_CAMERA = "anterior"


def camera_names() -> tuple[str, ...]:
    return tuple(CAMERA_PRESETS)


def preset(name: str) -> CameraPreset:
    try:
        return CAMERA_PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown camera '{name}' (known: {', '.join(CAMERA_PRESETS)})") from None
