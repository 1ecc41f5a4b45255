// End-to-end: a gate trusts nothing by default (issue 12).
//
// - Demo is a mode: a fresh browser opens in it, with the DEMO band on the page and on every
//   verdict, which names the issuer that signed the code; one tap leaves it, and then the demo
//   issuer's codes cannot be checked (`S|KID`), the demo people and keys are gone and the gate
//   says it has no trust list (`K|NTL`).
// - The list banners follow the lists the gate holds: an 8-day-old trust list gives `K|OLD`
//   even beside the always-fresh demo list.
// - A revocation list cut into parts (`HCM1:`) is collected from the camera in any order, the
//   progress shown, the list imported at the end, and no part is logged as a scan.
// - A damaged (not UTF-8) list link is refused with a message; a QR-like picture that cannot be
//   read turns the hint into "no code read" after 14 s.
// - The served app sends its CSP with `frame-ancestors 'none'` and `X-Frame-Options: DENY`
//   (Trunk.toml `[serve.headers]`; tests/e2e/server.mjs sends the same), so another site
//   cannot frame it.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { PNG } from 'pngjs';

import { launchWithCamera } from './browser.mjs';
import { ARTIFACTS, DIST, ISSUER_NAME, makeFixture, runOk, unixNow } from './cli.mjs';
import { serveStatic } from './server.mjs';
import { blankY4m, pngToY4m, pngsToY4m } from './y4m.mjs';
import { waitForLog } from './checkpoint-page.mjs';

const TIMEOUT = 60_000;
const CASE_TIMEOUT = 5 * TIMEOUT;
const DAY = 86_400;
const DEMO_ISSUER = 'DEMO issuer (not a health authority)';

/** The banner codes the checkpoint shows (`K|NTL`, `K|OLD`, …). */
function bannerCodes(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid="banner"]')].map((b) => b.getAttribute('data-code')));
}

/**
 * Types `text` into the checkpoint's manual box and returns the verdict that follows (a
 * screenshot of it at `shot`, if given), then dismisses it.
 */
async function check(page, text, afterSeq = 0, shot = null) {
  await page.fill('[data-testid="manual-text"]', text, { timeout: TIMEOUT });
  await page.click('[data-testid="manual-check"]', { timeout: TIMEOUT });
  const h = await page.waitForFunction(
    (after) => {
      const v = document.querySelector('[data-testid="verdict"]');
      const seq = Number(v?.getAttribute('data-log-seq') || 0);
      if (!v || seq <= after) return null;
      return {
        code: v.getAttribute('data-code'),
        decision: v.getAttribute('data-decision'),
        seq,
        demo: !!v.querySelector('[data-testid="verdict-demo"]'),
        issuer: v.querySelector('[data-testid="verdict-issuer"]')?.textContent ?? null,
      };
    },
    afterSeq,
    { timeout: TIMEOUT, polling: 50 },
  );
  const verdict = await h.jsonValue();
  if (shot) await page.screenshot({ path: path.join(ARTIFACTS, shot) });
  await page.click('[data-testid="verdict"]', { timeout: TIMEOUT });
  await page.waitForFunction(() => !document.querySelector('[data-testid="verdict"]'), undefined, { timeout: TIMEOUT });
  return verdict;
}

