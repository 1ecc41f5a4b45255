// End-to-end test of the checkpoint page: real codes made by the CLI, shown to the app through
// Chromium's fake camera, verdicts read from the page.
//
// For each case: the CLI signs a fresh presentation (within the 60 s freshness window) and
// renders it as a QR PNG; the PNG becomes a .y4m video; a fresh headless Chromium plays it as
// its camera; the test opens /#checkpoint, imports the trust list, waits for the verdict on
// the code and checks its data attributes exactly, and saves a phone-sized full-page
// screenshot to tests/e2e/artifacts/<case>.png.
//
// Before the trust list is imported every code's issuer is unknown, so the only verdict the
// page can show is `S|KID`; the first verdict with another code is the verdict on the code
// with the trust list in place, and must match the expectation exactly. One more case skips
// the import and checks that very `S|KID` verdict (refer: cannot check here).
//
// Every case also checks the registration log: the verdict carries the number of the log
// entry written (and committed to IndexedDB) before it was shown (`data-log-seq`), and the
// log screen's row with that number holds the same outcome, colour and reason codes.
//
// A second suite, with a camera that sees no code, types codes into the page: the log
// survives a reload, the CSV export has one row per entry, and one altered byte in the
// verifiable export makes `healthcode log verify` name that entry. Another fills the log
// with the test tooling (`tests/e2e/log-fill.mjs`) and checks paging, the filters and
// the index against the known entries, then rewrites the database as version 1 stored it
// and checks the upgrade. A third sets the page clock back (Playwright's page.clock) and
// expects the clock banners.
//
// Needs target/debug/healthcode (or $HEALTHCODE_BIN) and the built app in dist/ (or
// $HEALTHCODE_DIST). Run: npm run test:e2e

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchWithCamera } from './browser.mjs';
import { ARTIFACTS, DIST, ISSUER_NAME, PLACE, makeFixture, run, unixNow } from './cli.mjs';
import { serveStatic } from './server.mjs';
import { fillLog } from './log-fill.mjs';
import { blankY4m, pngToY4m } from './y4m.mjs';
import { waitForLog } from './checkpoint-page.mjs';

/** How long to wait for the page, the import and the verdict, each. */
const TIMEOUT = 60_000;
/** Upper bound for one whole case (browser start, page, import, verdict), so nothing hangs. */
const CASE_TIMEOUT = 5 * TIMEOUT;

const VERDICT = '[data-testid="verdict"]';
const TRUST_FILE = 'input[data-testid="trust-file"]';
const TRUST_STATUS = '[data-testid="trust-status"]';
const ROOT_FILE = 'input[data-testid="root-file"]';
const TEMPERATURE = 'input[data-testid="temperature"]';
const REVOCATION_FILE = 'input[data-testid="revocation-file"]';
const REVOCATION_STATUS = '[data-testid="revocation-status"]';
const ROOT_STATUS = '[data-testid="root-status"]';

/**
 * The cases: which code the camera shows, and the verdict attributes expected, exactly.
 * `colour` is empty when the code could not be verified. `importTrust: false` skips the
 * trust list import; `cliCode` is the reason the CLI gives with the trust list (default: the
 * expected code).
 */
