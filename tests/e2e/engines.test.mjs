// End-to-end, in every engine: Chromium (playwright-core), Firefox ESR (puppeteer-core, WebDriver
// BiDi) and WebKitGTK, Safari's engine (selenium-webdriver, WebKitWebDriver + MiniBrowser under
// Xvfb); issue #16. `HEALTHCODE_ENGINES=chromium,firefox,webkit` (the default) picks them.
// Each case runs in a fresh browser and takes the engine as its parameter:
//
// - checkpoint: a live green code (made by the CLI) is admitted and a red one denied, read by
//   the engine's own frame path (`data-frame-source`: `track-processor` where the page has
//   MediaStreamTrackProcessor, else `bitmap`), decoder worker and decoder; then the
//   scan-to-verdict time over `HEALTHCODE_SCANS` (default 15) codes;
// - camera errors: refused, none, busy, each said in words; Retry then starts the camera;
// - resident: the demo people show their codes (the QR drawn), the screen kept on (WebKit grants
//   the wake lock only after a tap: the page asks again on the first tap and says until then
//   that the screen may dim), switching person and language; the code re-signed in each new
//   30-second slot (the page's clock stepped forward, no waiting); a person added up to the
//   request QR, which `healthcode issue --request` reads; the storage-refused page;
// - registration: a log entry survives a reload; the CSV and verifiable exports the page offers
//   are right and `healthcode log verify` accepts the latter;
// - offline: with the server stopped, a reload is served by the service worker; a new
//   version is offered and taken on a tap without losing a code;
// - desk: the desk page reads the phone's request QR with its camera and issues; the phone
//   imports the credential by link.
//
// The camera: Firefox and WebKit cannot play a file as their camera, so in every engine the
// page's getUserMedia answers with a canvas stream showing the code (engines/camera.mjs); all
// after the stream is the engine's own. Timings go to artifacts/engines-timings.json.

import assert from 'node:assert/strict';
import { appendFile, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ARTIFACTS, DIST, ISSUER_NAME, makeFixture, run, runOk, unixNow } from './cli.mjs';
import { TIMEOUT, cameraInitScript, enginesFromEnv, launch, serveApp } from './engines/index.mjs';

const ENGINES = enginesFromEnv();
const SCANS = Number(process.env.HEALTHCODE_SCANS ?? 15);
const CARD = '[data-testid="code-card"]';
const VERDICT = '[data-testid="verdict"]';

/** The frame path each engine takes, by what it has: Chromium has MediaStreamTrackProcessor
 * on the window; Firefox has none; WebKitGTK 2.50 has it only in a worker behind a flag. */
const FRAME_SOURCE = { chromium: 'track-processor', firefox: 'bitmap', webkit: 'bitmap' };
/** Engines that refuse a screen wake lock (NotAllowedError) until the user touched the page. */
const WAKE_LOCK_AFTER_TAP = new Set(['webkit']);

/** Per engine: timings and case wall times, written at the end. */
const results = Object.fromEntries(ENGINES.map((e) => [e, { cases: {} }]));

/** Runs `body(driver)` in a fresh `engine`; on failure saves a screenshot and the page's
 * errors under artifacts/ and adds them to the error; always closes the browser. */
async function inEngine(engine, name, body, launchOptions = {}) {
  const started = Date.now();
  const driver = await launch(engine, launchOptions);
  try {
    await body(driver);
  } catch (err) {
    const base = path.join(ARTIFACTS, `engines-${engine}-${name}-failure`);
    await driver.screenshot(`${base}.png`).catch(() => {});
    const errors = await driver.pageErrors().catch(() => null);
    const html = await driver.evaluate(() => document.body?.outerHTML.slice(0, 20_000) ?? '').catch(() => '');
    await writeFile(`${base}.json`, JSON.stringify({ error: String(err?.stack ?? err), pageErrors: errors, body: html }, null, 2)).catch(() => {});
    err.message += `\n[${engine}] page errors: ${JSON.stringify(errors)}; screenshot ${base}.png`;
    throw err;
  } finally {
    await driver.close();
    results[engine].cases[name] = Date.now() - started;
  }
}

