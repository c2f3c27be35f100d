// The live 3D view: one vtk.js render window that stays on the page while scenes change.
//
// A scene (the header Python sends) names each visible structure's surface by hash; the
// surfaces come from the page's store (store.js). A new scene updates the window in place:
// a structure whose surface changed but kept its topology moves vertex by vertex
// (retraction), one that appears or goes fades, colours and opacities blend; the camera
// stays the user's once they have moved it, unless the page asks for a view (a new camera
// token) or they press Reset. Names are HTML pins over the canvas (labels.js), picked and
// hidden by ray casting on the surfaces (geometry.js), as are hover, click, the ruler.

import "@kitware/vtk.js/Rendering/OpenGL/Camera";
import "@kitware/vtk.js/Rendering/OpenGL/Renderer";
import "@kitware/vtk.js/Rendering/OpenGL/Actor";
import "@kitware/vtk.js/Rendering/OpenGL/PolyDataMapper";
import vtkOpenGLRenderWindow from "@kitware/vtk.js/Rendering/OpenGL/RenderWindow";
import vtkRenderWindow from "@kitware/vtk.js/Rendering/Core/RenderWindow";
import vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import vtkLight from "@kitware/vtk.js/Rendering/Core/Light";
import vtkPlane from "@kitware/vtk.js/Common/DataModel/Plane";
import vtkRenderWindowInteractor from "@kitware/vtk.js/Rendering/Core/RenderWindowInteractor";
import vtkInteractorStyleManipulator from "@kitware/vtk.js/Interaction/Style/InteractorStyleManipulator";
import vtkMouseCameraTrackballRotateManipulator from "@kitware/vtk.js/Interaction/Manipulators/MouseCameraTrackballRotateManipulator";
import vtkMouseCameraTrackballPanManipulator from "@kitware/vtk.js/Interaction/Manipulators/MouseCameraTrackballPanManipulator";
import vtkMouseCameraTrackballZoomManipulator from "@kitware/vtk.js/Interaction/Manipulators/MouseCameraTrackballZoomManipulator";
import vtkMouseCameraTrackballZoomToMouseManipulator from "@kitware/vtk.js/Interaction/Manipulators/MouseCameraTrackballZoomToMouseManipulator";
import vtkGestureCameraManipulator from "@kitware/vtk.js/Interaction/Manipulators/GestureCameraManipulator";

import { Drawing } from "./actors.js";
import {
  boundsOf,
  computeNormals,
  parseMessage,
  sameBytes,
  splitMessage,
} from "./codec.js";
import { download, el, fileName, svg, textMeasurer } from "./dom.js";
import { castRay, distance, pixelRay, project, unit } from "./geometry.js";
import { placeLabels } from "./labels.js";
import { addBlobs, getSurface, missing } from "./store.js";
import { CSS, FONT, FONT_BOLD } from "./style.js";

export const MORPH_MS = 500;
const CLICK_PX = 5;
const SNAP_PX = 14;
const ORBIT_DEG = 5;
const ZOOM_STEP = 1.15;
const REPORT_MS = 350;
const OCCLUSION_MS = 120;
const LABEL_AREA_PX = 24000; // at most one label per this much of the view (px²)
const PREPARE_BATCH = 12; // own actors made per idle moment (about 15 ms of script)

const CATEGORY_NAMES = {
  bone: "Bones",
  muscle: "Muscles",
  artery: "Arteries",
  vein: "Veins",
  nerve: "Nerves",
  viscus: "Viscera",
  pathology: "Pathology",
  instrument: "Instruments",
};
const SECTIONS = {
  axial: { axis: 2, normal: [0, 0, -1], name: "Axial", coord: "z" },
  coronal: { axis: 1, normal: [0, -1, 0], name: "Coronal", coord: "y" },
  sagittal: { axis: 0, normal: [-1, 0, 0], name: "Sagittal", coord: "x" },
};

// Which label layers are on: kept for the page's life, like the user's choice should be.
const labelPrefs = { on: true, off: new Set() };

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
const ease = (t) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);
const lerp = (a, b, t) => a + (b - a) * t;
const lerp3 = (a, b, t) => [lerp(a[0], b[0], t), lerp(a[1], b[1], t), lerp(a[2], b[2], t)];
const round = (v, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/** A sphere of radius 1 (n rings of n vertices) for the warm-up. */
function unitSphere(n) {
  const points = new Float32Array(3 * n * n);
  const tris = [];
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < n; j += 1) {
      const th = (Math.PI * i) / (n - 1);
      const ph = (2 * Math.PI * j) / n;
      points.set([Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph), Math.cos(th)], 3 * (i * n + j));
      if (i + 1 < n) {
        const a = i * n + j;
        const b = i * n + ((j + 1) % n);
        tris.push(a, a + n, b, b, a + n, b + n);
      }
    }
  }
  return { points, triangles: Uint32Array.from(tris) };
}

function addStyle(parent) {
  const root = parent.getRootNode ? parent.getRootNode() : document;
  const holder = root === document ? document.head : parent;
  if (holder.querySelector && holder.querySelector("style[data-sav]")) return;
  holder.append(el("style", { "data-sav": "1", text: CSS }));
}

export class AtlasViewer {
  /**
   * @param {HTMLElement|ShadowRoot} parent where the view goes
   * @param {object} hooks onCamera(report), onPick(id), onMissing(digests)
   */
  constructor(parent, hooks = {}) {
    this.hooks = hooks;
    this.entries = new Map(); // structure id → its surface and look (drawn by actors.js)
    this.leaving = new Set(); // entries fading out
    this.shading = {};
    this.scene = null;
    this.view = {};
    this.cameraToken = null;
    this.userMoved = false;
    this.interacting = false;
    this.tweens = [];
    this.visibleAnchor = new Map(); // label id → index of its visible anchor (or -1)
    this.section = { kind: null, at: 0, flip: false };
    this.ruler = { on: false, points: [] };
    this.measure = textMeasurer();
    this.seq = 0;
    this.queue = Promise.resolve();
    this.lastHeader = null;
    this.shown = null; // the scene and view last drawn (JSON)
    addStyle(parent);
    this.buildDom(parent);
    try {
      this.buildPipeline();
    } catch (err) {
      this.fail(`The 3D view cannot start here: ${err.message || err}`);
      return;
    }
    this.bindEvents();
    this.root.__viewer = this; // for tests and the benchmark
  }

