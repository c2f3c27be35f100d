// The viewer's own style sheet: injected once into the shadow root (in the app) or the
// document (in an exported case), so the one bundle carries everything it needs.

export const FONT = '13px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif';
export const FONT_BOLD = `700 ${FONT}`;

export const CSS = `
.sav-root { position: relative; width: 100%; height: 480px; overflow: hidden; background: #fff;
  border-radius: 8px; outline: none; font: ${FONT}; line-height: 1.3; color: #1d2433;
  -webkit-user-select: none; user-select: none; touch-action: none; box-sizing: border-box; }
.sav-root * { box-sizing: border-box; }
.sav-root:focus-visible { box-shadow: inset 0 0 0 2px #8c2f39; }
.sav-canvas { position: absolute; inset: 0; }
.sav-canvas canvas { display: block; width: 100%; height: 100%; }
.sav-root.is-picking .sav-canvas { cursor: pointer; }
.sav-root.is-measuring .sav-canvas { cursor: crosshair; }
.sav-overlay { position: absolute; inset: 0; pointer-events: none; }
.sav-overlay svg { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
.sav-leader { stroke: rgba(29, 36, 51, 0.75); stroke-width: 1.2; }
.sav-pin { position: absolute; width: 10px; height: 10px; margin: -5px 0 0 -5px;
  border-radius: 50%; background: var(--c); border: 2px solid #fff;
  box-shadow: 0 0 0 1px rgba(29, 36, 51, 0.7); }
.sav-label { position: absolute; padding: 2px 7px 2px 6px; white-space: nowrap;
  background: rgba(255, 255, 255, 0.93); border-left: 4px solid var(--c); border-radius: 4px;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.28); }
.sav-label.is-high { font-weight: 700; }
.sav-label.is-selected { box-shadow: 0 0 0 2px #8c2f39, 0 1px 3px rgba(0, 0, 0, 0.28); }
.sav-title { position: absolute; top: 10px; left: 10px; max-width: 46%; font-weight: 600;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }
.sav-toolbar { position: absolute; top: 8px; right: 8px; display: flex; flex-wrap: wrap;
  justify-content: flex-end; gap: 4px; max-width: 52%; }
.sav-btn { font: inherit; min-height: 34px; padding: 4px 10px; border-radius: 6px;
  border: 1px solid #9aa3b5; background: rgba(255, 255, 255, 0.94); color: #1d2433;
  cursor: pointer; }
.sav-btn:hover { border-color: #1d2433; }
.sav-btn:focus-visible { outline: 2px solid #8c2f39; outline-offset: 1px; }
.sav-btn[aria-pressed="true"] { background: #1d2433; color: #fff; border-color: #1d2433; }
.sav-panel { position: absolute; right: 8px; top: 50px; z-index: 3; min-width: 200px;
  max-width: calc(100% - 16px); padding: 8px 10px; border-radius: 8px;
  background: rgba(255, 255, 255, 0.97); box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
.sav-panel[hidden] { display: none; }
.sav-panel label { display: flex; align-items: center; gap: 6px; min-height: 30px; }
.sav-panel .sav-row { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.sav-panel input[type="range"] { width: 100%; min-height: 30px; }
.sav-legend { position: absolute; bottom: 8px; left: 8px; max-width: 42%; max-height: 40%;
  overflow: auto; padding: 4px 8px; border-radius: 6px; background: rgba(255, 255, 255, 0.9);
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.18); font-size: 12px; }
.sav-legend summary { cursor: pointer; font-weight: 600; min-height: 24px; }
.sav-legend ul { list-style: none; margin: 4px 0 0; padding: 0; }
.sav-legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.sav-legend li.is-high { font-weight: 700; }
.sav-swatch { width: 12px; height: 12px; border-radius: 3px; flex: none; background: var(--c);
  border: 1px solid rgba(0, 0, 0, 0.35); }
.sav-tip { position: absolute; z-index: 4; pointer-events: none; padding: 3px 8px;
  border-radius: 4px; background: #1d2433; color: #fff; white-space: nowrap; }
.sav-tip[hidden] { display: none; }
.sav-readout { position: absolute; right: 8px; bottom: 8px; max-width: 60%; padding: 5px 9px;
  border-radius: 6px; background: rgba(29, 36, 51, 0.92); color: #fff;
  font-variant-numeric: tabular-nums; }
.sav-readout[hidden] { display: none; }
.sav-ruler { stroke: #d62828; stroke-width: 2.5; }
.sav-end { fill: #fff; stroke: #d62828; stroke-width: 2.5; }
.sav-mark { fill: rgba(255, 255, 255, 0.9); stroke: #1d2433; stroke-width: 1.5; }
.sav-measure { position: absolute; padding: 2px 7px; border-radius: 4px; background: #d62828;
  color: #fff; font-weight: 700; white-space: nowrap; font-variant-numeric: tabular-nums; }
.sav-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.sav-error { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; padding: 24px; text-align: center; color: #5a6270; }
`;
