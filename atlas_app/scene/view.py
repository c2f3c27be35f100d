"""What a view shows and from where, as one value: :class:`ViewChoices`.

The same choices come from three places — the Atlas page's sidebar, a case's view slide
(:meth:`atlas_app.cases.model.ViewSlide.choices`) and the keyword arguments of
:func:`atlas_app.scene.compose.compose_scene` — and all of them reach the scene through
:func:`atlas_app.scene.compose.compose_view`, where the rules of a view live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from atlas_app.model.camera import DEFAULT_CAMERA, CameraSpec


def id_set(values: Iterable[str] | str | None) -> frozenset[str]:
    """Ids as a set: one id, several, or none."""
    if values is None:
        return frozenset()
    if isinstance(values, str):
        return frozenset([values])
    return frozenset(values)


@dataclass(frozen=True)
class ViewChoices:
    """The choices a person makes about a view.

    ``hidden_categories`` and ``hidden_structures`` hide; ``isolate`` (when not None) shows
    only those structures, whatever is hidden otherwise; ``highlight`` draws those
    structures vivid and dims the rest; ``translucent_muscles`` draws muscles see-through;
    ``camera`` is a preset's name, framed on what is visible, or a placed camera.
    """

    hidden_categories: frozenset[str] = frozenset()
    hidden_structures: frozenset[str] = frozenset()
    isolate: frozenset[str] | None = None
    highlight: frozenset[str] = frozenset()
    translucent_muscles: bool = False
    camera: str | CameraSpec = DEFAULT_CAMERA

    @classmethod
    def of(
        cls,
        *,
        hidden_categories: Iterable[str] = (),
        hidden_structures: Iterable[str] = (),
        isolate: Iterable[str] | str | None = None,
        highlight: Iterable[str] | str = (),
        translucent_muscles: bool = False,
        camera: str | CameraSpec = DEFAULT_CAMERA,
    ) -> ViewChoices:
        """The choices from any iterables of ids (or one id where one is enough)."""
        return cls(
            hidden_categories=frozenset(hidden_categories),
            hidden_structures=id_set(hidden_structures),
            isolate=None if isolate is None else id_set(isolate),
            highlight=id_set(highlight),
            translucent_muscles=translucent_muscles,
            camera=camera,
        )
