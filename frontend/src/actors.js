// How the viewer's structures are drawn with vtk.js.
//
// The viewer (viewer.js) holds one entry per structure: its vertices, normals, triangles,
// and the colour and opacity it shows now. Here those entries become vtk.js actors. Opaque
// structures that are still (not fading, morphing or changing colour, and not selected)
// are drawn together as one actor with a colour per vertex; the others each get their
// own actor, so a tween or a highlight touches one small actor. vtk.js spends most of a
// first frame making and preparing each actor (its objects, view nodes, buffers and
// shader lookups): the default atlas scene of 86 structures drew in about 0.2 s of script
// as 86 actors. Picking, names and the ruler never read these actors: they cast rays on
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

function meshActor() {
  const polydata = vtkPolyData.newInstance();
  const mapper = vtkMapper.newInstance({ scalarVisibility: false });
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
    this.own = new Map(); // entry → its own { polydata, mapper, actor, normals }
    this.merged = meshActor();
    this.merged.mapper.set({ scalarVisibility: true });
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
    const members = [];
    const order = [this.merged.actor];
    for (const entry of entries) {
      if (mergeable(entry, selected)) {
        members.push(entry);
        this.drop(entry);
        continue;
      }
      let own = this.own.get(entry);
      if (!own) {
        own = this.makeOwn(entry);
        setMaterial(own.actor, shading, entry.id === selected);
      } else if (restyle) {
        setMaterial(own.actor, shading, entry.id === selected);
      }
      order.push(own.actor);
    }
    this.merge(members, restyle);
    this.order(order);
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
    // Actors of entries fading out are drawn too, after these.
    const rest = current.filter((a) => !actors.includes(a));
    for (const a of current) this.renderer.removeActor(a);
    for (const a of [...actors, ...rest]) this.renderer.addActor(a);
  }

  makeOwn(entry) {
    const own = meshActor();
    own.polydata.getPoints().setData(entry.points, 3);
    own.polydata.getPolys().setData(trianglesToCells(entry.triangles));
    own.normals = vtkDataArray.newInstance({ numberOfComponents: 3, values: entry.normals, name: "Normals" });
    own.polydata.getPointData().setNormals(own.normals);
    if (this.plane) own.mapper.addClippingPlane(this.plane);
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

  /** The entry's own actor, if it has one, goes. */
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
