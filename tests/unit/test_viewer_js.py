"""The viewer's JavaScript: its own tests (node --test), and the committed bundle built from
the sources as they are (so the app never runs stale code)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from atlas_app.scene.viewer_bundle import BUNDLE, LICENSES, external_urls

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def source_hash() -> str:
    """What frontend/build.mjs writes into the bundle's banner."""
    files = [
        "build.mjs",
        "package-lock.json",
        *sorted(f"src/{p.name}" for p in (FRONTEND / "src").glob("*.js")),
    ]
    h = hashlib.sha256()
    for f in files:
        h.update(f.encode() + b"\0" + (FRONTEND / f).read_bytes() + b"\0")
    return h.hexdigest()


def test_the_committed_bundle_is_built_from_the_sources() -> None:
    banner = BUNDLE.read_text(encoding="utf-8")[:400]
    found = re.search(r"source sha256:([0-9a-f]{64})", banner)
    assert found, "the bundle has no source hash: rebuild it (scripts/build_viewer.sh)"
    assert found.group(1) == source_hash(), (
        "atlas_app/viewer/viewer.js is older than frontend/: run scripts/build_viewer.sh"
    )


def test_the_bundle_loads_nothing_from_elsewhere_and_names_its_licences() -> None:
    assert external_urls(BUNDLE.read_text(encoding="utf-8")) == []
    licences = LICENSES.read_text(encoding="utf-8")
    for package in ("@kitware/vtk.js", "gl-matrix", "fflate"):
        assert package in licences
    assert "BSD-3-Clause" in licences and "MIT" in licences


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_viewers_javascript_tests_pass() -> None:
    if not (FRONTEND / "node_modules" / "fflate").exists():
        pytest.skip("frontend/node_modules is not installed (scripts/build_viewer.sh installs it)")
    out = subprocess.run(
        ["node", "--test", "test/"], cwd=FRONTEND, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
