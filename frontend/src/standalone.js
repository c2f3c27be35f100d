// The viewer outside Streamlit: an exported case (one HTML file, offline) mounts a view
// per slide from the messages embedded in the page.

import { parseMessage } from "./codec.js";
import { addBlobs } from "./store.js";
import { AtlasViewer } from "./viewer.js";

/** Take in the surfaces of several messages (an exported deck: each surface is in the file
 * once, with the first slide that shows it). */
export function prime(messages) {
  for (const bytes of messages) addBlobs(parseMessage(bytes).blobs);
}

/** Show a message (bytes, as Python packs them) in `container`; returns the viewer. */
export function mount(container, bytes, hooks = {}) {
  const viewer = new AtlasViewer(container, hooks);
  viewer.receive(bytes);
  return viewer;
}

/** Base64 → bytes. */
export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}