const CASES = [
  {
    name: 'green',
    what: 'a green code is admitted',
    make: (fx) => fx.present('green'),
    expected: { decision: 'admit', class: 'ok', code: 'C|GRN', colour: 'green' },
    log: { outcome: 'admit', colour: 'green' },
  },
  {
    name: 'yellow',
    what: 'a yellow code is denied (admit yellow is off by default)',
    make: (fx) => fx.present('yellow'),
    expected: { decision: 'deny', class: 'ok', code: 'C|YEL', colour: 'yellow' },
    log: { outcome: 'deny', colour: 'yellow' },
  },
  {
    name: 'tampered',
    what: 'a code whose issuer signature was altered is rejected as invalid',
    make: async (fx) => {
      const genuine = await fx.present('green', 'tampered-source');
      return fx.render(await fx.tamper(genuine.text), 'tampered');
    },
    expected: { decision: 'deny', class: 'invalid', code: 'S|SIG', colour: '' },
    log: { outcome: 'invalid', colour: '' },
  },
  {
    name: 'red',
    what: 'a red code is denied',
    make: (fx) => fx.present('red'),
    expected: { decision: 'deny', class: 'ok', code: 'C|RED', colour: 'red' },
    log: { outcome: 'deny', colour: 'red' },
  },
  {
    name: 'expired',
    what: 'an expired green code is denied as invalid',
    make: (fx) => fx.present('expired'),
    expected: { decision: 'deny', class: 'invalid', code: 'V|EXP', colour: '' },
    log: { outcome: 'invalid', colour: '' },
  },
  {
    name: 'fever',
    what: 'a green code with a temperature of 37.5 °C is denied and sent to the fever clinic',
    make: (fx) => fx.present('green', 'fever'),
    temperature: '37.5',
    cliArgs: () => ['--temperature', '37.5'],
    cliCode: 'T|FEV,C|GRN',
    expected: { decision: 'deny', class: 'ok', code: 'T|FEV', colour: 'green' },
    log: { outcome: 'deny', colour: 'green', temp: '375', reasons: ['T|FEV', 'C|GRN'] },
  },
  {
    name: 'paper',
    what: 'a paper code is referred to an ID-card check',
    make: (fx) => fx.render(fx.paperText, 'paper'),
    cliCode: 'P|PAP,C|GRN',
    expected: { decision: 'refer', class: 'ok', code: 'P|PAP', colour: 'green' },
    log: { outcome: 'refer', colour: 'green' },
  },
  {
    name: 'revoked',
    what: 'a code revoked by the authority is denied once the revocation list is imported',
    make: (fx) => fx.present('revoked'),
    importRevocation: true,
    cliArgs: (fx) => ['--revocation', fx.revocation],
    expected: { decision: 'deny', class: 'invalid', code: 'R|REV', colour: '' },
    log: { outcome: 'invalid', colour: '' },
  },
  {
    name: 'unknown-issuer',
    what: 'without the trust list, a good code cannot be checked: "cannot check: unknown issuer"',
    make: (fx) => fx.present('green', 'unknown-issuer'),
    importTrust: false,
    cliCode: 'C|GRN', // with the trust list, as the CLI checks it, the code is good
    expected: { decision: 'refer', class: 'cannot-check', code: 'S|KID', colour: '' },
    text: /cannot check: unknown issuer/i,
    log: { outcome: 'cannot-check', colour: '' },
  },
  {
    name: 'not-a-health-code',
    what: 'a QR code holding a web address gives "not a health code"',
    make: (fx) => fx.render('https://example.com/green-code', 'url'),
    cliCode: 'P|PFX',
    expected: { decision: 'deny', class: 'invalid', code: 'P|PFX', colour: '' },
    text: /not a health code/i,
    log: { outcome: 'invalid', colour: '' },
  },
  {
    name: 'pass-missing',
    what: 'where a pass is required, a green code without one is refused (A|MIS)',
    make: (fx) => fx.present('green', 'pass-missing'),
    settings: { placeId: PLACE, requirePass: true },
    cliArgs: () => ['--place', PLACE],
    expected: { decision: 'deny', class: 'invalid', code: 'A|MIS', colour: '' },
    log: { outcome: 'invalid', colour: '' },
  },
  {
    name: 'pass-present',
    what: 'where a pass is required, a green code with a pass for this place is admitted',
    make: (fx) => fx.present('green', 'pass-present', undefined, { withPass: true }),
    settings: { placeId: PLACE, requirePass: true },
    cliArgs: () => ['--place', PLACE],
    expected: { decision: 'admit', class: 'ok', code: 'C|GRN', colour: 'green' },
    log: { outcome: 'admit', colour: 'green' },
  },
  {
    name: 'replay',
    what: 'the same presentation scanned again is flagged: scanned before, admitted twice within a minute',
    make: (fx) => fx.present('green', 'replay'),
    expected: { decision: 'admit', class: 'ok', code: 'C|GRN', colour: 'green' },
    replay: true,
    log: { outcome: 'admit', colour: 'green', reasons: ['C|GRN', 'Q|RPL', 'Q|TWO'] },
  },
];

/** Every verdict element's attributes and text, for failure reports. */
function snapshotVerdicts(page) {
  return page
    .evaluate((sel) =>
      [...document.querySelectorAll(sel)].map((v) => ({
        decision: v.getAttribute('data-decision'),
        class: v.getAttribute('data-class'),
        code: v.getAttribute('data-code'),
        colour: v.getAttribute('data-colour'),
        text: v.innerText.trim().slice(0, 300),
      })), VERDICT)
    .catch((err) => `(could not read: ${err.message})`);
}

/**
 * Waits until the page shows a verdict whose `data-code` is not one of `ignore` and whose log
 * number is above `afterSeq`, and returns its attributes and text, read in the same poll that
 * found it: a verdict only stays up for a few seconds.
 */
async function waitForVerdict(page, { ignore = [], afterSeq = 0 } = {}) {
  const handle = await page.waitForFunction(
    ([sel, ignore, afterSeq]) => {
      for (const v of document.querySelectorAll(sel)) {
        const code = v.getAttribute('data-code');
        const seq = Number(v.getAttribute('data-log-seq') || 0);
        if (code !== null && !ignore.includes(code) && seq > afterSeq) {
          return {
            decision: v.getAttribute('data-decision'),
            class: v.getAttribute('data-class'),
            code,
            colour: v.getAttribute('data-colour'),
            logSeq: v.getAttribute('data-log-seq'),
            flags: v.getAttribute('data-flags'),
            took: v.getAttribute('data-took-ms'),
            text: v.innerText.trim().slice(0, 400),
          };
        }
      }
      return null;
    },
    [VERDICT, ignore, afterSeq],
    { timeout: TIMEOUT, polling: 100 },
  );
  return handle.jsonValue();
}

/** Clicks a tab by script (a verdict may cover the page; a script's click goes through). */
async function openTab(page, name) {
  await page.evaluate((n) => document.querySelector(`[data-testid="tab-${n}"]`).click(), name);
}

/** The log screen's row for entry `seq`: outcome, colour, reasons, temperature. */
async function logRow(page, seq) {
  await openTab(page, 'log');
  const handle = await page.waitForFunction(
    (n) => {
      const row = document.querySelector(`[data-testid="log-row"][data-seq="${n}"]`);
      return row
        ? {
            outcome: row.getAttribute('data-outcome'),
            colour: row.getAttribute('data-colour'),
            reasons: row.getAttribute('data-reasons').split(','),
            temp: row.getAttribute('data-temp'),
          }
        : null;
    },
    seq,
    { timeout: TIMEOUT, polling: 100 },
  );
  return handle.jsonValue();
}