/** Fails if the page reported uncaught errors (where the engine can tell). */
async function assertNoPageErrors(driver) {
  const errors = await driver.pageErrors();
  if (errors !== null) assert.deepEqual(errors, [], `${driver.name}: page errors`);
}

/** Waits for the QR of the code card to be drawn; resolves to performance.now() then (ms
 * since the navigation started, polled every 10 ms). */
function qrVisibleAt(driver) {
  return driver.waitFor(
    (sel) => {
      const r = document.querySelector(`${sel} .qr svg`)?.getBoundingClientRect();
      return r && r.width > 100 && r.height > 100 ? performance.now() : null;
    },
    CARD,
    { polling: 10, what: 'the QR of the code card' },
  );
}

/** Pins the fixture's root key and imports its trust list on the checkpoint page. */
async function importTrust(driver, fx) {
  await driver.setInputFile('input[data-testid="root-file"]', fx.rootPub);
  await driver.waitFor(
    (id) => document.querySelector('[data-testid="root-status"]')?.textContent.includes(id) ?? false,
    fx.rootKeyId,
    { what: 'the root key pinned' },
  );
  await driver.setInputFile('input[data-testid="trust-file"]', fx.trust);
  await driver.waitFor(
    (name) => document.querySelector('[data-testid="trust-status"]')?.textContent.includes(name) ?? false,
    ISSUER_NAME,
    { what: 'the trust list imported' },
  );
}

/** Shows the PNG `file` to the camera; resolves to when it was drawn (performance.now()). */
async function showCode(driver, file) {
  const b64 = (await readFile(file)).toString('base64');
  return driver.evaluate((png) => window.__e2eCamera.show(png), b64);
}

/** Waits for a verdict with a log sequence number above `afterSeq`; its attributes, and when
 * it entered the page (performance.now(), by a MutationObserver installed on first call). */
async function nextVerdict(driver, afterSeq) {
  return driver.waitFor(
    ([sel, after]) => {
      const v = document.querySelector(sel);
      const seq = Number(v?.getAttribute('data-log-seq') || 0);
      if (!v || seq <= after) return null;
      return {
        decision: v.getAttribute('data-decision'),
        code: v.getAttribute('data-code'),
        seq,
        at: window.__e2eVerdictSeen?.[String(seq)] ?? null,
      };
    },
    [VERDICT, afterSeq],
    { polling: 25, what: `a verdict after log entry ${afterSeq}` },
  );
}

/** The person walks on: the camera shows white again (waits until the <video> does), then
 * staff close the verdict with a tap, and it is gone. */
async function nextPerson(driver) {
  await driver.evaluate(() => window.__e2eCamera.blank());
  await driver.waitFor(
    () => {
      const v = document.querySelector('[data-testid="scanner"] video');
      if (!v || v.videoWidth === 0) return false;
      const c = document.createElement('canvas');
      c.width = v.videoWidth;
      c.height = v.videoHeight;
      const ctx = c.getContext('2d');
      ctx.drawImage(v, 0, 0);
      // The middle of the picture, where the code was: white again.
      const d = ctx.getImageData(Math.floor(c.width / 2) - 40, Math.floor(c.height / 2) - 40, 80, 80).data;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 200) return false;
      return true;
    },
    null,
    { what: 'the camera showing no code' },
  );
  await driver.click(VERDICT);
  await driver.waitForNoSelector(VERDICT);
}

/** Notes in `window.__e2eVerdictSeen[seq]` when each verdict entered the page
 * (performance.now(), by a MutationObserver). */
function watchVerdicts(driver) {
  return driver.evaluate((sel) => {
    window.__e2eVerdictSeen = {};
    const note = () => {
      const seq = document.querySelector(sel)?.getAttribute('data-log-seq');
      if (seq && !(seq in window.__e2eVerdictSeen)) window.__e2eVerdictSeen[seq] = performance.now();
    };
    new MutationObserver(note).observe(document.documentElement, { subtree: true, childList: true, attributes: true });
    return true;
  }, VERDICT);
}

