#!/usr/bin/env node
// Scan-to-verdict latency of the checkpoint page, and long tasks on its main thread while it
// scans (issue #7 "Scan-to-verdict latency", issue #5 "Smooth under load"). A benchmark, not a
// test: it prints figures and fails only when it cannot measure.
//
//   node scripts/bench-latency.mjs [--scans 60] [--json out.json] [--frame-source bitmap] [--trace]
//   node scripts/bench-latency.mjs --duration 40      (long tasks over a fixed scanning time)
//
// Needs the CLI (target/debug/healthcode or $HEALTHCODE_BIN) and the built app (dist/ or
// $HEALTHCODE_DIST): `cargo build --bin healthcode && trunk build --release`.
//
// How: the CLI makes a green presentation and its trust list; the fake camera plays a video
// that alternates 0.5 s of the code (640×480, QR 400 px tall) with 0.5 s of a blank white
// frame. The page defines `window.__healthcodeTimings`, so the scanner (src/web/scanner.rs)
// records for each reported text: `emptyAt` (grab time of the previous frame, which had no
// code), `grabbedAt` (grab time of the frame that was read), `decodeMs` (the worker's time on
// it) and `reportedAt` (when the page got the text). An in-page MutationObserver notes when
// each verdict element is added (after the registration-log write the verdict waits for),
// then `paintedAt`: the first moment after the next paint (requestAnimationFrame, then a
// task); it taps the verdict away 50 ms later, so scanning resumes. Each reported text is
// matched to the first verdict added after it. Only fresh appearances count: scans whose
// previous frame had no code (`emptyAt` set). The code first showed between `emptyAt` and
// `grabbedAt`, so
//   latency from the grab      = paintedAt - grabbedAt  (a lower bound), and
//   latency from the last blank = paintedAt - emptyAt   (an upper bound)
// bracket the time from "the frame that first shows the code" to "verdict painted".
// A PerformanceObserver('longtask') records main-thread tasks over 50 ms during the run, and
// one for 'long-animation-frame' (Chromium) says which scripts ran in each: both are printed.
// The frame source the scanner used (`data-frame-source`: `track-processor`, `bitmap` or
// `canvas`) is printed too; `--frame-source bitmap` hides `MediaStreamTrackProcessor` from
// the page first, so the same build measures the page-grabbed path (what Safari and Firefox
// use) for comparison. `--trace` also records a Chrome trace of the run (DevTools protocol
// `Tracing`, category `devtools.timeline`) and prints, for each main-thread task over 50 ms,
// its wall and CPU time (`dur`, `tdur`) and the biggest events inside it: on a loaded
// machine a task's wall time can be many times its CPU time.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';

import { launchWithCamera } from '../tests/e2e/browser.mjs';
import { DIST, ISSUER_NAME, makeFixture } from '../tests/e2e/cli.mjs';
import { serveStatic } from '../tests/e2e/server.mjs';
import { lumaPlane } from '../tests/e2e/y4m.mjs';

