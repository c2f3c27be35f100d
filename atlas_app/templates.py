"""The files under ``atlas_app/assets/``: read as text, or rendered with Jinja2.

Templates are autoescaped: a value is escaped unless the code marks it safe
(:class:`markupsafe.Markup`: a stylesheet or script read from ``assets/``, a fragment another
template made). A missing value is an error, not an empty string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

ASSETS = Path(__file__).resolve().parent / "assets"
_env = Environment(
    loader=FileSystemLoader(ASSETS),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def asset_text(name: str) -> Markup:
    """An asset's text, safe to put in a template as it is (a stylesheet, a script)."""
    return Markup((ASSETS / name).read_text(encoding="utf-8"))


def macros(name: str) -> Any:
    """A template's macros, callable from Python (each returns escaped markup)."""
    return _env.get_template(name).module
