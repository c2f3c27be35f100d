"""Real-browser benchmark of the 3D view (Debian chromium driven by Playwright).

Against servers started here on free ports, side by side in one run:

- time from navigation to a drawn 3D scene on the Atlas page, cold (first visit after the
  server starts) and warm, beside a one-line Streamlit page and beside the same scene shown
  through stpyvista's own trame backend (``bench/stpyvista_app.py``); warm loads alternate
  between the three pages so a slow spell of the shared machine falls on all of them;
- bytes the browser receives over Streamlit's websocket for the first Atlas view (and the
  HTTP bytes of the viewer's code, fetched as a static file);
- an approach step change: time from the click on *Next* to the new scene drawn (and to
  the retraction's morph finished), and its websocket bytes;
- server memory (resident set) with 5 atlas sessions open at once.

"Warm" is the server warm (the scene built before). Each warm load is a new browser context
(nothing in the browser's cache), as a new visitor; a "returning visit" reloads the page in
a context that has shown it once (the browser's cache warm too), measured the same way for
the one-line page and the atlas page.

Run: .venv/bin/python bench/bench_browser.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from _report import report, row  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.harness import CHROMIUM_ARGS, ROOT, free_port, start_app, wait_healthy  # noqa: E402

WARM_RUNS = 8
RETURNING_RUNS = 5
STEP_CHANGES = 6
SESSIONS = 5
VIEWPORT = {"width": 1280, "height": 900}

# The viewer's state: the key of the scene it has drawn, when (ms since the page began), and
# whether its morphs have finished (settled) and when. The view is drawn where the user sees
# it: a first view in the page shell's placeholder (ui/viewer.py: prepare_viewer), the same
# viewer in the component's shadow root once the component has adopted it.
VIEWER_STATE = """() => {
  const r = [...document.querySelectorAll('.sav-root'),
    ...[...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
      .map(e => e.shadowRoot && e.shadowRoot.querySelector('.sav-root'))]
    .find(r => r && r.dataset.scene);
  if (!r) { return null; }
  const d = r.dataset;
  return { scene: d.scene || null, drawnAt: Number(d.drawnAt), settled: d.settled || null,
           settledAt: Number(d.settledAt), receivedAt: Number(d.receivedAt) }; }"""

# In-page marks (ms since the page began) of what the user waits for on the other pages.
MARKS = """
window.__marks = {};
const seen = () => {
  const m = window.__marks;
  if (!m.text && document.body && document.body.innerText.includes("Hello from a one-line page.")) {
    m.text = performance.now();
  }
  const f = [...document.querySelectorAll("[data-testid=stBidiComponentIsolated]")]
    .map((e) => e.shadowRoot && e.shadowRoot.querySelector("iframe")).find(Boolean);
  const w = f && f.contentWindow;
  const rw = w && w.global && w.global.renderWindow;
  if (!m.stpyvista && rw && rw.getRenderers().some((r) => r.getViewProps().length)) {
    m.stpyvista = performance.now();
  }
  if (!m.text || !m.stpyvista) { requestAnimationFrame(seen); }
};
requestAnimationFrame(seen);
document.addEventListener("click", () => { window.__marks.click = performance.now(); }, true);
"""


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB (from /proc)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def wait_drawn(page: Any, previous: str | None = None, settled: bool = False) -> dict[str, Any]:
    """Wait until the viewer has drawn a scene other than ``previous`` (and, with
    ``settled``, finished its morphs); the viewer's state then."""
    done = "&& s.settled === s.scene" if settled else ""
    page.wait_for_function(
        f"(prev) => {{ const s = ({VIEWER_STATE})();"
        f" return s && s.scene && s.scene !== prev {done}; }}",
        arg=previous,
        timeout=120_000,
    )
    return dict(page.evaluate(VIEWER_STATE))


def new_page(browser: Any, frames: list[int] | None = None) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.add_init_script(MARKS)
    if frames is not None:
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))),
        )
    return ctx, page


def load_atlas_page(browser: Any, url: str, states: list[dict[str, Any]] | None = None) -> float:
    """Navigation → the frame that shows the atlas's scene, in seconds (measured in the
    page); ``states`` gets the viewer's state then (when it took in its scene, when it drew
    it)."""
    ctx, page = new_page(browser)
    page.goto(url)
    state = wait_drawn(page)
    ctx.close()
    if states is not None:
        states.append(state)
    return float(state["drawnAt"]) / 1000


def mark(page: Any, name: str) -> float:
    page.wait_for_function(f"() => window.__marks && window.__marks.{name}", timeout=120_000)
    return float(page.evaluate(f"() => window.__marks.{name}")) / 1000


