"""Assets rendered with Jinja2: user text escaped, the app's own markup kept."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from atlas_app.templates import ASSETS, asset_text, macros

DECK = "case_deck.html.j2"


def test_user_text_is_escaped_in_every_slide_fragment() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    notes = str(macros(DECK).notes(hostile))
    assert "<img" not in notes and "&lt;img" in notes
    side = str(macros(DECK).side([hostile], Markup("<b>kept</b>")))
    assert "&lt;img" in side and "<b>kept</b>" in side


def test_a_section_carries_its_scene_only_when_it_has_one() -> None:
    deck = macros(DECK)
    view = str(deck.unready(3, 7, "Missing", "no such variant", ""))
    assert view.startswith('<section class="sa-slide" id="slide-3"')
    assert 'aria-label="Slide 3 of 7: Missing"' in view and "data-scene" not in view


def test_the_stylesheet_and_script_are_files_read_as_they_are() -> None:
    css = asset_text("case_deck.css")
    assert isinstance(css, Markup) and ".sa-slide" in css
    assert "function show(" in asset_text("case_deck.js")
    assert (ASSETS / "case_deck.js").is_file()


def test_a_missing_value_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(UndefinedError):
        str(macros(DECK).text_slide(1, 1, "Title"))
