// Measures the checkpoint with a 100,000-entry registration log (issue #5), in headless
// Chromium on the built app. Not a test (no timed assertions): prints the figures.
//
//   node tests/e2e/measure-log-100k.mjs [N]       (default N = 100000)
//
// 1. fill: on a fresh profile, writes N synthetic entries (examples/log_fill.rs, the core's own
//    chain) into the page's IndexedDB through tests/e2e/log-fill.mjs, 5,000 a transaction,
//    and reports the time (the app itself has no route that writes test data);
// 2. load: reloads; the time from navigation to the log being open (ready to scan and
//    append: the count and the last entry read) and the page's own figure, then the
//    background chain check over every entry (its time as the page reports it);
// 3. list: the log tab's first page (50 rows) rendered, the next page, a decision filter, a
//    colour + decision filter, a time window, a page deep in a filter;
// 4. index: the index tab (today's counts, the hourly chart, deny reasons) rendered;
// 5. exports: the CSV and the verifiable export of every entry, click to download.
// Each step is timed in the page from the click to the next animation frame after the
// content appeared; long tasks (PerformanceObserver "longtask", > 50 ms) are listed per step
// (`*_long_tasks_ms`; the open's list includes the app's own start-up: wasm compile and
// first render).

import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { launchWithCamera } from './browser.mjs';
import { DIST, unixNow } from './cli.mjs';
import { fillLog } from './log-fill.mjs';
import { serveStatic } from './server.mjs';
import { blankY4m } from './y4m.mjs';

const N = Number(process.argv[2] ?? 100_000);
const TIMEOUT = 15 * 60_000;

/**
 * In the page: clicks `click`, waits (one animation frame at a time) until the element
 * `sel` is there `count` times (or has `attr` = `value`), then one more frame; ms. (No
 * `new Function`: the page's CSP forbids eval.)
 */