def load_one_line(browser: Any, url: str) -> float:
    """Navigation → the one-line page's text shown, in seconds (measured in the page)."""
    ctx, page = new_page(browser)
    page.goto(url)
    shown = mark(page, "text")
    ctx.close()
    return shown


def load_stpyvista(browser: Any, url: str, frames: list[int] | None = None) -> float:
    """The same scene through stpyvista: navigation → its vtk.js window holds the actors
    (and one more frame drawn), in seconds (measured in the page)."""
    ctx, page = new_page(browser, frames)
    page.goto(url)
    drawn = mark(page, "stpyvista")
    ctx.close()
    return drawn


def returning_visit(browser: Any, url: str, shown: Callable[[Any], float]) -> float:
    """A page reloaded in a context that has loaded it once (the browser's cache warm):
    navigation → ``shown(page)``, in seconds."""
    ctx, page = new_page(browser)
    page.goto(url)
    shown(page)
    page.reload()
    seconds = shown(page)
    ctx.close()
    return seconds


def atlas_drawn(page: Any) -> float:
    return float(wait_drawn(page)["drawnAt"]) / 1000


def line_shown(page: Any) -> float:
    return mark(page, "text")


def step_changes(browser: Any, url: str) -> tuple[list[float], list[float], list[int]]:
    """Click Next on the Approaches page: click → the new scene's first frame, click → its
    morph finished (measured in the page), and the websocket bytes of each change."""
    frames: list[int] = []
    ctx, page = new_page(browser, frames)
    page.goto(f"{url}/approaches")
    state = wait_drawn(page, settled=True)
    drawn, settled, sizes = [], [], []
    for _ in range(STEP_CHANGES):
        page.wait_for_timeout(1000)  # the previous rerun's messages are in
        before = len(frames)
        page.get_by_role("button", name="Next").click()
        state = wait_drawn(page, state["scene"], settled=True)
        clicked = float(page.evaluate("() => window.__marks.click"))
        drawn.append((state["drawnAt"] - clicked) / 1000)
        settled.append((max(state["settledAt"], state["drawnAt"]) - clicked) / 1000)
        page.wait_for_timeout(1000)
        sizes.append(sum(frames[before:]))
    ctx.close()
    return drawn, settled, sizes


def alternate(loads: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in loads}
    for _ in range(runs):
        for name, load in loads.items():
            times[name].append(load())
    return times


