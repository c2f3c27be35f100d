"""What a page sent to its live 3D viewers, read from an AppTest run."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from atlas_app.scene.viewer_bundle import COMPONENT
from atlas_app.scene.viewer_payload import unpack_header


def viewer_elements(at: AppTest) -> list[Any]:
    """The page's 3D viewers (not the hidden mount that only preloads the viewer's code)."""
    return [
        e
        for e in at.get("bidi_component")
        if e.proto.component_name == COMPONENT and e.proto.WhichOneof("data") == "bytes"
    ]


def viewer_message(at: AppTest) -> bytes:
    """The message of the page's one 3D viewer."""
    found = viewer_elements(at)
    assert len(found) == 1, f"one 3D viewer on the page, found {len(found)}"
    return bytes(found[0].proto.bytes)


def viewer_header(at: AppTest) -> dict[str, Any]:
    return unpack_header(viewer_message(at))


def scene_ids(at: AppTest) -> set[str]:
    """The structures the viewer is told to show."""
    return {a["id"] for a in viewer_header(at)["scene"]["actors"]}
