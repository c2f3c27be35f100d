// The bytes Python sends (atlas_app/scene/viewer_payload.py, browser_mesh.py) → plain data.
//
// A message is "SAV3", the header's length packed and unpacked (little-endian uint32), the
// header (JSON, zlib), then the blobs the header's table points into (with their unpacked
// sizes, so each is inflated into a buffer of the right size at once). A blob is a zlib stream of one surface: a
// 32-byte header (kind "M" = vertices and triangle strips, "P" = vertices only; counts;
// origin and scale of the quantised vertices), the vertices, then for "M" the strips.

import { unzlibSync } from "fflate";

const MAGIC = "SAV3";
const BLOB_HEADER = 32;

export class FormatError extends Error {}

/** The raw parts of a message: its compressed header (and its unpacked size) and the
 * bytes after it. */
export function splitMessage(input) {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length < 12 || String.fromCharCode(...bytes.subarray(0, 4)) !== MAGIC) {
    throw new FormatError("not a viewer message");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(4, true);
  return {
    packedHeader: bytes.subarray(12, 12 + n),
    headerSize: view.getUint32(8, true),
    rest: bytes.subarray(12 + n),
  };
}

/** A message → its header (parsed) and its blobs (still compressed). */
export function parseMessage(input) {
  const { packedHeader, headerSize, rest } = splitMessage(input);
  const header = JSON.parse(new TextDecoder().decode(inflate(packedHeader, headerSize)));
  const blobs = (header.blobs || []).map((b) => ({
    ...b,
    bytes: rest.subarray(b.offset, b.offset + b.length),
  }));
  return { header, blobs };
}

/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** zlib-inflate bytes (fflate: synchronous, and quicker than a DecompressionStream per
 * surface). */
export function inflate(bytes, size) {
  return size ? unzlibSync(bytes, { out: new Uint8Array(size) }) : unzlibSync(bytes);
}

/** Triangle strips (VTK layout: n, i0, i1, … per strip) → a flat triangle index list,
 * every triangle wound like the strip's first. */
export function stripsToTriangles(strips) {
  let count = 0;
  for (let i = 0; i < strips.length; i += strips[i] + 1) count += Math.max(strips[i] - 2, 0);
  const tris = new Uint32Array(count * 3);
  let t = 0;
  for (let i = 0; i < strips.length; i += strips[i] + 1) {
    const n = strips[i];
    for (let k = 0; k + 2 < n; k += 1) {
      const a = strips[i + 1 + k];
      const b = strips[i + 2 + k];
      const c = strips[i + 3 + k];
      if (k % 2 === 0) {
        tris[t] = a;
        tris[t + 1] = b;
      } else {
        tris[t] = b;
        tris[t + 1] = a;
      }
      tris[t + 2] = c;
      t += 3;
    }
  }
  return tris;
}

/** A flat triangle list → VTK's cell array (3, a, b, c, …). */
export function trianglesToCells(tris) {
  const n = tris.length / 3;
  const cells = new Uint32Array(n * 4);
  for (let i = 0; i < n; i += 1) {
    cells[4 * i] = 3;
    cells[4 * i + 1] = tris[3 * i];
    cells[4 * i + 2] = tris[3 * i + 1];
    cells[4 * i + 3] = tris[3 * i + 2];
  }
  return cells;
}

/** One inflated blob → { kind, points (Float32Array, mm), triangles (Uint32Array) | null }. */
export function decodeSurface(raw) {
  if (raw.length < BLOB_HEADER) throw new FormatError("surface blob too short");
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const kind = String.fromCharCode(raw[0]);
  const flags = raw[2];
  const nPoints = view.getUint32(4, true);
  const nIndex = view.getUint32(8, true);
  const origin = [view.getFloat32(12, true), view.getFloat32(16, true), view.getFloat32(20, true)];
  const scale = view.getFloat32(24, true);
  const floatPoints = (flags & 1) !== 0;
  const wideIndex = (flags & 2) !== 0;
  const pointBytes = nPoints * 3 * (floatPoints ? 4 : 2);
  const body = raw.slice(BLOB_HEADER); // aligned copy
  const points = new Float32Array(nPoints * 3);
  if (floatPoints) {
    points.set(new Float32Array(body.buffer, 0, nPoints * 3));
  } else {
    const q = new Uint16Array(body.buffer, 0, nPoints * 3);
    for (let i = 0; i < q.length; i += 3) {
      points[i] = origin[0] + q[i] * scale;
      points[i + 1] = origin[1] + q[i + 1] * scale;
      points[i + 2] = origin[2] + q[i + 2] * scale;
    }
  }
  let triangles = null;
  if (kind === "M") {
    const start = pointBytes + ((4 - (pointBytes % 4)) % 4);
    const strips = wideIndex
      ? new Uint32Array(body.buffer, start, nIndex)
      : new Uint16Array(body.buffer, start, nIndex);
    triangles = stripsToTriangles(strips);
  } else if (kind !== "P") {
    throw new FormatError(`unknown surface kind ${kind}`);
  }
  return { kind, points, triangles, nPoints };
}

/** Smooth vertex normals (area-weighted face normals), into `out` when given. */
export function computeNormals(points, triangles, out) {
  const normals = out && out.length === points.length ? out : new Float32Array(points.length);
  normals.fill(0);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t];
    const b = 3 * triangles[t + 1];
    const c = 3 * triangles[t + 2];
    const ux = points[b] - points[a];
    const uy = points[b + 1] - points[a + 1];
    const uz = points[b + 2] - points[a + 2];
    const vx = points[c] - points[a];
    const vy = points[c + 1] - points[a + 1];
    const vz = points[c + 2] - points[a + 2];
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    for (const p of [a, b, c]) {
      normals[p] += nx;
      normals[p + 1] += ny;
      normals[p + 2] += nz;
    }
  }
  for (let i = 0; i < normals.length; i += 3) {
    const len = Math.hypot(normals[i], normals[i + 1], normals[i + 2]) || 1;
    normals[i] /= len;
    normals[i + 1] /= len;
    normals[i + 2] /= len;
  }
  return normals;
}

/** Bounds [xmin, xmax, ymin, ymax, zmin, zmax] of a point array. */
export function boundsOf(points) {
  const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < points.length; i += 3) {
    for (let k = 0; k < 3; k += 1) {
      const v = points[i + k];
      if (v < b[2 * k]) b[2 * k] = v;
      if (v > b[2 * k + 1]) b[2 * k + 1] = v;
    }
  }
  return b;
}