const { values: opts } = parseArgs({
  options: {
    scans: { type: 'string', default: '60' },
    // Instead: scan for this many seconds and report long tasks and verdicts only (works on a
    // build without the timings, e.g. the main-thread decoder before the worker).
    duration: { type: 'string' },
    json: { type: 'string' },
    // `bitmap`: measure the page-grabbed frames (no MediaStreamTrackProcessor).
    'frame-source': { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
});
const WANTED = Number(opts.scans);
const TIMEOUT = 60_000;
const W = 640;
const H = 480;
const CODE_FRAMES = 15; // 0.5 s at 30 fps
const BLANK_FRAMES = 15;

/** A 640×480 grey 4:2:0 y4m: the code for CODE_FRAMES frames, then white, looped by Chromium. */
async function alternatingY4m(png, out) {
  const image = PNG.sync.read(await readFile(png));
  const { plane } = lumaPlane(image, W, H, 400);
  const blank = new Uint8Array(W * H).fill(255);
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`, 'ascii')];
  const frame = (y) => parts.push(Buffer.from('FRAME\n', 'ascii'), y, chroma);
  for (let i = 0; i < CODE_FRAMES; i++) frame(plane);
  for (let i = 0; i < BLANK_FRAMES; i++) frame(blank);
  await writeFile(out, Buffer.concat(parts));
}

/** Runs in the page before its scripts: timings array, long tasks, verdict watcher. */
function instrument() {
  window.__healthcodeTimings = [];
  window.__longTasks = [];
  window.__verdictsAdded = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    window.__longTasks = null; // no Long Tasks API: reported as such
  }
  // Long animation frames (Chromium): which scripts ran in a frame over 50 ms.
  window.__longFrames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__longFrames.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          scripts: e.scripts.map((s) => ({ invoker: s.invoker, source: s.sourceFunctionName, duration: s.duration })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch (e) {
    window.__longFrames = null;
  }
  const watch = () =>
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType === 1 && n.matches?.('[data-testid="verdict"]')) {
            const added = { at: performance.now(), paintedAt: null, code: n.getAttribute('data-code') };
            window.__verdictsAdded.push(added);
            requestAnimationFrame(() => setTimeout(() => (added.paintedAt = performance.now()), 0));
            // Tap it away once it has been painted, so the scanner resumes.
            setTimeout(() => n.isConnected && n.click(), 50);
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  if (document.body) watch();
  else document.addEventListener('DOMContentLoaded', watch);
}

/** Starts a Chrome trace of the page's timeline; `stop()` resolves to its events. */
async function startTrace(page) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink'] },
  });
  return {
    stop: async () => {
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await done;
      return events;
    },
  };
}

/**
 * The renderer main threads' tasks in a trace: how many, those over 50 ms of wall time, and
 * the one with the most CPU time; each as start (s, trace clock from the first task), wall and
 * CPU ms (`dur`, `tdur`), and the three longest events inside it.
 */
function traceTasks(events) {
  const main = new Set(
    events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`));
  // Top-level tasks (category `toplevel`); `RunTask` (devtools.timeline) where a trace lacks them.
  const top = onMain.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  const tasks = top.length ? top : onMain.filter((e) => e.name === 'RunTask');
  const t0 = Math.min(...tasks.map((e) => e.ts));
  // The three events inside a task with the most CPU time, as "name wall/CPU ms".
  const describe = (task) => {
    const end = task.ts + task.dur;
    const inside = onMain
      .filter((e) => e !== task && e.tid === task.tid && e.pid === task.pid && e.ts >= task.ts && e.ts + e.dur <= end && e.name !== 'RunTask' && e.name !== task.name)
      .sort((a, b) => (b.tdur ?? b.dur) - (a.tdur ?? a.dur))
      .slice(0, 3)
      .map((e) => `${e.name}${e.args?.data?.type ? `(${e.args.data.type})` : ''}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : ''} ${(e.dur / 1000).toFixed(0)}/${((e.tdur ?? 0) / 1000).toFixed(0)} ms`)
      .join('; ');
    return { at: (task.ts - t0) / 1e6, wall: task.dur / 1000, cpu: (task.tdur ?? NaN) / 1000, inside };
  };
  const busiest = tasks.reduce((a, b) => ((b.tdur ?? 0) > (a?.tdur ?? -1) ? b : a), null);
  return {
    tasks: tasks.length,
    long: tasks.filter((e) => e.dur > 50_000).map(describe),
    longestCpu: busiest && describe(busiest),
  };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const stats = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    min: s[0],
    max: s[s.length - 1],
  };
};
const ms = (v) => (v === undefined ? '—' : `${v.toFixed(1)} ms`);

