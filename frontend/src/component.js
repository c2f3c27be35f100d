// The Streamlit side (components v2): Streamlit calls the default export each time the
// component's data changes, always with the same parent element; the viewer made on the
// first call is kept and given each new message.
//
// Back to Python: `camera` (state: the user's camera with the page's camera token, or
// null when it is the view's own), `picked` (trigger: a structure clicked) and `missing`
// (trigger: surfaces this page lacks, to be sent again).

import { AtlasViewer } from "./viewer.js";

const viewers = new WeakMap();

export default function render({ data, parentElement, setStateValue, setTriggerValue }) {
  let viewer = viewers.get(parentElement);
  if (!viewer) {
    viewer = new AtlasViewer(parentElement);
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
