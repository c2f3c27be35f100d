// Where the names go: a pin on each named structure, its name in a box beside it joined by a
// leader line, no box over another box or over another structure's pin, most important
// names first. A pure function of screen positions, so it is tested without a browser.

const DIRECTIONS = [
  [1, -1],
  [-1, -1],
  [1, 1],
  [-1, 1],
  [1, 0],
  [-1, 0],
  [0, -1],
  [0, 1],
];
const DISTANCES = [22, 44, 72];
const GAP = 3; // px kept between boxes
const PIN_RADIUS = 5;
const MARGIN = 4; // px kept from the view's edge

const overlaps = (a, b, gap = 0) =>
  a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;

const covers = (box, x, y, r) =>
  x + r > box.x && x - r < box.x + box.w && y + r > box.y && y - r < box.y + box.h;

function candidates(ax, ay, w, h) {
  const out = [];
  for (const d of DISTANCES) {
    for (const [dx, dy] of DIRECTIONS) {
      const x = ax + dx * d - (dx < 0 ? w : dx === 0 ? w / 2 : 0);
      const y = ay + dy * d - (dy < 0 ? h : dy === 0 ? h / 2 : 0);
      out.push({ x, y, w, h });
    }
  }
  return out;
}

/** The point of a box nearest to (x, y): where a leader line meets it. */
export function nearestOnBox(box, x, y) {
  return {
    x: Math.min(Math.max(x, box.x), box.x + box.w),
    y: Math.min(Math.max(y, box.y), box.y + box.h),
  };
}

/**
 * Place labels.
 * @param {Array<{id, text, ax, ay, w, h}>} items in priority order, at their pins (px)
 * @param {number} width
 * @param {number} height
 * @param {Array<{x, y, w, h}>} reserved boxes no label may cover (toolbar, legend…)
 * @param {number} limit most labels shown
 * @returns {Array} the placed items, each with its box {x, y, w, h} and leader end {lx, ly}
 */
export function placeLabels(items, width, height, reserved = [], limit = Infinity) {
  const placed = [];
  const pins = [];
  for (const item of items) {
    if (placed.length >= limit) break;
    const { ax, ay, w, h } = item;
    if (ax < MARGIN || ay < MARGIN || ax > width - MARGIN || ay > height - MARGIN) continue;
    if (placed.some((p) => covers(p.box, ax, ay, PIN_RADIUS))) continue;
    if (reserved.some((r) => covers(r, ax, ay, PIN_RADIUS))) continue;
    const box = candidates(ax, ay, w, h).find(
      (c) =>
        c.x >= MARGIN &&
        c.y >= MARGIN &&
        c.x + c.w <= width - MARGIN &&
        c.y + c.h <= height - MARGIN &&
        !placed.some((p) => overlaps(c, p.box, GAP)) &&
        !reserved.some((r) => overlaps(c, r, GAP)) &&
        !pins.some((p) => covers(c, p.x, p.y, PIN_RADIUS + GAP)),
    );
    if (!box) continue;
    const end = nearestOnBox(box, ax, ay);
    placed.push({ ...item, box, lx: end.x, ly: end.y });
    pins.push({ x: ax, y: ay });
  }
  return placed;
}
