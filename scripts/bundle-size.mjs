#!/usr/bin/env node
// Bundle sizes of the built app (issue #7 "Bundle and start-up"): raw and gzip (zlib level 9,
// the deflate of `gzip -9`) of what the resident page loads first, and of the checkpoint's
// scanner worker, against the goals (first load < 150 KB gzip, scanner < 300 KB gzip).
//
//   node scripts/bundle-size.mjs [dist]      (default: $HEALTHCODE_DIST or dist/)
//
// "Loaded first" is read from dist/index.html: the page itself, every script and stylesheet
// it links, and the resident bundle's .js/.wasm (healthcode-app-<hash>) that the start-up
// script loads; the staff pages (checkpoint, desk) load the staff bundle
// (healthcode-staff-<hash>) instead. The scanner is the three files of the decoder worker
// (scanner-worker-<hash>_loader.js, .js and _bg.wasm), fetched only when a scanner is shown.
// The service worker precaches every file in the background after the first load.

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(process.argv[2] ?? process.env.HEALTHCODE_DIST ?? 'dist');
const KB = 1024;
const html = await readFile(path.join(dist, 'index.html'), 'utf8');
const files = await readdir(dist);

const linked = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/?([^"]+)"[^>]*>/g)]
  .map((m) => m[1])
  .filter((f) => /\.(js|css)$/.test(f) && files.includes(f));
const boot = linked.filter((f) => f.startsWith('boot-'));
const imported = [];
for (const b of boot) {
  const text = await readFile(path.join(dist, b), 'utf8');
  for (const m of text.matchAll(/['"]\/?([^'"]+\.(?:js|wasm))['"]/g)) if (files.includes(m[1])) imported.push(m[1]);
}
const page = ['index.html', ...new Set(linked)];
const bundle = (name) => [...new Set(imported)].filter((f) => f.startsWith(`${name}-`));
const first = [...page, ...bundle('healthcode-app')];
const staffFirst = [...page, ...bundle('healthcode-staff')];
const scanner = files.filter((f) => /^scanner-worker(-[0-9a-f]+)?(_loader\.js|\.js|_bg\.wasm)$/.test(f)).sort();

async function table(title, list, goalKb) {
  let raw = 0;
  let gz = 0;
  console.log(`\n${title}`);
  for (const f of list) {
    const data = await readFile(path.join(dist, f));
    const g = gzipSync(data, { level: 9 }).length;
    raw += data.length;
    gz += g;
    console.log(`  ${f.padEnd(48)} ${(data.length / KB).toFixed(1).padStart(8)} KB ${(g / KB).toFixed(1).padStart(8)} KB gz`);
  }
  const verdict = gz / KB < goalKb ? 'meets' : `over by ${(gz / KB - goalKb).toFixed(1)} KB`;
  const goal = goalKb === null ? '' : `  (goal < ${goalKb} KB gz: ${verdict})`;
  console.log(`  ${'total'.padEnd(48)} ${(raw / KB).toFixed(1).padStart(8)} KB ${(gz / KB).toFixed(1).padStart(8)} KB gz${goal}`);
}

console.log(`Bundle sizes of ${dist} (gzip = zlib level 9)`);
await table('Resident page, first load', first, 150);
await table('Checkpoint or desk page, first load (no goal; the scanner worker apart)', staffFirst, null);
if (scanner.length) await table('Scanner worker (loaded when a scanner is shown)', scanner, 300);
else console.log('\nNo scanner worker files in dist/.');
