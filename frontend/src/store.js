// Surfaces the page has been sent, by content hash, for as long as the page lives.
//
// One store per page (module state): every viewer on the page shares it, and it outlives
// a viewer that is unmounted when the user goes to another page of the app, so a surface
// crosses the websocket once per browser session. Triangles are kept per topology (a
// retracted surface shares its triangles with the unretracted one and comes as vertices
// only).

import { decodeSurface, inflate } from "./codec.js";

const MAX_SURFACES = 1500;

const surfaces = new Map(); // digest → { topology, points }
const topologies = new Map(); // topology → { triangles, nPoints }

function touch(digest) {
  const found = surfaces.get(digest);
  if (found) {
    surfaces.delete(digest);
    surfaces.set(digest, found);
  }
  return found;
}

/** Decode and keep blobs from a message's table ({digest, topology, kind, bytes}). */
export function addBlobs(blobs) {
  const decoded = blobs.map((b) => ({ meta: b, surface: decodeSurface(inflate(b.bytes, b.size)) }));
  // Triangle sets first: a vertices-only blob may name a topology another blob brings.
  for (const { meta, surface } of decoded) {
    if (surface.triangles && !topologies.has(meta.topology)) {
      topologies.set(meta.topology, {
        triangles: surface.triangles,
        nPoints: surface.nPoints,
      });
    }
  }
  for (const { meta, surface } of decoded) {
    const topo = topologies.get(meta.topology);
    if (!topo || topo.nPoints !== surface.nPoints) continue; // reported missing later
    surfaces.set(meta.digest, { topology: meta.topology, points: surface.points });
  }
  while (surfaces.size > MAX_SURFACES) surfaces.delete(surfaces.keys().next().value);
}

/** The surface with this digest ({ points, topology, mesh: {triangles, nPoints} }) or null. */
export function getSurface(digest) {
  const s = touch(digest);
  if (!s) return null;
  const topo = topologies.get(s.topology);
  return topo ? { points: s.points, topology: s.topology, mesh: topo } : null;
}

/** The digests among these the page does not have. */
export function missing(digests) {
  return digests.filter((d) => !surfaces.has(d) || !topologies.has(surfaces.get(d).topology));
}
