// End-to-end: resident mode on a phone, in headless Chromium.
//
// - First run at 360×640: the demo people, their codes, switching people, switching language
//   (and following the browser's language), every screen captured in both languages.
// - At 390×844, the test plays the issuer desk with the CLI: a person is added with a
//   declaration, the phone's request QR text goes to `healthcode issue --request`, and the
//   credential comes back by import link, by the camera (a fake camera playing the issuer's
//   QR) and, refused with reasons, as foreign, expired and other-phone codes.
// - Offline: the server is stopped and the page reloaded; the codes still show. Chromium's own
//   installability check passes. A new version is offered and taken without losing codes.
// - Storage refused: words and what to do, never a blank page.
// - Every request any page makes is to the app's own origin; no console errors (a CSP
//   violation is one).

import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createRequire } from 'node:module';

import { launchWithCamera } from './browser.mjs';
import { ARTIFACTS, DIST, E2E_DIR, requireBinary, run, runOk, unixNow } from './cli.mjs';
import { serveStatic } from './server.mjs';
import { pngToY4m, y4mBytes } from './y4m.mjs';

const TIMEOUT = 60_000;
const SMALL = { width: 360, height: 640 };
const PHONE = { width: 390, height: 844 };
const CARD = '[data-testid="code-card"]';

/** Fails unless every URL is the app's own origin (or an in-page data:/blob: URL). */
function assertOwnOrigin(requests, origin) {
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
  assert.deepEqual(foreign, [], 'requests to other origins');
}

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core's WCAG 2.1 A and AA rules (contrast included) on the page as it is now and
 * fails with every violation's rule and elements. (Evaluated through the DevTools protocol,
 * which the page's CSP does not govern.)
 */
async function assertAccessible(page, what) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `accessibility of ${what}`);
}

/** The status words on the code card. */
const statusOf = (page) => page.locator(`${CARD} [data-testid="status"]`).innerText();

/** Waits until the page is controlled by the service worker (it precached the app). */
async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: TIMEOUT, polling: 100 });
}

/** Adds a person through the form; resolves to the request text shown for the desk. */
async function addPerson(page, name, yesAnswers = []) {
  await page.locator('[data-testid="add-person"]').click();
  await page.fill('[data-testid="name"]', name);
  for (const q of yesAnswers) await page.locator(`[data-testid="q${q}-yes"]`).check();
  await page.locator('[data-testid="make-request"]').click();
  await page.locator('[data-testid="pending"]').waitFor({ timeout: TIMEOUT });
  return (await page.locator('[data-testid="request-text"]').inputValue()).trim();
}

