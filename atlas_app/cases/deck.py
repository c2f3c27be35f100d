"""The slides of a presented case, the same for Present and both exports: the title slide
(title and summary), the presentation and imaging findings when the case has either, then
one per slide of the case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from atlas_app.cases.model import AnySlide, Case

HISTORY_TITLE = "Presentation and imaging findings"
FOOTER = "De-identified teaching case · Sacral Ala Atlas"


@dataclass(frozen=True)
class DeckSlide:
    """One slide of the deck: the case's title slide, its history, or one of its slides."""

    kind: Literal["title", "history", "slide"]
    title: str
    slide: AnySlide | None = None


def has_history(case: Case) -> bool:
    return bool(case.presentation.strip() or case.imaging.strip())


def history_parts(case: Case) -> list[tuple[str, str]]:
    """(heading, text) of the history slide's columns: those the case fills."""
    parts = [("Presentation", case.presentation), ("Imaging findings", case.imaging)]
    return [(h, t.strip()) for h, t in parts if t.strip()]


def deck(case: Case) -> list[DeckSlide]:
    out = [DeckSlide("title", case.title)]
    if has_history(case):
        out.append(DeckSlide("history", HISTORY_TITLE))
    out += [DeckSlide("slide", s.title, s) for s in case.slides]
    return out


def deck_slide_count(case: Case) -> int:
    """Slides in an exported deck (PowerPoint or HTML): those Present shows (:func:`deck`)."""
    return len(deck(case))
