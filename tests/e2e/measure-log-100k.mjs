// Measures the checkpoint with a 100,000-entry registration log (issue #5), in headless
// Chromium on the built app. Not a test (no timed assertions): prints the figures.
//
//   node tests/e2e/measure-log-100k.mjs [N]       (default N = 100000)
//
// 1. fill: opens `#checkpoint/fill=N` on a fresh profile; the page appends N synthetic
//    entries through its real IndexedDB store (1,000 per committed transaction) and reports
//    the time;
// 2. load: reloads; the time from navigation to the log being open (all entries read and
//    decoded, the chain verified) and the page's own load figure;
// 3. list: the log tab's first page (50 rows) rendered, the next page, a filter;
// 4. index: the index tab (today's counts, the hourly chart, deny reasons) rendered.
// Each step is timed in the page from the click to the next animation frame after the
// content appeared; long tasks (PerformanceObserver "longtask", > 50 ms) are listed.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { launchWithCamera } from './browser.mjs';
import { DIST } from './cli.mjs';
import { serveStatic } from './server.mjs';

const N = Number(process.argv[2] ?? 100_000);
const TIMEOUT = 15 * 60_000;

async function blankY4m(file) {
  const w = 320;
  const h = 240;
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(w * h, 235), Buffer.alloc((w / 2) * (h / 2) * 2, 128)]);
  await writeFile(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F5:1 Ip A1:1 C420jpeg\n`), frame, frame]));
  return file;
}

/** In the page: clicks `click`, waits until `ready()` holds, then one more frame; ms. */
function timeStep(page, click, readyJs) {
  return page.evaluate(
    async ([click, readyJs]) => {
      const ready = new Function(`return (${readyJs})`);
      const t0 = performance.now();
      document.querySelector(click).click();
      while (!ready()) await new Promise((r) => requestAnimationFrame(r));
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    },
    [click, readyJs],
  );
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-100k-'));
const server = await serveStatic(DIST);
const browser = await launchWithCamera(await blankY4m(path.join(dir, 'blank.y4m')), server.origin, { profileDir: path.join(dir, 'profile') });
const { page } = browser;
await page.addInitScript(() => {
  window.__long = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
});
const results = {};
try {
  let t = Date.now();
  await page.goto(`${server.url}#checkpoint/fill=${N}`, { waitUntil: 'load' });
  const report = await page.waitForSelector('[data-testid="fill-report"]', { timeout: TIMEOUT });
  results.fill = { wall_ms: Date.now() - t, page: await report.textContent() };

  t = Date.now();
  await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load' });
  await page.reload({ waitUntil: 'load' });
  const status = await page.waitForSelector('[data-testid="log-status"][data-state="ready"]', { timeout: TIMEOUT });
  results.load = {
    navigation_to_ready_ms: Date.now() - t,
    page_load_ms: Number(await status.getAttribute('data-load-ms')),
    entries: Number(await status.getAttribute('data-entries')),
    status: await status.textContent(),
  };
  await page.evaluate(() => { window.__long = []; });

  results.list_first_page_ms = await timeStep(page, '[data-testid="tab-log"]',
    `document.querySelectorAll('[data-testid="log-row"]').length === 50`);
  results.list_next_page_ms = await timeStep(page, '[data-testid="log-older"]',
    `document.querySelector('[data-testid="log-row"]')?.getAttribute('data-seq') === '${N - 50}'`);
  results.list_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));

  results.index_ms = await timeStep(page, '[data-testid="tab-index"]',
    `!!document.querySelector('[data-testid="idx-chart"]')`);
  results.index_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));
  results.index_scans_today = await page.getAttribute('[data-testid="idx-scans"]', 'data-count');
  await page.screenshot({ path: path.join(dir, 'index-100k.png'), fullPage: true });
  console.log(JSON.stringify(results, null, 2));
  console.log(`screenshot: ${path.join(dir, 'index-100k.png')}`);
} finally {
  await browser.close();
  await server.close();
  if (!process.env.HEALTHCODE_E2E_KEEP) await rm(dir, { recursive: true, force: true });
}
