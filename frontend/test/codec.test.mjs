// The bytes Python sends: strips → triangles with one winding, blobs decoded to millimetres.
import assert from "node:assert/strict";
import { test } from "node:test";
import { zlibSync } from "fflate";

import { computeNormals, decodeSurface, inflate, stripsToTriangles } from "../src/codec.js";

test("a triangle strip unrolls into consistently wound triangles", () => {
  const tris = Array.from(stripsToTriangles(Uint16Array.from([5, 0, 1, 2, 3, 4, 3, 7, 8, 9])));
  assert.deepEqual(tris, [0, 1, 2, 2, 1, 3, 2, 3, 4, 7, 8, 9]);
});

function blob(kind, points, strips, origin, scale) {
  const head = new ArrayBuffer(32);
  const v = new DataView(head);
  [kind.charCodeAt(0), 2, 0, 0].forEach((b, i) => v.setUint8(i, b));
  v.setUint32(4, points.length / 3, true);
  v.setUint32(8, strips ? strips.length : 0, true);
  origin.forEach((o, i) => v.setFloat32(12 + 4 * i, o, true));
  v.setFloat32(24, scale, true);
  const q = new Uint8Array(Uint16Array.from(points).buffer);
  const pad = new Uint8Array((4 - (q.length % 4)) % 4);
  const s = strips ? new Uint8Array(Uint16Array.from(strips).buffer) : new Uint8Array(0);
  const all = new Uint8Array(32 + q.length + pad.length + s.length);
  all.set(new Uint8Array(head), 0);
  all.set(q, 32);
  all.set(s, 32 + q.length + pad.length);
  return zlibSync(all);
}

test("a surface blob decodes to millimetres and triangles", () => {
  const raw = inflate(blob("M", [0, 0, 0, 20, 0, 0, 0, 20, 0], [3, 0, 1, 2], [-1, 2, 3], 0.05));
  const s = decodeSurface(raw);
  assert.equal(s.kind, "M");
  assert.deepEqual(Array.from(s.triangles), [0, 1, 2]);
  assert.deepEqual(Array.from(s.points).map((x) => Math.round(x * 100) / 100), [-1, 2, 3, 0, 2, 3, -1, 3, 3]);
  const normals = computeNormals(s.points, s.triangles);
  assert.deepEqual(Array.from(normals.slice(0, 3)), [0, 0, 1]);
  const p = decodeSurface(inflate(blob("P", [2, 2, 2], null, [0, 0, 0], 0.5)));
  assert.equal(p.kind, "P");
  assert.equal(p.triangles, null);
  assert.deepEqual(Array.from(p.points), [1, 1, 1]);
});
