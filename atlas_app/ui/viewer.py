"""The live 3D view on a page: the Streamlit side of the viewer component.

The component (components v2, ``atlas-app.viewer``) runs ``atlas_app/viewer/viewer.js``,
a static file the browser fetches once over HTTP and caches; what goes over the websocket
is only :func:`~atlas_app.scene.viewer_payload.pack`'s message: the scene description and
the surfaces this session's browser has not had yet (kept in session state under
``state.VIEWER_SENT``). The viewer keeps its render window across reruns, so a new scene
updates it in place.

Back from the browser: the user's camera (:attr:`ViewerState.camera`, None while it is the
view's own), a clicked structure (``on_pick``), and surfaces the page lacks (sent again).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from pydantic import BaseModel

from atlas_app.model.camera import CameraSpec
from atlas_app.scene.viewer_bundle import COMPONENT
from atlas_app.scene.viewer_payload import ViewerScene, forget, pack
from atlas_app.ui import state

VIEWER_HEIGHT = 560
PRELOAD_CONTAINER = "viewer-preload"

_mount: Callable[..., Any] | None = None


def _component() -> Callable[..., Any]:
    """The component's mounting command, registered on first use (inside a script run,
    when Streamlit's runtime has found the component's files)."""
    global _mount
    if _mount is None:
        try:
            _mount = st.components.v2.component(COMPONENT, js="viewer.js", isolate_styles=True)
        except st.errors.StreamlitAPIException as exc:  # installed under another name
            raise RuntimeError(
                "The 3D viewer's files are not registered with Streamlit: reinstall the app "
                "(bash scripts/setup.sh, or pip install -e .) so that pyproject.toml's "
                f"[tool.streamlit.component] is found. ({exc})"
            ) from exc
    return _mount


@dataclass(frozen=True)
class ViewerState:
    """What the browser reported: the camera the user set (None: the view's own)."""

    camera: CameraSpec | None


def preload_viewer() -> None:
    """Have the browser load the viewer's code now: call it first on a page whose 3D view
    comes after its widgets. A hidden mount without data fetches Streamlit's component
    code and ours while the page's widgets are drawn, instead of after them."""
    with st.container(key=PRELOAD_CONTAINER):
        _component()(key="viewer.preload", height="content")
    st.html(f"<style>.st-key-{PRELOAD_CONTAINER} {{ display: none; }}</style>")


def _sent() -> set[str]:
    sent = st.session_state.get(state.VIEWER_SENT)
    if not isinstance(sent, set):
        sent = set()
        st.session_state[state.VIEWER_SENT] = sent
    return sent


def _resend(key: str) -> None:
    """The browser lacks surfaces: they go again on this rerun (see ``forget``)."""
    lacking = (st.session_state.get(key) or {}).get("missing") or []
    st.session_state[state.VIEWER_SENT] = forget(_sent(), [str(d) for d in lacking])


def slide_token(slide: Any) -> int:
    """A camera token for a case slide: a slide shown anew brings its own camera (and a
    change to its camera in the editor moves the preview there)."""
    camera = getattr(slide, "camera", None)
    described = camera.model_dump_json() if isinstance(camera, BaseModel) else repr(camera)
    return zlib.crc32(f"{slide.id}|{described}".encode())


def user_camera(report: Any, token: int) -> CameraSpec | None:
    """The camera the browser reported for this camera token, or None (no report, a report
    for an earlier view, or the view's own camera)."""
    if not isinstance(report, Mapping) or report.get("token") != token:
        return None
    cam = report.get("camera")
    if not isinstance(cam, Mapping):
        return None
    try:
        return CameraSpec(
            name="custom",
            title="Custom view",
            position=tuple(cam["position"]),
            focal_point=tuple(cam["focalPoint"]),
            view_up=tuple(cam["viewUp"]),
            view_angle=float(cam.get("viewAngle", 30.0)),
            parallel_scale=cam.get("parallelScale"),
        )
    except (KeyError, TypeError, ValueError):
        return None  # not a camera: keep the view's own


def show_viewer(
    scene: ViewerScene,
    *,
    key: str,
    height: int = VIEWER_HEIGHT,
    camera_token: int = 0,
    selected: str | None = None,
    on_pick: Callable[[str], None] | None = None,
    animate: bool = True,
    find: bool = False,
) -> ViewerState:
    """Show ``scene`` in the live viewer ``key`` (one per place on a page).

    The scene's camera is applied when the viewer first shows, when ``camera_token``
    changes (the user picked a view), and while the user has not moved the camera;
    otherwise the user's camera stays. ``selected`` is drawn emphasised; ``on_pick`` gets
    the id of a structure the user clicks (called before the rerun, like a widget's
    callback). ``animate`` morphs and fades from the previous scene.
    """
    view = {
        "cameraToken": camera_token,
        "selected": selected,
        "height": height,
        "pick": on_pick is not None,
        "animate": animate,
        "find": find,
    }
    sent = _sent()
    data, added = pack(scene, view, sent)
    sent |= added

    def picked() -> None:
        value = (st.session_state.get(key) or {}).get("picked")
        if on_pick is not None and isinstance(value, str):
            on_pick(value)

    result = _component()(
        key=key,
        data=data,
        height="content",
        default={"camera": None},
        on_camera_change=lambda: None,
        on_picked_change=picked,
        on_missing_change=lambda: _resend(key),
    )
    return ViewerState(camera=user_camera(result.get("camera"), camera_token))