/** Sets checkpoint settings on the settings tab and saves them; back to the scan tab. */
async function setSettings(page, { placeId, requirePass }) {
  await openTab(page, 'settings');
  if (placeId !== undefined) await page.fill('[data-testid="set-place-id"]', placeId, { timeout: TIMEOUT });
  if (requirePass !== undefined) await page.setChecked('[data-testid="set-require-pass"]', requirePass, { timeout: TIMEOUT });
  await page.click('[data-testid="settings-save"]', { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="notice"]', { timeout: TIMEOUT });
  await openTab(page, 'scan');
}

/** Pins the root and imports the trust list (and the revocation list), waiting for each. */
async function importLists(page, fx, { revocation = false } = {}) {
  await page.setInputFiles(ROOT_FILE, fx.rootPub, { timeout: TIMEOUT });
  await page.waitForFunction(
    ([sel, id]) => document.querySelector(sel)?.textContent.includes(id) ?? false,
    [ROOT_STATUS, fx.rootKeyId],
    { timeout: TIMEOUT, polling: 100 },
  );
  await page.setInputFiles(TRUST_FILE, fx.trust, { timeout: TIMEOUT });
  await page.waitForFunction(
    ([sel, name]) => document.querySelector(sel)?.textContent.includes(name) ?? false,
    [TRUST_STATUS, ISSUER_NAME],
    { timeout: TIMEOUT, polling: 100 },
  );
  if (revocation) {
    await page.setInputFiles(REVOCATION_FILE, fx.revocation, { timeout: TIMEOUT });
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent.includes(': 1 revoked ids') ?? false,
      REVOCATION_STATUS,
      { timeout: TIMEOUT, polling: 100 },
    );
  }
}

describe('checkpoint page reads codes from the camera', () => {
  let fx;
  let server;

  before(async () => {
    if (!existsSync(path.join(DIST, 'index.html'))) {
      throw new Error(`built app not found in ${DIST}: run \`trunk build\` or set HEALTHCODE_DIST`);
    }
    await mkdir(ARTIFACTS, { recursive: true });
    fx = await makeFixture('checkpoint');
    server = await serveStatic(DIST);
  });

  after(async () => {
    await server?.close();
    await fx?.cleanup();
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.what}`, { timeout: CASE_TIMEOUT }, async (t) => {
      // Reports of an earlier failed run would mislead.
      for (const ext of ['png', 'json']) {
        await rm(path.join(ARTIFACTS, `${c.name}-failure.${ext}`), { force: true });
      }

      // A fresh presentation, made just before the browser starts.
      const code = await c.make(fx);
      const y4m = fx.file(`${c.name}.y4m`);
      const drawn = await pngToY4m(code.png, y4m, { width: 640, height: 480 });
      t.diagnostic(`QR ${drawn.drawnWidth}x${drawn.drawnHeight} px in a 640x480 frame; text ${code.text.length} chars`);

      // Precondition: the CLI, with the same decoder and verifier, reads this very image and
      // gives the expected reason. A failure below is then the app's, not the code's.
      const cliCode = c.cliCode ?? c.expected.code;
      const cli = await run(['verify', code.png, ...fx.verifyArgs, ...(c.cliArgs?.(fx) ?? [])]);
      assert.ok(
        cli.stdout.includes(`[${cliCode}]`),
        `precondition: \`healthcode verify\` on ${code.png} gives ${cliCode}; got exit ${cli.code}: ${cli.stdout}${cli.stderr}`,
      );

      const firstRequest = server.requests.length;
      const failedRequests = () => server.requests.slice(firstRequest).filter((r) => !r.startsWith('200 '));
      const browser = await launchWithCamera(y4m, server.origin);
      const { page } = browser;
      let step = 'opening the checkpoint page';
      try {
        await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });

        let verdict;
        const started = Date.now();
        step = 'waiting for the registration log';
        await waitForLog(page);
        if (c.settings) {
          step = 'setting the checkpoint settings';
          await setSettings(page, c.settings);
        }
        if (c.importTrust === false) {
          step = 'waiting for the verdict (no trust list imported)';
          verdict = await waitForVerdict(page);
        } else {
          if (c.temperature) {
            step = 'typing the temperature';
            await page.fill(TEMPERATURE, c.temperature, { timeout: TIMEOUT });
          }
          step = 'importing the lists';
          await importLists(page, fx, { revocation: c.importRevocation });
          // Until the trust list is in, every code's issuer is unknown (S|KID); until the
          // revocation list is in, the revoked code verified (C|GRN): skip those verdicts.
          step = 'waiting for the verdict';
          verdict = await waitForVerdict(page, { ignore: c.importRevocation ? ['S|KID', 'C|GRN'] : ['S|KID'] });
          if (c.replay) {
            // The camera still shows the same presentation: its next scan is a replay.
            step = 'waiting for the replayed verdict';
            verdict = await waitForVerdict(page, { ignore: ['S|KID'], afterSeq: Number(verdict.logSeq) });
            assert.match(verdict.flags, /Q\|RPL/, 'the replay is flagged as scanned before');
            assert.match(verdict.flags, /Q\|TWO/, 'the second admission within a minute is flagged');
            assert.match(verdict.text, /scanned \d+ s ago/i);
            assert.match(verdict.text, /admitted twice within a minute/i);
          }
        }
        await page.screenshot({ path: path.join(ARTIFACTS, `${c.name}.png`), fullPage: true });
        t.diagnostic(`verdict after ${Date.now() - started} ms: ${JSON.stringify(verdict)}`);

        step = 'checking the verdict';
        const { text, logSeq, flags, took, ...attributes } = verdict;
        assert.deepEqual(attributes, c.expected, `verdict attributes (verdict text: ${JSON.stringify(text)})`);
        assert.ok(text.length > 0, 'the verdict shows some text to staff');
        if (c.text) assert.match(text, c.text);

        step = 'checking the log entry';
        assert.match(logSeq ?? '', /^[1-9][0-9]*$/, `the verdict names its log entry (flags ${flags})`);
        const row = await logRow(page, Number(logSeq));
        assert.equal(row.outcome, c.log.outcome, 'logged outcome');
        assert.equal(row.colour, c.log.colour, 'logged colour');
        // The camera saw the code before the trust list was in (S|KID), so the verdict read
        // here is that presentation's second scan and carries Q|RPL; the replay case checks
        // the flags themselves.
        const reasons = c.replay ? row.reasons : row.reasons.filter((r) => r !== 'Q|RPL');
        if (c.log.reasons) assert.deepEqual(reasons, c.log.reasons, 'logged reasons');
        else assert.equal(row.reasons[0], c.expected.code, 'logged deciding reason');
        if (c.log.temp) assert.equal(row.temp, c.log.temp, 'logged temperature, tenths of °C');
        t.diagnostic(`log entry ${logSeq}: ${JSON.stringify(row)}; frame to verdict ${took} ms`);

        // A Rust panic is logged by console_error_panic_hook before it surfaces as an exception.
        const panics = browser.consoleErrors.filter((m) => m.includes('panicked at'));
        assert.deepEqual(panics, [], 'no Rust panic in the page');
        assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
        if (browser.consoleErrors.length) {
          t.diagnostic(`console errors (not failing): ${browser.consoleErrors.join(' | ')}`);
        }
        if (failedRequests().length) t.diagnostic(`requests not served: ${failedRequests().join(' | ')}`);
      } catch (err) {
        // Say where it stopped and what the page showed at that moment.
        const shot = path.join(ARTIFACTS, `${c.name}-failure.png`);
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
        const report = {
          step,
          url: page.url(),
          verdicts: await snapshotVerdicts(page),
          trustStatus: await page
            .evaluate((sel) => document.querySelector(sel)?.textContent ?? '(no trust-status element)', TRUST_STATUS)
            .catch((e) => `(could not read: ${e.message})`),
          pageErrors: browser.pageErrors,
          consoleErrors: browser.consoleErrors,
          failedRequests: failedRequests(),
          body: await page.evaluate(() => document.body?.innerText.slice(0, 1500)).catch(() => ''),
          screenshot: shot,
        };
        await writeFile(path.join(ARTIFACTS, `${c.name}-failure.json`), JSON.stringify(report, null, 2));
        err.message += `\n--- page state (${c.name}) ---\n${JSON.stringify(report, null, 2)}`;
        throw err;
      } finally {
        await browser.close();
      }
    });
  }
});

