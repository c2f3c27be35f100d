// Label placement: no box over a box or a pin, inside the view, most important first.
import assert from "node:assert/strict";
import { test } from "node:test";

import { nearestOnBox, placeLabels } from "../src/labels.js";

const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function crowd(n, seed = 7) {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    text: `Structure ${i}`,
    ax: 100 + rand() * 600,
    ay: 80 + rand() * 400,
    w: 90 + rand() * 60,
    h: 22,
  }));
}

test("placed boxes never overlap one another, a pin or the reserved boxes", () => {
  const reserved = [{ x: 560, y: 0, w: 240, h: 44 }];
  const placed = placeLabels(crowd(60), 800, 560, reserved);
  assert.ok(placed.length >= 10, `only ${placed.length} placed`);
  for (const [i, a] of placed.entries()) {
    assert.ok(a.box.x >= 0 && a.box.y >= 0 && a.box.x + a.box.w <= 800 && a.box.y + a.box.h <= 560);
    assert.ok(!overlap(a.box, reserved[0]));
    for (const b of placed.slice(i + 1)) {
      assert.ok(!overlap(a.box, b.box), `${a.id} and ${b.id} overlap`);
      const pinInside = (box, p) => p.ax > box.x && p.ax < box.x + box.w && p.ay > box.y && p.ay < box.y + box.h;
      assert.ok(!pinInside(a.box, b) && !pinInside(b.box, a), "a box covers a pin");
    }
  }
});

test("the most important names are placed first and the limit holds", () => {
  const items = crowd(30);
  const placed = placeLabels(items, 800, 560, [], 5);
  assert.equal(placed.length, 5);
  assert.deepEqual(
    placed.map((p) => p.id),
    items.map((i) => i.id).filter((id) => placed.some((p) => p.id === id)),
  );
  assert.equal(placed[0].id, "s0");
});

test("a pin outside the view gets no label; the leader ends on its box", () => {
  const placed = placeLabels(
    [
      { id: "out", text: "Out", ax: -20, ay: 100, w: 50, h: 20 },
      { id: "in", text: "In", ax: 200, ay: 200, w: 50, h: 20 },
    ],
    400,
    300,
  );
  assert.deepEqual(placed.map((p) => p.id), ["in"]);
  const p = placed[0];
  const end = nearestOnBox(p.box, p.ax, p.ay);
  assert.deepEqual([p.lx, p.ly], [end.x, end.y]);
  assert.ok(Math.hypot(p.lx - p.ax, p.ly - p.ay) <= 80, "the label sits near its pin");
});
