// The exported case deck: one slide at a time, a live 3D viewer on the view slides
// (atlas_app/cases/export_html.py).
"use strict";
const api = globalThis.SacralAlaViewer;
const slides = Array.from(document.querySelectorAll(".sa-slide"));
const sceneData = document.getElementById("sa-scenes");
const scenes = sceneData && api ? JSON.parse(sceneData.textContent).map(api.fromBase64) : [];
const prev = document.getElementById("sa-prev");
const next = document.getElementById("sa-next");
const count = document.getElementById("sa-count");
let current = -1;
let live = null;
let primed = null;

function release() {
  if (live) { live.destroy(); live = null; }
}
async function load(slide, i) {
  release();
  // Every slide's surfaces first: each surface is in the file once, with its first slide.
  primed = primed || api.prime(scenes);
  await primed;
  if (current !== i) { return; }
  live = api.mount(slide.querySelector(".sa-viewport"), scenes[Number(slide.dataset.scene)]);
}
function show(i) {
  i = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach((s, j) => { s.hidden = j !== i; });
  current = i;
  count.textContent = (i + 1) + " / " + slides.length;
  prev.disabled = i === 0;
  next.disabled = i === slides.length - 1;
  if (history.replaceState) { history.replaceState(null, "", "#" + (i + 1)); }
  // A view is mounted once its slide shows: the viewer takes the size of its box then.
  if (slides[i].hasAttribute("data-scene") && api) { load(slides[i], i); } else { release(); }
}
prev.addEventListener("click", () => show(current - 1));
next.addEventListener("click", () => show(current + 1));
document.addEventListener("keydown", (e) => {
  const t = e.target && e.target.tagName;
  if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || e.altKey || e.ctrlKey ||
      e.metaKey || e.defaultPrevented) { return; }
  const go = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1,
               PageUp: -1 }[e.key];
  if (go) { e.preventDefault(); show(current + go); }
  else if (e.key === "Home") { e.preventDefault(); show(0); }
  else if (e.key === "End") { e.preventDefault(); show(slides.length - 1); }
});
window.addEventListener("hashchange", () => {
  const n = parseInt(location.hash.slice(1), 10);
  if (!isNaN(n) && n - 1 !== current) { show(n - 1); }
});
const wanted = parseInt((location.hash || "#1").slice(1), 10);
show(isNaN(wanted) ? 0 : wanted - 1);
