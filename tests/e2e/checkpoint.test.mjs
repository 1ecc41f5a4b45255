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
// Needs target/debug/healthcode (or $HEALTHCODE_BIN) and the built app in dist/ (or
// $HEALTHCODE_DIST). Run: npm run test:e2e

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchWithCamera } from './browser.mjs';
import { ARTIFACTS, DIST, ISSUER_NAME, makeFixture, run } from './cli.mjs';
import { serveStatic } from './server.mjs';
import { pngToY4m } from './y4m.mjs';

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
  },
  {
    name: 'tampered',
    what: 'a code whose issuer signature was altered is rejected as invalid',
    make: async (fx) => {
      const genuine = await fx.present('green', 'tampered-source');
      return fx.render(await fx.tamper(genuine.text), 'tampered');
    },
    expected: { decision: 'deny', class: 'invalid', code: 'S|SIG', colour: '' },
  },
  {
    name: 'red',
    what: 'a red code is denied',
    make: (fx) => fx.present('red'),
    expected: { decision: 'deny', class: 'ok', code: 'C|RED', colour: 'red' },
  },
  {
    name: 'expired',
    what: 'an expired green code is denied as invalid',
    make: (fx) => fx.present('expired'),
    expected: { decision: 'deny', class: 'invalid', code: 'V|EXP', colour: '' },
  },
  {
    name: 'fever',
    what: 'a green code with a temperature of 37.5 °C is denied and sent to the fever clinic',
    make: (fx) => fx.present('green', 'fever'),
    temperature: '37.5',
    cliArgs: () => ['--temperature', '37.5'],
    cliCode: 'T|FEV,C|GRN',
    expected: { decision: 'deny', class: 'ok', code: 'T|FEV', colour: 'green' },
  },
  {
    name: 'paper',
    what: 'a paper code is referred to an ID-card check',
    make: (fx) => fx.render(fx.paperText, 'paper'),
    cliCode: 'P|PAP,C|GRN',
    expected: { decision: 'refer', class: 'ok', code: 'P|PAP', colour: 'green' },
  },
  {
    name: 'revoked',
    what: 'a code revoked by the authority is denied once the revocation list is imported',
    make: (fx) => fx.present('revoked'),
    importRevocation: true,
    cliArgs: (fx) => ['--revocation', fx.revocation],
    expected: { decision: 'deny', class: 'invalid', code: 'R|REV', colour: '' },
  },
  {
    name: 'unknown-issuer',
    what: 'without the trust list, a good code cannot be checked and is referred',
    make: (fx) => fx.present('green', 'unknown-issuer'),
    importTrust: false,
    cliCode: 'C|GRN', // with the trust list, as the CLI checks it, the code is good
    expected: { decision: 'refer', class: 'cannot-check', code: 'S|KID', colour: '' },
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
 * Waits until the page shows a verdict, ignoring verdicts whose `data-code` is one of `ignoreCodes`,
 * and returns its attributes and text, read in the same poll that found it: a verdict only
 * stays up for a few seconds.
 */
async function waitForVerdict(page, ...ignoreCodes) {
  const handle = await page.waitForFunction(
    ([sel, ignore]) => {
      for (const v of document.querySelectorAll(sel)) {
        const code = v.getAttribute('data-code');
        if (code !== null && !ignore.includes(code)) {
          return {
            decision: v.getAttribute('data-decision'),
            class: v.getAttribute('data-class'),
            code,
            colour: v.getAttribute('data-colour'),
            text: v.innerText.trim().slice(0, 300),
          };
        }
      }
      return null;
    },
    [VERDICT, ignoreCodes],
    { timeout: TIMEOUT, polling: 100 },
  );
  return handle.jsonValue();
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
        if (c.importTrust === false) {
          step = 'waiting for the verdict (no trust list imported)';
          verdict = await waitForVerdict(page);
        } else {
          if (c.temperature) {
            step = 'typing the temperature';
            await page.fill(TEMPERATURE, c.temperature, { timeout: TIMEOUT });
          }
          step = 'pinning the root key';
          await page.setInputFiles(ROOT_FILE, fx.rootPub, { timeout: TIMEOUT });
          await page.waitForFunction(
            ([sel, id]) => document.querySelector(sel)?.textContent.includes(id) ?? false,
            [ROOT_STATUS, fx.rootKeyId],
            { timeout: TIMEOUT, polling: 100 },
          );
          step = 'importing the trust list';
          await page.setInputFiles(TRUST_FILE, fx.trust, { timeout: TIMEOUT });
          await page.waitForFunction(
            ([sel, name]) => document.querySelector(sel)?.textContent.includes(name) ?? false,
            [TRUST_STATUS, ISSUER_NAME],
            { timeout: TIMEOUT, polling: 100 },
          );
          if (c.importRevocation) {
            step = 'importing the revocation list';
            await page.setInputFiles(REVOCATION_FILE, fx.revocation, { timeout: TIMEOUT });
            await page.waitForFunction(
              (sel) => document.querySelector(sel)?.textContent.includes(': 1 revoked ids') ?? false,
              REVOCATION_STATUS,
              { timeout: TIMEOUT, polling: 100 },
            );
            // Until this import, the code verified: skip verdicts from before it.
            step = 'waiting for the verdict after the revocation list';
            verdict = await waitForVerdict(page, 'S|KID', 'C|GRN');
          } else {
            step = 'waiting for the verdict';
            // Until the import, every code's issuer is unknown: skip those verdicts.
            verdict = await waitForVerdict(page, 'S|KID');
          }
        }
        await page.screenshot({ path: path.join(ARTIFACTS, `${c.name}.png`), fullPage: true });
        t.diagnostic(`verdict after ${Date.now() - started} ms: ${JSON.stringify(verdict)}`);

        step = 'checking the verdict';
        const { text, ...attributes } = verdict;
        assert.deepEqual(attributes, c.expected, `verdict attributes (verdict text: ${JSON.stringify(text)})`);
        assert.ok(text.length > 0, 'the verdict shows some text to staff');

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
