// Trunk post-build hook (Trunk.toml [[hooks]]), run in the staging directory Trunk names in
// TRUNK_STAGING_DIR:
//  0. gives the scanner worker's files content-hashed names and names its loader in a <meta>;
//  1. moves Trunk's inline start-up <script type="module"> into boot-<hash>.js, so the page's
//     Content-Security-Policy can forbid inline script;
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

// 0. The scanner's decoder worker (index.html's `data-type="worker"` rust link): Trunk names
// its files after the binary, without a hash. Give them content hashes (so no cache ever
// pairs an old .wasm with new glue), write the loader under a hashed name too, and tell the
// page where it is in <meta name="healthcode-scanner-worker"> (read by src/web/worker.rs).
const indexPath = path.join(staging, 'index.html');
let html = await readFile(indexPath, 'utf8');
{
  const names = ['scanner-worker.js', 'scanner-worker_bg.wasm', 'scanner-worker_loader.js'];
  const present = await Promise.all(names.map((n) => readFile(path.join(staging, n)).catch(() => null)));
  if (present.some((d) => d === null)) {
    console.error(`postbuild: scanner worker files missing (have ${names.filter((_, i) => present[i]).join(', ') || 'none'})`);
    process.exit(2);
  }
  const [glue, wasm] = present;
  const h = createHash('sha256').update(glue).update(wasm).digest('hex').slice(0, 16);
  const base = `scanner-worker-${h}`;
  await writeFile(path.join(staging, `${base}.js`), glue);
  await writeFile(path.join(staging, `${base}_bg.wasm`), wasm);
  await writeFile(
    path.join(staging, `${base}_loader.js`),
    `importScripts("./${base}.js");wasm_bindgen("./${base}_bg.wasm");\n`,
  );
  for (const n of names) await rm(path.join(staging, n));
  if (!html.includes('</head>')) {
    console.error('postbuild: index.html has no </head>');
    process.exit(2);
  }
  html = html.replace('</head>', `<meta name="healthcode-scanner-worker" content="./${base}_loader.js" />\n</head>`);
}

// 1. The inline script.
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const found = html.match(inline);
if (!found) {
  console.error('postbuild: no inline module script in index.html (did Trunk change?)');
  process.exit(2);
}
const boot = found[1].trim() + '\n';
const bootName = `boot-${sha(boot)}.js`;
await writeFile(path.join(staging, bootName), boot);
html = html.replace(inline, `<script type="module" src="/${bootName}"></script>`);
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
  console.error('postbuild: index.html still has an inline script');
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
console.log(`postbuild: scanner worker hashed, ${bootName}, 3 icons, sw.js precaching ${precache.length} files`);
