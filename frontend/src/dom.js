// Small DOM helpers. Every piece of text from the scene (names, titles) goes in as text,
// never as markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "style") node.style.cssText = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** A text width measurer (canvas 2D) for label boxes. */
export function textMeasurer() {
  const ctx = document.createElement("canvas").getContext("2d");
  const cache = new Map();
  return (text, font) => {
    const key = `${font}|${text}`;
    let w = cache.get(key);
    if (w === undefined) {
      ctx.font = font;
      w = ctx.measureText(text).width;
      cache.set(key, w);
    }
    return w;
  };
}

/** Save a data URL or blob as a download. */
export function download(href, filename) {
  const a = el("a", { href, download: filename, style: "display:none" });
  document.body.append(a);
  a.click();
  a.remove();
}

/** A file name from a title: letters, digits and dashes. */
export function fileName(title, ext) {
  const base = String(title || "view")
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/\s+/g, "-")
    .slice(0, 60);
  return `${base || "view"}${ext}`;
}
