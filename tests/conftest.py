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


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one per test session (the browser tests of
    tests/e2e and tests/deploy share it: Playwright's sync API allows one driver at a time)."""
    import os

    if os.environ.get("SKIP_E2E") == "1":
        pytest.skip("SKIP_E2E=1")
    from playwright.sync_api import sync_playwright

    from tests.e2e.harness import CHROMIUM_ARGS

    path = shutil.which("chromium")
    assert path, "Debian's chromium is not installed (scripts/test.sh installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()
