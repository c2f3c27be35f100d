// Sacral Ala Atlas 3D viewer: the Streamlit component (default export), the page shell's
// early first view (`boot`) and, for pages outside Streamlit (an exported case),
// `globalThis.SacralAlaViewer`.

import render, { boot } from "./component.js";
import { fromBase64, mount, prime } from "./standalone.js";

globalThis.SacralAlaViewer = { mount, prime, fromBase64 };

export default render;
export { boot, fromBase64, mount, prime };
