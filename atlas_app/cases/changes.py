"""What changed between two versions of a case, for a person (e.g. after a version
conflict), and how a person calls a slide."""

from __future__ import annotations

from typing import Any

from atlas_app.cases.model import AnySlide, Case

_CASE_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("summary", "summary"),
    ("presentation", "presentation"),
    ("imaging", "imaging findings"),
    ("specimen", "specimen"),
    ("approaches", "approaches"),
)
_SHOWN_CHARS = 80


def slide_name(slide: AnySlide) -> str:
    """How a person calls a slide: its title, or "untitled <kind> slide"."""
    return slide.title or f"untitled {slide.kind} slide"


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        text = ", ".join(str(v) for v in value) or "none"
    else:
        text = str(value) if value != "" else "empty"
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def describe_changes(before: Case, after: Case) -> list[str]:
    """What changed from ``before`` to ``after``, one plain-text line per change: the case's
    own fields (with the new value, shortened), slides added, deleted, edited (which
    fields) and reordered. Empty when the two are the same."""
    out: list[str] = []
    for name, label in _CASE_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            out.append(f"{label.capitalize()}: now “{_shown(new)}” (was “{_shown(old)}”)")
    old_slides = {s.id: s for s in before.slides}
    new_slides = {s.id: s for s in after.slides}
    for i, slide in enumerate(after.slides, 1):
        was = old_slides.get(slide.id)
        if was is None:
            out.append(f"Slide {i} “{_shown(slide_name(slide))}” added")
            continue
        fields = [
            name
            for name in type(slide).model_fields
            if name != "id" and getattr(was, name) != getattr(slide, name)
        ]
        if fields:
            out.append(
                f"Slide {i} “{_shown(slide_name(slide))}”: "
                + ", ".join(f.replace("_", " ") for f in fields)
                + " changed"
            )
    for slide in before.slides:
        if slide.id not in new_slides:
            out.append(f"Slide “{_shown(slide_name(slide))}” deleted")
    kept_before = [s.id for s in before.slides if s.id in new_slides]
    kept_after = [s.id for s in after.slides if s.id in old_slides]
    if kept_before != kept_after:
        out.append("Slides reordered")
    return out