describe('the registration log survives a reload and exports verifiably', () => {
  let fx;
  let server;
  let browser;
  let profile;

  before(async () => {
    fx = await makeFixture('checkpoint-log');
    server = await serveStatic(DIST);
    profile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-log-'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await fx?.cleanup();
    await rm(profile, { recursive: true, force: true });
  });

  it('keeps every entry across a reload; the CSV has one row per entry; an altered export byte is named', { timeout: CASE_TIMEOUT }, async () => {
    const camera = await blankY4m(fx.file('blank.y4m'));
    browser = await launchWithCamera(camera, server.origin, { profileDir: profile });
    const { page } = browser;
    // The verdict's sound and vibration, as the page asks for them: every oscillator's
    // frequency and wave type (Web Audio), every `navigator.vibrate` pattern.
    await page.addInitScript(() => {
      window.__tones = [];
      window.__vibrations = [];
      navigator.vibrate = (pattern) => {
        window.__vibrations.push(Array.isArray(pattern) ? [...pattern] : [pattern]);
        return true;
      };
      const create = BaseAudioContext.prototype.createOscillator;
      BaseAudioContext.prototype.createOscillator = function () {
        const osc = create.call(this);
        const tone = { type: osc.type, hz: osc.frequency.value };
        window.__tones.push(tone);
        const frequency = osc.frequency;
        Object.defineProperty(frequency, 'value', {
          get: () => tone.hz,
          set: (v) => { tone.hz = v; frequency.setValueAtTime(v, 0); },
        });
        Object.defineProperty(osc, 'type', { get: () => tone.type, set: (v) => { tone.type = v; } });
        return osc;
      };
    });
    await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), 0, 'a fresh profile starts with an empty log');
    await importLists(page, fx);

    // Four scans typed in: green, red, a web address, and the green one again (a replay).
    const green = await fx.present('green', 'log-green');
    const red = await fx.present('red', 'log-red');
    const texts = [green.text, red.text, 'https://example.com/', green.text];
    const codes = [];
    const signals = [];
    let seq = 0;
    for (const text of texts) {
      await page.fill('[data-testid="manual-text"]', text, { timeout: TIMEOUT });
      await page.click('[data-testid="manual-check"]', { timeout: TIMEOUT });
      const v = await waitForVerdict(page, { afterSeq: seq });
      seq = Number(v.logSeq);
      codes.push(v.code);
      signals.push(await page.evaluate(() => ({
        decision: document.querySelector('[data-testid="verdict"]')?.getAttribute('data-decision'),
        tones: window.__tones.splice(0).map((t) => `${t.type} ${t.hz}`),
        vibrations: window.__vibrations.splice(0),
      })));
      await page.click(VERDICT, { timeout: TIMEOUT });
      await page.waitForFunction((sel) => !document.querySelector(sel), VERDICT, { timeout: TIMEOUT });
    }
    assert.deepEqual(codes, ['C|GRN', 'C|RED', 'P|PFX', 'C|GRN']);
    // Admit and deny sound and vibrate differently: a rising pair of sine tones and one short
    // buzz, against three low square-wave beeps and a long pattern.
    assert.deepEqual(signals[0], { decision: 'admit', tones: ['sine 880', 'sine 1320'], vibrations: [[80]] });
    assert.deepEqual(signals[1], {
      decision: 'deny',
      tones: ['square 220', 'square 220', 'square 220'],
      vibrations: [[200, 100, 200, 100, 400]],
    });
    assert.equal(seq, 4);
    const fourth = await logRow(page, 4);
    assert.deepEqual(fourth.reasons, ['C|GRN', 'Q|RPL', 'Q|TWO']);

    await page.reload({ waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), 4, 'all four entries are there after the reload');
    await openTab(page, 'log');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="log-row"]').length === 4, undefined, { timeout: TIMEOUT });
    const seqs = await page.$$eval('[data-testid="log-row"]', (rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    assert.deepEqual(seqs, [4, 3, 2, 1], 'newest first');
    // The chain is checked in the background after the log opens.
    await page.waitForSelector('[data-testid="log-status"][data-chain="intact"]', { timeout: TIMEOUT });
    const status = await page.textContent('[data-testid="log-status"]');
    assert.match(status, /chain intact/);

    // The filters: only the denied, only red.
    await page.selectOption('[data-testid="log-outcome"]', 'deny');
    await page.waitForFunction(() => document.querySelector('[data-testid="log-count"]')?.getAttribute('data-total') === '1', undefined, { timeout: TIMEOUT });
    await page.selectOption('[data-testid="log-outcome"]', '');
    await page.selectOption('[data-testid="log-colour"]', 'green');
    await page.waitForFunction(() => document.querySelector('[data-testid="log-count"]')?.getAttribute('data-total') === '2', undefined, { timeout: TIMEOUT });

    // CSV: a header and one row per entry.
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="export-csv"]'),
    ]);
    const csvPath = fx.file('log.csv');
    await csvDownload.saveAs(csvPath);
    const csvLines = (await readFile(csvPath, 'utf8')).split('\n').filter((l) => l.length > 0);
    assert.equal(csvLines.length, 1 + 4, `CSV rows: ${csvLines.join(' | ')}`);

    // The verifiable export and the device key.
    const [logDownload] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="export-log"]'),
    ]);
    const logPath = fx.file('gate.log.jsonl');
    await logDownload.saveAs(logPath);
    const [keyDownload] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="export-key"]'),
    ]);
    const keyPath = fx.file('device.key.pub');
    await keyDownload.saveAs(keyPath);
    const shownKey = (await page.textContent('[data-testid="device-key"]')).trim();
    assert.equal((await readFile(keyPath, 'utf8')).trim(), shownKey, 'the saved key is the one shown');

    const good = await run(['log', 'verify', logPath, '--key', keyPath]);
    assert.equal(good.code, 0, `verify: ${good.stdout}${good.stderr}`);
    assert.match(good.stdout, /^ok: 4 entries/);

    // One byte of entry 3 (line 4) altered: its time, one digit up.
    const lines = (await readFile(logPath, 'utf8')).split('\n');
    const line = lines[3];
    const at = line.indexOf('"time":') + '"time":'.length;
    const digit = Number(line[at + 5]);
    lines[3] = line.slice(0, at + 5) + String((digit + 1) % 10) + line.slice(at + 6);
    const altered = fx.file('gate-altered.log.jsonl');
    await writeFile(altered, lines.join('\n'));
    const bad = await run(['log', 'verify', altered, '--key', keyPath]);
    assert.equal(bad.code, 1, `verify of the altered export: ${bad.stdout}${bad.stderr}`);
    assert.match(bad.stdout, /entry 3\b/, `names entry 3: ${bad.stdout}`);

    await page.screenshot({ path: path.join(ARTIFACTS, 'log-screen.png'), fullPage: true });
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });
});

