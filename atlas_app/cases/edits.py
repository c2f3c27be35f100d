"""Edits of a case: each returns a new case (the case is immutable) or raises
:class:`~atlas_app.cases.model.CaseError` with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from atlas_app.cases.model import MAX_SLIDES, AnySlide, Case, CaseError, new_slide_id


def _with_slides(case: Case, slides: Sequence[AnySlide]) -> Case:
    if len(slides) > MAX_SLIDES:
        raise CaseError(f"a case holds at most {MAX_SLIDES} slides")
    return case.model_copy(update={"slides": tuple(slides)})


def add_slide(case: Case, slide: AnySlide, index: int | None = None) -> Case:
    """The case with ``slide`` inserted at ``index`` (default: at the end)."""
    if any(s.id == slide.id for s in case.slides):
        raise CaseError(f"slide '{slide.id}' is already in this case")
    slides = list(case.slides)
    slides.insert(len(slides) if index is None else max(0, min(index, len(slides))), slide)
    return _with_slides(case, slides)


def move_slide(case: Case, slide_id: str, to_index: int) -> Case:
    """The case with the slide moved to ``to_index`` (clamped to the ends)."""
    i = case.index_of(slide_id)
    slides = list(case.slides)
    slide = slides.pop(i)
    slides.insert(max(0, min(to_index, len(slides))), slide)
    return _with_slides(case, slides)


def duplicate_slide(case: Case, slide_id: str) -> Case:
    """The case with a copy of the slide (a new id) right after it."""
    i = case.index_of(slide_id)
    copy = case.slides[i].model_copy(update={"id": new_slide_id()})
    slides = list(case.slides)
    slides.insert(i + 1, copy)
    return _with_slides(case, slides)


def delete_slide(case: Case, slide_id: str) -> Case:
    """The case without the slide."""
    i = case.index_of(slide_id)
    return _with_slides(case, case.slides[:i] + case.slides[i + 1 :])


def edit_slide(case: Case, slide_id: str, **changes: Any) -> Case:
    """The case with the slide's fields changed (validated as a whole; the id and kind of
    a slide do not change). Raises :class:`CaseError` with the reason."""
    for fixed in ("id", "kind"):
        if fixed in changes:
            raise CaseError(f"a slide's {fixed} cannot be changed")
    i = case.index_of(slide_id)
    old = case.slides[i]
    data = old.model_dump()
    data.update(changes)
    try:
        new = type(old).model_validate(data)
    except ValidationError as exc:
        raise CaseError(_first_problem(exc)) from exc
    slides = list(case.slides)
    slides[i] = new
    return _with_slides(case, slides)


def edit_case(case: Case, **changes: Any) -> Case:
    """The case with its own fields changed (title, summary, presentation, imaging,
    specimen, approaches); slides are changed with the slide functions."""
    if "slides" in changes or "schema_version" in changes:
        raise CaseError("slides are changed one by one; the schema version not at all")
    data = case.model_dump()
    data.update(changes)
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_first_problem(exc)) from exc


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])
