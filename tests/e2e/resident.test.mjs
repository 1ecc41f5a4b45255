// End-to-end: the resident page's live code, shown to a checkpoint camera on the same device
// (so the checkpoint trusts the embedded demo issuer), is admitted; the same picture replayed
// two minutes later (a screenshot) is refused as too old; and a "simulator page" (the red
// resident's code with its colour changed to green, wrapped in a presentation the forger signs
// with the phone's own holder key) is refused as invalid.
//
// Time is controlled through the page's clock (Playwright's `clock.setFixedTime`, which fixes
// `Date.now()` and keeps timers running): the core takes `now` from it.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchWithCamera } from './browser.mjs';
import { ARTIFACTS, DIST, E2E_DIR, runOk } from './cli.mjs';
import { base45Decode, base45Encode } from './codes.mjs';
import { serveStatic } from './server.mjs';
import { pngToY4m, y4mBytes } from './y4m.mjs';

const TIMEOUT = 60_000;
const VERDICT = '[data-testid="verdict"]';

/** Waits for a verdict and returns its attributes (read in the poll that found it). */
async function verdictOf(page) {
  const handle = await page.waitForFunction(
    (sel) => {
      const v = document.querySelector(sel);
      return v && {
        decision: v.getAttribute('data-decision'),
        class: v.getAttribute('data-class'),
        code: v.getAttribute('data-code'),
        colour: v.getAttribute('data-colour'),
      };
    },
    VERDICT,
    { timeout: TIMEOUT, polling: 100 },
  );
  return handle.jsonValue();
}

describe('the resident page and the checkpoint on one device', () => {
  let server;
  let profileDir;
  let work;
  let shownAt;
  let qrY4m;
  let simulatorY4m;

  before(async () => {
    if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`built app not found in ${DIST}`);
    await mkdir(ARTIFACTS, { recursive: true });
    await mkdir(path.join(E2E_DIR, 'work'), { recursive: true });
    work = await mkdtemp(path.join(E2E_DIR, 'work', 'resident-'));
    profileDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-shared-profile-'));
    server = await serveStatic(DIST);

    // First run: the app makes the demo issuer and residents; capture the green code. The
    // camera meanwhile shows a plain white frame.
    const blank = path.join(work, 'blank.y4m');
    await writeFile(blank, y4mBytes(new Uint8Array(640 * 480).fill(235), 640, 480, 2));
    const browser = await launchWithCamera(blank, server.origin, { profileDir });
    try {
      await browser.page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      const card = browser.page.locator('[data-testid="code-card"][data-colour="green"]');
      await card.waitFor({ timeout: TIMEOUT });
      shownAt = Math.floor(Date.now() / 1000);
      const qrPng = path.join(work, 'resident-qr.png');
      await card.locator('.qr').screenshot({ path: qrPng });
      await browser.page.screenshot({ path: path.join(ARTIFACTS, 'resident-green.png'), fullPage: true });
      const label = await card.locator('.qr').getAttribute('aria-label');
      assert.match(label, /^Health code QR: Green — free passage/, 'the QR announces its status');
      qrY4m = path.join(work, 'resident-qr.y4m');
      await pngToY4m(qrPng, qrY4m, { width: 640, height: 480 });

      // The simulator: the red resident's credential and holder key, as a forger with the
      // phone in hand would copy them, with the colour turned green and the quarantine end
      // removed (a green code has none, and the checkpoint checks that).
      const wallet = JSON.parse(await browser.page.evaluate(() => localStorage.getItem('healthcode.wallet.v1')));
      const red = wallet.people.find((p) => p.demo && p.name === 'W*** F**');
      const fields = {};
      for (const m of (await runOk(['inspect', red.credential])).matchAll(/^\s*(\d+)\s+(\d+)\s+(\S+) = (.*)$/gm)) {
        fields[m[3]] = { offset: Number(m[1]), value: m[4] };
      }
      assert.match(fields['credential.claims.colour'].value, /red/i);
      const bytes = base45Decode(red.credential.slice('HCC1:'.length));
      assert.equal(bytes[fields['credential.claims.colour'].offset], 2, 'red is variant 2');
      bytes[fields['credential.claims.colour'].offset] = 0;
      const end = fields['credential.claims.quarantine_end'].offset;
      assert.equal(bytes[end], 1, 'Some(quarantine end)');
      const greenBytes = Uint8Array.from([...bytes.slice(0, end), 0, ...bytes.slice(end + 6)]);
      const forged = path.join(work, 'forged.cred');
      await writeFile(forged, `HCC1:${base45Encode(greenBytes)}\n`);
      const holderKey = path.join(work, 'red-holder.key');
      await writeFile(holderKey, `${red.holder_seed}\n`, { mode: 0o600 });
      const simulatorPng = path.join(work, 'simulator.png');
      await runOk(['present', '--credential', forged, '--holder-key', holderKey, '--png', simulatorPng]);
      simulatorY4m = path.join(work, 'simulator.y4m');
      await pngToY4m(simulatorPng, simulatorY4m, { width: 640, height: 480 });
      assert.deepEqual(browser.pageErrors, [], 'no page errors');
    } finally {
      await browser.close();
    }
  });

  after(async () => {
    await server?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    if (work && !process.env.HEALTHCODE_E2E_KEEP) await rm(work, { recursive: true, force: true });
  });

  it('admits the live code from the resident page', { timeout: 5 * TIMEOUT }, async () => {
    const browser = await launchWithCamera(qrY4m, server.origin, { profileDir });
    try {
      await browser.page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      const verdict = await verdictOf(browser.page);
      await browser.page.screenshot({ path: path.join(ARTIFACTS, 'resident-live-admitted.png'), fullPage: true });
      assert.deepEqual(verdict, { decision: 'admit', class: 'ok', code: 'C|GRN', colour: 'green' });
      assert.deepEqual(browser.pageErrors, [], 'no page errors');
    } finally {
      await browser.close();
    }
  });

  it('refuses the same picture two minutes later as a stale screenshot', { timeout: 5 * TIMEOUT }, async () => {
    const browser = await launchWithCamera(qrY4m, server.origin, { profileDir });
    try {
      await browser.page.clock.setFixedTime(new Date((shownAt + 120) * 1000));
      await browser.page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      const verdict = await verdictOf(browser.page);
      await browser.page.screenshot({ path: path.join(ARTIFACTS, 'resident-screenshot-replayed.png'), fullPage: true });
      assert.deepEqual(verdict, { decision: 'deny', class: 'invalid', code: 'H|OLD', colour: '' });
    } finally {
      await browser.close();
    }
  });

  it('refuses a simulator page showing a forged green code as invalid', { timeout: 5 * TIMEOUT }, async () => {
    const browser = await launchWithCamera(simulatorY4m, server.origin, { profileDir });
    try {
      await browser.page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      const verdict = await verdictOf(browser.page);
      await browser.page.screenshot({ path: path.join(ARTIFACTS, 'resident-simulator-refused.png'), fullPage: true });
      assert.deepEqual(verdict, { decision: 'deny', class: 'invalid', code: 'S|SIG', colour: '' });
    } finally {
      await browser.close();
    }
  });
});
