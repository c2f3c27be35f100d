// How the viewer's structures are drawn with vtk.js.
//
// The viewer (viewer.js) holds one entry per structure: its vertices, normals, triangles,
// and the colour and opacity it shows now. Here those entries become vtk.js actors. Opaque
// structures that are still (not fading, morphing or changing colour, and not selected)
// are drawn together as one actor with a colour per vertex; the others each by their own
// actor, so a tween or a highlight touches one small actor. An entry's own actor is kept
// (hidden while the merged actor draws it), and made and drawn once ahead, in idle time
// after the first frame (prepare), so a step that sets many structures moving does not
// wait for them. vtk.js spends most of a
// first frame making and preparing each actor (its objects, view nodes, buffers and
// shader lookups): the default atlas scene of 86 structures took about 0.2 s of script to
// its first frame as 86 actors, about 0.06 s as one. Picking, names and the ruler never read these actors: they cast rays on
// the entries (geometry.js), so one merged actor changes nothing for them.

import vtkActor from "@kitware/vtk.js/Rendering/Core/Actor";
import vtkMapper from "@kitware/vtk.js/Rendering/Core/Mapper";
import vtkPolyData from "@kitware/vtk.js/Common/DataModel/PolyData";
import vtkDataArray from "@kitware/vtk.js/Common/Core/DataArray";

import { trianglesToCells } from "./codec.js";
import { mergeSurfaces } from "./merge.js";

const SELECTED_AMBIENT = 0.3; // added to the shading's ambient: a selected structure glows

// A colour per vertex stands for the ambient and diffuse colours in vtk.js's shader, but
// not for the specular one, which an actor of one colour takes from that colour
// (Property.setColor, as VTK's, sets all three; the server's stills draw it so too). The
// merged actor's highlights take the vertex colour as well, so they look the same.
const VERTEX_SPECULAR = {
  shaderType: "Fragment",
  originalValue: "//VTK::Normal::Impl",
  replacementValue: "specularColor = vertexColorVSOutput.rgb;\n  //VTK::Normal::Impl",
  replaceFirst: true,
  replaceAll: false,
};

function meshActor(colorPerVertex = false) {
  const polydata = vtkPolyData.newInstance();
  const mapper = vtkMapper.newInstance({ scalarVisibility: colorPerVertex });
  mapper.setInputData(polydata);
  const actor = vtkActor.newInstance();
  actor.setMapper(mapper);
  return { polydata, mapper, actor };
}

function setMaterial(actor, shading, selected) {
  const prop = actor.getProperty();
  const ambient = shading.ambient ?? 0.15;
  prop.setAmbient(selected ? Math.min(1, ambient + SELECTED_AMBIENT) : ambient);
  prop.setDiffuse(shading.diffuse ?? 0.85);
  prop.setSpecular(shading.specular ?? 0.2);
  prop.setSpecularPower(shading.specularPower ?? 20);
  prop.setInterpolationToPhong();
}

/** Whether an entry may be drawn in the merged actor. */
function mergeable(entry, selected) {
  return !entry.moving && entry.shownOpacity >= 1 && entry.id !== selected;
}

export class Drawing {
  /** @param renderer the vtk.js renderer the actors go in */
  constructor(renderer) {
    this.renderer = renderer;
    this.own = new Map(); // entry → its own { polydata, mapper, actor, normals }, kept until dropped
    this.merged = meshActor(true);
    this.merged.mapper.setColorModeToDirectScalars();
    this.merged.mapper.setScalarModeToUsePointData();
    this.merged.mapper.setViewSpecificProperties({ OpenGL: { ShaderReplacements: [VERTEX_SPECULAR] } });
    this.merged.actor.setForceOpaque(true);
    this.merged.actor.setVisibility(false);
    this.mergedKey = "";
    this.shading = {};
    this.selected = null;
    this.plane = null;
    renderer.addActor(this.merged.actor);
  }

  /**
   * Draw these entries (in this order: opaque first, as WebGL blends in drawing order):
   * each still opaque one in the merged actor, the rest in their own. Cheap when nothing
   * changed; called before each frame the viewer asks for.
   */
  show(entries, shading, selected) {
    const restyle = shading !== this.shading || selected !== this.selected;
    this.shading = shading;
    this.selected = selected;
    if (restyle) for (const [entry, own] of this.own) setMaterial(own.actor, shading, entry.id === selected);
    const members = [];
    const order = [this.merged.actor];
    for (const entry of entries) {
      const merged = mergeable(entry, selected);
      if (merged) members.push(entry);
      const own = this.own.get(entry) || (merged ? null : this.makeOwn(entry));
      if (!own) continue;
      own.actor.setVisibility(!merged);
      order.push(own.actor);
    }
    this.merge(members, restyle);
    this.order(order);
  }