/** Opens the checkpoint with a blank camera and waits until the scanner reads frames. */
async function openCheckpoint(driver, server) {
  await driver.goto(`${server.url}#checkpoint`);
  await watchVerdicts(driver);
  return driver.waitFor(
    () => {
      const s = document.querySelector('[data-testid="scanner"]');
      const source = s?.getAttribute('data-frame-source');
      return source && window.__e2eCamera?.streams > 0 ? { source } : null;
    },
    null,
    { what: 'the scanner reading camera frames' },
  );
}

/** The QR of the code card: when it was signed (`data-signed-at`, Unix seconds), its picture,
 * and the page's clock (`Date.now()`, ms; the test may have moved it). */
function shownCode(driver) {
  return driver.evaluate((sel) => {
    const q = document.querySelector(sel);
    return q && { signedAt: Number(q.getAttribute('data-signed-at')), svg: q.innerHTML, pageNow: Date.now() };
  }, `${CARD} .qr`);
}

/** Adds a person through the form, answering "no" to the four questions; resolves to the
 * request text (`HCR1:…`) shown under the request QR. */
async function addPerson(driver, name) {
  await driver.click('[data-testid="add-person"]');
  await driver.waitForSelector('[data-testid="add-form"]');
  await driver.fill('[data-testid="name"]', name);
  for (let i = 0; i < 4; i += 1) await driver.click(`[data-testid="q${i}-no"]`);
  await driver.click('[data-testid="make-request"]');
  await driver.waitForSelector('[data-testid="pending"] .qr.request svg');
  return (await driver.evaluate(() => document.querySelector('[data-testid="request-text"]').value)).trim();
}

/** The names on the person tabs, in order. */
const personNames = (driver) => driver.evaluate(() => [...document.querySelectorAll('[data-testid="person"]')].map((e) => e.textContent.trim()));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

