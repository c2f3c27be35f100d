"""The page shell's preload links (atlas_app/web/preload.py): which files, and the
middleware that adds them to HTML pages only."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from atlas_app.web.preload import (
    BOOT_KEY_PREFIX,
    VIEWER_PATH,
    PreloadError,
    PreloadMiddleware,
    boot_script,
    chunk_files,
    links_for,
    preload_links,
    shell_boots,
    streamlit_static,
)

MANIFEST: dict[str, dict[str, Any]] = {
    "index.html": {"file": "static/js/index.A.js", "imports": ["_core.B.js"]},
    "_core.B.js": {"file": "static/js/core.B.js"},
    "_shared.C.js": {"file": "static/js/shared.C.js", "imports": ["_core.B.js"]},
    "_style.D.css": {"file": "static/css/style.D.css"},
    "../lib/src/components/widgets/BidiComponent/BidiComponent.tsx": {
        "file": "static/js/BidiComponent.E.js",
        "imports": ["_core.B.js", "_shared.C.js", "_style.D.css", "index.html"],
    },
    "../lib/src/components/elements/Html/Html.tsx": {
        "file": "static/js/Html.F.js",
        "imports": ["_shared.C.js"],
    },
}


def hrefs(links: bytes) -> list[str]:
    lines = links.decode().splitlines()
    return [line.split('href="./')[1].split('"')[0] for line in lines if 'href="./' in line]


def test_chunk_files_lists_imports_first_each_once_and_only_code() -> None:
    sources = ["widgets/BidiComponent/BidiComponent.tsx", "elements/Html/Html.tsx"]
    files = chunk_files(MANIFEST, sources)
    assert files == [
        "static/js/core.B.js",
        "static/js/shared.C.js",
        "static/js/index.A.js",
        "static/js/BidiComponent.E.js",
        "static/js/Html.F.js",
    ]


def test_an_unknown_source_is_an_error_not_a_silent_gap() -> None:
    with pytest.raises(PreloadError, match="Slider"):
        chunk_files(MANIFEST, ["widgets/Slider/Slider.tsx"])


def test_links_leave_out_what_the_shell_preloads_and_name_the_viewer_first() -> None:
    shell = '<link href="./static/js/core.B.js"><script src="./static/js/index.A.js">'
    links = links_for(MANIFEST, shell)
    first = links.decode().splitlines()[0]
    assert first == f'<link rel="modulepreload" crossorigin href="./{VIEWER_PATH}">'
    assert hrefs(links)[1:] == [
        "static/js/shared.C.js",
        "static/js/BidiComponent.E.js",
        "static/js/Html.F.js",
    ]


def test_the_installed_streamlit_has_every_file_the_links_name() -> None:
    static = streamlit_static()
    named = hrefs(preload_links())
    assert named[0] == VIEWER_PATH == "_stcore/bidi-components/atlas-app.viewer/viewer.js"
    assert any("BidiComponent" in h for h in named)
    for href in named[1:]:
        assert (static / href).is_file(), href


def _client(boot: bool = False) -> TestClient:
    page = "<html><head><title>t</title></head><body>é</body></html>"
    routes = [
        Route("/", lambda r: HTMLResponse(page)),
        Route("/data", lambda r: JSONResponse({"head": "</head>"})),
        Route("/post", lambda r: HTMLResponse(page), methods=["POST"]),
    ]
    middleware = [Middleware(PreloadMiddleware, boot=boot)]
    return TestClient(Starlette(routes=routes, middleware=middleware))


def test_html_pages_get_the_links_at_the_end_of_their_head() -> None:
    response = _client().get("/")
    assert response.status_code == 200
    head, body = response.text.split("</head>")
    assert head.endswith(preload_links().decode() + "\n")
    assert body == "<body>é</body></html>"
    assert int(response.headers["content-length"]) == len(response.content)


def test_other_responses_pass_untouched() -> None:
    client = _client()
    assert client.get("/data").json() == {"head": "</head>"}
    assert "modulepreload" not in client.post("/post").text
    assert client.get("/missing").status_code == 404


def test_the_shell_draws_a_first_view_from_its_placeholder() -> None:
    """The page shell's script looks for the placeholder ui/viewer.py makes (a container
    keyed with the prefix, so classed ``st-key-`` + it) and hands its text to the viewer's
    own code (the same file the component loads, so the component can adopt the view)."""
    script = boot_script()
    assert f'"st-key-{BOOT_KEY_PREFIX}"' in script
    assert f'import("./{VIEWER_PATH}")' in script
    assert "viewer.boot(placeholder" in script
    # Only the placeholder's own box: the message (its text element) never shows.
    assert '> [data-testid="stElementContainer"] { display: none; }' in script


def test_pages_boot_only_where_the_shell_carries_the_script(monkeypatch) -> None:
    monkeypatch.setattr("atlas_app.web.preload._boots", False)  # restored afterwards
    assert "viewer.boot(" not in _client().get("/").text
    assert not shell_boots()
    head = _client(boot=True).get("/").text.split("</head>")[0]
    assert head.endswith(preload_links().decode() + "\n" + boot_script() + "\n")
    assert shell_boots()