def main() -> None:
    logs = BENCH / "results"
    logs.mkdir(exist_ok=True)
    ports = {name: free_port() for name in ("atlas", "line", "stpyvista")}
    procs = {
        "atlas": start_app(
            ROOT / "atlas_app" / "serve.py", ports["atlas"], logs / "atlas_server.log"
        ),
        "line": start_app(BENCH / "one_line_app.py", ports["line"], logs / "one_line_server.log"),
        "stpyvista": start_app(
            BENCH / "stpyvista_app.py", ports["stpyvista"], logs / "stpyvista_server.log"
        ),
    }
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    bundle_bytes: list[int] = []
    try:
        for name, proc in procs.items():
            wait_healthy(urls[name], proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
            )
            line_cold = load_one_line(browser, urls["line"])
            frames: list[int] = []
            ctx, page = new_page(browser, frames)
            page.on(
                "response",
                lambda r: (
                    bundle_bytes.append(len(r.body())) if "atlas-app.viewer" in r.url else None
                ),
            )
            page.goto(urls["atlas"])
            atlas_cold = wait_drawn(page)["drawnAt"] / 1000
            page.wait_for_timeout(2000)  # late messages of the first view
            first_view = sum(frames)
            ctx.close()
            st_frames: list[int] = []
            st_cold = load_stpyvista(browser, urls["stpyvista"], st_frames)
            states: list[dict[str, Any]] = []
            times = alternate(
                {
                    "line": lambda: load_one_line(browser, urls["line"]),
                    "atlas": lambda: load_atlas_page(browser, urls["atlas"], states),
                    "stpyvista": lambda: load_stpyvista(browser, urls["stpyvista"]),
                },
                WARM_RUNS,
            )
            again = alternate(
                {
                    "line": lambda: returning_visit(browser, urls["line"], line_shown),
                    "atlas": lambda: returning_visit(browser, urls["atlas"], atlas_drawn),
                },
                RETURNING_RUNS,
            )
            drawn, settled, sizes = step_changes(browser, urls["atlas"])
            rss_idle = rss_mb(procs["atlas"].pid)
            contexts = []
            for _ in range(SESSIONS):
                c, pg = new_page(browser)
                pg.goto(urls["atlas"])
                contexts.append((c, pg))
            for _, pg in contexts:
                wait_drawn(pg)
            rss_sessions = rss_mb(procs["atlas"].pid)
            for c, _ in contexts:
                c.close()
            browser.close()
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=20)

    line_warm = statistics.median(times["line"])
    atlas_warm = statistics.median(times["atlas"])
    st_warm = statistics.median(times["stpyvista"])
    ratio = atlas_warm / line_warm
    st_ratio = st_warm / line_warm
    line_again = statistics.median(again["line"])
    atlas_again = statistics.median(again["atlas"])
    report(
        "browser",
        [
            row("one-line page: navigation → text shown, cold", line_cold, "s"),
            row("one-line page: navigation → text shown, warm (median)", line_warm, "s"),
            row("atlas page: navigation → 3D scene drawn, cold", atlas_cold, "s"),
            row("atlas page: navigation → 3D scene drawn, warm (median)", atlas_warm, "s"),
            row(
                "atlas page: navigation → the viewer takes in its scene, warm (median)",
                statistics.median(s["receivedAt"] for s in states) / 1000,
                "s",
            ),
            row(
                "atlas page: the viewer's own time, scene received → first frame drawn (median)",
                statistics.median(s["drawnAt"] - s["receivedAt"] for s in states),
                "ms",
            ),
            row("atlas / one-line, warm", ratio, "×", "≤ 1.5", ratio <= 1.5),
            row("one-line page, returning visit (reload, browser cache warm)", line_again, "s"),
            row("atlas page, returning visit (reload, browser cache warm)", atlas_again, "s"),
            row(
                "atlas / one-line, returning visits (browser cache warm too)",
                atlas_again / line_again,
                "×",
                "≤ 1.5",
                atlas_again / line_again <= 1.5,
            ),
            row(
                "websocket bytes received for the first atlas view",
                first_view / 1e6,
                "MB",
                "≤ 0.5",
                first_view / 1e6 <= 0.5,
            ),
            row(
                "viewer code fetched over HTTP (static file, once per visit)",
                (bundle_bytes[0] if bundle_bytes else 0) / 1e6,
                "MB",
            ),
            row(
                "approach step change: click → new scene drawn (median)",
                statistics.median(drawn) * 1000,
                "ms",
                "≤ 300",
                statistics.median(drawn) <= 0.3,
            ),
            row("approach step change: click → new scene drawn (worst)", max(drawn) * 1000, "ms"),
            row(
                "approach step change: click → retraction morph finished (median)",
                statistics.median(settled) * 1000,
                "ms",
            ),
            row(
                "approach step change: websocket bytes (worst)",
                max(sizes) / 1000,
                "kB",
                "≤ 60",
                max(sizes) <= 60_000,
            ),
            row(
                "approach step change: websocket bytes (median)",
                statistics.median(sizes) / 1000,
                "kB",
            ),
            row("stpyvista (trame backend), same scene: navigation → drawn, cold", st_cold, "s"),
            row("stpyvista, same scene: navigation → drawn, warm (median)", st_warm, "s"),
            row("stpyvista / one-line, warm", st_ratio, "×"),
            row("stpyvista, same scene: websocket bytes", sum(st_frames) / 1e6, "MB"),
            row("server memory, idle after the runs above", rss_idle, "MB"),
            row(f"server memory, {SESSIONS} atlas sessions open", rss_sessions, "MB"),
        ],
        notes=[
            "Times are measured in the page (performance.now() from the start of navigation "
            "to the frame that shows the scene, or to the one-line page's text), not by "
            "Playwright's polling; they include Streamlit's own start-up in the browser.",
            "Warm = the server warm (it has built the scene before); each warm load is a new "
            "browser context (a new visitor: the viewer's code and Streamlit's files are "
            "fetched again over HTTP, not over the websocket). Returning visits reload the "
            f"page in a context that has shown it once (the browser's cache warm too), "
            f"{RETURNING_RUNS} of each page, alternating.",
            "The viewer's own time runs from its taking in the scene's message (inflating it) "
            "to the end of the script that draws its first frame (performance marks "
            "sav-received and sav-drawn in the page).",
            "Warm loads alternate one-line / atlas / stpyvista, "
            f"{WARM_RUNS} of each, so the ratios are measured side by side.",
            "Websocket bytes are what Playwright reports per received frame, for the whole "
            "page view (the app's websocket compression is off: the viewer's messages are "
            "deflated already).",
            "stpyvista shows the same surfaces, colours and camera through its trame backend "
            "(bench/stpyvista_app.py); drawn = its vtk.js window holds the scene's actors.",
            "Step change: the click on Next on the Approaches page (transpsoas, from step 1); "
            "drawn = the viewer has rendered the new scene's first frame (the retraction then "
            "morphs for 0.5 s).",
        ],
    )


if __name__ == "__main__":
    main()