const fx = await makeFixture('latency');
const server = await serveStatic(DIST);
let browser;
try {
  const code = await fx.present('green', 'latency');
  const y4m = fx.file('latency.y4m');
  await alternatingY4m(code.png, y4m);

  browser = await launchWithCamera(y4m, server.origin);
  const { page } = browser;
  if (opts['frame-source'] === 'bitmap') {
    await page.addInitScript(() => {
      delete window.MediaStreamTrackProcessor;
    });
  } else if (opts['frame-source']) {
    throw new Error(`--frame-source: only "bitmap" can be forced (got ${opts['frame-source']})`);
  }
  await page.addInitScript(instrument);
  await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
  await page.setInputFiles('input[data-testid="root-file"]', fx.rootPub, { timeout: TIMEOUT });
  await page.waitForFunction(
    (id) => document.querySelector('[data-testid="root-status"]')?.textContent.includes(id) ?? false,
    fx.rootKeyId,
    { timeout: TIMEOUT, polling: 100 },
  );
  await page.setInputFiles('input[data-testid="trust-file"]', fx.trust, { timeout: TIMEOUT });
  await page.waitForFunction(
    (name) => document.querySelector('[data-testid="trust-status"]')?.textContent.includes(name) ?? false,
    ISSUER_NAME,
    { timeout: TIMEOUT, polling: 100 },
  );
  // Wait for the first verdict with the trust list, then start counting.
  await page.waitForFunction(
    () => window.__verdictsAdded.some((v) => v.code !== 'S|KID'),
    null,
    { timeout: TIMEOUT, polling: 50 },
  );
  const startupLongTasks = await page.evaluate(() => window.__longTasks && [...window.__longTasks]);
  const runStart = await page.evaluate(() => {
    window.__healthcodeTimings.length = 0;
    if (window.__longTasks) window.__longTasks.length = 0;
    if (window.__longFrames) window.__longFrames.length = 0;
    window.__verdictsAdded.length = 0;
    return performance.now();
  });
  const tracing = opts.trace ? await startTrace(page) : null;
  if (opts.duration) {
    await page.waitForTimeout(Number(opts.duration) * 1000); // a fixed run length is the point here
  } else {
    await page.waitForFunction(
      (n) => window.__healthcodeTimings.filter((t) => t.emptyAt !== null).length >= n,
      WANTED,
      { timeout: 10 * TIMEOUT, polling: 250 },
    );
  }
  // The run ends here: collecting the trace is heavy work for the browser, so tasks after this
  // moment are not counted.
  const runEnd = await page.evaluate(() => performance.now());
  const traced = tracing ? await tracing.stop() : null;
  // Let the last verdict's paint be noted.
  await page.waitForFunction(() => window.__verdictsAdded.every((v) => v.paintedAt !== null), null, { timeout: TIMEOUT, polling: 50 });
  const result = await page.evaluate(() => ({
    source: document.querySelector('[data-testid="scanner"]')?.dataset.frameSource ?? null,
    framesRead: Number(document.querySelector('[data-testid="scanner"]')?.dataset.framesRead ?? NaN),
    framesClosed: Number(document.querySelector('[data-testid="scanner"]')?.dataset.framesClosed ?? NaN),
    timings: window.__healthcodeTimings,
    longTasks: window.__longTasks,
    longFrames: window.__longFrames,
    verdicts: window.__verdictsAdded,
    now: performance.now(),
  }));
  await mkdir(path.join('tests', 'e2e', 'artifacts'), { recursive: true });
  await page.screenshot({ path: path.join('tests', 'e2e', 'artifacts', 'latency-last.png') });

  // Each reported text's verdict: the first one added after it (and before the next text).
  const reported = result.timings.map((t) => t.reportedAt);
  for (const [i, t] of result.timings.entries()) {
    const next = reported[i + 1] ?? Infinity;
    const v = result.verdicts.find((v) => v.at >= t.reportedAt && v.at < next && v.paintedAt !== null);
    t.verdictAt = v?.at ?? null;
    t.paintedAt = v?.paintedAt ?? null;
  }
  const fresh = result.timings.filter((t) => t.emptyAt !== null && t.paintedAt !== null);
  if (!fresh.length && !opts.duration) throw new Error('no scan was timed');
  const fromGrab = stats(fresh.map((t) => t.paintedAt - t.grabbedAt));
  const fromBlank = stats(fresh.map((t) => t.paintedAt - t.emptyAt));
  const sampling = stats(fresh.map((t) => t.grabbedAt - t.emptyAt));
  const decode = stats(fresh.map((t) => t.decodeMs));
  const toVerdict = stats(fresh.map((t) => t.verdictAt - t.reportedAt));
  const unmatched = result.timings.filter((t) => t.emptyAt !== null && t.paintedAt === null).length;
  const codes = {};
  for (const v of result.verdicts) codes[v.code] = (codes[v.code] ?? 0) + 1;
  const longTasks = result.longTasks && result.longTasks.filter((t) => t.start < runEnd);
  if (result.longFrames) result.longFrames = result.longFrames.filter((f) => f.start < runEnd);
  const runSeconds = (runEnd - runStart) / 1000;

  const rows = [
    ['fresh scans measured', String(fresh.length)],
    ['frame grabbed → verdict painted (median / p95)', `${ms(fromGrab.median)} / ${ms(fromGrab.p95)} (max ${ms(fromGrab.max)})`],
    ['last blank frame → verdict painted (median / p95)', `${ms(fromBlank.median)} / ${ms(fromBlank.p95)} (max ${ms(fromBlank.max)})`],
    ['blank grab → code grab (sampling gap, median / p95)', `${ms(sampling.median)} / ${ms(sampling.p95)}`],
    ['worker time on the read frame (median / p95)', `${ms(decode.median)} / ${ms(decode.p95)}`],
    ['text reported → verdict in the DOM (verify + log write, median / p95)', `${ms(toVerdict.median)} / ${ms(toVerdict.p95)}`],
    ['fresh texts without a verdict (dropped while one showed)', String(unmatched)],
    ['frame source (data-frame-source)', `${result.source || '—'}${Number.isNaN(result.framesRead) ? '' : `; stream frames read ${result.framesRead}, closed ${result.framesClosed}`}`],
    ['verdicts during the run', JSON.stringify(codes)],
    [
      `long tasks > 50 ms on the main thread while scanning (${runSeconds.toFixed(0)} s)`,
      longTasks === null ? 'Long Tasks API missing' : `${longTasks.length}${longTasks.length ? ` (longest ${ms(Math.max(...longTasks.map((l) => l.duration)))})` : ''}`,
    ],
    [
      'long tasks during start-up and trust import (before counting)',
      startupLongTasks === null ? '—' : `${startupLongTasks.length}${startupLongTasks.length ? ` (longest ${ms(Math.max(...startupLongTasks.map((l) => l.duration)))})` : ''}`,
    ],
  ];
  // Each long task, with the scripts of the long animation frame it fell in.
  for (const t of longTasks ?? []) {
    const frame = (result.longFrames ?? []).find((f) => t.start < f.start + f.duration && f.start < t.start + t.duration);
    const what = frame?.scripts.map((sc) => `${sc.invoker}${sc.source ? ` (${sc.source})` : ''} ${sc.duration.toFixed(0)} ms`).join(', ');
    rows.push([`  long task at ${(t.start / 1000).toFixed(1)} s`, `${ms(t.duration)}: ${what || 'no script attributed (rendering, GC or browser work)'}`]);
  }
  if (traced) {
    const { tasks, long, longestCpu } = traceTasks(traced);
    rows.push([
      'traced main-thread tasks: count; over 50 ms wall; over 50 ms CPU',
      `${tasks}; ${long.length}; ${long.filter((t) => t.cpu > 50).length} (longest CPU of any task ${ms(longestCpu?.cpu)}: ${longestCpu?.inside || '—'})`,
    ]);
    for (const t of long) {
      rows.push([`  traced task at ${t.at.toFixed(1)} s`, `${ms(t.wall)} wall, ${ms(t.cpu)} CPU: ${t.inside}`]);
    }
  }
  // Script time inside long animation frames, by what invoked it.
  const byInvoker = {};
  for (const f of result.longFrames ?? []) {
    for (const sc of f.scripts) {
      const k = `${sc.invoker}${sc.source ? ` (${sc.source})` : ''}`;
      byInvoker[k] = (byInvoker[k] ?? 0) + sc.duration;
    }
  }
  const topInvokers = Object.entries(byInvoker).sort((a, b) => b[1] - a[1]).slice(0, 4);
  rows.push([
    'script time in long animation frames, by invoker (top 4)',
    result.longFrames === null ? 'LoAF API missing' : topInvokers.map(([k, v]) => `${k}: ${v.toFixed(0)} ms`).join('; ') || 'none',
  ]);
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`Scan-to-verdict latency, ${new Date().toISOString()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, headless Chromium, fake camera 640x480 @ 30 fps`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  if (opts.json) {
    await writeFile(opts.json, JSON.stringify({ source: result.source, fromGrab, fromBlank, sampling, decode, toVerdict, codes, longTasks, longFrames: result.longFrames, startupLongTasks, fresh }, null, 2));
  }
  if (browser.pageErrors.length) console.log(`page errors: ${browser.pageErrors.join(' | ')}`);
} finally {
  await browser?.close();
  await server.close();
  await fx.cleanup();
}