  // --- DOM --------------------------------------------------------------------------

  /** Get ready for a scene, off screen (see component.js): draw a few small surfaces the
   * way a scene's are drawn (still opaque ones merged, a selected one and a see-through
   * one each on its own), so the GL context is made and every shader a scene uses is
   * compiled before the scene arrives. */
  warmUp() {
    if (this.failed) return;
    const sphere = unitSphere(24);
    const actors = [1, 1, 1, 0.5].map((opacity, i) => ({
      id: `__warm${i}`,
      label: "",
      category: "",
      color: "#cccccc",
      opacity,
      mesh: "",
    }));
    this.scene = { shading: {}, actors };
    this.view = { selected: "__warm2" };
    actors.forEach((spec, i) => {
      const points = sphere.points.map((v, k) => (k % 3 === 0 ? v + 2.5 * i : v));
      this.entries.set(spec.id, this.makeEntry(spec, { points, topology: "__warm", mesh: sphere }));
    });
    this.renderer.resetCamera([-1, 2.5 * actors.length, -1, 1, -1, 1]);
    this.resize(false);
    this.render();
    for (const entry of this.entries.values()) this.drawing.drop(entry);
    this.entries.clear();
    this.drawing.show([], this.shading, null);
    this.scene = null;
    this.view = {};
    this.width = 0;
    this.warmedUp = true; // for the tests: a spare made ahead (component.js) is this one
  }

  /** Move the view into another parent (a spare made by warmUp goes where it is needed). */
  adopt(parent) {
    const old = this.root.parentNode;
    addStyle(parent);
    parent.append(this.root);
    if (old && old !== parent && !old.childNodes.length && old.remove) old.remove();
    this.resize();
  }

  buildDom(parent) {
    this.canvasBox = el("div", { class: "sav-canvas" });
    this.leaders = svg("svg", { "aria-hidden": "true" });
    this.labelLayer = el("div", { class: "sav-overlay", "aria-hidden": "true" }, this.leaders);
    this.titleBox = el("div", { class: "sav-title" });
    this.tip = el("div", { class: "sav-tip", hidden: true, role: "status" });
    this.readout = el("div", { class: "sav-readout", hidden: true, "aria-live": "polite" });
    this.description = el("p", { class: "sav-sr" });
    this.legend = el("details", {
      class: "sav-legend",
      ontoggle: () => {
        this.reserved = null;
        this.layoutOverlay();
      },
    });
    const button = (text, title, onclick, pressed) =>
      el("button", {
        class: "sav-btn",
        type: "button",
        text,
        title,
        onclick,
        "aria-pressed": pressed === undefined ? null : String(pressed),
      });
    this.buttons = {
      reset: button("Reset", "Back to this view's camera (R)", () => this.resetView()),
      labels: button("Labels", "Names on the structures", () => this.togglePanel("labels"), true),
      section: button("Section", "Cut the view with a plane", () => this.togglePanel("section"), false),
      ruler: button("Measure", "Click two points to measure in mm", () => this.toggleRuler(), false),
      png: button("PNG", "Save this view as a picture", () => this.savePng()),
    };
    this.toolbar = el("div", { class: "sav-toolbar", role: "toolbar", "aria-label": "3D view tools" });
    this.toolbar.append(...Object.values(this.buttons));
    this.labelsPanel = el("div", { class: "sav-panel", hidden: true });
    this.sectionPanel = this.buildSectionPanel();
    this.root = el(
      "div",
      { class: "sav-root", tabindex: "0", role: "application", "aria-roledescription": "3D view" },
      this.canvasBox,
      this.labelLayer,
      this.titleBox,
      this.legend,
      this.toolbar,
      this.labelsPanel,
      this.sectionPanel,
      this.readout,
      this.tip,
      this.description,
    );
    parent.append(this.root);
  }

  buildSectionPanel() {
    const choice = (kind, text) =>
      el("button", {
        class: "sav-btn",
        type: "button",
        text,
        "data-kind": kind || "off",
        "aria-pressed": String(kind === null),
        onclick: () => this.setSection(kind),
      });
    this.sectionChoices = [
      choice(null, "Off"),
      choice("axial", "Axial"),
      choice("coronal", "Coronal"),
      choice("sagittal", "Sagittal"),
    ];
    this.sectionSlider = el("input", {
      type: "range",
      min: "0",
      max: "1000",
      value: "500",
      "aria-label": "Position of the cut",
      disabled: true,
      oninput: () => this.moveSection(Number(this.sectionSlider.value) / 1000),
    });
    this.sectionFlip = el("button", {
      class: "sav-btn",
      type: "button",
      text: "Flip side",
      disabled: true,
      onclick: () => this.flipSection(),
    });
    this.sectionText = el("div", { "aria-live": "polite" });
    return el(
      "div",
      { class: "sav-panel", hidden: true, role: "group", "aria-label": "Cross-section" },
      el("div", { class: "sav-row" }, ...this.sectionChoices),
      this.sectionSlider,
      el("div", { class: "sav-row" }, this.sectionFlip, this.sectionText),
    );
  }

  fail(message) {
    this.failed = true;
    this.root.replaceChildren(el("div", { class: "sav-error", text: message }));
  }

  // --- vtk.js -----------------------------------------------------------------------

