// Surfaces drawn as one actor: every vertex keeps its place, normal and surface's colour,
// every triangle its corners (renumbered past the surfaces before it).
import assert from "node:assert/strict";
import { test } from "node:test";

import { mergeSurfaces } from "../src/merge.js";

const tri = (offset) => ({
  points: Float32Array.from([0, 0, offset, 1, 0, offset, 0, 1, offset]),
  normals: Float32Array.from([0, 0, 1, 0, 0, 1, 0, 0, 1]),
  triangles: Uint32Array.from([0, 1, 2]),
});

test("merged surfaces keep their vertices, normals and triangles, renumbered", () => {
  const quad = {
    points: Float32Array.from([0, 0, 5, 1, 0, 5, 1, 1, 5, 0, 1, 5]),
    normals: Float32Array.from([0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0]),
    triangles: Uint32Array.from([0, 1, 2, 0, 2, 3]),
  };
  const m = mergeSurfaces([
    { ...tri(0), color: [1, 0, 0] },
    { ...quad, color: [0, 0.5, 1] },
  ]);
  assert.deepEqual(Array.from(m.points), [...tri(0).points, ...quad.points]);
  assert.deepEqual(Array.from(m.normals), [...tri(0).normals, ...quad.normals]);
  assert.deepEqual(Array.from(m.cells), [3, 0, 1, 2, 3, 3, 4, 5, 3, 3, 5, 6]);
  const rgba = (i) => Array.from(m.colors.subarray(4 * i, 4 * i + 4));
  for (const i of [0, 1, 2]) assert.deepEqual(rgba(i), [255, 0, 0, 255]);
  for (const i of [3, 4, 5, 6]) assert.deepEqual(rgba(i), [0, 128, 255, 255]);
});

test("no surfaces merge into an empty one", () => {
  const m = mergeSurfaces([]);
  assert.equal(m.points.length + m.normals.length + m.cells.length + m.colors.length, 0);
});
