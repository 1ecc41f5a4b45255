// Trunk post-build hook (Trunk.toml [[hooks]]), run in the staging directory Trunk names in
// TRUNK_STAGING_DIR:
//  0. gives the scanner worker's and the staff bundle's files content-hashed names, and names
//     the worker's loader in a <meta>;
//  1. replaces Trunk's inline start-up <script type="module"> with boot-<hash>.js (the page's
//     Content-Security-Policy forbids inline script), which starts the resident or the staff
//     bundle by the URL fragment;
//  2. draws the app icons (192, 512 and a maskable 512) with pngjs;
//  3. fills sw.js's precache list and version with every file of the build.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('postbuild: TRUNK_STAGING_DIR is not set (run through trunk build)');
  process.exit(2);
}

const sha = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);

// 0. The `data-type="worker"` rust links of index.html: Trunk names their files after the
// binary, without a hash. Give them content hashes (so no cache ever pairs an old .wasm with
// new glue).
const indexPath = path.join(staging, 'index.html');
let html = await readFile(indexPath, 'utf8');
if (!html.includes('</head>')) {
  console.error('postbuild: index.html has no </head>');
  process.exit(2);
}
/** Renames `<bin>.js` and `<bin>_bg.wasm` to `<bin>-<hash>…`; returns the hashed base name. */
async function hashBundle(bin) {
  const names = [`${bin}.js`, `${bin}_bg.wasm`];
  const present = await Promise.all(names.map((n) => readFile(path.join(staging, n)).catch(() => null)));
  if (present.some((d) => d === null)) {
    console.error(`postbuild: ${bin} files missing (have ${names.filter((_, i) => present[i]).join(', ') || 'none'})`);
    process.exit(2);
  }
  const [glue, wasm] = present;
  const base = `${bin}-${createHash('sha256').update(glue).update(wasm).digest('hex').slice(0, 16)}`;
  await writeFile(path.join(staging, `${base}.js`), glue);
  await writeFile(path.join(staging, `${base}_bg.wasm`), wasm);
  for (const n of names) await rm(path.join(staging, n));
  return base;
}
// The scanner's decoder worker: its loader is written under a hashed name too, and the page
// learns where it is from <meta name="healthcode-scanner-worker"> (read by src/web/worker.rs).
{
  await rm(path.join(staging, 'scanner-worker_loader.js')).catch(() => {
    console.error('postbuild: scanner-worker_loader.js missing');
    process.exit(2);
  });
  const base = await hashBundle('scanner-worker');
  await writeFile(
    path.join(staging, `${base}_loader.js`),
    `importScripts("./${base}.js");wasm_bindgen("./${base}_bg.wasm");\n`,
  );
  html = html.replace('</head>', `<meta name="healthcode-scanner-worker" content="./${base}_loader.js" />\n</head>`);
}
// The staff bundle (checkpoint, desk, paper codes): started by the start-up script below.
const staff = await hashBundle('healthcode-staff');

// 1. The start-up script. Trunk writes an inline <script type="module"> that starts the
// resident bundle, and preloads that bundle's files. Replace both with a script file (the
// page's Content-Security-Policy forbids inline script) that starts the one bundle the URL
// fragment asks for: the staff bundle for #checkpoint…, #desk… and #paper=…, else the
// resident bundle; each bundle reloads the page when the fragment changes to the other's
// (src/web/mod.rs). The .wasm is fetched while the glue loads.
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const found = html.match(inline);
if (!found) {
  console.error('postbuild: no inline module script in index.html (did Trunk change?)');
  process.exit(2);
}
const resident = found[1].match(/from '\/(healthcode-app-[0-9a-f]+)\.js'/);
if (!resident || !found[1].includes(`'/${resident[1]}_bg.wasm'`)) {
  console.error(`postbuild: Trunk's start-up script does not name healthcode-app's files:\n${found[1]}`);
  process.exit(2);
}
const boot = `// healthcode start-up (written by scripts/postbuild.mjs): one of two bundles.
const STAFF = /^#(checkpoint|desk|paper=)/;
const failed = (error) => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = 'healthcode could not start / 健康码无法启动: ' + error;
  document.body.append(p);
};
if (STAFF.test(location.hash)) {
  const wasm = fetch('/${staff}_bg.wasm');
  const glue = document.createElement('script');
  glue.src = '/${staff}.js';
  glue.onload = () => wasm_bindgen({ module_or_path: wasm }).catch(failed);
  glue.onerror = () => failed('/${staff}.js');
  document.head.append(glue);
} else {
  const wasm = fetch('/${resident[1]}_bg.wasm');
  import('/${resident[1]}.js').then((glue) => glue.default({ module_or_path: wasm })).catch(failed);
}
`;
const bootName = `boot-${sha(boot)}.js`;
await writeFile(path.join(staging, bootName), boot);
html = html.replace(inline, `<script type="module" src="/${bootName}"></script>`);
html = html.replace(/<link rel="(?:modulepreload|preload)" href="\/healthcode-app-[^>]*>/g, '');
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html) || html.includes('rel="preload"') || html.includes('rel="modulepreload"')) {
  console.error('postbuild: index.html still has an inline script or a preload');
  process.exit(2);
}
await writeFile(indexPath, html);

