"""The render worker's own process (``python -m atlas_app.scene.render_child``): the GL
check, and the server that answers framed requests with PNG stills, keeping the atlas and
specimens warm. It is the only side of :mod:`atlas_app.scene.render_worker` that imports
VTK."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from atlas_app.scene.render_frames import read_frame, write_frame
from atlas_app.scene.render_worker import RenderError
from atlas_app.scene.spec import SceneSpec


def _check_gl_main() -> int:
    """Draw a red sphere on white at 64×64; report what GL is in use."""
    import pyvista as pv

    pl = pv.Plotter(off_screen=True, window_size=[64, 64])
    pl.background_color = pv.Color("white")
    pl.add_mesh(pv.Sphere(radius=0.5), color="red")
    pl.camera_position = "xy"
    pl.render()
    image = pl.screenshot(return_img=True)
    window = pl.render_window.GetClassName() if pl.render_window is not None else None
    renderer = None
    try:
        caps = pl.render_window.ReportCapabilities() if pl.render_window is not None else ""
        for line in caps.splitlines():
            if "renderer string" in line:
                renderer = line.split(":", 1)[1].strip()
    except Exception:  # pragma: no cover - informative only
        renderer = None
    pl.close()
    ok = (
        image is not None
        and image[32, 32, 0] > 150
        and image[32, 32, 1] < 100
        and image[1, 1].min() > 200
    )
    report = {"ok": bool(ok), "window": window, "renderer": renderer}
    if not ok:
        report["error"] = "the test render came out blank"
    print(json.dumps(report), flush=True)
    return 0 if ok else 1


class _Server:
    """State kept warm between requests: atlases and specimens by directory and SPEC."""

    def __init__(self) -> None:
        self.atlases: dict[str, tuple[tuple[tuple[str, int], ...], Any]] = {}
        self.specimens: dict[tuple[str, str], tuple[tuple[tuple[str, int], ...], Any]] = {}

    @staticmethod
    def fingerprint(root: Path) -> tuple[tuple[str, int], ...]:
        return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(root.rglob("*.yaml")))

    def specimen(self, atlas_dir: str, spec: str) -> tuple[Any, Any]:
        from atlas_app.model.loader import load_atlas
        from atlas_app.model.specimen import build_specimen

        root = Path(atlas_dir)
        if not root.is_dir():
            raise RenderError(f"atlas directory not found: {atlas_dir}")
        stamp = self.fingerprint(root)
        cached = self.atlases.get(atlas_dir)
        if cached is None or cached[0] != stamp:
            self.atlases[atlas_dir] = (stamp, load_atlas(root))
            self.specimens = {k: v for k, v in self.specimens.items() if k[0] != atlas_dir}
        atlas = self.atlases[atlas_dir][1]
        found = self.specimens.get((atlas_dir, spec))
        if found is None or found[0] != stamp:
            found = (stamp, build_specimen(atlas, spec))
            self.specimens[(atlas_dir, spec)] = found
        return atlas, found[1]

    def render(self, request: Mapping[str, Any]) -> bytes:
        from atlas_app.geometry.specimen_meshes import surfaces_of
        from atlas_app.scene.render_still import render_still

        atlas, specimen = self.specimen(str(request["atlas_dir"]), str(request["spec"]))
        scene = SceneSpec.from_dict(request["scene"])
        meshes = surfaces_of(atlas, specimen.structures, scene.visible_ids)
        width, height = request.get("size", (900, 600))
        labels = request.get("labels", True)
        return render_still(
            scene,
            meshes,
            (int(width), int(height)),
            labels if isinstance(labels, bool) else tuple(labels),
        )


def _serve() -> int:
    """Answer framed requests on stdin until it closes. Stdout carries only frames."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, not into the protocol
    sys.stdout = sys.stderr
    server = _Server()
    while True:
        raw = read_frame(sys.stdin.buffer)
        if raw is None:
            return 0
        try:
            request = json.loads(raw)
            op = request.get("op")
            if op == "ping":
                write_frame(out, json.dumps({"ok": True, "pid": os.getpid()}).encode())
            elif op == "render":
                png = server.render(request)
                write_frame(out, json.dumps({"ok": True, "has_body": True}).encode())
                write_frame(out, png)
            elif op == "exit":
                write_frame(out, json.dumps({"ok": True}).encode())
                return 0
            else:
                raise RenderError(f"unknown request {op!r}")
        except Exception as exc:  # every failure is an answer, not a dead worker
            error = f"{type(exc).__name__}: {exc}"
            write_frame(out, json.dumps({"ok": False, "error": error}).encode())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--check-gl"]:
        return _check_gl_main()
    if args == ["--serve"]:
        return _serve()
    print("usage: python -m atlas_app.scene.render_child --check-gl | --serve", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
