// The Streamlit side (components v2): Streamlit calls the default export each time the
// component's data changes, always with the same parent element; the viewer made on the
// first call is kept and given each new message.
//
// Back to Python: `camera` (state: the user's camera with the page's camera token, or
// null when it is the view's own), `picked` (trigger: a structure clicked) and `missing`
// (trigger: surfaces this page lacks, to be sent again).

import { parseMessage } from "./codec.js";
import { fromBase64 } from "./standalone.js";
import { AtlasViewer } from "./viewer.js";

const viewers = new WeakMap();
let spare = null; // a viewer made ahead, off screen, by the preloading mount
const boots = new Map(); // boot token → { viewer, box }: first views (see `boot`); no box:
// the component's own viewer, mounted before `boot` ran

/**
 * A page's first view, drawn before Streamlit mounts the component: the page shell's script
 * calls it for each placeholder with its token and the view's message in base64
 * (atlas_app/web/preload.py, atlas_app/ui/viewer.py). The component adopts the viewer drawn
 * here once it mounts.
 */
export function boot(placeholder, token, message) {
  let bytes;
  try {
    bytes = fromBase64(message);
  } catch {
    return; // the component then draws it (it asks for the surfaces again)
  }
  const mounted = boots.get(token);
  if (mounted) {
    // The component came first (this code was still loading): its viewer, which has the
    // scene but not its surfaces, gets them here.
    mounted.viewer.receive(bytes);
    return;
  }
  const box = document.createElement("div");
  box.style.width = "100%"; // the placeholder lays out its children at their own width
  placeholder.append(box);
  const viewer = new AtlasViewer(box);
  boots.set(token, { viewer, box });
  viewer.receive(bytes);
}

/** The boot token a message's view names, if any. */
function bootToken(data) {
  try {
    return parseMessage(data).header.view?.boot || null;
  } catch {
    return null; // not a viewer message: the viewer says so when it applies it
  }
}

/** A viewer made now, off screen, with its shaders compiled, for the view to come. */
function makeSpare() {
  if (spare) return;
  const box = document.createElement("div");
  box.style.cssText = "position:fixed;left:-10000px;top:0;width:64px;height:64px;";
  document.body.append(box);
  spare = new AtlasViewer(box);
  spare.warmUp();
}

/** The viewer for a new mount: the one `boot` drew for it, a spare, or a new one. */
function viewerFor(parentElement, entry) {
  if (entry && entry.box) {
    entry.viewer.adopt(parentElement);
    entry.box.remove(); // the placeholder, empty again, hides (its style is the shell's)
    return entry.viewer;
  }
  if (spare && !spare.failed) {
    const viewer = spare;
    spare = null;
    viewer.adopt(parentElement);
    return viewer;
  }
  return new AtlasViewer(parentElement);
}

export default function render({ data, parentElement, setStateValue, setTriggerValue }) {
  // Mounted without data (ui/viewer.py's prepare_viewer, first on a page), the component
  // gets this code loaded and a viewer ready while the page's widgets are drawn.
  if (!data && !viewers.has(parentElement)) {
    makeSpare();
    return undefined;
  }
  let viewer = viewers.get(parentElement);
  if (!viewer) {
    const token = data ? bootToken(data) : null;
    const entry = token ? boots.get(token) : null;
    viewer = viewerFor(parentElement, entry);
    viewers.set(parentElement, viewer);
    if (token) boots.set(token, { viewer, box: null });
  }
  viewer.hooks = {
    onCamera: (report) => setStateValue("camera", report),
    onPick: (id) => setTriggerValue("picked", id),
    onMissing: (digests) => setTriggerValue("missing", digests),
  };
  if (data) viewer.receive(data);
  return () => {
    viewer.destroy();
    viewers.delete(parentElement);
    for (const [token, entry] of boots) if (entry.viewer === viewer) boots.delete(token);
  };
}