describe('the registration log pages, filters and counts through the store, and upgrades a version-1 database', () => {
  // 320 entries made by the test tooling (examples/log_fill.rs through tests/e2e/log-fill.mjs,
  // written into the page's IndexedDB): entry i + 1 is, by i % 10,
  // 0 yellow deny, 1 red deny, 2 no colour invalid, 3 green deny (fever), else green admit;
  // 405 s apart, oldest first, over the last 36 hours.
  const N = 320;
  const kind = (seq) => ['yellow-deny', 'red-deny', 'none-invalid', 'green-deny', 'green-admit', 'green-admit', 'green-admit', 'green-admit', 'green-admit', 'green-admit'][(seq - 1) % 10];
  const seqsWhere = (pred) => Array.from({ length: N }, (_, i) => N - i).filter(pred);
  let fx;
  let server;
  let browser;

  before(async () => {
    fx = await makeFixture('checkpoint-log-pages');
    server = await serveStatic(DIST);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await fx?.cleanup();
  });

  /** The rows shown once the count says `total` and the first row is `first`: their numbers. */
  async function rowsWhen(page, total, first) {
    await page.waitForFunction(
      ([total, first]) => {
        const count = document.querySelector('[data-testid="log-count"]')?.getAttribute('data-total');
        const row = document.querySelector('[data-testid="log-row"]');
        return count === String(total) && (first === null ? !row : row?.getAttribute('data-seq') === String(first));
      },
      [total, first],
      { timeout: TIMEOUT, polling: 50 },
    );
    return page.$$eval('[data-testid="log-row"]', (rows) => rows.map((r) => ({
      seq: Number(r.getAttribute('data-seq')),
      time: Number(r.getAttribute('data-time')),
      outcome: r.getAttribute('data-outcome'),
      colour: r.getAttribute('data-colour'),
    })));
  }

  /** The index's counts. */
  async function indexCounts(page) {
    await openTab(page, 'index');
    await page.waitForSelector('[data-testid="idx-chart"]', { timeout: TIMEOUT });
    return page.evaluate(() => {
      const n = (id) => Number(document.querySelector(`[data-testid="${id}"]`).getAttribute('data-count'));
      const hours = [...document.querySelectorAll('[data-testid="idx-chart"] rect')].reduce((s, r) => s + Number(r.getAttribute('data-count')), 0);
      return { scans: n('idx-scans'), red: n('idx-red'), none: n('idx-none'), deny: n('idx-deny'), invalid: n('idx-invalid'), admit: n('idx-admit'), hours };
    });
  }

  /** `datetime-local` text (minutes) of Unix seconds `t`, in the page's time zone. */
  function localMinute(page, t) {
    return page.evaluate((t) => {
      const d = new Date(t * 1000);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }, t);
  }

  it('shows pages newest first, filters by decision, colour and time, and the index agrees with the filters', { timeout: CASE_TIMEOUT }, async () => {
    browser = await launchWithCamera(await blankY4m(fx.file('blank.y4m')), server.origin);
    const { page } = browser;
    await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), 0, 'a fresh log');
    await fillLog(page, N, unixNow());
    await page.reload({ waitUntil: 'load', timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="log-status"][data-chain="intact"]', { timeout: TIMEOUT });
    await openTab(page, 'log');

    // Pages of 50, newest first; the seventh and last holds entries 20 to 1.
    let rows = await rowsWhen(page, N, N);
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => N - i));
    assert.equal(await page.getAttribute('[data-testid="log-count"]', 'data-all'), String(N));
    for (let p = 1; p < 7; p++) {
      await page.click('[data-testid="log-older"]');
      rows = await rowsWhen(page, N, N - 50 * p);
    }
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 20 }, (_, i) => 20 - i));
    assert.equal(await page.isDisabled('[data-testid="log-older"]'), true, 'no page after the last');
    assert.deepEqual([rows.at(-1).colour, rows.at(-1).outcome], ['yellow', 'deny'], 'entry 1 as filled');

    // Decision: every denied entry, newest first; a new filter starts at the newest.
    const denied = seqsWhere((s) => kind(s).endsWith('-deny'));
    await page.selectOption('[data-testid="log-outcome"]', 'deny');
    rows = await rowsWhen(page, denied.length, denied[0]);
    assert.equal(denied.length, 96);
    assert.deepEqual(rows.map((r) => r.seq), denied.slice(0, 50));
    assert.ok(rows.every((r) => r.outcome === 'deny'));
    await page.click('[data-testid="log-older"]');
    rows = await rowsWhen(page, denied.length, denied[50]);
    assert.deepEqual(rows.map((r) => r.seq), denied.slice(50));

    // Colour and decision together.
    const redDenied = seqsWhere((s) => kind(s) === 'red-deny');
    await page.selectOption('[data-testid="log-colour"]', 'red');
    rows = await rowsWhen(page, redDenied.length, redDenied[0]);
    assert.deepEqual(rows.map((r) => r.seq), redDenied.slice(0, 50));
    assert.equal(redDenied.length, 32);
    // Colour alone, and no colour at all (a bad code) is not a colour.
    await page.selectOption('[data-testid="log-outcome"]', '');
    const green = seqsWhere((s) => kind(s).startsWith('green'));
    await page.selectOption('[data-testid="log-colour"]', 'green');
    rows = await rowsWhen(page, green.length, green[0]);
    assert.equal(green.length, 224);

    // A time window: from the minute of entry 200 to the end of the minute of entry 210
    // (entries are 405 s apart, so exactly entries 200 to 210), then only the denied of them.
    await page.selectOption('[data-testid="log-colour"]', '');
    rows = await rowsWhen(page, N, N);
    // Entry `seq`'s time, paging older until its row shows.
    const timeOf = (seq) =>
      page.evaluate(async (seq) => {
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        const find = () => document.querySelector(`[data-testid="log-row"][data-seq="${seq}"]`);
        while (!find()) {
          const older = document.querySelector('[data-testid="log-older"]');
          if (older.disabled) return null;
          const first = document.querySelector('[data-testid="log-row"]')?.getAttribute('data-seq');
          older.click();
          while (document.querySelector('[data-testid="log-row"]')?.getAttribute('data-seq') === first) await frame();
        }
        return Number(find().getAttribute('data-time'));
      }, seq);
    const t210 = await timeOf(210);
    const t200 = await timeOf(200);
    assert.ok(t210 > t200, 'entry 210 is later than entry 200');
    await page.fill('[data-testid="log-from"]', await localMinute(page, t200));
    await page.dispatchEvent('[data-testid="log-from"]', 'change');
    await page.fill('[data-testid="log-until"]', await localMinute(page, t210));
    await page.dispatchEvent('[data-testid="log-until"]', 'change');
    rows = await rowsWhen(page, 11, 210);
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 11 }, (_, i) => 210 - i));
    await page.selectOption('[data-testid="log-outcome"]', 'deny');
    rows = await rowsWhen(page, 3, 204);
    assert.deepEqual(rows.map((r) => r.seq), [204, 202, 201]);

    // The index (from the per-quarter-hour tallies) against the filters (from the entries'
    // indexes) for today: from local midnight on.
    const midnight = await page.evaluate(() => {
      const d = new Date();
      d.setHours(0, 0, 0, 0);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T00:00`;
    });
    const index = await indexCounts(page);
    assert.ok(index.scans > 0, 'entries were filled today');
    assert.equal(index.hours, index.scans, 'the hourly chart adds up to the day');
    assert.equal(index.none, index.invalid, 'bad codes have no colour');
    await openTab(page, 'log');
    await page.fill('[data-testid="log-until"]', '');
    await page.dispatchEvent('[data-testid="log-until"]', 'change');
    await page.fill('[data-testid="log-from"]', midnight);
    await page.dispatchEvent('[data-testid="log-from"]', 'change');
    for (const [key, colour, outcome] of [['scans', '', ''], ['red', 'red', ''], ['deny', '', 'deny'], ['invalid', '', 'invalid'], ['admit', '', 'admit']]) {
      await page.selectOption('[data-testid="log-colour"]', colour);
      await page.selectOption('[data-testid="log-outcome"]', outcome);
      const shown = await page
        .waitForFunction(
          (want) => document.querySelector('[data-testid="log-count"]')?.getAttribute('data-total') === String(want),
          index[key],
          { timeout: 10_000, polling: 50 },
        )
        .then(() => index[key])
        .catch(() => page.getAttribute('[data-testid="log-count"]', 'data-total'));
      assert.equal(Number(shown), index[key], `today's ${key}: the filter's count and the index's`);
    }
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });

  it('upgrades a version-1 database: entries, filters, index and chain survive, and the log goes on', { timeout: CASE_TIMEOUT }, async () => {
    const { page } = browser;
    const before = await indexCounts(page);
    // Leave the checkpoint (closing its database), then, on the resident page (which never
    // opens the log), rewrite the database as version 1 stored it: the bare entry bytes, no
    // indexes, no tallies.
    await page.goto('about:blank');
    await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
    const written = await page.evaluate(async () => {
      const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
      const db2 = await req(indexedDB.open('healthcode-log'));
      const tx = db2.transaction(['entries', 'meta'], 'readonly');
      const values = await req(tx.objectStore('entries').getAll());
      const keys = await req(tx.objectStore('entries').getAllKeys());
      const key = await req(tx.objectStore('meta').get('device-key'));
      const version = db2.version;
      db2.close();
      await req(indexedDB.deleteDatabase('healthcode-log'));
      const open = indexedDB.open('healthcode-log', 1);
      open.onupgradeneeded = () => {
        open.result.createObjectStore('entries');
        open.result.createObjectStore('meta');
      };
      const db1 = await req(open);
      const w = db1.transaction(['entries', 'meta'], 'readwrite');
      values.forEach((v, i) => w.objectStore('entries').add(v.b, keys[i]));
      w.objectStore('meta').add(key, 'device-key');
      await new Promise((ok, fail) => { w.oncomplete = ok; w.onerror = () => fail(w.error); w.onabort = () => fail(w.error); });
      db1.close();
      return { version, entries: values.length, bytes: values.every((v) => v.b instanceof Uint8Array) };
    });
    assert.deepEqual(written, { version: 2, entries: N, bytes: true });

    await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), N, 'every version-1 entry is there');
    await page.waitForSelector('[data-testid="log-status"][data-chain="intact"]', { timeout: TIMEOUT });
    const stored = await page.evaluate(async () => {
      const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
      const db = await req(indexedDB.open('healthcode-log'));
      const tx = db.transaction(['entries', 'tallies'], 'readonly');
      const first = await req(tx.objectStore('entries').get(1));
      const out = {
        version: db.version,
        indexes: [...tx.objectStore('entries').indexNames].sort(),
        first: { t: typeof first.t, c: first.c, o: first.o },
        tallies: (await req(tx.objectStore('tallies').count())) > 0,
      };
      db.close();
      return out;
    });
    assert.deepEqual(stored, {
      version: 2,
      indexes: ['c_o_t', 'c_t', 'o_t', 't'],
      first: { t: 'number', c: 1, o: 2 },
      tallies: true,
    }, 'entries rewritten with their index fields (entry 1: yellow, deny)');
    await openTab(page, 'log');
    await rowsWhen(page, N, N);
    await page.selectOption('[data-testid="log-outcome"]', 'deny');
    await rowsWhen(page, 96, 314);
    await page.selectOption('[data-testid="log-colour"]', 'red');
    await rowsWhen(page, 32, 312);
    assert.deepEqual(await indexCounts(page), before, 'the index is counted again from the entries');

    // The chain goes on from the upgraded log: a web address typed in is entry N + 1.
    await openTab(page, 'scan');
    await page.fill('[data-testid="manual-text"]', 'https://example.com/', { timeout: TIMEOUT });
    await page.click('[data-testid="manual-check"]', { timeout: TIMEOUT });
    const v = await waitForVerdict(page, { afterSeq: N });
    assert.equal(Number(v.logSeq), N + 1);
    await page.click(VERDICT, { timeout: TIMEOUT });
    const after = await indexCounts(page);
    assert.deepEqual([after.scans, after.invalid], [before.scans + 1, before.invalid + 1], 'the new entry is in today\'s tally');
    await page.reload({ waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), N + 1);
    await page.waitForSelector('[data-testid="log-status"][data-chain="intact"]', { timeout: TIMEOUT });
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });
});

