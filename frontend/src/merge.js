// Several surfaces as one: what the viewer draws as a single vtk.js actor (actors.js).
// Plain arrays in, plain arrays out, so it is tested without a browser.

/**
 * Concatenate surfaces into one: their points and normals one after another, their
 * triangles (renumbered) as VTK cells (3, a, b, c, …), and each surface's colour on every
 * one of its vertices (RGBA bytes, opaque).
 *
 * @param {{points: Float32Array, normals: Float32Array, triangles: Uint32Array,
 *          color: number[]}[]} parts colour as [r, g, b] in 0..1
 * @returns {{points: Float32Array, normals: Float32Array, cells: Uint32Array, colors: Uint8Array}}
 */
export function mergeSurfaces(parts) {
  let nPoints = 0;
  let nTriangles = 0;
  for (const p of parts) {
    nPoints += p.points.length / 3;
    nTriangles += p.triangles.length / 3;
  }
  const points = new Float32Array(3 * nPoints);
  const normals = new Float32Array(3 * nPoints);
  const colors = new Uint8Array(4 * nPoints);
  const cells = new Uint32Array(4 * nTriangles);
  let p0 = 0;
  let c = 0;
  for (const part of parts) {
    const n = part.points.length / 3;
    points.set(part.points, 3 * p0);
    normals.set(part.normals, 3 * p0);
    const [r, g, b] = part.color.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    for (let i = 4 * p0, end = 4 * (p0 + n); i < end; i += 4) {
      colors[i] = r;
      colors[i + 1] = g;
      colors[i + 2] = b;
      colors[i + 3] = 255;
    }
    const tris = part.triangles;
    for (let t = 0; t < tris.length; t += 3) {
      cells[c] = 3;
      cells[c + 1] = tris[t] + p0;
      cells[c + 2] = tris[t + 1] + p0;
      cells[c + 3] = tris[t + 2] + p0;
      c += 4;
    }
    p0 += n;
  }
  return { points, normals, cells, colors };
}
