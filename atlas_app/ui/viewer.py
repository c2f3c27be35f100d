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

import base64
import secrets
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
from atlas_app.web.preload import BOOT_KEY_PREFIX, shell_boots

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


@dataclass(frozen=True)
class ViewerBoot:
    """A first view's placeholder (:func:`prepare_viewer`), for ``show_viewer``'s ``boot``."""

    token: str
    slot: Any  # the placeholder's container (a Streamlit DeltaGenerator)


def prepare_viewer(key: str, *, boot: bool = False) -> ViewerBoot | None:
    """Call it early on a page, before the sidebar's widgets: it readies the viewer
    ``key``'s first view.

    With ``boot``, on pages served with the shell's script (``serve.py``), the first time
    the viewer shows in this session (it was not on the page's previous run) it places,
    here, a placeholder for ``show_viewer(boot=…)`` to put the view's message in. Streamlit
    draws a container at once, while the component's host waits until React has retried it
    with every widget of the sidebar whose code was loading (about 0.2 s on a new visit:
    the README's *Benchmarks*); so the page shell's script (``web/preload.py:
    boot_script``) draws the view in the placeholder and the component adopts it when it
    mounts. The placeholder must sit just above where the viewer shows (later runs leave an
    empty one there).

    Otherwise it places a hidden mount without data (on every run, so that nothing on the
    page moves): it has the browser load Streamlit's component code and ours, and make a
    viewer, while the page's widgets are drawn, instead of after them.
    """
    if boot and shell_boots():
        if st.session_state.get(key) is not None:
            # An empty one, not drawn: the page's blocks keep their places (one that moved up
            # would be drawn anew, an expander closing on the user).
            st.container(key=f"{BOOT_KEY_PREFIX}none")
            return None
        token = secrets.token_hex(8)
        return ViewerBoot(token, st.container(key=f"{BOOT_KEY_PREFIX}{token}"))
    with st.container(key=PRELOAD_CONTAINER):
        _component()(key="viewer.preload", height="content")
    st.html(f"<style>.st-key-{PRELOAD_CONTAINER} {{ display: none; }}</style>")
    return None


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
    boot: ViewerBoot | None = None,
) -> ViewerState:
    """Show ``scene`` in the live viewer ``key`` (one per place on a page).

    The scene's camera is applied when the viewer first shows, when ``camera_token``
    changes (the user picked a view), and while the user has not moved the camera;
    otherwise the user's camera stays. ``selected`` is drawn emphasised; ``on_pick`` gets
    the id of a structure the user clicks (called before the rerun, like a widget's
    callback). ``animate`` morphs and fades from the previous scene. With ``boot``
    (:func:`prepare_viewer`) the message, surfaces included, goes in the placeholder for
    the page shell to draw, and the component gets the scene description only.
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
    if boot is not None:
        view["boot"] = boot.token
        message, added = pack(scene, view, sent)
        with boot.slot:
            st.text(base64.b64encode(message).decode("ascii"))
        # Should the page shell not draw it, the viewer reports the surfaces it lacks and
        # they come again (``_resend``).
        data, _ = pack(scene, view, sent | added)
    else:
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
