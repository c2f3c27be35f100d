"""The app's page shell names, up front, the code the 3D view will need, and draws a
page's first 3D view as soon as its placeholder shows (:func:`boot_script`).

Streamlit's ``index.html`` preloads only its own core. A custom component's host code
(``BidiComponent``) is a separate file that the browser asks for only once the first script
run has said the page shows one, and the component's own code (the viewer, 0.47 MB) only
once that host code has run: two round trips, behind the ~45 files of the page's other
widgets, after the server had answered. Named in the shell as ``<link
rel="modulepreload">``, they are fetched and compiled while Streamlit's own code loads, and
the viewer starts as soon as Streamlit shows its host.

Only those: preloading the other widgets' files too (45 of them, in a browser's six
connections per host) held up Streamlit's own start and drew the scene later (measured: the
README's *Benchmarks*).

:func:`preload_links` reads which files those are from Streamlit's build manifest (their
names carry content hashes that change with each Streamlit release);
:class:`PreloadMiddleware` adds the links to every HTML page the server sends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas_app.caching import memoize
from atlas_app.scene.viewer_bundle import BUNDLE, COMPONENT
from atlas_app.templates import macros

VIEWER_HOST = (
    "widgets/BidiComponent/BidiComponent.tsx",  # the custom component's host
    "elements/Html/Html.tsx",  # st.html: the style that hides the preloading mount
)
"""Streamlit's code that the 3D view waits for (sources as Streamlit's manifest names them,
under ``lib/src/components/``)."""

VIEWER_PATH = f"_stcore/bidi-components/{COMPONENT}/{BUNDLE.name}"
"""Where Streamlit serves the viewer's code (relative to the app's root, like the shell's
own links)."""


class PreloadError(RuntimeError):
    """Streamlit's build does not hold what this module expects (another release)."""


def streamlit_static() -> Path:
    """Streamlit's built web files (found, not imported: only the UI layer imports it)."""
    spec = find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise PreloadError("Streamlit is not installed")
    return Path(spec.origin).parent / "static"


def chunk_files(manifest: Mapping[str, Mapping[str, Any]], sources: Iterable[str]) -> list[str]:
    """The files (``static/js/…``) of these sources and of everything they import, imports
    first, each once."""
    by_source = {key.split("lib/src/components/")[-1]: key for key in manifest}
    files: list[str] = []

    def visit(key: str) -> None:
        file = str(manifest.get(key, {}).get("file", ""))
        if not file.endswith(".js") or file in files:
            return  # not code (the shell itself, assets), or listed already
        for imported in manifest[key].get("imports", []):
            visit(str(imported))
        files.append(file)

    for source in sources:
        if source not in by_source:
            raise PreloadError(f"Streamlit's build manifest has no {source}")
        visit(by_source[source])
    return files


def links_for(manifest: Mapping[str, Mapping[str, Any]], shell: str) -> bytes:
    """The ``<link rel="modulepreload">`` elements for the viewer's code and its host's,
    leaving out what the shell preloads already."""
    files = [VIEWER_PATH] + [f for f in chunk_files(manifest, VIEWER_HOST) if f not in shell]
    return "\n".join(f'<link rel="modulepreload" crossorigin href="./{f}">' for f in files).encode()


BOOT_KEY_PREFIX = "sav-boot-"
"""A first view's placeholder is a container keyed ``sav-boot-{token}`` (Streamlit gives it
the class ``st-key-sav-boot-{token}``) holding one text element: the viewer's message in
base64 (``ui/viewer.py: prepare_viewer``)."""


def boot_script() -> str:
    """The page shell's part of a first view drawn early (``assets/viewer_boot.html.j2``):
    a placeholder that shows has the viewer draw its scene there."""
    return str(macros("viewer_boot.html.j2").shell(BOOT_KEY_PREFIX, VIEWER_PATH))


@memoize(items=1)
def preload_links() -> bytes:
    """:func:`links_for` Streamlit's installed build."""
    static = streamlit_static()
    manifest = json.loads((static / "manifest.json").read_text(encoding="utf-8"))
    return links_for(manifest, (static / "index.html").read_text(encoding="utf-8"))


def with_links(page: bytes, links: bytes) -> bytes:
    """The page with the links at the end of its head (unchanged if it has none)."""
    return page.replace(b"</head>", links + b"\n</head>", 1)


_boots = False


def shell_boots() -> bool:
    """Whether this process's pages carry :func:`boot_script` (served through
    ``PreloadMiddleware(boot=True)``: ``serve.py``; not ``streamlit run streamlit_app.py``,
    nor AppTest). Without it a placeholder would never be drawn."""
    return _boots


class PreloadMiddleware:
    """Adds :func:`preload_links` (and with ``boot``, :func:`boot_script`) to each HTML
    page the app sends (Streamlit's shell, at whatever path); everything else passes
    untouched. With ``boot`` the pages of this process put their first 3D view in a
    placeholder for that script (``ui/viewer.py: prepare_viewer``)."""

    def __init__(self, app: ASGIApp, *, boot: bool = False) -> None:
        global _boots
        self.app = app
        self.links = preload_links()
        if boot:
            self.links += b"\n" + boot_script().encode()
            _boots = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def send_page(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message["headers"]))
                html = headers.get("content-type", "").startswith("text/html")
                if message["status"] == 200 and html and "content-encoding" not in headers:
                    start = message  # held until the whole page is in
                    return
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = with_links(b"".join(body), self.links)
                headers = MutableHeaders(raw=list(start["headers"]))
                headers["content-length"] = str(len(page))
                await send({**start, "headers": headers.raw})
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, send_page)
