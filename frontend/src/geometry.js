// Camera projection and ray casting in the atlas frame (mm), for labels, picking and the
// ruler. Done on the surfaces the viewer holds (exact triangle hits), not read back from
// the GPU: the numbers a trainee measures come from the geometry itself.

export const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a, b) => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const norm = (a) => Math.hypot(a[0], a[1], a[2]);
export const unit = (a) => scale(a, 1 / (norm(a) || 1));
export const distance = (a, b) => norm(sub(a, b));

/** The camera's frame: forward, right and up unit vectors. */
export function cameraFrame(cam) {
  const f = unit(sub(cam.focalPoint, cam.position));
  const r = unit(cross(f, cam.viewUp));
  const u = cross(r, f);
  return { f, r, u };
}

/** A world point → { x, y } in CSS pixels of a width × height view, and its depth along the
 * view direction (negative: behind the camera). */
export function project(cam, width, height, p) {
  const { f, r, u } = cameraFrame(cam);
  const v = sub(p, cam.position);
  const depth = dot(v, f);
  const aspect = width / height;
  let nx;
  let ny;
  if (cam.parallelProjection) {
    nx = dot(v, r) / (cam.parallelScale * aspect);
    ny = dot(v, u) / cam.parallelScale;
  } else {
    const t = Math.tan((cam.viewAngle * Math.PI) / 360);
    nx = dot(v, r) / (depth * t * aspect);
    ny = dot(v, u) / (depth * t);
  }
  return { x: ((nx + 1) / 2) * width, y: ((1 - ny) / 2) * height, depth };
}

/** The ray through a pixel: { origin, dir } (dir a unit vector). */
export function pixelRay(cam, width, height, x, y) {
  const { f, r, u } = cameraFrame(cam);
  const aspect = width / height;
  const nx = (2 * x) / width - 1;
  const ny = 1 - (2 * y) / height;
  if (cam.parallelProjection) {
    const s = cam.parallelScale;
    return { origin: add(cam.position, add(scale(r, nx * s * aspect), scale(u, ny * s))), dir: f };
  }
  const t = Math.tan((cam.viewAngle * Math.PI) / 360);
  return {
    origin: cam.position.slice(),
    dir: unit(add(f, add(scale(r, nx * t * aspect), scale(u, ny * t)))),
  };
}

/** Where a ray enters a box (its parameter; 0 when it starts inside), or Infinity. */
function enterBox(origin, dir, b, far) {
  let t0 = 0;
  let t1 = far;
  for (let k = 0; k < 3; k += 1) {
    const inv = 1 / dir[k];
    let a = (b[2 * k] - origin[k]) * inv;
    let c = (b[2 * k + 1] - origin[k]) * inv;
    if (a > c) [a, c] = [c, a];
    t0 = Math.max(t0, a);
    t1 = Math.min(t1, c);
    if (t0 > t1) return Infinity;
  }
  return t0;
}

/** The nearest hit (ray parameter) of a ray on a triangle mesh, beyond `near`, or Infinity.
 * `keep(x, y, z)` may veto a hit (a clipped-away part). */
export function rayMesh(origin, dir, points, triangles, near = 0, keep = null) {
  let best = Infinity;
  const [ox, oy, oz] = origin;
  const [dx, dy, dz] = dir;
  for (let i = 0; i < triangles.length; i += 3) {
    const a = 3 * triangles[i];
    const b = 3 * triangles[i + 1];
    const c = 3 * triangles[i + 2];
    const e1x = points[b] - points[a];
    const e1y = points[b + 1] - points[a + 1];
    const e1z = points[b + 2] - points[a + 2];
    const e2x = points[c] - points[a];
    const e2y = points[c + 1] - points[a + 1];
    const e2z = points[c + 2] - points[a + 2];
    const px = dy * e2z - dz * e2y;
    const py = dz * e2x - dx * e2z;
    const pz = dx * e2y - dy * e2x;
    const det = e1x * px + e1y * py + e1z * pz;
    if (det > -1e-12 && det < 1e-12) continue;
    const inv = 1 / det;
    const tx = ox - points[a];
    const ty = oy - points[a + 1];
    const tz = oz - points[a + 2];
    const u = (tx * px + ty * py + tz * pz) * inv;
    if (u < 0 || u > 1) continue;
    const qx = ty * e1z - tz * e1y;
    const qy = tz * e1x - tx * e1z;
    const qz = tx * e1y - ty * e1x;
    const v = (dx * qx + dy * qy + dz * qz) * inv;
    if (v < 0 || u + v > 1) continue;
    const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
    if (t <= near || t >= best) continue;
    if (keep && !keep(ox + t * dx, oy + t * dy, oz + t * dz)) continue;
    best = t;
  }
  return best;
}

/** The first surface a ray meets: { id, t, point } or null. `surfaces` are
 * { id, points, triangles, bounds, opaque }; translucent ones are seen through (a hit on
 * one counts only when no opaque surface lies behind it). */
export function castRay(surfaces, origin, dir, keep = null, far = 1e7) {
  // Nearest boxes first: once an opaque hit is nearer than the next box, nothing further
  // can be seen (most rays test one or two surfaces, not all of them).
  const order = [];
  for (const s of surfaces) {
    const t = enterBox(origin, dir, s.bounds, far);
    if (t !== Infinity) order.push([t, s]);
  }
  order.sort((a, b) => a[0] - b[0]);
  let opaque = null;
  let glass = null;
  for (const [entry, s] of order) {
    if (opaque && entry > opaque.t) break;
    const t = rayMesh(origin, dir, s.points, s.triangles, 0, keep);
    if (t === Infinity) continue;
    if (s.opaque) {
      if (!opaque || t < opaque.t) opaque = { id: s.id, t };
    } else if (!glass || t < glass.t) {
      glass = { id: s.id, t };
    }
  }
  const hit = opaque || glass;
  if (!hit) return null;
  return { ...hit, point: add(origin, scale(dir, hit.t)) };
}
