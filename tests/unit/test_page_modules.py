"""Page scripts: Streamlit's "magic" writes any string literal standing alone at a page's top
level onto the page (only the module docstring is spared), so none may stand there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[2] / "atlas_app" / "app_pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_no_bare_string_at_a_pages_top_level(page: Path) -> None:
    tree = ast.parse(page.read_text(encoding="utf-8"))
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    bare = [
        node.lineno
        for node in body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]  # fmt: skip
    assert not bare, f"{page.name}: lines {bare} would be written on the page"