describe('every engine', () => {
  let fx;
  let server;
  let work;

  before(async () => {
    await readFile(path.join(DIST, 'index.html')).catch(() => {
      throw new Error(`built app not found in ${DIST}: run \`trunk build --release\` or set HEALTHCODE_DIST`);
    });
    await mkdir(ARTIFACTS, { recursive: true });
    fx = await makeFixture('engines');
    work = fx.dir;
    server = await serveApp(DIST);
    server.setInitScript(cameraInitScript());
  });

  after(async () => {
    await server?.close();
    await fx?.cleanup();
    for (const [engine, r] of Object.entries(results)) {
      r.wallMs = Object.values(r.cases).reduce((a, b) => a + b, 0);
      process.stdout.write(`# ${engine}: ${JSON.stringify(r)}\n`);
    }
    await writeFile(path.join(ARTIFACTS, 'engines-timings.json'), `${JSON.stringify(results, null, 2)}\n`).catch(() => {});
  });

  for (const engine of ENGINES) {
    describe(engine, () => {
      it(`${engine}: checkpoint admits a live green code and denies a red one, through its own frame path and worker`, { timeout: 4 * TIMEOUT }, async (t) => {
        await inEngine(engine, 'checkpoint', async (driver) => {
          const { source } = await openCheckpoint(driver, server);
          // Until the lists are in, every issuer is unknown: import them first.
          await importTrust(driver, fx);

          const green = await fx.present('green', `${engine}-green`);
          await showCode(driver, green.png);
          const admitted = await nextVerdict(driver, 0);
          assert.deepEqual({ decision: admitted.decision, code: admitted.code }, { decision: 'admit', code: 'C|GRN' });
          await driver.screenshot(path.join(ARTIFACTS, `engines-${engine}-admit.png`));
          await nextPerson(driver);

          const red = await fx.present('red', `${engine}-red`);
          await showCode(driver, red.png);
          const denied = await nextVerdict(driver, admitted.seq);
          assert.deepEqual({ decision: denied.decision, code: denied.code }, { decision: 'deny', code: 'C|RED' });

          // The frames came through the path this engine has, from the canvas camera.
          const frames = await driver.evaluate(() => ({
            source: document.querySelector('[data-testid="scanner"]').getAttribute('data-frame-source'),
            mstp: 'MediaStreamTrackProcessor' in window,
            streams: window.__e2eCamera.streams,
            problem: document.querySelector('[data-testid="decoder-problem"]')?.textContent ?? null,
          }));
          assert.equal(frames.source, FRAME_SOURCE[engine], `${engine}: data-frame-source`);
          assert.equal(source, frames.source, 'the frame path did not change while scanning');
          assert.equal(frames.source === 'track-processor', frames.mstp, 'track-processor exactly where the page has MediaStreamTrackProcessor');
          assert.equal(frames.problem, null, 'no decoder problem');
          results[engine].frameSource = frames.source;
          t.diagnostic(`${engine}: frame source ${frames.source}`);
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: checkpoint scan-to-verdict over ${SCANS} codes`, { timeout: 4 * TIMEOUT + SCANS * 5000 }, async (t) => {
        await inEngine(engine, 'scan-timing', async (driver) => {
          await openCheckpoint(driver, server);
          await importTrust(driver, fx);
          // The scanner's own timings of each text it reports (scanner.rs `record_timing`).
          await driver.evaluate(() => {
            window.__healthcodeTimings = [];
            return true;
          });
          const times = [];
          let seq = 0;
          let at = 0;
          for (let i = 0; i < SCANS; i += 1) {
            // Each presentation signed just before it is shown, at least a second after the
            // one before (so no two are the same text: no replay).
            at = Math.max(unixNow(), at + 1);
            const code = await fx.present('green', `${engine}-scan-${i}`, at);
            const shownAt = await showCode(driver, code.png);
            const v = await nextVerdict(driver, seq);
            assert.equal(v.code, 'C|GRN', `${engine}: scan ${times.length + 1}`);
            assert.ok(v.at !== null && v.at > shownAt, `${engine}: scan ${times.length + 1}: the verdict came after the code was shown (${v.at} > ${shownAt})`);
            times.push(v.at - shownAt);
            seq = v.seq;
            await nextPerson(driver);
          }
          assert.equal(times.length, SCANS);
          const sorted = [...times].sort((a, b) => a - b);
          results[engine].scanToVerdictMs = {
            n: times.length,
            median: Math.round(median(times)),
            p95: Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]),
            min: Math.round(sorted[0]),
            max: Math.round(sorted[sorted.length - 1]),
          };
          // Where the time goes: the worker's decode of the frame read, and from that frame's
          // grab to the text reaching the page.
          const timings = await driver.evaluate(() => window.__healthcodeTimings);
          assert.equal(timings.length, SCANS, 'the scanner reported each code once');
          results[engine].scanner = {
            decodeMsMedian: Math.round(median(timings.map((x) => x.decodeMs))),
            grabToReportMsMedian: Math.round(median(timings.map((x) => x.reportedAt - x.grabbedAt))),
          };
          t.diagnostic(`${engine}: scan-to-verdict ${JSON.stringify(results[engine].scanToVerdictMs)}; scanner ${JSON.stringify(results[engine].scanner)}`);
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: camera errors are said in words, and Retry starts the camera`, { timeout: 3 * TIMEOUT }, async () => {
        await inEngine(engine, 'camera-errors', async (driver) => {
          const ERROR = '[data-testid="scanner"] .camera-error';
          await driver.goto(`${server.url}?e2e-camera-error=NotAllowedError#checkpoint`);
          const said = (words) =>
            driver.waitFor(([sel, w]) => document.querySelector(sel)?.textContent.includes(w) ?? false, [ERROR, words], { what: `"${words}"` });
          await said('Camera permission was refused.');
          for (const [name, words] of [['NotFoundError', 'No camera was found.'], ['NotReadableError', 'The camera is busy or not working.'], [null, null]]) {
            await driver.evaluate((n) => {
              window.__e2eCamera.failWith = n;
              return true;
            }, name);
            await driver.click(`${ERROR} button`);
            if (words) await said(words);
          }
          await driver.waitForNoSelector(ERROR);
          await driver.waitFor(() => document.querySelector('[data-testid="scanner"]')?.getAttribute('data-frame-source'), null, { what: 'the scanner reading frames after Retry' });
          assert.equal(await driver.getAttribute('[data-testid="scanner"]', 'data-frame-source'), FRAME_SOURCE[engine]);
          assert.equal(await driver.evaluate(() => window.__e2eCamera.streams), 1, 'one camera stream, after the last Retry');
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: resident shows the demo codes, switches person and language`, { timeout: 3 * TIMEOUT }, async (t) => {
        await inEngine(engine, 'resident', async (driver) => {
          await driver.goto(`${server.url}#resident`);
          results[engine].qrVisibleFirstLoadMs = Math.round(await qrVisibleAt(driver));
          t.diagnostic(`${engine}: resident QR visible ${results[engine].qrVisibleFirstLoadMs} ms after navigation start`);
          assert.equal(await driver.count('[data-testid="person"]'), 3);
          assert.equal(await driver.getAttribute(CARD, 'data-colour'), 'green');
          assert.match(await driver.getAttribute(`${CARD} .qr`, 'aria-label'), /^Health code QR: Green — free passage, 张\*伟$/);
          const signedAt = Number(await driver.getAttribute(`${CARD} .qr`, 'data-signed-at'));
          assert.ok(Math.abs(signedAt - unixNow()) < 60, `the code was signed just now (${signedAt})`);
          await driver.screenshot(path.join(ARTIFACTS, `engines-${engine}-resident.png`));

          // The screen is kept on; WebKit grants the wake lock only after a tap, and until then
          // the page says the screen may dim.
          const awake = () => driver.waitFor(() => {
            const s = document.querySelector('[data-testid="awake"]')?.getAttribute('data-awake');
            return s && s !== 'asking' ? s : null;
          }, null, { what: 'the wake lock answered' });
          const first = await awake();
          assert.equal(first, WAKE_LOCK_AFTER_TAP.has(engine) ? 'tap' : 'held', `${engine}: wake lock before a tap`);
          if (first === 'tap') {
            assert.match(await driver.text('[data-testid="awake"]'), /^Tap the screen to keep it on; until then it may dim/);
            await driver.click('[data-testid="awake"]');
          }
          assert.equal(await awake(), 'held', `${engine}: wake lock held`);
          assert.match(await driver.text('[data-testid="awake"]'), /^The screen stays on/);

          const person = (n) => driver.evaluate((i) => document.querySelectorAll('[data-testid="person"]')[i].click(), n);
          const colourShown = (colour) =>
            driver.waitFor((c) => document.querySelector(`[data-testid="code-card"][data-colour="${c}"] .qr svg`) !== null, colour, { what: `a ${colour} code` });
          await person(1);
          await colourShown('yellow');
          await person(2);
          await colourShown('red');

          await driver.click('[data-testid="lang-switch"]');
          await driver.waitFor(() => document.documentElement.lang === 'zh-CN', null, { what: 'Chinese' });
          assert.equal((await driver.text(`${CARD} [data-testid="status"]`)).trim(), '红码——14天隔离，还剩12天');
          await person(0);
          await colourShown('green');
          assert.equal((await driver.text(`${CARD} [data-testid="status"]`)).trim(), '绿码——正常通行');
          await driver.click('[data-testid="lang-switch"]');
          await driver.waitFor(() => document.documentElement.lang === 'en', null, { what: 'English' });
          assert.equal((await driver.text(`${CARD} [data-testid="status"]`)).trim(), 'Green — free passage');
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: resident code re-signs in each new 30-second slot`, { timeout: 3 * TIMEOUT }, async () => {
        await inEngine(engine, 'resident-resign', async (driver) => {
          await driver.goto(`${server.url}#resident`);
          await qrVisibleAt(driver);
          // The page's clock is stepped to 1 s into the next 30-second slot (the init script's
          // `__e2eClock`), twice: the code is signed again in each slot, no waiting.
          for (let step = 1; step <= 2; step += 1) {
            const before = await shownCode(driver);
            const next = (Math.floor(before.pageNow / 30_000) + 1) * 30;
            assert.ok(before.signedAt < next, `step ${step}: signed at ${before.signedAt}, before the slot at ${next}`);
            await driver.evaluate((to) => {
              window.__e2eClock.offsetMs += to * 1000 - Date.now();
              return true;
            }, next + 1);
            const after = await driver.waitFor(
              ([sel, at]) => {
                const q = document.querySelector(sel);
                const signedAt = Number(q?.getAttribute('data-signed-at'));
                return signedAt >= at ? { signedAt, svg: q.innerHTML } : null;
              },
              [`${CARD} .qr`, next],
              { what: `the code signed again at or after ${next}` },
            );
            assert.equal(Math.floor(after.signedAt / 30), next / 30, `step ${step}: signed in the slot from ${next} (at ${after.signedAt})`);
            assert.notEqual(after.svg, before.svg, `step ${step}: a new QR`);
            assert.ok(after.svg.includes('<svg'), `step ${step}: the QR is drawn`);
          }
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: resident adds a person up to the request QR`, { timeout: 3 * TIMEOUT }, async () => {
        await inEngine(engine, 'resident-add', async (driver) => {
          await driver.goto(`${server.url}#resident`);
          await qrVisibleAt(driver);
          const request = await addPerson(driver, '李小红');
          assert.match(request, /^HCR1:[0-9A-Z $%*+\-./:]+$/, 'request text in the QR alphanumeric alphabet');
          assert.deepEqual((await personNames(driver)).length, 4);
          assert.match(await driver.text('[data-testid="pending"] h1'), /李小红/);
          // The desk reads it: the holder's key and name, a declaration of four "no"s (green).
          const out = path.join(work, `${engine}-request.cred`);
          const issued = await run(['issue', '--issuer-key', fx.issuerKey, '--request', request, '--id-last4', '5678', '--out', out]);
          assert.equal(issued.code, 0, `issue --request: ${issued.stderr}`);
          assert.match(issued.stdout.trim(), /^HCC1:/);
          assert.match(issued.stderr, /suggested green$/m, `a declaration of four "no"s suggests green: ${issued.stderr}`);
          assert.match(issued.stderr, /^credential id [0-9a-f]{16} — green 李\*红 \*{4}5678$/m, `issued for the masked name: ${issued.stderr}`);
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: resident says what to do when storage is refused`, { timeout: 2 * TIMEOUT }, async () => {
        await inEngine(engine, 'storage-refused', async (driver) => {
          // A fresh profile whose every storage write throws QuotaExceededError (the init
          // script, `?e2e-storage=refused`).
          await driver.goto(`${server.url}?e2e-storage=refused#resident`);
          await driver.waitForSelector('[data-testid="storage-problem"]');
          assert.equal(
            await driver.evaluate(() => {
              try {
                localStorage.setItem('e2e', '1');
                return 'stored';
              } catch (e) {
                return e.name;
              }
            }),
            'QuotaExceededError',
          );
          const words = await driver.text('[data-testid="storage-problem"]');
          assert.match(words, /^This browser cannot keep your codes/);
          assert.match(words, /Leave private browsing, free some space, or allow site data for this page, then reload\.$/);
          assert.equal(await driver.count(CARD), 0, 'no code shown');
          await driver.screenshot(path.join(ARTIFACTS, `engines-${engine}-storage-refused.png`));
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: registration log entry survives a reload; its exports verify`, { timeout: 3 * TIMEOUT }, async () => {
        await inEngine(engine, 'registration', async (driver) => {
          await openCheckpoint(driver, server);
          await importTrust(driver, fx);
          const green = await fx.present('green', `${engine}-log`);
          await driver.fill('[data-testid="manual-text"]', green.text);
          await driver.click('[data-testid="manual-check"]');
          const v = await nextVerdict(driver, 0);
          assert.deepEqual({ decision: v.decision, code: v.code }, { decision: 'admit', code: 'C|GRN' });

          await driver.reload();
          const log = await driver.waitFor(
            () => {
              const s = document.querySelector('[data-testid="log-status"]');
              const state = s?.getAttribute('data-state');
              if (state === 'failed') return { failed: s.textContent };
              return state === 'ready' ? { entries: Number(s.getAttribute('data-entries')) } : null;
            },
            null,
            { what: 'the registration log open' },
          );
          assert.deepEqual(log, { entries: v.seq }, 'every entry is there after the reload');
          await driver.clickByScript('[data-testid="tab-log"]');
          const row = await driver.waitFor(
            (n) => {
              const r = document.querySelector(`[data-testid="log-row"][data-seq="${n}"]`);
              return r && { outcome: r.getAttribute('data-outcome'), colour: r.getAttribute('data-colour'), reasons: r.getAttribute('data-reasons') };
            },
            v.seq,
            { what: `log row ${v.seq}` },
          );
          assert.deepEqual(row, { outcome: 'admit', colour: 'green', reasons: 'C|GRN' });
          await driver.waitForSelector('[data-testid="log-status"][data-chain="intact"]');

          // The exports, as the page offers them for download: CSV (a header and the entry),
          // the verifiable log and the device key, which `healthcode log verify` accepts.
          const download = async (button, n) => {
            await driver.clickByScript(`[data-testid="${button}"]`);
            return driver.waitFor(
              async (i) => {
                const d = window.__e2eDownloads[i];
                return d ? { name: d.name, text: await d.blob.text() } : null;
              },
              n,
              { what: `the ${button} download` },
            );
          };
          const csv = await download('export-csv', 0);
          assert.match(csv.name, /^healthcode-log-.*\.csv$/);
          const csvLines = csv.text.split('\n').filter((l) => l.length > 0);
          assert.equal(csvLines.length, 2, `CSV: a header and one entry: ${csv.text}`);
          const jsonl = await download('export-log', 1);
          assert.match(jsonl.name, /^healthcode-log-.*\.jsonl$/);
          const key = await download('export-key', 2);
          assert.equal(key.name, 'checkpoint-log.key.pub');
          const logFile = path.join(work, `${engine}-gate.log.jsonl`);
          const keyFile = path.join(work, `${engine}-gate.key.pub`);
          await writeFile(logFile, jsonl.text);
          await writeFile(keyFile, key.text);
          const verified = await run(['log', 'verify', logFile, '--key', keyFile]);
          assert.equal(verified.code, 0, `log verify: ${verified.stdout}${verified.stderr}`);
          assert.match(verified.stdout, /^ok: 1 entries/);
          await assertNoPageErrors(driver);
        });
      });

      it(`${engine}: offline, a reload is served by the service worker`, { timeout: 3 * TIMEOUT }, async (t) => {
        const root = path.join(work, `dist-${engine}`);
        await cp(DIST, root, { recursive: true });
        const own = await serveApp(root);
        try {
          await inEngine(engine, 'offline', async (driver) => {
            await driver.goto(`${own.url}#resident`);
            await qrVisibleAt(driver);
            // The service worker takes control (controllerchange) once it has precached the app.
            await driver.evaluate(
              () =>
                navigator.serviceWorker.controller ??
                new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true), { once: true })),
            );
            await driver.waitFor(() => navigator.serviceWorker.controller !== null, null, { what: 'a controlling service worker' });
            await own.close();
            await assert.rejects(fetch(own.url), 'the server is stopped');
            await driver.reload();
            results[engine].qrVisibleFromServiceWorkerMs = Math.round(await qrVisibleAt(driver));
            t.diagnostic(`${engine}: resident QR visible ${results[engine].qrVisibleFromServiceWorkerMs} ms after an offline reload`);
            assert.equal(await driver.count('[data-testid="person"]'), 3);
            assert.equal(await driver.evaluate(() => navigator.serviceWorker.controller !== null), true);
            await assertNoPageErrors(driver);
          });
        } finally {
          await own.close();
          await rm(root, { recursive: true, force: true });
        }
      });

      it(`${engine}: offline, a new version is offered and taken without losing a code`, { timeout: 4 * TIMEOUT }, async () => {
        const root = path.join(work, `dist-update-${engine}`);
        await cp(DIST, root, { recursive: true });
        const own = await serveApp(root);
        own.setInitScript(cameraInitScript());
        try {
          await inEngine(engine, 'update', async (driver) => {
            await driver.goto(`${own.url}#resident`);
            await qrVisibleAt(driver);
            await addPerson(driver, '更新测试');
            await driver.waitFor(() => navigator.serviceWorker.controller !== null, null, { what: 'a controlling service worker' });
            // An update is offered to a page the service worker controlled from its start.
            await driver.reload();
            await qrVisibleAt(driver);
            const before = { names: await personNames(driver), label: await driver.getAttribute(`${CARD} .qr`, 'aria-label') };
            assert.equal(before.names.length, 4);
            assert.equal(await driver.evaluate(() => navigator.serviceWorker.controller !== null), true, 'controlled from the start');

            // A new version: the worker script changes; the page offers it and reloads on a tap.
            await appendFile(path.join(root, 'sw.js'), '\n// new version\n');
            await driver.evaluate(async () => {
              await (await navigator.serviceWorker.getRegistration())?.update();
              return true;
            });
            await driver.waitForSelector('[data-testid="update"] button');
            assert.match(await driver.text('[data-testid="update"]'), /\S/);
            await driver.screenshot(path.join(ARTIFACTS, `engines-${engine}-update-offered.png`));
            await driver.evaluate(() => {
              window.__e2eBeforeUpdate = true;
              return true;
            });
            await driver.click('[data-testid="update"] button');
            await driver.waitFor(
              (sel) => window.__e2eBeforeUpdate === undefined && document.querySelector(`${sel} .qr svg`) !== null,
              CARD,
              { what: 'the page reloaded by the new version, the code shown' },
            );
            assert.equal(await driver.count('[data-testid="update"]'), 0, 'no update offered any more');
            assert.deepEqual(await personNames(driver), before.names, 'every person kept');
            assert.equal(await driver.getAttribute(`${CARD} .qr`, 'aria-label'), before.label, 'the same code shown');
            assert.equal(
              await driver.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting === null && navigator.serviceWorker.controller !== null),
              true,
              'the new version controls the page, none waits',
            );
            await assertNoPageErrors(driver);
          });
        } finally {
          await own.close();
          await rm(root, { recursive: true, force: true });
        }
      });

      it(`${engine}: the desk reads the phone's request with its camera and issues; the phone imports the code by link`, { timeout: 4 * TIMEOUT }, async () => {
        await inEngine(engine, 'desk', async (driver) => {
          // The phone asks: a person added with a declaration (travel from a high-risk area).
          await driver.goto(`${server.url}#resident`);
          await qrVisibleAt(driver);
          await driver.click('[data-testid="add-person"]');
          await driver.fill('[data-testid="name"]', '王小明');
          await driver.click('[data-testid="q2-yes"]');
          await driver.click('[data-testid="make-request"]');
          await driver.waitForSelector('[data-testid="pending"] .qr.request svg');
          const request = (await driver.evaluate(() => document.querySelector('[data-testid="request-text"]').value)).trim();
          assert.match(request, /^HCR1:/);
          assert.equal(await driver.count('[data-testid="person"]'), 4);

          // The desk (here the same browser, as on an office's own phone) reads the request
          // QR with its camera: it suggests yellow; the officer confirms and issues.
          await driver.goto(`${server.url}#desk`);
          await driver.waitForSelector('[data-testid="scan-request"]');
          const requestQr = await fx.render(request, `${engine}-request`);
          await showCode(driver, requestQr.png);
          await driver.click('[data-testid="scan-request"]');
          await driver.waitForSelector('[data-testid="suggestion"]');
          assert.equal(await driver.getAttribute('[data-testid="suggestion"]', 'data-colour'), 'yellow');
          await driver.fill('[data-testid="id-last4"]', '4321');
          await driver.click('[data-testid="issue"]');
          await driver.waitForSelector('[data-testid="issued"] .qr svg');
          const link = await driver.evaluate(() => document.querySelector('[data-testid="issued-link"]').value);
          assert.match(link, /#import=HCC1:/);
          await driver.screenshot(path.join(ARTIFACTS, `engines-${engine}-desk-issued.png`));

          // The phone opens the import link.
          await driver.goto('about:blank');
          await driver.goto(link);
          await driver.waitForSelector(`${CARD}[data-colour="yellow"] .qr svg`);
          assert.equal((await driver.text('[data-testid="notice"]')).trim(), 'Code added for 王*明.');
          assert.equal(await driver.evaluate(() => location.hash), '#resident', 'the code left the address bar');
          assert.equal(await driver.count('[data-testid="pending"]'), 0, 'nobody waits for a code');
          await assertNoPageErrors(driver);
        });
      });
    });
  }
});
