"""What the case pages use of the cases package: the one door into it for ``app_pages``.

A case (:class:`~atlas_app.cases.model.Case`) and its slides, the presentation deck made
from it, what a view or chart slide shows, and its exports; the builder's widgets
(``ui.case_*``) use the package's modules themselves. What needs matplotlib, python-pptx or
the step engine is imported when it is first asked for, so a page that shows none of it
does not load it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from atlas_app.cases.deck import FOOTER, HISTORY_TITLE, DeckSlide, deck, history_parts
from atlas_app.cases.model import (
    AnySlide,
    CameraModel,
    Case,
    CaseError,
    ChartSlide,
    ViewSlide,
)
from atlas_app.cases.yaml_io import case_to_yaml
from atlas_app.model.specimen import DEFAULT_SPEC

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from atlas_app.approaches.loader import ApproachSet
    from atlas_app.cases.exporting import ExportResult
    from atlas_app.model.atlas import Atlas
    from atlas_app.model.specimen import Specimen
    from atlas_app.scene.spec import SceneSpec
    from atlas_app.scene.view import ViewChoices

__all__ = [
    "FOOTER",
    "HISTORY_TITLE",
    "AnySlide",
    "CameraModel",
    "Case",
    "CaseError",
    "ChartSlide",
    "DeckSlide",
    "ViewSlide",
    "case_to_yaml",
    "chart_of_slide",
    "deck",
    "export_case",
    "history_parts",
    "scene_of_slide",
    "view_slide_fields",
]


def scene_of_slide(
    atlas: Atlas, approaches: ApproachSet, slide: ViewSlide, *, case_specimen: str = DEFAULT_SPEC
) -> tuple[Specimen, SceneSpec]:
    """A view slide's specimen and scene (see :func:`atlas_app.cases.scenes.scene_for_slide`)."""
    from atlas_app.cases.scenes import scene_for_slide

    return scene_for_slide(atlas, approaches, slide, case_specimen=case_specimen)


def view_slide_fields(view: ViewChoices) -> dict[str, Any]:
    """The fields of a view slide that show ``view`` (see
    :func:`atlas_app.cases.scenes.view_slide_fields`)."""
    from atlas_app.cases.scenes import view_slide_fields as fields

    return fields(view)


def chart_of_slide(
    atlas: Atlas,
    approaches: ApproachSet,
    slide: ChartSlide,
    *,
    case_specimen: str = DEFAULT_SPEC,
    case_approaches: Sequence[str] = (),
) -> go.Figure:
    """A chart slide measured and drawn as the app's plotly figure."""
    from atlas_app.cases.charts import chart_data, chart_figure

    data = chart_data(
        atlas,
        approaches,
        slide,
        case_specimen=case_specimen,
        case_approaches=case_approaches,
    )
    return chart_figure(data)


def export_case(
    kind: str,
    case: Case,
    atlas: Atlas,
    approaches: ApproachSet,
    *,
    progress: Callable[[float, str], None] | None = None,
) -> ExportResult:
    """The case as a PowerPoint deck (``kind`` "pptx") or one self-contained HTML file
    ("html")."""
    if kind not in ("pptx", "html"):
        raise ValueError(f"unknown export {kind!r}")
    if kind == "pptx":
        from atlas_app.cases.export_pptx import export_pptx

        return export_pptx(case, atlas, approaches, progress=progress)
    from atlas_app.cases.export_html import export_html

    return export_html(case, atlas, approaches, progress=progress)
