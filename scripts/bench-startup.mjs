#!/usr/bin/env node
// Start-up of the resident page with a 4× slower CPU (issue #7 "Bundle and start-up"): time to
// interactive on the first load (fresh profile, nothing cached; the first run also makes the
// demo issuer and residents) and on a later load served by the service worker. Not a test
// (no timed assertions): prints the figures.
//
//   node scripts/bench-startup.mjs [--runs N] [--page resident|checkpoint] [dist]
//        (default 5 runs of the resident page, dist = $HEALTHCODE_DIST or dist/)
//
// Headless Chromium (playwright-core, /usr/bin/chromium) with CPU throttling through the
// Chrome DevTools protocol (`Emulation.setCPUThrottlingRate`, rate 4), no network throttling
// (the files come from a local server). Interactive = the page's content is shown (the
// resident's code card; the checkpoint's scan tab) and the main thread is free: the later of
// that moment and the end of the last long task (> 50 ms, PerformanceObserver "longtask"),
// once 3 s have passed with no long task (the quiet window of Lighthouse's TTI, shortened).
// Times are from the navigation's start (performance.timeOrigin).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { CHROMIUM, PHONE, chromiumArgs } from '../tests/e2e/browser.mjs';
import { serveStatic } from '../tests/e2e/server.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const RUNS = Number(opt('--runs', 5));
const PAGE = opt('--page', 'resident');
const DIST = path.resolve(args[0] ?? process.env.HEALTHCODE_DIST ?? 'dist');
const RATE = 4;
const QUIET_MS = 3000;
const READY = {
  resident: '[data-testid="code-card"]',
  checkpoint: '[data-testid="nav-checkpoint"].active',
}[PAGE];
if (!READY || !Number.isInteger(RUNS) || RUNS < 1) {
  console.error('usage: node scripts/bench-startup.mjs [--runs N] [--page resident|checkpoint] [dist]');
  process.exit(2);
}

/** Runs in the page before its own scripts: records long tasks and when READY first shows. */
function observe(ready) {
  window.__startup = { long: [], readyAt: null };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__startup.long.push([e.startTime, e.startTime + e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    if (document.querySelector(ready)) {
      // The frame after the content appeared: it has been painted.
      requestAnimationFrame(() => { window.__startup.readyAt = performance.now(); });
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
}

/** Waits for READY and a quiet main thread; returns {ready, interactive, longTasks} in ms. */
async function measure(page) {
  await page.waitForFunction(() => window.__startup?.readyAt != null, null, { timeout: 120_000, polling: 50 });
  await page.waitForFunction(
    (quiet) => {
      const s = window.__startup;
      const lastEnd = Math.max(s.readyAt, ...s.long.map(([, end]) => end));
      return performance.now() - lastEnd >= quiet;
    },
    QUIET_MS,
    { timeout: 120_000, polling: 100 },
  );
  return page.evaluate(() => {
    const s = window.__startup;
    return {
      ready: s.readyAt,
      interactive: Math.max(s.readyAt, ...s.long.map(([, end]) => end)),
      longTasks: s.long.map(([start, end]) => Math.round(end - start)),
    };
  });
}

const server = await serveStatic(DIST);
const results = { first: [], sw: [] };
try {
  for (let run = 0; run < RUNS; run++) {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-startup-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: chromiumArgs('/dev/null'),
      viewport: PHONE,
      locale: 'en-US',
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.addInitScript(observe, READY);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
      await page.goto(`${server.url}#${PAGE}`, { waitUntil: 'commit' });
      results.first.push(await measure(page));
      // The service worker has precached the app and controls the page after this.
      await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 120_000, polling: 100 });
      const before = server.requests.length;
      await page.reload({ waitUntil: 'commit' });
      results.sw.push(await measure(page));
      const fetched = server.requests.slice(before).filter((r) => !r.includes('/sw.js'));
      if (fetched.length > 0) console.error(`run ${run + 1}: the reload reached the server: ${fetched.join(', ')}`);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }
} finally {
  await server.close();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${Math.round(x)} ms`;
console.log(`Start-up of #${PAGE}, ${RUNS} runs, CPU throttled ${RATE}×, ${DIST}`);
for (const [name, label] of [['first', 'first load (fresh profile)'], ['sw', 'from the service worker']]) {
  const r = results[name];
  console.log(
    `  ${label.padEnd(28)} content shown: median ${ms(median(r.map((x) => x.ready)))}; ` +
      `interactive: median ${ms(median(r.map((x) => x.interactive)))}, max ${ms(Math.max(...r.map((x) => x.interactive)))}; ` +
      `long tasks: ${r.map((x) => `[${x.longTasks.join(', ')}]`).join(' ')}`,
  );
}