// 2. Icons: a white rounded tile with a QR-like pattern on the green of a green code.
// `tile` is the tile's share of the icon (a maskable icon keeps it inside the safe zone).
function icon(size, tile) {
  const png = new PNG({ width: size, height: size });
  const green = [0x0a, 0x7d, 0x2c];
  const modules = 21;
  const tilePx = Math.round(size * tile);
  const start = Math.round((size - tilePx) / 2);
  const quiet = tilePx * 0.1;
  const cell = (tilePx - 2 * quiet) / modules;
  const finder = (r, c) => {
    for (const [fr, fc] of [[0, 0], [0, 14], [14, 0]]) {
      const y = r - fr;
      const x = c - fc;
      if (y >= 0 && y < 7 && x >= 0 && x < 7) {
        const ring = Math.min(y, x, 6 - y, 6 - x);
        return ring !== 1;
      }
      if (y >= -1 && y <= 7 && x >= -1 && x <= 7) return false;
    }
    return null;
  };
  const dark = (r, c) => {
    const f = finder(r, c);
    if (f !== null) return f;
    return ((r * 7 + c * 13 + r * c) % 5) < 2;
  };
  const radius = tilePx * 0.12;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let rgb = green;
      const tx = x - start;
      const ty = y - start;
      if (tx >= 0 && ty >= 0 && tx < tilePx && ty < tilePx) {
        const cx = Math.min(tx, tilePx - 1 - tx);
        const cy = Math.min(ty, tilePx - 1 - ty);
        const outside = cx < radius && cy < radius && Math.hypot(radius - cx, radius - cy) > radius;
        if (!outside) {
          rgb = [255, 255, 255];
          const mr = Math.floor((ty - quiet) / cell);
          const mc = Math.floor((tx - quiet) / cell);
          if (mr >= 0 && mc >= 0 && mr < modules && mc < modules && dark(mr, mc)) rgb = [0x11, 0x11, 0x11];
        }
      }
      const i = (y * size + x) * 4;
      png.data[i] = rgb[0];
      png.data[i + 1] = rgb[1];
      png.data[i + 2] = rgb[2];
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
await mkdir(path.join(staging, 'icons'), { recursive: true });
await writeFile(path.join(staging, 'icons', 'icon-192.png'), icon(192, 0.84));
await writeFile(path.join(staging, 'icons', 'icon-512.png'), icon(512, 0.84));
await writeFile(path.join(staging, 'icons', 'icon-maskable-512.png'), icon(512, 0.6));

// 3. The service worker's precache list: every file of the build but the worker itself.
async function files(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await files(path.join(dir, entry.name), rel)));
    else if (rel !== '/sw.js') out.push(rel);
  }
  return out.sort();
}
const precache = await files(staging);
const version = createHash('sha256');
for (const file of precache) version.update(file).update(await readFile(path.join(staging, file)));
const swPath = path.join(staging, 'sw.js');
const sw = (await readFile(swPath, 'utf8'))
  .replace("'__HEALTHCODE_VERSION__'", JSON.stringify(version.digest('hex').slice(0, 16)))
  .replace('__HEALTHCODE_PRECACHE__', JSON.stringify(precache));
await writeFile(swPath, sw);
console.log(`postbuild: scanner worker and ${staff} hashed, ${bootName}, 3 icons, sw.js precaching ${precache.length} files`);
