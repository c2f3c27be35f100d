"""SceneSpec + meshes → one standalone HTML page with an interactive vtk.js viewer.

- The viewer is vtk.js's *OfflineLocalView* page that ships inside the installed
  ``trame-vtk`` package (``trame_vtk/tools/static_viewer.html``, about 1.05 MB; trame-vtk
  and vtk.js are BSD-licensed); it is the page ``Plotter.export_html`` and stpyvista's
  trame backend use. It loads a ``.vtksz`` scene given to it as a base64 string;
  :mod:`vtkjs_scene` writes that scene directly from the meshes.
- The page is made self-contained: the viewer's one outside reference (favicon links to
  kitware.github.io added at load) is removed, and :func:`external_urls` finds any
  ``src``/``href``/``url()`` that would leave the page (tests assert there are none). The
  file-drop panel's 67 kB background picture, never shown, is dropped too (0.98 MB left).
- The spec's camera is in the scene and is restored by the page's *Reset view* button.
  Title, legend and the text alternative are HTML over the canvas (vtk.js draws no text),
  escaped: user text never becomes markup.
- The same spec and meshes give byte-identical HTML: :func:`cached_scene_html` keeps pages
  in this process by :func:`html_cache_key`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from io import BytesIO
from threading import Lock
from typing import Any

from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import Specimen
from atlas_app.scene import vtkjs_scene
from atlas_app.scene.spec import SceneSpec
from atlas_app.scene.vtkjs_scene import (
    EncodedMesh,
    cached_encode_mesh,
    camera_properties,
    scene_vtksz,
)

VIEWER_PACKAGE = "trame_vtk.tools"
VIEWER_FILE = "static_viewer.html"

# The stock viewer adds <link rel=icon href="https://kitware.github.io/..."> at load: the
# loop is emptied and the address blanked.
_FAVICON_LOOP = "[16,32,96,160,196].forEach("
_FAVICON_URL = "https://kitware.github.io/vtk-js/icon/favicon-"
# The background picture of the file-drop panel (67 kB), never shown: the page always
# carries its scene.
_DROP_IMAGE = re.compile(r"url\(data:image/jpeg;base64,[A-Za-z0-9+/=]+\)")
_URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.I)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.I)
_CODE_URL = re.compile(
    r"""setAttribute\(\s*["'](?:src|href)["']\s*,\s*[`"']((?:https?:)?//[^`"']+)"""
)


class ViewerMissingError(RuntimeError):
    """The vtk.js viewer page is not installed (the ``trame-vtk`` package is missing)."""


def external_urls(page: str) -> list[str]:
    """Addresses outside the page that it would load: ``src``/``href`` attributes, CSS
    ``url()``/``@import``, and links the viewer's code would add. Empty = self-contained."""
    found = _URL_ATTR.findall(page) + _CSS_URL.findall(page) + _CODE_URL.findall(page)
    return sorted(set(found))


@lru_cache(maxsize=1)
def viewer_template() -> str:
    """The stock vtk.js offline viewer page, made self-contained."""
    try:
        page = (resources.files(VIEWER_PACKAGE) / VIEWER_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ViewerMissingError(
            f"the vtk.js viewer ({VIEWER_PACKAGE}/{VIEWER_FILE}) is not installed: "
            "install trame-vtk (see requirements.txt)"
        ) from exc
    page = page.replace(_FAVICON_LOOP, "[].forEach(").replace(_FAVICON_URL, "data:,")
    page = _DROP_IMAGE.sub("none", page, count=1)
    if "</body>" not in page:
        raise ViewerMissingError(f"{VIEWER_FILE} has no </body>: not the expected viewer page")
    left = external_urls(page)
    if left:
        raise ViewerMissingError(f"{VIEWER_FILE} loads outside addresses: {', '.join(left)}")
    return page


# --- The page -----------------------------------------------------------------------

_STYLE = """
<style>
  .content { position: absolute; inset: 0; }
  .sa-box { position: absolute; z-index: 10; font: 13px/1.35 system-ui, sans-serif;
    color: #1d2433; background: rgba(255, 255, 255, 0.86); border-radius: 6px;
    padding: 4px 8px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.18); }
  .sa-title { top: 8px; left: 8px; right: 110px; font-weight: 600; background: none;
    box-shadow: none; text-shadow: 0 0 3px #fff; pointer-events: none; }
  .sa-reset { top: 8px; right: 8px; cursor: pointer; border: 1px solid #9aa3b5; }
  .sa-legend { bottom: 8px; left: 8px; max-height: 36%; overflow: auto; max-width: 40%;
    font-size: 12px; }
  .sa-legend summary { cursor: pointer; font-weight: 600; }
  .sa-legend ul { list-style: none; margin: 4px 0 0; padding: 0; }
  .sa-legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
  .sa-legend li.sa-high { font-weight: 600; }
  .sa-swatch { width: 12px; height: 12px; border-radius: 3px; flex: none;
    border: 1px solid rgba(0, 0, 0, 0.35); }
  .sa-sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; }
</style>
"""

_SCRIPT = """<script>
window.SA_CAMERA = %(camera)s;
function saResetView() {
  const rw = window.global && window.global.renderWindow;
  if (!rw) { return; }
  const c = window.SA_CAMERA;
  // The page's own (empty) renderer comes first; the scene's renderer holds the actors.
  rw.getRenderers().filter((r) => r.getViewProps().length > 0).forEach((renderer) => {
    const cam = renderer.getActiveCamera();
    cam.set({position: c.position, focalPoint: c.focalPoint, viewUp: c.viewUp,
             viewAngle: c.viewAngle, parallelProjection: c.parallelProjection});
    if (c.parallelScale) { cam.setParallelScale(c.parallelScale); }
    renderer.resetCameraClippingRange();
    renderer.updateLightsGeometryToFollowCamera();
  });
  rw.render();
}
function loadDataSet() {
  const container = document.querySelector('.content') || document.querySelector('body');
  OfflineLocalView.load(container, { base64Str: "%(data)s" });
}
</script>
"""


def _legend_html(spec: SceneSpec) -> str:
    if not spec.legend:
        return ""
    items = "".join(
        ('<li class="sa-high">' if e.highlighted else "<li>")
        + f'<span class="sa-swatch" style="background:{e.color}"></span>'
        + f"{html.escape(e.label)}</li>"
        for e in spec.legend
    )
    return (
        f'<details class="sa-box sa-legend" open><summary>Legend</summary>'
        f"<ul>{items}</ul></details>"
    )


def scene_html(
    spec: SceneSpec, meshes: Mapping[str, EncodedMesh], description: str | None = None
) -> str:
    """A standalone page showing the visible actors of ``spec`` (meshes by structure id,
    from :func:`cached_encode_mesh`). ``description`` is the text alternative."""
    page = viewer_template()
    data = base64.b64encode(scene_vtksz(spec, meshes)).decode("ascii")
    cam = camera_properties(spec.camera, None)
    cam.pop("clippingRange")
    script = _SCRIPT % {"camera": json.dumps(cam, sort_keys=True), "data": data}
    label = html.escape(spec.title, quote=True)
    described = ' aria-describedby="sa-description"' if description else ""
    body = (
        f'<div class="content" role="img" aria-label="{label}"{described}></div>'
        f'<div class="sa-box sa-title">{html.escape(spec.title)}</div>'
        '<button class="sa-box sa-reset" type="button" onclick="saResetView()">'
        "Reset view</button>"
        + _legend_html(spec)
        + (
            f'<p class="sa-sr" id="sa-description">{html.escape(description)}</p>'
            if description
            else ""
        )
    )
    page = page.replace(
        "<title>VTK.js | Example - OfflineLocalView</title>",
        f"<title>{html.escape(spec.title)}</title>",
        1,
    )
    page = page.replace("</head>", _STYLE + "</head>", 1)
    head, tail = page.split("<body>", 1)
    tail_head, tail_end = tail.rsplit("</body>", 1)
    return head + "<body>\n" + body + tail_head + script + "</body>" + tail_end


def page_scene(page: str) -> dict[str, Any]:
    """The vtk.js scene (``index.json``) embedded in a page made by :func:`scene_html`."""
    match = re.search(r'base64Str: "([A-Za-z0-9+/=]+)"', page)
    if match is None:
        raise ValueError("no embedded scene in this page")
    with zipfile.ZipFile(BytesIO(base64.b64decode(match.group(1)))) as zf:
        return dict(json.loads(zf.read("index.json")))


# --- From the atlas, cached ---------------------------------------------------------


def visible_meshes(atlas: Atlas, specimen: Specimen, spec: SceneSpec) -> dict[str, EncodedMesh]:
    """The encoded surfaces of the scene's visible actors (hidden ones are not built)."""
    return {
        a.structure_id: cached_encode_mesh(
            cached_structure_mesh(atlas, specimen.structures[a.structure_id])
        )
        for a in spec.visible_actors
        if a.structure_id in specimen.structures
    }


def html_cache_key(atlas: Atlas, specimen: Specimen, spec: SceneSpec) -> str:
    """What the page depends on: the spec and the geometry records of what it shows."""
    h = hashlib.sha256()
    h.update(f"{vtkjs_scene.settings_key()}|{atlas.root}|".encode())
    for a in spec.visible_actors:
        s = specimen.structures.get(a.structure_id)
        if s is not None:
            h.update(s.geometry.model_dump_json().encode("utf-8"))
    return f"{spec.key()}-{h.hexdigest()[:16]}"


_HTML_CACHE_SIZE = 32
_pages: OrderedDict[str, str] = OrderedDict()
_pages_lock = Lock()


def cached_scene_html(
    atlas: Atlas, specimen: Specimen, spec: SceneSpec, description: str | None = None
) -> str:
    """:func:`scene_html` for a specimen, remembered in this process by
    :func:`html_cache_key` (and the description)."""
    key = html_cache_key(atlas, specimen, spec)
    if description:
        key += "-" + hashlib.sha256(description.encode("utf-8")).hexdigest()[:12]
    with _pages_lock:
        found = _pages.get(key)
        if found is not None:
            _pages.move_to_end(key)
            return found
    page = scene_html(spec, visible_meshes(atlas, specimen, spec), description)
    with _pages_lock:
        _pages[key] = page
        while len(_pages) > _HTML_CACHE_SIZE:
            _pages.popitem(last=False)
    return page


def clear_caches() -> None:
    """Forget remembered pages and encoded meshes (tests, benchmarks)."""
    with _pages_lock:
        _pages.clear()
    vtkjs_scene.clear_cache()
