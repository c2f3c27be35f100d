// Projection and picking in the atlas frame: a pixel's ray passes through what projects
// onto that pixel; rays hit the nearest opaque surface and see through translucent ones.
import assert from "node:assert/strict";
import { test } from "node:test";

import { castRay, distance, pixelRay, project, rayMesh } from "../src/geometry.js";

const camera = {
  position: [30, 400, 60],
  focalPoint: [0, 0, 0],
  viewUp: [0, 0, 1],
  viewAngle: 30,
  parallelProjection: false,
  parallelScale: 100,
};

function box(cx, cy, cz, half) {
  const p = [];
  for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) p.push(cx + x * half, cy + y * half, cz + z * half);
  const quads = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]];
  const tris = quads.flatMap(([a, b, c, d]) => [a, b, c, a, c, d]);
  const points = Float32Array.from(p);
  const bounds = [cx - half, cx + half, cy - half, cy + half, cz - half, cz + half];
  return { points, triangles: Uint32Array.from(tris), bounds };
}

for (const parallel of [false, true]) {
  test(`a world point and the ray through its pixel agree (${parallel ? "parallel" : "perspective"})`, () => {
    const cam = { ...camera, parallelProjection: parallel };
    const p = [12.5, -8, 20];
    const s = project(cam, 800, 560, p);
    assert.ok(s.depth > 0);
    const { origin, dir } = pixelRay(cam, 800, 560, s.x, s.y);
    // The point lies on the ray.
    const t = (p[0] - origin[0]) * dir[0] + (p[1] - origin[1]) * dir[1] + (p[2] - origin[2]) * dir[2];
    const closest = origin.map((o, k) => o + t * dir[k]);
    assert.ok(distance(closest, p) < 1e-6);
  });
}

test("the ray meets the front face of a box at the right place", () => {
  const b = box(0, 0, 0, 10);
  const t = rayMesh([0, 100, 0], [0, -1, 0], b.points, b.triangles);
  assert.ok(Math.abs(t - 90) < 1e-9);
  const none = rayMesh([50, 100, 0], [0, -1, 0], b.points, b.triangles);
  assert.equal(none, Infinity);
});

test("the nearest opaque surface wins; translucent ones are seen through", () => {
  const front = { id: "front", ...box(0, 40, 0, 10), opaque: false };
  const back = { id: "back", ...box(0, 0, 0, 10), opaque: true };
  const hit = castRay([front, back], [0, 100, 0], [0, -1, 0]);
  assert.equal(hit.id, "back");
  assert.ok(Math.abs(hit.point[1] - 10) < 1e-9);
  const alone = castRay([front], [0, 100, 0], [0, -1, 0]);
  assert.equal(alone.id, "front");
  // A clipped-away part is not hit: keep only y < 5.
  const clipped = castRay([back], [0, 100, 0], [0, -1, 0], (x, y) => y < 5);
  assert.equal(clipped.id, "back");
  assert.ok(Math.abs(clipped.point[1] + 10) < 1e-9, "the back face, through the cut");
});