  /** Make the own actors of up to `count` of these entries that have none, and have
   * `draw` draw a frame with them shown (on top of their merged copies: the same
   * picture), which prepares what vtk.js makes for an actor's first frame (view nodes,
   * buffers, shader lookups); then hide them, as the merged actor draws them. Returns how
   * many are still to make. */
  prepare(entries, count, draw) {
    const made = [];
    let left = 0;
    for (const entry of entries) {
      if (this.own.has(entry)) continue;
      if (made.length < count) made.push(this.makeOwn(entry));
      else left += 1;
    }
    if (made.length) {
      draw();
      for (const own of made) own.actor.setVisibility(false);
    }
    return left;
  }

  /** The merged actor holds these entries: rebuilt when they or their colours changed
   * (an entry's surface is named by its hash; a morph in progress is never merged). */
  merge(members, restyle) {
    const key = members.map((e) => `${e.id}|${e.mesh}|${e.shownColor.join(",")}`).join(";");
    if (restyle) setMaterial(this.merged.actor, this.shading, false);
    if (key === this.mergedKey) return;
    this.mergedKey = key;
    const { polydata, actor } = this.merged;
    actor.setVisibility(members.length > 0);
    if (!members.length) return;
    const m = mergeSurfaces(
      members.map((e) => ({ points: e.points, normals: e.normals, triangles: e.triangles, color: e.shownColor })),
    );
    polydata.getPoints().setData(m.points, 3);
    polydata.getPolys().setData(m.cells);
    const pd = polydata.getPointData();
    pd.setNormals(vtkDataArray.newInstance({ numberOfComponents: 3, values: m.normals, name: "Normals" }));
    pd.setScalars(vtkDataArray.newInstance({ numberOfComponents: 4, values: m.colors, name: "Colors" }));
    polydata.modified();
  }

  /** Actors in drawing order: re-added only when the order changed. */
  order(actors) {
    const current = this.renderer.getActors();
    if (current.length === actors.length && current.every((a, i) => a === actors[i])) return;
    for (const a of [...current]) this.renderer.removeActor(a);
    for (const a of actors) this.renderer.addActor(a);
  }

  makeOwn(entry) {
    const own = meshActor();
    own.polydata.getPoints().setData(entry.points, 3);
    own.polydata.getPolys().setData(trianglesToCells(entry.triangles));
    own.normals = vtkDataArray.newInstance({ numberOfComponents: 3, values: entry.normals, name: "Normals" });
    own.polydata.getPointData().setNormals(own.normals);
    if (this.plane) own.mapper.addClippingPlane(this.plane);
    setMaterial(own.actor, this.shading, entry.id === this.selected);
    this.own.set(entry, own);
    this.paintOwn(own, entry);
    this.renderer.addActor(own.actor);
    return own;
  }

  paintOwn(own, entry) {
    const prop = own.actor.getProperty();
    prop.setColor(...entry.shownColor);
    prop.setOpacity(entry.shownOpacity);
    own.actor.setForceOpaque(entry.shownOpacity >= 1);
    own.actor.setForceTranslucent(entry.shownOpacity < 1);
  }

  /** The entry's colour or opacity changed (a tween's step). */
  paint(entry) {
    const own = this.own.get(entry);
    if (own) this.paintOwn(own, entry);
  }

  /** The entry's vertices and normals changed in place (a morph's step). */
  reshape(entry) {
    const own = this.own.get(entry);
    if (!own) return; // a merged one is rebuilt at the next show()
    own.polydata.getPoints().modified();
    own.normals.modified();
    own.polydata.modified();
  }

  /** The entry's own actor, if it has one, goes (the entry is no longer shown). */
  drop(entry) {
    const own = this.own.get(entry);
    if (!own) return;
    this.own.delete(entry);
    this.renderer.removeActor(own.actor);
    own.actor.delete();
    own.mapper.delete();
    own.polydata.delete();
  }

  /** Cut every actor with this plane (null: no cut). */
  clip(plane) {
    this.plane = plane;
    for (const { mapper } of [this.merged, ...this.own.values()]) {
      mapper.removeAllClippingPlanes();
      if (plane) mapper.addClippingPlane(plane);
    }
  }

  destroy() {
    for (const entry of [...this.own.keys()]) this.drop(entry);
    this.renderer.removeActor(this.merged.actor);
    this.merged.actor.delete();
    this.merged.mapper.delete();
    this.merged.polydata.delete();
  }
}