function timeStep(page, click, want) {
  return page.evaluate(
    async ([click, want]) => {
      const ready = () => {
        const els = document.querySelectorAll(want.sel);
        if (want.attr) return els[0]?.getAttribute(want.attr) === want.value;
        return els.length >= want.count;
      };
      const t0 = performance.now();
      document.querySelector(click).click();
      while (!ready()) {
        if (performance.now() - t0 > 120_000) return -1;
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(r));
      return Math.round(performance.now() - t0);
    },
    [click, want],
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
page.on('pageerror', (e) => console.error(`page error: ${e}`));
const results = {};
try {
  let t = Date.now();
  await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid="log-status"][data-state="ready"]', { timeout: TIMEOUT });
  const pageMs = await fillLog(page, N, unixNow());
  results.fill = { wall_ms: Date.now() - t, page_ms: Math.round(pageMs) };
  console.error(`fill: ${JSON.stringify(results.fill)}`);

  t = Date.now();
  await page.reload({ waitUntil: 'load' });
  const status = await page.waitForSelector('[data-testid="log-status"][data-state="ready"]', { timeout: TIMEOUT });
  results.load = {
    navigation_to_ready_ms: Date.now() - t,
    page_open_ms: Number(await status.getAttribute('data-load-ms')),
    entries: Number(await status.getAttribute('data-entries')),
  };
  results.load_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));
  const checked = await page.waitForSelector('[data-testid="log-status"][data-chain="intact"], [data-testid="log-status"][data-chain="broken"]', { timeout: TIMEOUT });
  results.chain_check = {
    navigation_to_checked_ms: Date.now() - t,
    page_chain_check_ms: Number(await checked.getAttribute('data-verify-ms')),
    status: await checked.textContent(),
  };
  results.chain_check_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));

  results.list_first_page_ms = await timeStep(page, '[data-testid="tab-log"]', { sel: '[data-testid="log-row"]', count: 50 });
  results.list_next_page_ms = await timeStep(page, '[data-testid="log-older"]',
    { sel: '[data-testid="log-row"]', attr: 'data-seq', value: String(N - 50) });
  results.list_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));

  /**
   * In the page: sets the filter controls `changes` ({testid: value}); times until the first
   * row changed (`rows_ms`) and until the number matching is shown (`total_ms`).
   */
  const filterStep = (changes) => page.evaluate(async (changes) => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const firstRow = () => document.querySelector('[data-testid="log-row"]')?.getAttribute('data-seq');
    const total = () => document.querySelector('[data-testid="log-count"]').getAttribute('data-total');
    const before = firstRow();
    const t0 = performance.now();
    for (const [id, value] of Object.entries(changes)) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      el.value = value;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
    let rows_ms = null;
    let total_ms = null;
    await frame();
    while ((rows_ms === null || total_ms === null) && performance.now() - t0 < 120_000) {
      const now = Math.round(performance.now() - t0);
      if (rows_ms === null && firstRow() !== before) rows_ms = now;
      if (total_ms === null && total() !== null) total_ms = now;
      await frame();
    }
    return { rows_ms, total_ms, total: Number(total()) };
  }, changes);
  results.filter_deny = await filterStep({ 'log-outcome': 'deny' });
  results.filter_deny_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));
  results.filter_red_deny = await filterStep({ 'log-colour': 'red' });
  results.filter_red_deny_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));
  // A two-hour window, 12 hours back, with every colour and decision.
  const window2h = await page.evaluate(() => {
    const local = (ms) => {
      const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
      return d.toISOString().slice(0, 16);
    };
    const now = Date.now();
    return { from: local(now - 14 * 3600_000), until: local(now - 12 * 3600_000) };
  });
  results.filter_time_window = await filterStep({ 'log-colour': '', 'log-outcome': '', 'log-from': window2h.from, 'log-until': window2h.until });
  results.filter_time_window_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));
  // Back to the deny filter, then 20 pages older (entries 1,001–1,050 of it).
  await filterStep({ 'log-from': '', 'log-until': '', 'log-outcome': 'deny' });
  results.deep_page_ms = await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const older = document.querySelector('[data-testid="log-older"]');
    const first = () => document.querySelector('[data-testid="log-row"]')?.getAttribute('data-seq');
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      const before = first();
      older.click();
      while (first() === before && performance.now() - t0 < 120_000) await frame();
    }
    await frame();
    return Math.round((performance.now() - t0) / 20);
  });
  results.deep_page_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));

  results.index_ms = await timeStep(page, '[data-testid="tab-index"]', { sel: '[data-testid="idx-chart"]', count: 1 });
  results.index_long_tasks_ms = await page.evaluate(() => window.__long.splice(0));
  results.index_scans_today = await page.getAttribute('[data-testid="idx-scans"]', 'data-count');
  await page.screenshot({ path: path.join(dir, 'index-100k.png'), fullPage: true });

  // Exports of every entry: click to the download, in wall time (the file is built in the page).
  await page.evaluate(() => document.querySelector('[data-testid="tab-log"]').click());
  await page.waitForSelector('[data-testid="export-csv"]');
  for (const [name, id] of [['csv', 'export-csv'], ['verifiable', 'export-log']]) {
    await page.evaluate(() => { window.__long = []; });
    const t1 = Date.now();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click(`[data-testid="${id}"]`),
    ]);
    const file = path.join(dir, `export.${name}`);
    await download.saveAs(file);
    const { size } = await stat(file);
    results[`export_${name}`] = { click_to_download_ms: Date.now() - t1, bytes: size };
    results[`export_${name}_long_tasks_ms`] = await page.evaluate(() => window.__long.splice(0));
  }
  console.log(JSON.stringify(results, null, 2));
  console.log(`screenshot: ${path.join(dir, 'index-100k.png')}`);
} finally {
  await browser.close();
  await server.close();
  if (!process.env.HEALTHCODE_E2E_KEEP) await rm(dir, { recursive: true, force: true });
}
