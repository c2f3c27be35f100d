"""Shared fixtures: where the shipped atlas and the test atlases are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atlas_app.paths import DEFAULT_ATLAS_DIR

FIXTURES = Path(__file__).parent / "fixtures"
MINI_ATLAS = FIXTURES / "mini_atlas"
BROKEN = FIXTURES / "broken"


@pytest.fixture
def mini_atlas_copy(tmp_path: Path) -> Path:
    """A writable copy of the small valid atlas."""
    dest = tmp_path / "atlas"
    shutil.copytree(MINI_ATLAS, dest)
    return dest


@pytest.fixture(scope="session")
def shipped_atlas():
    """The real atlas, loaded once per test session."""
    from atlas_app.model.loader import load_atlas

    return load_atlas(DEFAULT_ATLAS_DIR)