describe('a gate trusts nothing by default', () => {
  let fx;
  let server;

  before(async () => {
    if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`built app not found in ${DIST}`);
    await mkdir(ARTIFACTS, { recursive: true });
    fx = await makeFixture('gate-trust');
    server = await serveStatic(DIST);
  });

  after(async () => {
    await server?.close();
    await fx?.cleanup();
  });

  it('opens in demo mode, says DEMO on every verdict and names the issuer; one tap leaves the demo and its trust', { timeout: CASE_TIMEOUT }, async () => {
    const browser = await launchWithCamera(await blankY4m(fx.file('blank-demo.y4m')), server.origin);
    const { page } = browser;
    try {
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      await waitForLog(page);
      await page.waitForSelector('[data-testid="demo-banner"]', { timeout: TIMEOUT });
      assert.deepEqual(await bannerCodes(page), ['K|NRL'], 'in demo mode the demo list is trusted (no K|NTL)');

      // A demo resident's live code, signed with the demo holder key this browser made.
      const demo = await page.evaluate(() => JSON.parse(localStorage.getItem('healthcode.demo.v1')));
      const green = demo.residents[0];
      await writeFile(fx.file('demo.hcc'), `${green.credential}\n`);
      await writeFile(fx.file('demo-holder.key'), `${green.holder_seed}\n`);
      const present = async () =>
        (await runOk(['present', '--credential', fx.file('demo.hcc'), '--holder-key', fx.file('demo-holder.key'), '--now', String(unixNow())])).trim();
      await page.screenshot({ path: path.join(ARTIFACTS, 'gate-demo-band.png') });
      const first = await check(page, await present(), 0, 'gate-demo-verdict.png');
      assert.deepEqual([first.code, first.decision, first.demo], ['C|GRN', 'admit', true]);
      assert.match(first.issuer, new RegExp(DEMO_ISSUER.replace(/[()]/g, '\\$&')), 'the verdict names the demo issuer');

      // One tap: out of demo mode (the page reloads).
      await Promise.all([page.waitForEvent('load', { timeout: TIMEOUT }), page.click('[data-testid="leave-demo"]')]);
      await waitForLog(page);
      assert.equal(await page.locator('[data-testid="demo-banner"]').count(), 0, 'no demo band');
      assert.equal(await page.evaluate(() => localStorage.getItem('healthcode.demo.v1')), null, 'the demo keys are deleted');
      assert.deepEqual(await bannerCodes(page), ['K|NTL', 'K|NRL'], 'a real gate without lists says so');
      const after = await check(page, await present(), first.seq, 'gate-left-demo-verdict.png');
      assert.deepEqual([after.code, after.decision, after.demo, after.issuer], ['S|KID', 'refer', false, null], 'the demo issuer is not trusted');

      // The pinned root's list is trusted, and its issuer named.
      await page.setInputFiles('input[data-testid="root-file"]', fx.rootPub);
      await page.waitForFunction((id) => document.querySelector('[data-testid="root-status"]')?.textContent.includes(id), fx.rootKeyId, { timeout: TIMEOUT });
      await page.setInputFiles('input[data-testid="trust-file"]', fx.trust);
      await page.waitForFunction((n) => document.querySelector('[data-testid="trust-status"]')?.textContent.includes(n), ISSUER_NAME, { timeout: TIMEOUT });
      const real = await check(page, (await fx.present('green', 'gate-real')).text, after.seq);
      assert.deepEqual([real.code, real.demo], ['C|GRN', false]);
      assert.ok(real.issuer.includes(ISSUER_NAME), `issuer named: ${real.issuer}`);

      // The resident page holds no demo people any more.
      await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.waitForSelector('[data-testid="add-form"], [data-testid="add-person"]', { timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="person"]').count(), 0, 'no demo residents');
      assert.equal(await page.locator('[data-testid="demo-banner"]').count(), 0);
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser.close();
    }
  });

  it('an 8-day-old trust list gives K|OLD, even beside the fresh demo list (and the old test-fill link writes nothing)', { timeout: CASE_TIMEOUT }, async () => {
    const old = fx.file('trust-old.txt');
    await runOk([
      'trust-list', '--root-key', fx.rootKey, '--issuer', `${ISSUER_NAME}=${fx.issuerKey}.pub`,
      '--out', old, '--now', String(unixNow() - 8 * DAY),
    ]);
    const browser = await launchWithCamera(await blankY4m(fx.file('blank-old.y4m')), server.origin);
    const { page } = browser;
    try {
      // Issue 12: this link once wrote 500 synthetic entries into a gate's real log.
      await page.goto(`${server.url}#checkpoint/fill=500`, { waitUntil: 'load', timeout: TIMEOUT });
      // (The old page filled the log before its chain check: wait for the check's result.)
      await page.waitForSelector('[data-testid="log-status"][data-chain="intact"]', { timeout: TIMEOUT });
      assert.equal(await page.getAttribute('[data-testid="log-status"]', 'data-entries'), '0', 'no test data in the log');
      await page.waitForSelector('[data-testid="demo-banner"]', { timeout: TIMEOUT });
      await page.setInputFiles('input[data-testid="root-file"]', fx.rootPub);
      await page.waitForFunction((id) => document.querySelector('[data-testid="root-status"]')?.textContent.includes(id), fx.rootKeyId, { timeout: TIMEOUT });
      await page.setInputFiles('input[data-testid="trust-file"]', old);
      await page.waitForFunction(
        () => [...document.querySelectorAll('[data-testid="banner"]')].some((b) => b.getAttribute('data-code') === 'K|OLD'),
        undefined,
        { timeout: TIMEOUT, polling: 100 },
      );
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser.close();
    }
  });

  it('collects a revocation list cut into parts from the camera, in any order, and logs no part as a scan', { timeout: CASE_TIMEOUT }, async () => {
    // Enough revoked ids for at least 5 parts.
    const ids = Array.from({ length: 420 }, (_, i) => (0x1000_0000_0000_0000n + BigInt(i) * 7919n).toString(16));
    ids.push(fx.revokedId);
    await writeFile(fx.file('many-ids.txt'), `${ids.join('\n')}\n`);
    const list = fx.file('many.hcl');
    await runOk(['revocation-list', '--signer-key', fx.issuerKey, '--ids-file', fx.file('many-ids.txt'), '--out', list]);
    const partsDir = fx.file('parts');
    await runOk(['publish', '--in', list, '--out-dir', partsDir]);
    const pngs = (await readdir(partsDir)).filter((f) => f.endsWith('.png')).sort();
    assert.ok(pngs.length >= 5, `${pngs.length} parts`);
    // Shown backwards, so they arrive out of order.
    const y4m = fx.file('parts.y4m');
    await pngsToY4m(pngs.reverse().map((f) => path.join(partsDir, f)), y4m, { framesEach: 20 });
    const browser = await launchWithCamera(y4m, server.origin);
    const { page } = browser;
    try {
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      assert.equal(await waitForLog(page), 0);
      await page.setInputFiles('input[data-testid="root-file"]', fx.rootPub);
      await page.waitForFunction((id) => document.querySelector('[data-testid="root-status"]')?.textContent.includes(id), fx.rootKeyId, { timeout: TIMEOUT });
      await page.setInputFiles('input[data-testid="trust-file"]', fx.trust);
      await page.waitForFunction((n) => document.querySelector('[data-testid="trust-status"]')?.textContent.includes(n), ISSUER_NAME, { timeout: TIMEOUT });
      const progress = await (
        await page.waitForFunction(
          () => {
            const p = document.querySelector('[data-testid="parts"]');
            return p ? { have: Number(p.dataset.have), of: Number(p.dataset.of), text: p.textContent } : null;
          },
          undefined,
          { timeout: TIMEOUT, polling: 20 },
        )
      ).jsonValue();
      assert.equal(progress.of, pngs.length, `progress: ${JSON.stringify(progress)}`);
      assert.match(progress.text, new RegExp(`of ${pngs.length}`));
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="revocation-status"]')?.textContent.includes(`: ${n} revoked ids`),
        ids.length,
        { timeout: TIMEOUT, polling: 100 },
      );
      assert.equal(await page.locator('[data-testid="parts"]').count(), 0, 'the progress goes once the list is in');
      assert.equal(await page.locator('[data-testid="verdict"]').count(), 0, 'no verdict for a part');
      assert.equal(
        await page.evaluate(() => document.querySelector('[data-testid="log-status"]').getAttribute('data-entries')),
        '0',
        'no part was logged',
      );
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await browser.close();
    }
  });

  it('refuses a damaged list link with a message, and says so when a QR-like picture stays unreadable', { timeout: CASE_TIMEOUT }, async () => {
    // A real code with its middle wiped out: finder patterns, no data.
    const code = await fx.present('green', 'wiped');
    const png = PNG.sync.read(await readFile(code.png));
    for (let y = Math.floor(png.height * 0.3); y < png.height * 0.7; y++) {
      for (let x = Math.floor(png.width * 0.3); x < png.width * 0.7; x++) {
        png.data.fill(255, (y * png.width + x) * 4, (y * png.width + x) * 4 + 3);
      }
    }
    await writeFile(fx.file('wiped.png'), PNG.sync.write(png));
    await pngToY4m(fx.file('wiped.png'), fx.file('wiped.y4m'), { width: 640, height: 480 });
    const browser = await launchWithCamera(fx.file('wiped.y4m'), server.origin);
    const { page } = browser;
    try {
      await page.goto(`${server.url}#checkpoint/import=%FF%FE%00HCT1`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.waitForSelector('[data-testid="problem"]', { timeout: TIMEOUT });
      assert.match(await page.textContent('[data-testid="problem"]'), /does not carry a trust list/);
      await page.waitForSelector('[data-testid="scan-hint"][data-state="no-code"]', { timeout: TIMEOUT });
      assert.match(await page.textContent('[data-testid="scan-hint"]'), /No code read yet/);
      assert.equal(await page.locator('[data-testid="verdict"]').count(), 0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'gate-no-code-hint.png') });
    } finally {
      await browser.close();
    }
  });

  it('is served with frame-ancestors none and X-Frame-Options DENY, and another site cannot frame it', { timeout: CASE_TIMEOUT }, async () => {
    const res = await fetch(server.url);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    // The header's policy is the page's own <meta> policy plus frame-ancestors.
    const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
    const meta = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
    assert.equal(csp, `${meta}; frame-ancestors 'none'`);

    const framer = http.createServer((_, r) => {
      r.writeHead(200, { 'content-type': 'text/html' });
      r.end(`<iframe id="f" src="${server.url}#checkpoint" width="300" height="300"></iframe>`);
    });
    await new Promise((resolve) => framer.listen(0, '127.0.0.1', resolve));
    const browser = await launchWithCamera(await blankY4m(fx.file('blank-frame.y4m')), server.origin);
    try {
      const { page } = browser;
      // Another origin (another port) frames the app.
      await page.goto(`http://localhost:${framer.address().port}/`, { waitUntil: 'load', timeout: TIMEOUT });
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the iframe exists');
      // The refused load leaves Chromium's error page in the frame, never the app.
      await page.waitForFunction(() => document.getElementById('f') !== null, undefined, { timeout: TIMEOUT });
      assert.match(frame.url(), /^chrome-error:/, `the framed load was refused: ${frame.url()}`);
    } finally {
      await browser.close();
      framer.close();
    }
  });
});
