#!/usr/bin/env node
// Frame time in the browser, side by side (issue #7): our decoder compiled to wasm
// (tests/bench/decode_wasm.rs) in two forms — 'ours-stream', the scanner worker's per-frame
// path (healthcode::scan::FrameDecoder::decode_rgba, kept from frame to frame, each image
// given 8 frames in a row), and 'ours full', one frame at full effort (rgba_to_luma +
// decode_luma, all four passes) — beside zxing-wasm's
// reader build (its .wasm served from node_modules) and jsQR, on the same frames in the same
// headless Chromium run (/usr/bin/chromium through playwright-core).
//
//   node tests/bench/frame-time.mjs [--profile wasmbench|release] [--quick] [--json FILE]
//
// Needs tests/bench/build-wasm.sh [PROFILE] (the wasm module) and
// `cargo run --release --example screen_frames -- --bench-frames tests/bench/frames` (generated
// frames) first; scripts/bench.sh does both. Frames:
//  - corpus/<set>: every image of ../shared/qr-corpus at its own size (decode rate);
//  - corpus-fit <W>x<H>: every 3rd corpus image (every 6th with --quick) scaled into a
//    640x480 and a 1280x720 frame on grey (a code in a camera-sized frame);
//  - gen code / gen no-code <W>x<H>: the screen-through-camera generator's frames (10 each).
// Frame time = the decoder call on an ImageData already read from the canvas (ours includes
// copying the RGBA into wasm memory and the grey conversion; zxing-wasm converts to grey in JS
// inside readBarcodes). Generated frames are decoded 5 times and their median kept; for
// ours-stream every one of the 8 calls is a sample (so its median and mean are per frame of a
// stream, fallback frames included), "read" means read within the 8 frames, "1st" read at the
// first frame.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(root, '../shared/qr-corpus');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const profile = opt('--profile', 'wasmbench');
const quick = args.includes('--quick');
const jsonOut = opt('--json', null);
const decoders = ['ours-stream', 'ours', 'zxing-wasm', 'jsqr'];

const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript',
  '.wasm': 'application/wasm', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp' };
const allowed = [['/tests/bench/', path.join(root, 'tests/bench')],
  ['/node_modules/zxing-wasm/', path.join(root, 'node_modules/zxing-wasm')],
  ['/node_modules/jsqr/', path.join(root, 'node_modules/jsqr')],
  ['/corpus/', corpus]];
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  for (const [prefix, dir] of allowed) {
    if (!url.startsWith(prefix)) continue;
    const file = path.join(dir, url.slice(prefix.length));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) break;
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
    return;
  }
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// The frame list.
const manifest = fs.readFileSync(path.join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((l) => l.split('\t')).map(([image, expected]) => ({ image, expected }));
const frames = [];
manifest.forEach(({ image, expected }, i) => {
  const text = fs.readFileSync(path.join(corpus, expected), 'utf8');
  const url = `/corpus/${image.split('/').map(encodeURIComponent).join('/')}`; // names hold '#'
  frames.push({ url, fit: null, expected: text, group: `corpus/${image.split('/')[0]}`, repeat: 1 });
  if (i % (quick ? 6 : 3) === 0) {
    for (const fit of [[640, 480], [1280, 720]]) {
      frames.push({ url, fit, expected: text, group: `corpus-fit code ${fit[0]}x${fit[1]}`, repeat: 1 });
    }
  }
});
const genDir = path.join(root, 'tests/bench/frames');
for (const f of fs.readdirSync(genDir).filter((f) => f.endsWith('.png')).sort()) {
  const [kind, size] = f.split('-');
  const txt = path.join(genDir, f.replace(/\.png$/, '.txt'));
  frames.push({ url: `/tests/bench/frames/${f}`, fit: null,
    expected: kind === 'code' ? fs.readFileSync(txt, 'utf8') : null,
    group: `gen ${kind === 'code' ? 'code' : 'no-code'} ${size}`, repeat: 5 });
}

const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-bench-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: '/usr/bin/chromium', headless: true, timeout: 60_000,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = [];
let info;
try {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${origin}/tests/bench/page.html?profile=${profile}`);
  await page.waitForFunction(() => window.bench !== undefined);
  info = await page.evaluate(() => window.bench.ready());
  // Warm-up: every decoder on a few frames, not counted.
  await page.evaluate(([f, d]) => window.bench.run(f, d, 2), [frames.slice(0, 4), decoders]);
  const batch = 10;
  for (let i = 0; i < frames.length; i += batch) {
    for (const repeat of [1, 5]) {
      const part = frames.slice(i, i + batch).filter((f) => f.repeat === repeat);
      if (part.length) results.push(...await page.evaluate(([f, d, r]) => window.bench.run(f, d, r), [part, decoders, repeat]));
    }
    process.stderr.write(`\r${Math.min(i + batch, frames.length)}/${frames.length} frames`);
  }
  process.stderr.write('\n');
} finally {
  await context.close();
  server.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
}

// The table.
const pct = (v, p) => v.length ? v[Math.min(v.length - 1, Math.floor(p * v.length))] : NaN;
const groups = [...new Set(results.map((r) => r.group))];
const rows = [];
for (const g of groups) {
  const row = { group: g };
  for (const d of decoders) {
    const rs = results.filter((r) => r.group === g && r.decoder === d);
    const ms = rs.filter((r) => r.ms !== null).flatMap((r) => r.samples ?? [r.ms]).sort((a, b) => a - b);
    const mean = ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : NaN;
    row[d] = { ok: rs.filter((r) => r.ok).length, ok1: rs.filter((r) => r.ok1).length, n: rs.length,
      median: pct(ms, 0.5), p95: pct(ms, 0.95), mean };
  }
  rows.push(row);
}
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
console.log(`frame-time: ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0].model}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${info.userAgent}; wasm profile ${profile}; BarcodeDetector ${info.hasBarcodeDetector ? 'present: ' + info.barcodeFormats.join(',') : 'absent'}`);
console.log('ours-stream: read within 8 frames (read at the 1st frame); ms per frame median / p95 / mean. Others: read in one frame; median / p95 / mean ms.');
console.log('| frames | ours-stream read (1st) | ours-stream ms | ours full, one frame | ms | zxing-wasm | ms | jsQR | ms | stream ÷ zxing-wasm, median (mean) | stream ÷ jsQR, median |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const times = (d) => `${f1(r[d].median)} / ${f1(r[d].p95)} / ${f1(r[d].mean)}`;
  const cell = (d) => `${r[d].ok}/${r[d].n} | ${times(d)}`;
  const s = r['ours-stream'], z = r['zxing-wasm'];
  console.log(`| ${r.group} | ${s.ok}/${s.n} (${s.ok1}) | ${times('ours-stream')} | ${cell('ours')} | ${cell('zxing-wasm')} | ${cell('jsqr')} | ${f2(s.median / z.median)} (${f2(s.mean / z.mean)}) | ${f2(s.median / r.jsqr.median)} |`);
}
const unreadable = [...new Set(results.filter((r) => r.loadError).map((r) => `${r.url} (${r.loadError})`))];
if (unreadable.length) console.log(`Chromium could not decode ${unreadable.length} image(s), counted as failures for every decoder: ${unreadable.join('; ')}`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ info, profile, rows, results }, null, 1));