  buildPipeline() {
    this.renderWindow = vtkRenderWindow.newInstance();
    this.renderer = vtkRenderer.newInstance({ background: [1, 1, 1] });
    this.renderer.setTwoSidedLighting(true);
    this.renderer.setAutomaticLightCreation(false);
    this.light = vtkLight.newInstance();
    this.light.setLightTypeToHeadLight();
    this.renderer.addLight(this.light);
    this.renderer.setLightFollowCamera(true);
    this.renderWindow.addRenderer(this.renderer);
    this.drawing = new Drawing(this.renderer);
    this.glWindow = vtkOpenGLRenderWindow.newInstance();
    this.renderWindow.addView(this.glWindow);
    this.glWindow.setContainer(this.canvasBox);
    const canvas = this.glWindow.getCanvas();
    if (!canvas || !(canvas.getContext("webgl2") || canvas.getContext("webgl"))) {
      throw new Error("this browser has no WebGL");
    }
    this.interactor = vtkRenderWindowInteractor.newInstance();
    this.interactor.setView(this.glWindow);
    this.interactor.initialize();
    this.interactor.bindEvents(this.canvasBox);
    const style = vtkInteractorStyleManipulator.newInstance();
    style.addMouseManipulator(vtkMouseCameraTrackballRotateManipulator.newInstance({ button: 1 }));
    style.addMouseManipulator(vtkMouseCameraTrackballPanManipulator.newInstance({ button: 1, shift: true }));
    style.addMouseManipulator(vtkMouseCameraTrackballPanManipulator.newInstance({ button: 2 }));
    style.addMouseManipulator(vtkMouseCameraTrackballPanManipulator.newInstance({ button: 3 }));
    style.addMouseManipulator(vtkMouseCameraTrackballZoomManipulator.newInstance({ button: 1, control: true }));
    style.addMouseManipulator(
      vtkMouseCameraTrackballZoomToMouseManipulator.newInstance({ scrollEnabled: true, dragEnabled: false }),
    );
    style.addGestureManipulator(vtkGestureCameraManipulator.newInstance());
    // Keys are ours (handleKey): vtk's own would turn the surfaces into wireframes.
    this.canvasBox.removeEventListener("keypress", this.interactor.handleKeyPress);
    this.canvasBox.removeEventListener("keydown", this.interactor.handleKeyDown);
    document.removeEventListener("keyup", this.interactor.handleKeyUp);
    this.interactor.setInteractorStyle(style);
    style.onStartInteractionEvent(() => {
      this.interacting = true;
      this.cameraAtStart = JSON.stringify(this.getCamera());
      this.hideTip();
    });
    style.onInteractionEvent(() => this.renderer.resetCameraClippingRange());
    style.onEndInteractionEvent(() => {
      this.interacting = false;
      // A click is a press and a release too: only a camera that moved is the user's.
      if (JSON.stringify(this.getCamera()) === this.cameraAtStart) return;
      this.userMoved = true;
      this.cameraChanged();
    });
    this.interactor.onAnimation(() => this.stepTweens());
    this.interactor.onRenderEvent(() => this.afterRender());
    this.plane = vtkPlane.newInstance();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.root);
  }

  resize(draw = true) {
    const { width, height } = this.root.getBoundingClientRect();
    if (!width || !height) return;
    this.reserved = null; // the boxes labels keep clear of moved with the view
    if (width === this.width && height === this.height) return;
    const dpr = window.devicePixelRatio || 1;
    this.width = width;
    this.height = height;
    this.glWindow.setSize(Math.max(1, Math.floor(width * dpr)), Math.max(1, Math.floor(height * dpr)));
    if (draw) this.render();
  }

  render() {
    if (this.failed || !this.interactor) return;
    const shown = this.scene ? this.scene.actors.map((a) => this.entries.get(a.id)).filter(Boolean) : [];
    this.drawing.show([...shown, ...this.leaving], this.shading, this.view.selected);
    this.renderer.resetCameraClippingRange();
    this.interactor.render();
  }

  afterRender() {
    if (this.pendingDrawn && this.width) {
      // When the frame showing this scene was drawn (ms since the page began): the
      // benchmark reads it, so it measures the page and not its own polling.
      this.root.dataset.drawnAt = performance.now().toFixed(1);
      this.root.dataset.scene = this.pendingDrawn;
      this.pendingDrawn = null;
      performance.mark("sav-drawn");
      this.root.dispatchEvent(new CustomEvent("sav-drawn", { bubbles: true, composed: true }));
      // A new scene's names are placed once they are known (setScene): not in its first frame.
      return;
    }
    this.layoutOverlay();
    if (!this.interacting && !this.tweens.length) this.scheduleOcclusion();
  }

  /** Work out which names show once the frame being drawn is on screen (it casts rays:
   * tens of ms that would hold the frame back), and place them then. */
  occludeAfterPaint() {
    clearTimeout(this.occlusionTimer);
    requestAnimationFrame(() => this.scheduleOcclusion(0));
  }

  // --- Receiving scenes -------------------------------------------------------------

  /** A message (bytes, as Python packs them); messages are applied in arrival order. */
  receive(bytes) {
    const seq = ++this.seq;
    this.queue = this.queue
      .then(() => this.apply(bytes, seq))
      .catch((err) => {
        console.error("Sacral Ala Atlas viewer:", err); // eslint-disable-line no-console
        this.fail(`The 3D view could not be drawn: ${err.message || err}`);
      });
    return this.queue;
  }

  async apply(bytes, seq) {
    if (this.failed) return;
    const received = performance.now();
    // A rerun that changed nothing sends the same header again: nothing to do.
    const { packedHeader, rest } = splitMessage(bytes);
    if (!rest.length && sameBytes(packedHeader, this.lastHeader)) return;
    const { header, blobs } = parseMessage(bytes);
    if (blobs.length) addBlobs(blobs);
    if (seq !== this.seq) return; // a newer message came meanwhile
    // The same scene and view as drawn, its surfaces sent before (the component's copy of
    // the message a first view was drawn from, by `boot`): nothing to do.
    const shown = JSON.stringify([header.scene, header.view]);
    if (!blobs.length && shown === this.shown) {
      this.lastHeader = packedHeader.slice();
      return;
    }
    const lacking = missing(header.scene.actors.map((a) => a.mesh));
    if (lacking.length) {
      if (this.hooks.onMissing) this.hooks.onMissing(lacking);
      return; // the page sends them again; the current view stays meanwhile
    }
    this.lastHeader = packedHeader.slice();
    this.shown = shown;
    // For the benchmark and the browser's performance timeline: scene received → drawn
    // (a message that changes nothing leaves them alone).
    this.root.dataset.receivedAt = received.toFixed(1);
    performance.mark("sav-received", { startTime: received });
    this.setScene(header.scene, header.view || {});
  }

  setScene(scene, view) {
    const first = this.scene === null;
    const animate = !first && view.animate !== false;
    this.finishTweens();
    this.scene = scene;
    this.view = view;
    if (this.clicked && this.clicked.id !== view.selected) this.clicked = null;
    // A height in pixels (the app), or none: fill the box it is in (an exported case).
    this.root.style.height = typeof view.height === "number" ? `${view.height}px` : "100%";
    this.renderer.setBackground(...rgb(scene.background || "#ffffff"));
    this.shading = scene.shading || {};
    this.light.setIntensity(this.shading.headlight ?? 1);
    this.updateActors(scene, animate);
    this.updateCamera(scene, view, first);
    this.updateText(scene);
    this.updateLabelsPanel();
    this.applySection();
    this.visibleAnchor.clear();
    this.root.classList.toggle("is-picking", Boolean(view.pick));
    // A question ("click on the …") shows no names: no labels, no ruler naming what it hits.
    this.buttons.labels.hidden = Boolean(view.find);
    this.buttons.ruler.hidden = Boolean(view.find);
    if (view.find && this.ruler.on) this.toggleRuler();
    this.pendingDrawn = scene.key;
    // Settled: drawn with every morph and fade finished (now, when nothing moves).
    if (this.tweens.length) this.root.dataset.settled = "";
    else this.markSettled();
    // The new height now, so the first frame is drawn once, at its final size.
    this.resize(false);
    this.render();
    this.occludeAfterPaint();
    this.prepareWhenIdle();
  }

  /** In idle moments after a scene is drawn, make and draw once the own actors of the
   * structures drawn merged, a few at a time (actors.js prepare), so that a step that sets
   * them moving finds them ready. These frames are not the scene's: no drawn mark, no
   * names laid out again. */
  prepareWhenIdle() {
    if (this.preparing) return;
    this.preparing = true;
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 100));
    const step = () => {
      if (this.failed || !this.scene) {
        this.preparing = false;
        return;
      }
      if (this.interacting || this.tweens.length) return idle(step);
      // Drawn by the GL view itself: not a frame of the scene (no afterRender, names kept).
      const left = this.drawing.prepare([...this.entries.values()], PREPARE_BATCH, () =>
        this.glWindow.traverseAllPasses(),
      );
      if (left) idle(step);
      else this.preparing = false;
    };
    idle(step);
  }

  /** A structure's surface (its own copy of the vertices: morphs move them) and look. */
  makeEntry(spec, surface) {
    const points = surface.points.slice();
    const color = rgb(spec.color);
    return {
      id: spec.id,
      points,
      normals: computeNormals(points, surface.mesh.triangles),
      triangles: surface.mesh.triangles,
      topology: surface.topology,
      mesh: spec.mesh,
      bounds: boundsOf(points),
      color,
      opacity: spec.opacity,
      shownColor: color,
      shownOpacity: spec.opacity,
      moving: false, // a tween changes it: drawn on its own (actors.js)
      spec,
    };
  }

  paint(entry, color, opacity) {
    entry.shownColor = color;
    entry.shownOpacity = opacity;
    this.drawing.paint(entry);
  }

  setPoints(entry, points) {
    entry.points.set(points);
    computeNormals(entry.points, entry.triangles, entry.normals);
    this.drawing.reshape(entry);
  }

  /** A tween that changes an entry: the entry is drawn on its own until tweens end. */
  tweenEntry(entry, step, done = null, begin = null) {
    entry.moving = true;
    this.tween(step, done, begin);
  }

  updateActors(scene, animate) {
    const wanted = new Map(scene.actors.map((a) => [a.id, a]));
    for (const [id, entry] of this.entries) {
      if (wanted.has(id)) continue;
      this.entries.delete(id);
      if (animate) {
        const from = entry.shownOpacity;
        this.leaving.add(entry);
        this.tweenEntry(entry, (t) => this.paint(entry, entry.shownColor, Math.max(0.001, lerp(from, 0, t))), () =>
          this.dropEntry(entry),
        );
      } else {
        this.dropEntry(entry);
      }
    }
    // Draw order = scene order (opaque first): rebuilt when the order changes.
    for (const spec of scene.actors) {
      const surface = getSurface(spec.mesh);
      let entry = this.entries.get(spec.id);
      if (entry && entry.mesh !== spec.mesh) {
        if (entry.topology === surface.topology) {
          const from = entry.points.slice();
          const to = surface.points;
          entry.mesh = spec.mesh;
          if (animate) {
            const buf = new Float32Array(from.length);
            this.tweenEntry(
              entry,
              (t) => {
                for (let i = 0; i < buf.length; i += 1) buf[i] = from[i] + (to[i] - from[i]) * t;
                this.setPoints(entry, buf);
              },
              () => {
                entry.bounds = boundsOf(entry.points);
              },
              () => {
                const a = boundsOf(from);
                const b = boundsOf(to);
                entry.bounds = a.map((v, i) => (i % 2 ? Math.max(v, b[i]) : Math.min(v, b[i])));
              },
            );
          } else {
            this.setPoints(entry, to);
            entry.bounds = boundsOf(entry.points);
          }
        } else {
          this.dropEntry(entry);
          entry = null;
        }
      }
      const color = rgb(spec.color);
      if (!entry) {
        entry = this.makeEntry(spec, surface);
        this.entries.set(spec.id, entry);
        if (animate) {
          this.paint(entry, color, 0.001);
          this.tweenEntry(entry, (t) => this.paint(entry, color, lerp(0.001, spec.opacity, t)));
        }
      } else if (entry.spec.color !== spec.color || entry.spec.opacity !== spec.opacity) {
        const c0 = entry.shownColor;
        const o0 = entry.shownOpacity;
        if (animate) {
          this.tweenEntry(entry, (t) => this.paint(entry, lerp3(c0, color, t), lerp(o0, spec.opacity, t)));
        } else {
          this.paint(entry, color, spec.opacity);
        }
      }
      entry.spec = spec;
      entry.color = color;
      entry.opacity = spec.opacity;
    }
  }

  dropEntry(entry) {
    this.leaving.delete(entry);
    this.drawing.drop(entry);
  }

  // --- Tweens (morphs, fades, camera moves) ------------------------------------------

  tween(step, done = null, begin = null) {
    if (begin) begin();
    this.tweens.push({ step, done, start: null });
    if (!this.animating) {
      this.animating = true;
      this.root.dataset.settled = "";
      this.interactor.requestAnimation(this);
    }
  }

  stepTweens() {
    if (!this.tweens.length) return;
    const now = performance.now();
    const running = [];
    for (const tw of this.tweens) {
      if (tw.start === null) tw.start = now;
      const t = Math.min(1, (now - tw.start) / MORPH_MS);
      tw.step(ease(t));
      if (t < 1) running.push(tw);
      else if (tw.done) tw.done();
    }
    this.tweens = running;
    if (!running.length) this.endTweens();
  }

  /** Every tween to its end at once (a new scene came): the caller draws. */
  finishTweens() {
    const left = this.tweens;
    this.tweens = [];
    for (const tw of left) {
      tw.step(1);
      if (tw.done) tw.done();
    }
    if (left.length) this.endTweens(false);
  }

  endTweens(draw = true) {
    if (!this.animating) return;
    this.animating = false;
    // Nothing moves now: the entries that moved may be drawn merged again.
    for (const entry of this.entries.values()) entry.moving = false;
    this.markSettled();
    this.interactor.cancelAnimation(this, true);
    if (draw) this.render();
  }

  markSettled() {
    if (!this.scene) return;
    this.root.dataset.settledAt = performance.now().toFixed(1);
    this.root.dataset.settled = this.scene.key;
  }

  // --- Camera -----------------------------------------------------------------------

  get camera() {
    return this.renderer.getActiveCamera();
  }

  /** The camera now, as plain data. */
  getCamera() {
    const c = this.camera;
    return {
      position: c.getPosition().slice(),
      focalPoint: c.getFocalPoint().slice(),
      viewUp: c.getViewUp().slice(),
      viewAngle: c.getViewAngle(),
      parallelProjection: c.getParallelProjection(),
      parallelScale: c.getParallelScale(),
    };
  }

  setCamera(target, animate) {
    const cam = this.camera;
    const to = {
      position: target.position,
      focalPoint: target.focalPoint,
      viewUp: target.viewUp,
      viewAngle: target.viewAngle || 30,
    };
    cam.setParallelProjection(target.parallelScale !== null && target.parallelScale !== undefined);
    if (cam.getParallelProjection()) cam.setParallelScale(target.parallelScale);
    if (!animate) {
      cam.set(to);
      cam.orthogonalizeViewUp();
      return;
    }
    const from = this.getCamera();
    this.tween((t) => {
      cam.set({
        position: lerp3(from.position, to.position, t),
        focalPoint: lerp3(from.focalPoint, to.focalPoint, t),
        viewUp: unit(lerp3(from.viewUp, to.viewUp, t)),
        viewAngle: lerp(from.viewAngle, to.viewAngle, t),
      });
      cam.orthogonalizeViewUp();
      this.renderer.resetCameraClippingRange();
    });
  }

  sameCamera(a, b) {
    if (!a || !b) return false;
    const close = (u, v) => u.every((x, i) => Math.abs(x - v[i]) < 1e-3);
    return close(a.position, b.position) && close(a.focalPoint, b.focalPoint) && close(a.viewUp, b.viewUp);
  }

  updateCamera(scene, view, first) {
    const token = view.cameraToken ?? 0;
    const asked = token !== this.cameraToken;
    const moved = !this.sameCamera(scene.camera, this.suggested);
    if (first || asked || (!this.userMoved && moved)) {
      this.setCamera(scene.camera, !first);
      this.suggested = scene.camera;
      if (first || asked) this.userMoved = false;
    }
    this.cameraToken = token;
    // The page knows the camera it asked for: no need to report it back.
    if (first || asked) this.lastReport = JSON.stringify({ token, camera: null });
  }

  resetView() {
    if (!this.scene) return;
    this.setCamera(this.scene.camera, true);
    this.userMoved = false;
    this.report(null);
    this.root.focus({ preventScroll: true });
  }

  cameraChanged() {
    if (!this.userMoved) return;
    clearTimeout(this.reportTimer);
    this.reportTimer = setTimeout(() => this.report(this.getCamera()), REPORT_MS);
    this.scheduleOcclusion();
  }

  report(camera) {
    clearTimeout(this.reportTimer);
    if (!this.hooks.onCamera) return;
    const c = camera && {
      position: camera.position.map((v) => round(v)),
      focalPoint: camera.focalPoint.map((v) => round(v)),
      viewUp: camera.viewUp.map((v) => round(v, 5)),
      viewAngle: round(camera.viewAngle),
      parallelScale: camera.parallelProjection ? round(camera.parallelScale) : null,
    };
    const report = { token: this.cameraToken, camera: c };
    const text = JSON.stringify(report);
    if (text === this.lastReport) return;
    this.lastReport = text;
    this.hooks.onCamera(report);
  }

  // --- Keys -------------------------------------------------------------------------

  handleKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const cam = this.camera;
    let handled = true;
    switch (e.key) {
      case "ArrowLeft":
        cam.azimuth(ORBIT_DEG);
        break;
      case "ArrowRight":
        cam.azimuth(-ORBIT_DEG);
        break;
      case "ArrowUp":
        cam.elevation(ORBIT_DEG);
        break;
      case "ArrowDown":
        cam.elevation(-ORBIT_DEG);
        break;
      case "+":
      case "=":
        this.zoom(ZOOM_STEP);
        break;
      case "-":
      case "_":
        this.zoom(1 / ZOOM_STEP);
        break;
      case "r":
      case "R":
        this.resetView();
        e.preventDefault();
        e.stopPropagation();
        return;
      case "Escape":
        if (this.ruler.on) this.toggleRuler();
        this.togglePanel(null);
        break;
      default:
        handled = false;
    }
    if (!handled) return;
    // Keys given to the view are the view's: Streamlit's page shortcuts must not see them.
    e.preventDefault();
    e.stopPropagation();
    if (e.key.startsWith("Arrow") || "+=-_".includes(e.key)) {
      cam.orthogonalizeViewUp();
      this.userMoved = true;
      this.render();
      this.cameraChanged();
    }
  }

  zoom(factor) {
    const cam = this.camera;
    if (cam.getParallelProjection()) cam.setParallelScale(cam.getParallelScale() / factor);
    else cam.dolly(factor);
  }

  // --- Pointer: hover, click, ruler --------------------------------------------------

  bindEvents() {
    const box = this.canvasBox;
    this.root.addEventListener("keydown", (e) => this.handleKey(e));
    box.addEventListener("pointerdown", (e) => {
      this.down = { x: e.clientX, y: e.clientY, t: performance.now() };
      this.root.focus({ preventScroll: true });
    });
    box.addEventListener("pointerup", (e) => {
      const d = this.down;
      this.down = null;
      if (!d || Math.hypot(e.clientX - d.x, e.clientY - d.y) > CLICK_PX) return;
      if (performance.now() - d.t > 800) return;
      this.click(this.local(e));
    });
    box.addEventListener("pointermove", (e) => {
      if (e.buttons || this.interacting) return;
      this.hoverAt = this.local(e);
      if (!this.hoverFrame) {
        this.hoverFrame = requestAnimationFrame(() => {
          this.hoverFrame = 0;
          this.hover(this.hoverAt);
        });
      }
    });
    box.addEventListener("pointerleave", () => this.hideTip());
  }

  local(e) {
    const r = this.root.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  surfaces() {
    const out = [];
    for (const entry of this.entries.values()) {
      if (entry.shownOpacity <= 0.01) continue;
      out.push({
        id: entry.id,
        points: entry.points,
        triangles: entry.triangles,
        bounds: entry.bounds,
        opaque: entry.opacity >= 1,
      });
    }
    return out;
  }

  keepFn() {
    if (!this.section.kind) return null;
    const o = this.plane.getOrigin();
    const n = this.plane.getNormal();
    return (x, y, z) => (x - o[0]) * n[0] + (y - o[1]) * n[1] + (z - o[2]) * n[2] >= 0;
  }

  pick(x, y) {
    if (!this.width) return null;
    const { origin, dir } = pixelRay(this.getCamera(), this.width, this.height, x, y);
    return castRay(this.surfaces(), origin, dir, this.keepFn());
  }

  nameOf(id) {
    const entry = this.entries.get(id);
    return entry ? entry.spec.label : id;
  }

  hover(p) {
    if (this.ruler.on) {
      const mark = this.nearestLandmark(p);
      if (mark) return this.showTip(p, mark.name);
    }
    const hit = this.pick(p.x, p.y);
    const name = hit && this.nameOf(hit.id);
    if (!name) return this.hideTip();
    this.showTip(p, name);
  }

  showTip(p, text) {
    this.tip.textContent = text;
    this.tip.hidden = false;
    const w = this.tip.offsetWidth;
    const x = Math.min(p.x + 14, this.width - w - 4);
    this.tip.style.left = `${Math.max(4, x)}px`;
    this.tip.style.top = `${Math.min(p.y + 16, this.height - 30)}px`;
  }

  hideTip() {
    this.tip.hidden = true;
  }

  click(p) {
    if (this.ruler.on) return this.addRulerPoint(p);
    const hit = this.pick(p.x, p.y);
    if (!hit) return;
    this.view = { ...this.view, selected: hit.id };
    // Its name goes where it was clicked (its own anchors may all be hidden in this view).
    this.clicked = { id: hit.id, point: hit.point };
    this.visibleAnchor.delete(hit.id);
    this.layoutOverlay();
    this.render();
    if (this.hooks.onPick) this.hooks.onPick(hit.id);
  }

  // --- Ruler ------------------------------------------------------------------------

  toggleRuler() {
    this.reserved = null;
    this.ruler = { on: !this.ruler.on, points: [] };
    this.buttons.ruler.setAttribute("aria-pressed", String(this.ruler.on));
    this.root.classList.toggle("is-measuring", this.ruler.on);
    this.readout.hidden = !this.ruler.on;
    this.readout.textContent = this.ruler.on ? "Click a first point (landmarks snap)" : "";
    this.layoutOverlay();
  }

  landmarkScreens() {
    if (!this.scene || !this.width) return [];
    const cam = this.getCamera();
    return (this.scene.landmarks || [])
      .map((m) => ({ ...m, s: project(cam, this.width, this.height, m.position) }))
      .filter((m) => m.s.depth > 0);
  }

  nearestLandmark(p) {
    let best = null;
    for (const m of this.landmarkScreens()) {
      const d = Math.hypot(m.s.x - p.x, m.s.y - p.y);
      if (d <= SNAP_PX && (!best || d < best.d)) best = { ...m, d };
    }
    return best;
  }

  addRulerPoint(p) {
    this.reserved = null;
    const mark = this.nearestLandmark(p);
    let point = null;
    if (mark) point = { position: mark.position.slice(), name: mark.name };
    else {
      const hit = this.pick(p.x, p.y);
      if (hit) point = { position: hit.point, name: this.nameOf(hit.id) };
    }
    if (!point) return;
    if (this.ruler.points.length >= 2) this.ruler.points = [];
    this.ruler.points.push(point);
    const [a, b] = this.ruler.points;
    if (b) {
      const mm = distance(a.position, b.position);
      this.ruler.mm = mm;
      this.readout.textContent = `${a.name} → ${b.name}: ${mm.toFixed(1)} mm`;
      this.root.dataset.measured = mm.toFixed(2);
    } else {
      this.readout.textContent = `From ${a.name}: click a second point`;
    }
    this.layoutOverlay();
  }

  // --- Section ----------------------------------------------------------------------

  setSection(kind) {
    this.section = { kind, at: 0.5, flip: false };
    this.sectionChoices.forEach((b) =>
      b.setAttribute("aria-pressed", String((b.dataset.kind === "off" ? null : b.dataset.kind) === kind)),
    );
    this.sectionSlider.disabled = !kind;
    this.sectionFlip.disabled = !kind;
    this.sectionSlider.value = "500";
    this.buttons.section.setAttribute("aria-pressed", String(Boolean(kind)));
    this.applySection();
    this.render();
  }

  moveSection(fraction) {
    this.section.at = fraction;
    this.applySection();
    this.render();
  }

  flipSection() {
    this.section.flip = !this.section.flip;
    this.applySection();
    this.render();
  }

  applySection() {
    this.reserved = null;
    const { kind, at, flip } = this.section;
    if (!kind || !this.scene || !this.scene.bounds) {
      this.drawing.clip(null);
      this.sectionText.textContent = "";
      return;
    }
    const s = SECTIONS[kind];
    const b = this.scene.bounds;
    const value = lerp(b[2 * s.axis], b[2 * s.axis + 1], at);
    const origin = [0, 0, 0];
    origin[s.axis] = value;
    this.plane.setOrigin(origin);
    this.plane.setNormal(flip ? s.normal.map((v) => -v) : s.normal);
    this.drawing.clip(this.plane);
    this.sectionText.textContent = `${s.name} cut at ${s.coord} = ${value.toFixed(0)} mm`;
    this.visibleAnchor.clear();
    this.scheduleOcclusion();
  }

  // --- Panels -----------------------------------------------------------------------

  togglePanel(name) {
    this.reserved = null;
    const open = name === "labels" ? this.labelsPanel : name === "section" ? this.sectionPanel : null;
    for (const panel of [this.labelsPanel, this.sectionPanel]) {
      panel.hidden = panel !== open || !panel.hidden;
    }
  }

  updateLabelsPanel() {
    const categoryOf = new Map(this.scene.actors.map((a) => [a.id, a.category]));
    const cats = [...new Set((this.scene.labels || []).map((l) => categoryOf.get(l.id)))];
    const box = (cat) => {
      const input = el("input", {
        type: "checkbox",
        checked: !labelPrefs.off.has(cat),
        onchange: () => {
          if (input.checked) labelPrefs.off.delete(cat);
          else labelPrefs.off.add(cat);
          this.layoutOverlay();
        },
      });
      return el("label", {}, input, CATEGORY_NAMES[cat] || cat);
    };
    const all = el("input", {
      type: "checkbox",
      checked: labelPrefs.on,
      onchange: () => {
        labelPrefs.on = all.checked;
        this.buttons.labels.setAttribute("aria-pressed", String(labelPrefs.on));
        this.layoutOverlay();
      },
    });
    this.labelsPanel.replaceChildren(
      el("label", { style: "font-weight:600" }, all, "Show names"),
      ...cats.map(box),
    );
    this.buttons.labels.setAttribute("aria-pressed", String(labelPrefs.on));
  }

  updateText(scene) {
    this.reserved = null;
    this.titleBox.textContent = scene.title || "";
    this.root.setAttribute("aria-label", scene.title || "3D view");
    this.description.textContent = scene.description || "";
    if (scene.description) {
      this.description.id = this.description.id || `sav-desc-${Math.random().toString(36).slice(2)}`;
      this.root.setAttribute("aria-describedby", this.description.id);
    }
    const items = (scene.legend || []).map((e) =>
      el(
        "li",
        { class: e.highlighted ? "is-high" : null },
        el("span", { class: "sav-swatch", style: `--c:${e.color}` }),
        e.label,
      ),
    );
    const open = this.legend.open;
    this.legend.replaceChildren(el("summary", { text: "Legend" }), el("ul", {}, ...items));
    this.legend.open = open;
    this.legend.hidden = !items.length;
  }

  // --- Labels and overlay -----------------------------------------------------------

  scheduleOcclusion(delay = OCCLUSION_MS) {
    clearTimeout(this.occlusionTimer);
    this.occlusionTimer = setTimeout(() => {
      if (this.interacting || this.tweens.length) return;
      this.occlusionNow();
      this.layoutOverlay();
      // The scene whose names are placed (tests wait for it: names come after its first frame).
      if (this.scene && this.scene.key) this.root.dataset.named = this.scene.key;
    }, delay);
  }

  /** For each label, the first of its anchors nothing hides (-1: all hidden). */
  occlusionNow() {
    if (!this.scene || !this.width) return;
    const cam = this.getCamera();
    const surfaces = this.surfaces();
    const keep = this.keepFn();
    this.visibleAnchor.clear();
    for (const label of this.scene.labels || []) {
      let found = -1;
      this.anchorsOf(label).forEach((anchor, i) => {
        if (found >= 0) return;
        if (keep && !keep(...anchor)) return;
        const s = project(cam, this.width, this.height, anchor);
        if (s.depth <= 0 || s.x < 0 || s.y < 0 || s.x > this.width || s.y > this.height) return;
        // Shown where its pin would sit: what one sees at that pixel is the structure itself
        // (an anchor on the far side, or at the rim of what shows, is hidden).
        const { origin, dir } = pixelRay(cam, this.width, this.height, s.x, s.y);
        const hit = castRay(surfaces, origin, dir, keep);
        if (hit && hit.id === label.id) found = i;
      });
      this.visibleAnchor.set(label.id, found);
    }
  }

  /** Where a label may be pinned, best first: where the user clicked it, then its own. */
  anchorsOf(label) {
    const c = this.clicked;
    return c && c.id === label.id ? [c.point, ...label.anchors] : label.anchors;
  }

  reservedBoxes() {
    // Measured once per change of the view's size or of what lies over it (reading boxes
    // forces a layout: not on every frame).
    if (this.reserved) return this.reserved;
    const r0 = this.root.getBoundingClientRect();
    const out = [];
    for (const node of [this.toolbar, this.titleBox, this.legend, this.readout, this.labelsPanel, this.sectionPanel]) {
      if (node.hidden || !node.offsetParent) continue;
      const r = node.getBoundingClientRect();
      if (r.width && r.height) out.push({ x: r.left - r0.left, y: r.top - r0.top, w: r.width, h: r.height });
    }
    this.reserved = out;
    return out;
  }

  /** The labels as placed now (tests read them). */
  placeNow() {
    if (!this.scene || !this.width || !labelPrefs.on) return [];
    const cam = this.getCamera();
    const keep = this.keepFn();
    const items = [];
    const selected = this.view.selected;
    const labels = [...(this.scene.labels || [])];
    labels.sort((a, b) => (b.id === selected) - (a.id === selected));
    for (const label of labels) {
      const entry = this.entries.get(label.id);
      if (!entry || entry.shownOpacity < 0.05 || labelPrefs.off.has(entry.spec.category)) continue;
      const i = this.visibleAnchor.has(label.id) ? this.visibleAnchor.get(label.id) : 0;
      if (i < 0) continue;
      const anchor = this.anchorsOf(label)[i];
      if (!anchor || (keep && !keep(...anchor))) continue;
      const s = project(cam, this.width, this.height, anchor);
      if (s.depth <= 0) continue;
      const { label: text, highlighted, color } = entry.spec;
      const bold = highlighted || label.id === selected;
      const w = Math.ceil(this.measure(text, bold ? FONT_BOLD : FONT)) + 18;
      items.push({ id: label.id, text, ax: s.x, ay: s.y, w, h: 22, bold, color, selected: label.id === selected });
    }
    const limit = Math.max(4, Math.floor((this.width * this.height) / LABEL_AREA_PX));
    return placeLabels(items, this.width, this.height, this.reservedBoxes(), limit);
  }

  layoutOverlay() {
    if (!this.scene || !this.width) return;
    this.placed = this.placeNow();
    const nodes = [];
    this.leaders.replaceChildren();
    for (const p of this.placed) {
      this.leaders.append(
        svg("line", { class: "sav-leader", x1: p.ax, y1: p.ay, x2: p.lx, y2: p.ly }),
      );
      nodes.push(
        el("span", {
          class: "sav-pin",
          style: `left:${p.ax}px;top:${p.ay}px;--c:${p.color}`,
          "data-id": p.id,
        }),
      );
      nodes.push(
        el("span", {
          class: `sav-label${p.bold ? " is-high" : ""}${p.selected ? " is-selected" : ""}`,
          style: `left:${p.box.x}px;top:${p.box.y}px;--c:${p.color}`,
          "data-id": p.id,
          text: p.text,
        }),
      );
    }
    this.drawRuler();
    for (const child of [...this.labelLayer.children]) if (child !== this.leaders) child.remove();
    this.labelLayer.append(...nodes, ...(this.rulerNodes || []));
  }

  drawRuler() {
    this.rulerNodes = [];
    if (!this.ruler.on) return;
    const cam = this.getCamera();
    for (const m of this.landmarkScreens()) {
      this.leaders.append(
        svg("rect", { class: "sav-mark", x: m.s.x - 4, y: m.s.y - 4, width: 8, height: 8, transform: `rotate(45 ${m.s.x} ${m.s.y})` }),
      );
    }
    const pts = this.ruler.points.map((p) => project(cam, this.width, this.height, p.position));
    if (pts.length === 2) {
      this.leaders.append(svg("line", { class: "sav-ruler", x1: pts[0].x, y1: pts[0].y, x2: pts[1].x, y2: pts[1].y }));
      const mid = { x: (pts[0].x + pts[1].x) / 2, y: (pts[0].y + pts[1].y) / 2 };
      this.rulerNodes.push(
        el("span", { class: "sav-measure", style: `left:${mid.x + 8}px;top:${mid.y - 26}px`, text: `${this.ruler.mm.toFixed(1)} mm` }),
      );
    }
    for (const s of pts) this.leaders.append(svg("circle", { class: "sav-end", cx: s.x, cy: s.y, r: 5 }));
  }

  // --- Picture ----------------------------------------------------------------------

  async savePng() {
    if (!this.scene) return;
    const image = await new Promise((resolve) => {
      this.glWindow.captureNextImage("image/png").then(resolve);
      this.renderWindow.render();
    });
    const dpr = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(this.width * dpr);
    canvas.height = Math.round(this.height * dpr);
    const ctx = canvas.getContext("2d");
    const img = new Image();
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = reject;
      img.src = image;
    });
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    ctx.scale(dpr, dpr);
    this.drawOverlayOn(ctx);
    download(canvas.toDataURL("image/png"), fileName(this.scene.title, ".png"));
  }

  /** The labels, the title and the ruler drawn onto a 2D canvas (for the PNG). */
  drawOverlayOn(ctx) {
    ctx.textBaseline = "middle";
    ctx.font = `600 ${FONT}`;
    ctx.fillStyle = "#1d2433";
    ctx.fillText(this.scene.title || "", 10, 18);
    for (const p of this.placed || []) {
      ctx.strokeStyle = "rgba(29,36,51,0.75)";
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      ctx.moveTo(p.ax, p.ay);
      ctx.lineTo(p.lx, p.ly);
      ctx.stroke();
      ctx.fillStyle = "rgba(255,255,255,0.93)";
      ctx.fillRect(p.box.x, p.box.y, p.box.w, p.box.h);
      ctx.fillStyle = p.color;
      ctx.fillRect(p.box.x, p.box.y, 4, p.box.h);
      ctx.beginPath();
      ctx.arc(p.ax, p.ay, 5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.fillStyle = "#1d2433";
      ctx.font = p.bold ? FONT_BOLD : FONT;
      ctx.fillText(p.text, p.box.x + 10, p.box.y + p.box.h / 2);
    }
    if (this.ruler.on && this.ruler.points.length === 2) {
      const cam = this.getCamera();
      const [a, b] = this.ruler.points.map((q) => project(cam, this.width, this.height, q.position));
      ctx.strokeStyle = "#d62828";
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
      ctx.fillStyle = "#d62828";
      ctx.font = FONT_BOLD;
      ctx.fillText(`${this.ruler.mm.toFixed(1)} mm`, (a.x + b.x) / 2 + 8, (a.y + b.y) / 2 - 14);
    }
  }

  // --- Tests' handles -----------------------------------------------------------------

  /** Where a world point shows, in CSS pixels of the view. */
  toScreen(p) {
    return project(this.getCamera(), this.width, this.height, p);
  }

  destroy() {
    clearTimeout(this.occlusionTimer);
    clearTimeout(this.reportTimer);
    if (this.resizeObserver) this.resizeObserver.disconnect();
    if (this.interactor) {
      this.interactor.unbindEvents();
      this.interactor.delete();
    }
    if (this.drawing) this.drawing.destroy();
    this.entries.clear();
    this.scene = null; // ends the idle preparation (prepareWhenIdle)
    if (this.glWindow) {
      const gl = this.glWindow.getCanvas() && this.glWindow.getCanvas().getContext("webgl2");
      this.glWindow.delete();
      const lose = gl && gl.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
    }
    if (this.renderWindow) this.renderWindow.delete();
    this.root.remove();
  }
}

