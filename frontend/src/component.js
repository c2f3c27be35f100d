// The Streamlit side (components v2): Streamlit calls the default export each time the
// component's data changes, always with the same parent element; the viewer made on the
// first call is kept and given each new message.
//
// Back to Python: `camera` (state: the user's camera with the page's camera token, or
// null when it is the view's own), `picked` (trigger: a structure clicked) and `missing`
// (trigger: surfaces this page lacks, to be sent again).

import { AtlasViewer } from "./viewer.js";

const viewers = new WeakMap();
let spare = null; // a viewer made ahead, off screen, by the preloading mount

/** A viewer made now, off screen, with its shaders compiled, for the view to come. */
function makeSpare() {
  if (spare) return;
  const box = document.createElement("div");
  box.style.cssText = "position:fixed;left:-10000px;top:0;width:64px;height:64px;";
  document.body.append(box);
  spare = new AtlasViewer(box);
  spare.warmUp();
}

export default function render({ data, parentElement, setStateValue, setTriggerValue }) {
  // Mounted without data (ui/viewer.py's preload_viewer, first on a page), the component
  // gets this code loaded and a viewer ready while the page's widgets are drawn.
  if (!data && !viewers.has(parentElement)) {
    makeSpare();
    return undefined;
  }
  let viewer = viewers.get(parentElement);
  if (!viewer) {
    if (spare && !spare.failed) {
      viewer = spare;
      spare = null;
      viewer.adopt(parentElement);
    } else {
      viewer = new AtlasViewer(parentElement);
    }
    viewers.set(parentElement, viewer);
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
  };
}
