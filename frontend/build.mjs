// Build the viewer bundle into atlas_app/viewer/ (committed, so running the app needs no
// Node): one minified ES module, plus the licences of what it bundles.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "atlas_app", "viewer");

// The bundle names the sources it was built from (tests/unit/test_viewer_js.py checks that
// the committed bundle is not older than its sources).
function sourceHash() {
  const files = [
    "build.mjs",
    "package-lock.json",
    ...readdirSync(join(here, "src")).filter((f) => f.endsWith(".js")).sort().map((f) => `src/${f}`),
  ];
  const h = createHash("sha256");
  for (const f of files) h.update(`${f}\0`).update(readFileSync(join(here, f))).update("\0");
  return h.digest("hex");
}

const result = await build({
  entryPoints: [join(here, "src", "index.js")],
  bundle: true,
  format: "esm",
  minify: !process.env.SAV_DEBUG,
  target: ["es2020", "chrome90", "firefox100", "safari16"],
  outfile: join(out, "viewer.js"),
  legalComments: "none",
  banner: {
    js: `/*! Sacral Ala Atlas 3D viewer (GPL-3.0-or-later); bundled code's licences: THIRD_PARTY_LICENSES.txt; source sha256:${sourceHash()} */`,
  },
  metafile: true,
  logLevel: "info",
});

// Third-party code in the bundle, with its licence text (from each package's own files).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.set(m[1], join(here, "node_modules", m[1]));
}
// A package without a licence file states it at the end of its README (seedrandom).
function licenceFromReadme(dir, licence) {
  try {
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    const at = readme.search(/^Copyright /m);
    if (at >= 0) return `${readme.slice(at).trim()}\n`;
  } catch {
    // no README either
  }
  return `(no licence text shipped; licence: ${licence})\n`;
}

const licenceFiles = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "Copyright.txt"];
let text =
  "Third-party code in viewer.js (bundled by frontend/build.mjs from the npm packages\n" +
  "pinned in frontend/package-lock.json). Each package's licence follows.\n";
for (const [name, dir] of [...packages].sort()) {
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  text += `\n${"=".repeat(78)}\n${name} ${meta.version} — ${meta.license}\n${"=".repeat(78)}\n`;
  const file = licenceFiles.map((f) => join(dir, f)).find((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
  text += file ? readFileSync(file, "utf8") : licenceFromReadme(dir, meta.license);
}
writeFileSync(join(out, "THIRD_PARTY_LICENSES.txt"), text);
console.log(`bundled packages: ${[...packages.keys()].join(", ")}`);
