"""The built viewer (``atlas_app/viewer/viewer.js``) as a file, for pages made outside
Streamlit (an exported case inlines it), and a check that a page loads nothing from outside.

The bundle is built from ``frontend/`` by ``scripts/build_viewer.sh`` (vtk.js from npm,
pinned by ``frontend/package-lock.json``) and committed, so running the app needs no Node.
The licences of the code in it are in ``atlas_app/viewer/THIRD_PARTY_LICENSES.txt``.
"""

from __future__ import annotations

import re
from pathlib import Path

from atlas_app.caching import memoize

COMPONENT = "atlas-app.viewer"
"""The Streamlit component's name: ``<project>.<component>`` as pyproject.toml declares
them ([tool.streamlit.component]; its asset_dir is :data:`VIEWER_DIR`)."""
VIEWER_DIR = Path(__file__).resolve().parents[1] / "viewer"
BUNDLE = VIEWER_DIR / "viewer.js"
LICENSES = VIEWER_DIR / "THIRD_PARTY_LICENSES.txt"

_URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.I)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.I)
_CODE_URL = re.compile(
    r"""(?:setAttribute\(\s*["'](?:src|href)["']\s*,\s*|fetch\(\s*|import\(\s*)"""
    r"""[`"']((?:https?:)?//[^`"']+)"""
)


class ViewerMissingError(RuntimeError):
    """The built viewer is not where it should be (rebuild it: scripts/build_viewer.sh)."""


def external_urls(page: str) -> list[str]:
    """Addresses outside the page that it would load: ``src``/``href`` attributes, CSS
    ``url()``/``@import``, and what code would fetch, import or set as a source. Empty =
    self-contained."""
    found = _URL_ATTR.findall(page) + _CSS_URL.findall(page) + _CODE_URL.findall(page)
    return sorted(set(found))


@memoize(items=1)
def bundle_js() -> str:
    """The viewer's code (an ES module; it also sets ``globalThis.SacralAlaViewer``)."""
    try:
        return BUNDLE.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ViewerMissingError(
            f"the 3D viewer's bundle {BUNDLE} is missing: run scripts/build_viewer.sh"
        ) from exc


@memoize(items=1)
def licences_text() -> str:
    """The viewer's own licence line and the licences of the code bundled in it."""
    return (
        "The 3D viewer: Sacral Ala Atlas, GPL-3.0-or-later. It bundles the following.\n\n"
        + LICENSES.read_text(encoding="utf-8")
    )


def inline_script(code: str) -> str:
    """Code made safe inside an HTML ``<script>`` element: no ``</script`` can close it
    early (``<\\/`` reads the same to JavaScript in strings, regular expressions and
    templates, the only places it can occur)."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.I)