describe('checkpoint clock banners', () => {
  let fx;
  let server;
  let profile;

  before(async () => {
    fx = await makeFixture('checkpoint-clock');
    server = await serveStatic(DIST);
    profile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-clock-'));
  });

  after(async () => {
    await server?.close();
    await fx?.cleanup();
    await rm(profile, { recursive: true, force: true });
  });

  it('warns when the clock is behind the trust list and went back since the last visit', { timeout: CASE_TIMEOUT }, async () => {
    const camera = await blankY4m(fx.file('blank.y4m'));
    let browser = await launchWithCamera(camera, server.origin, { profileDir: profile });
    try {
      await browser.page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      await waitForLog(browser.page);
      await importLists(browser.page, fx);
      const codes = await browser.page.$$eval('[data-testid="banner"]', (bs) => bs.map((b) => b.getAttribute('data-code')));
      assert.ok(!codes.includes('K|JMP') && !codes.includes('K|CLK'), `no clock banner with a right clock: ${codes}`);
    } finally {
      await browser.close();
    }

    // Two hours earlier: before the trust list was signed, and before the last visit.
    browser = await launchWithCamera(camera, server.origin, { profileDir: profile });
    try {
      const { page } = browser;
      await page.clock.install({ time: (unixNow() - 7200) * 1000 });
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      await waitForLog(page);
      await page.waitForFunction(() => {
        const codes = [...document.querySelectorAll('[data-testid="banner"]')].map((b) => b.getAttribute('data-code'));
        return codes.includes('K|JMP') && codes.includes('K|CLK');
      }, undefined, { timeout: TIMEOUT, polling: 100 });
      const text = await page.textContent('[data-testid="banners"]');
      assert.match(text, /clock went back by (1\d\d min|2 h)/);
      assert.match(text, /behind the trust list/);
      assert.match(await page.textContent(TRUST_STATUS), /later than this device's clock/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'clock-banners.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

describe('checkpoint lists by link and by scanning', () => {
  let fx;
  let server;

  before(async () => {
    fx = await makeFixture('checkpoint-lists');
    server = await serveStatic(DIST);
  });

  after(async () => {
    await server?.close();
    await fx?.cleanup();
  });

  it('imports a trust list and a revocation list from #checkpoint/import= links', { timeout: CASE_TIMEOUT }, async () => {
    const browser = await launchWithCamera(await blankY4m(fx.file('blank.y4m')), server.origin);
    try {
      const { page } = browser;
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      await waitForLog(page);
      await page.setInputFiles(ROOT_FILE, fx.rootPub, { timeout: TIMEOUT });
      await page.waitForFunction(
        ([sel, id]) => document.querySelector(sel)?.textContent.includes(id) ?? false,
        [ROOT_STATUS, fx.rootKeyId],
        { timeout: TIMEOUT, polling: 100 },
      );
      const trustText = (await readFile(fx.trust, 'utf8')).trim();
      await page.goto(`${server.url}#checkpoint/import=${encodeURIComponent(trustText)}`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.waitForFunction(
        ([sel, name]) => document.querySelector(sel)?.textContent.includes(name) ?? false,
        [TRUST_STATUS, ISSUER_NAME],
        { timeout: TIMEOUT, polling: 100 },
      );
      assert.equal(new URL(page.url()).hash, '#checkpoint', 'the list leaves the address bar');
      const revocationText = (await readFile(fx.revocation, 'utf8')).trim();
      await page.goto(`${server.url}#checkpoint/import=${encodeURIComponent(revocationText)}`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.waitForFunction(
        (sel) => document.querySelector(sel)?.textContent.includes(': 1 revoked ids') ?? false,
        REVOCATION_STATUS,
        { timeout: TIMEOUT, polling: 100 },
      );
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser.close();
    }
  });

  it('imports a revocation list shown to the camera as a QR code', { timeout: CASE_TIMEOUT }, async () => {
    const revocationText = (await readFile(fx.revocation, 'utf8')).trim();
    const code = await fx.render(revocationText, 'revocation-qr');
    const y4m = fx.file('revocation-qr.y4m');
    await pngToY4m(code.png, y4m, { width: 640, height: 480 });
    const browser = await launchWithCamera(y4m, server.origin);
    try {
      const { page } = browser;
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      await waitForLog(page);
      await importLists(page, fx);
      await page.waitForFunction(
        (sel) => document.querySelector(sel)?.textContent.includes(': 1 revoked ids') ?? false,
        REVOCATION_STATUS,
        { timeout: TIMEOUT, polling: 100 },
      );
      // A list is not a scan of a person: nothing is registered for it.
      await openTab(page, 'log');
      const all = await page.getAttribute('[data-testid="log-count"]', 'data-all');
      assert.equal(all, '0');
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser.close();
    }
  });
});

describe('checkpoint without storage', () => {
  let fx;
  let server;

  before(async () => {
    fx = await makeFixture('checkpoint-nostore');
    server = await serveStatic(DIST);
  });

  after(async () => {
    await server?.close();
    await fx?.cleanup();
  });

  it('says the log cannot be used, and every verdict says it was not registered', { timeout: CASE_TIMEOUT }, async () => {
    const browser = await launchWithCamera(await blankY4m(fx.file('blank.y4m')), server.origin);
    try {
      const { page } = browser;
      // A browser whose IndexedDB is gone (as in some private modes).
      await page.addInitScript(() => {
        Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
      });
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.waitForSelector('[data-testid="log-status"][data-state="failed"]', { timeout: TIMEOUT });
      assert.match(await page.textContent('[data-testid="log-status"]'), /NOT registered/);
      await importLists(page, fx);
      await page.fill('[data-testid="manual-text"]', (await fx.present('green', 'nostore')).text);
      await page.click('[data-testid="manual-check"]');
      await page.waitForSelector('[data-testid="verdict-log-error"]', { timeout: TIMEOUT });
      const verdict = await page.$eval(VERDICT, (v) => ({ code: v.getAttribute('data-code'), seq: v.getAttribute('data-log-seq') }));
      assert.deepEqual(verdict, { code: 'C|GRN', seq: '' });
      assert.match(await page.textContent('[data-testid="verdict-log-error"]'), /NOT registered/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'no-storage.png'), fullPage: false });
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser.close();
    }
  });
});