describe('resident mode', () => {
  let server;
  let work;
  let profileDir;
  let issuerKey;
  let blankY4m;

  before(async () => {
    requireBinary();
    await mkdir(ARTIFACTS, { recursive: true });
    await mkdir(path.join(E2E_DIR, 'work'), { recursive: true });
    work = await mkdtemp(path.join(E2E_DIR, 'work', 'resident-app-'));
    profileDir = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-resident-app-'));
    server = await serveStatic(DIST);
    issuerKey = path.join(work, 'issuer.key');
    await runOk(['keygen', '--out', issuerKey]);
    blankY4m = path.join(work, 'blank.y4m');
    await writeFile(blankY4m, y4mBytes(new Uint8Array(640 * 480).fill(235), 640, 480, 2));
  });

  after(async () => {
    await server?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    if (work && !process.env.HEALTHCODE_E2E_KEEP) await rm(work, { recursive: true, force: true });
  });

  it('shows the demo codes, switches people and language at 360×640', { timeout: 5 * TIMEOUT }, async () => {
    const browser = await launchWithCamera(blankY4m, server.origin, { viewport: SMALL });
    const { page } = browser;
    try {
      await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator(`${CARD}[data-colour="green"]`).waitFor({ timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="person"]').count(), 3);
      assert.equal(await statusOf(page), 'Green — free passage');
      assert.match(await page.locator(`${CARD} .qr`).getAttribute('aria-label'), /^Health code QR: Green — free passage, 张\*伟$/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-360-green.png') });
      await assertAccessible(page, 'green code (en)');

      await page.locator('[data-testid="person"]').nth(1).click();
      await page.locator(`${CARD}[data-colour="yellow"]`).waitFor();
      assert.match(await statusOf(page), /^Yellow — 7-day home observation, 5 days left$/);
      assert.match(await page.locator('[data-testid="guidance"]').innerText(), /can turn green on \d{4}-\d\d-\d\d \(in 5 days\)/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-360-yellow.png'), fullPage: true });
      await assertAccessible(page, 'yellow code (en)');
      await page.locator('[data-testid="person"]').nth(2).click();
      await page.locator(`${CARD}[data-colour="red"]`).waitFor();
      assert.match(await statusOf(page), /^Red — 14-day quarantine, 12 days left$/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-360-red.png'), fullPage: true });
      await assertAccessible(page, 'red code (en)');

      await page.locator('[data-testid="lang-switch"]').click();
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      assert.equal(await statusOf(page), '红码——14天隔离，还剩12天');
      await page.screenshot({ path: path.join(ARTIFACTS, 'zh-360-red.png'), fullPage: true });
      await assertAccessible(page, 'red code (zh)');
      await page.locator('[data-testid="person"]').nth(1).click();
      assert.equal(await statusOf(page), '黄码——7天居家观察，还剩5天');
      await page.screenshot({ path: path.join(ARTIFACTS, 'zh-360-yellow.png'), fullPage: true });
      await page.locator('[data-testid="large-text"]').click();
      await page.waitForFunction(() => document.documentElement.classList.contains('large-text'));
      await page.screenshot({ path: path.join(ARTIFACTS, 'zh-360-yellow-large-text.png'), fullPage: true });
      await assertAccessible(page, 'large text (zh)');
      await page.locator('[data-testid="large-text"]').click();

      // The choice is remembered across a reload.
      await page.reload({ waitUntil: 'load' });
      await page.locator(CARD).waitFor({ timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="nav-resident"]').innerText(), '居民');
      await page.locator('[data-testid="lang-switch"]').click();
      assert.equal(await page.locator('[data-testid="nav-resident"]').innerText(), 'Resident');

      assertOwnOrigin([...browser.requests, ...server.requests.map((r) => `${server.origin}${r.split(' ')[2]}`)], server.origin);
      assert.deepEqual(browser.pageErrors, [], 'no page errors');
      assert.deepEqual(browser.consoleErrors, [], 'no console errors (CSP violations included)');
    } finally {
      await browser.close();
    }
  });

  it('follows a Chinese browser and shows every screen in both languages', { timeout: 5 * TIMEOUT }, async () => {
    const browser = await launchWithCamera(blankY4m, server.origin, { viewport: SMALL, locale: 'zh-CN' });
    const { page } = browser;
    try {
      await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator(CARD).waitFor({ timeout: TIMEOUT });
      assert.equal(await statusOf(page), '绿码——正常通行');
      await page.screenshot({ path: path.join(ARTIFACTS, 'zh-360-green.png') });
      await page.locator('[data-testid="add-person"]').click();
      await page.locator('[data-testid="add-form"]').waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'zh-360-add.png'), fullPage: true });
      await assertAccessible(page, 'add form (zh)');
      await page.fill('[data-testid="name"]', '王小明');
      await page.locator('[data-testid="make-request"]').click();
      await page.locator('[data-testid="pending"]').waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'zh-360-request.png'), fullPage: true });
      await assertAccessible(page, 'request (zh)');
      await page.locator('[data-testid="lang-switch"]').click();
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-360-request.png'), fullPage: true });
      await page.locator('[data-testid="add-person"]').click();
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-360-add.png'), fullPage: true });

      // The paper code's print layout.
      const paper = path.join(work, 'paper.cred');
      await runOk(['issue', '--issuer-key', issuerKey, '--paper', '--colour', 'green', '--name', '王*', '--id-last4', '0001', '--out', paper]);
      const paperText = (await readFile(paper, 'utf8')).trim();
      await page.goto(`${server.url}#paper=${encodeURIComponent(paperText)}`, { waitUntil: 'load' });
      await page.locator('[data-testid="paper"]').waitFor({ timeout: TIMEOUT });
      assert.match(await page.locator('[data-testid="paper"]').innerText(), /王\* · ID \*\*\*\*0001/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-360-paper.png'), fullPage: true });
      await assertAccessible(page, 'paper code (en)');
      await page.locator('[data-testid="lang-switch"]').click();
      await page.screenshot({ path: path.join(ARTIFACTS, 'zh-360-paper.png'), fullPage: true });
      assert.deepEqual(browser.pageErrors, [], 'no page errors');
      assert.deepEqual(browser.consoleErrors, [], 'no console errors');
    } finally {
      await browser.close();
    }
  });

  it('gets codes by link and by the camera handshake, refuses bad ones, at 390×844', { timeout: 8 * TIMEOUT }, async () => {
    let requestA;
    let requestB;
    let browser = await launchWithCamera(blankY4m, server.origin, { profileDir, viewport: PHONE });
    try {
      await browser.page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await browser.page.locator(CARD).waitFor({ timeout: TIMEOUT });
      requestA = await addPerson(browser.page, '王小明', [2]);
      requestB = await addPerson(browser.page, 'Li Lei');
      assert.match(requestA, /^HCR1:/);
      assert.equal(await browser.page.locator('[data-testid="person"]').count(), 5);
    } finally {
      await browser.close();
    }

    // The desk: the declaration (travel from a high-risk area) suggests yellow.
    const credA = path.join(work, 'a.cred');
    const credB = path.join(work, 'b.cred');
    const issued = await runOk(['issue', '--issuer-key', issuerKey, '--request', requestA, '--id-last4', '4321', '--out', credA]);
    await runOk(['issue', '--issuer-key', issuerKey, '--request', requestB, '--id-last4', '8765', '--out', credB]);
    const textA = (await readFile(credA, 'utf8')).trim();
    assert.equal(issued.trim(), textA);
    const pngB = path.join(work, 'b.png');
    await runOk(['render', '--text', (await readFile(credB, 'utf8')).trim(), '--png', pngB]);
    const y4mB = path.join(work, 'b.y4m');
    await pngToY4m(pngB, y4mB, { width: 640, height: 480 });

    browser = await launchWithCamera(y4mB, server.origin, { profileDir, viewport: PHONE });
    const { page } = browser;
    try {
      // By import link: the payload is in the fragment, and leaves the address bar at once.
      await page.goto(`${server.url}#import=${encodeURIComponent(textA)}`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator(`${CARD}[data-colour="yellow"]`).waitFor({ timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="notice"]').innerText(), 'Code added for 王*明.');
      assert.equal(new URL(page.url()).hash, '#resident');
      assert.match(await statusOf(page), /^Yellow — 7-day home observation, 7 days left$/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-390-imported-by-link.png'), fullPage: true });

      // By camera: Li Lei's code, shown by the desk to this phone's camera.
      await page.locator('[data-testid="person"]', { hasText: 'Li Lei' }).click();
      await page.locator('[data-testid="scan-credential"]').click();
      await page.locator(`${CARD}[data-colour="green"]`).waitFor({ timeout: TIMEOUT });
      assert.match(await page.locator('[data-testid="notice"]').innerText(), /^Code added for L\*/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-390-received-by-camera.png'), fullPage: true });

      // Switching between the two new people.
      await page.locator('[data-testid="person"]', { hasText: '王*明' }).click();
      await page.locator(`${CARD}[data-colour="yellow"]`).waitFor();
      await page.locator('[data-testid="person"]', { hasText: 'L*' }).click();
      await page.locator(`${CARD}[data-colour="green"]`).waitFor();

      // Refusals, with reasons: not a health code, for another phone, expired.
      const other = path.join(work, 'other.key');
      await runOk(['keygen', '--out', other]);
      const now = unixNow();
      const otherCred = await runOk(['issue', '--issuer-key', issuerKey, '--holder', `${other}.pub`, '--colour', 'green', '--name', '赵*', '--id-last4', '1111']);
      const requestC = await addPerson(page, '赵六');
      const expired = await runOk([
        'issue', '--issuer-key', issuerKey, '--request', requestC, '--id-last4', '2222',
        '--not-before', String(now - 7200), '--expires', String(now - 3600), '--now', String(now),
      ]);
      for (const [text, code] of [['https://example.org/', 'W|FOR'], [otherCred.trim(), 'W|HLD'], [expired.trim(), 'W|EXP']]) {
        await page.fill('[data-testid="paste-credential"]', text);
        await page.locator('[data-testid="paste-submit"]').click();
        await page.waitForFunction((c) => document.querySelector('[data-testid="notice"]')?.textContent.includes(c), code, { timeout: TIMEOUT });
      }
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-390-refused-expired.png'), fullPage: true });
      await assertAccessible(page, 'refusal notice (en)');
      assert.equal(await page.locator('[data-testid="pending"]').count(), 1, 'the person still waits for a code');
      assertOwnOrigin(browser.requests, server.origin);
      assert.deepEqual(browser.pageErrors, [], 'no page errors');
      assert.deepEqual(browser.consoleErrors, [], 'no console errors');
    } finally {
      await browser.close();
    }
  });

  it('works offline, is installable, and offers a new version without losing codes', { timeout: 6 * TIMEOUT }, async () => {
    // A copy of the app that this test can stop and change.
    const root = path.join(work, 'dist');
    await cp(DIST, root, { recursive: true });
    let own = await serveStatic(root);
    const profile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-offline-'));
    let browser = await launchWithCamera(blankY4m, own.origin, { profileDir: profile, viewport: PHONE });
    try {
      let { page } = browser;
      await page.goto(`${own.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator(CARD).waitFor({ timeout: TIMEOUT });
      await addPerson(page, '离线测试');
      await waitForServiceWorker(page);

      const cdp = await browser.context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, [], 'Chromium installability criteria');
      const manifest = await cdp.send('Page.getAppManifest');
      assert.deepEqual(manifest.errors, [], 'manifest parses without errors');

      // Airplane mode: the server is gone; the app still opens, with every code.
      const port = new URL(own.origin).port;
      await own.close();
      await page.reload({ waitUntil: 'load', timeout: TIMEOUT });
      await page.locator(CARD).waitFor({ timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="person"]').count(), 4);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-390-offline.png'), fullPage: true });

      // A new version: the worker script changes; the page offers it and reloads on a tap.
      await appendFile(path.join(root, 'sw.js'), '\n// new version\n');
      own = await serveStatic(root, { port: Number(port) });
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      await page.locator('[data-testid="update"]').waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-390-update-offered.png'), fullPage: true });
      const reloaded = page.waitForEvent('load', { timeout: TIMEOUT });
      await page.locator('[data-testid="update"] button').click();
      await reloaded;
      await page.locator(CARD).waitFor({ timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="update"]').count(), 0);
      assert.equal(await page.locator('[data-testid="person"]').count(), 4, 'no code lost');
      assertOwnOrigin(browser.requests, own.origin);
      assert.deepEqual(browser.pageErrors, [], 'no page errors');
    } finally {
      await browser.close();
      await own.close();
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('keeps the screen on while a code shows, and lets go when it closes', { timeout: 3 * TIMEOUT }, async () => {
    const browser = await launchWithCamera(blankY4m, server.origin, { viewport: PHONE });
    const { page } = browser;
    try {
      // Headless Chromium has no screen to keep on: a stand-in records what the page asks.
      await page.addInitScript(() => {
        window.__wakeLocks = { requested: 0, released: 0 };
        Object.defineProperty(navigator, 'wakeLock', {
          value: {
            request: async (type) => {
              if (type !== 'screen') throw new TypeError(`unexpected wake lock type ${type}`);
              window.__wakeLocks.requested += 1;
              return { release: async () => { window.__wakeLocks.released += 1; } };
            },
          },
        });
      });
      await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator(CARD).waitFor({ timeout: TIMEOUT });
      await page.waitForFunction(() => document.querySelector('.resident .hint')?.textContent.startsWith('The screen stays on'), null, { timeout: TIMEOUT });
      assert.deepEqual(await page.evaluate(() => window.__wakeLocks), { requested: 1, released: 0 });
      // Opening the add form closes the code: the lock is released.
      await page.locator('[data-testid="add-person"]').click();
      await page.waitForFunction(() => window.__wakeLocks.released === 1, null, { timeout: TIMEOUT });
    } finally {
      await browser.close();
    }
  });

  it('says what to do when storage is refused', { timeout: 3 * TIMEOUT }, async () => {
    const browser = await launchWithCamera(blankY4m, server.origin, { viewport: PHONE });
    const { page } = browser;
    try {
      // As in a full or disabled storage: every write throws QuotaExceededError.
      await page.addInitScript(() => {
        Storage.prototype.setItem = () => {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        };
      });
      await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      const problem = page.locator('[data-testid="storage-problem"]');
      await problem.waitFor({ timeout: TIMEOUT });
      assert.match(await problem.innerText(), /This browser cannot keep your codes[\s\S]*Leave private browsing, free some space/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'en-390-storage-refused.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
