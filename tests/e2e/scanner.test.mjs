// End-to-end: the scanner decodes in its Web Worker, not on the page's main thread (issue #5
// "Smooth under load", issue #7 bundle size).
//
// - The build: the app's own wasm carries no decoder (no rxing in it), the worker's wasm
//   does, and the service worker precaches the worker's three files (so scanning works
//   offline).
// - The resident page's first load fetches none of the worker's files.
// - The checkpoint page constructs `new Worker('./scanner-worker_loader.js')`, fetches the
//   worker's wasm, and admits a green code shown to the camera; every request goes to the
//   app's own origin and nothing is logged as an error.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchWithCamera } from './browser.mjs';
import { ARTIFACTS, DIST, ISSUER_NAME, makeFixture } from './cli.mjs';
import { serveStatic } from './server.mjs';
import { pngToY4m } from './y4m.mjs';

const TIMEOUT = 60_000;
const WORKER_FILES = ['scanner-worker.js', 'scanner-worker_bg.wasm', 'scanner-worker_loader.js'];

/** Fails unless every URL is the app's own origin (or an in-page data:/blob: URL). */
function assertOwnOrigin(requests, origin) {
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
  assert.deepEqual(foreign, [], 'requests to other origins');
}

/** Records every `new Worker(url)` of the page in `window.__workersStarted`. */
function recordWorkers() {
  const Original = window.Worker;
  window.__workersStarted = [];
  window.Worker = class extends Original {
    constructor(url, options) {
      super(url, options);
      window.__workersStarted.push(String(url));
    }
  };
}

describe('the scanner decodes in a Web Worker', () => {
  let fx;
  let server;
  let files;

  before(async () => {
    if (!existsSync(path.join(DIST, 'index.html'))) {
      throw new Error(`built app not found in ${DIST}: run \`trunk build --release\` or set HEALTHCODE_DIST`);
    }
    await mkdir(ARTIFACTS, { recursive: true });
    files = await readdir(DIST);
    fx = await makeFixture('scanner');
    server = await serveStatic(DIST);
  });

  after(async () => {
    await server?.close();
    await fx?.cleanup();
  });

  it('the app wasm has no decoder; the worker wasm has it; the service worker precaches the worker', async () => {
    for (const f of WORKER_FILES) assert.ok(files.includes(f), `${f} in dist/ (have ${files.join(', ')})`);
    const appWasm = files.filter((f) => /^healthcode-app-.*_bg\.wasm$/.test(f));
    assert.equal(appWasm.length, 1, `one app wasm in dist/: ${files.join(', ')}`);
    const app = await readFile(path.join(DIST, appWasm[0]));
    const worker = await readFile(path.join(DIST, 'scanner-worker_bg.wasm'));
    // rxing's source paths (in its panic locations) mark its code in a wasm file.
    assert.ok(worker.includes('rxing'), 'the worker wasm holds rxing');
    assert.ok(!app.includes('rxing'), 'the app wasm holds no rxing code');
    const sw = await readFile(path.join(DIST, 'sw.js'), 'utf8');
    for (const f of WORKER_FILES) assert.ok(sw.includes(`"/${f}"`), `sw.js precaches /${f}`);
  });

  it('the resident page loads none of the worker files', async (t) => {
    const blank = fx.file('blank.y4m');
    const green = await fx.present('green', 'resident-blank');
    await pngToY4m(green.png, blank, { width: 640, height: 480, qrHeight: 20 });
    const browser = await launchWithCamera(blank, server.origin);
    try {
      const { page } = browser;
      await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator('[data-testid="code-card"]').first().waitFor({ timeout: TIMEOUT });
      const loaded = browser.requests.filter((u) => u.includes('scanner-worker'));
      assert.deepEqual(loaded, [], 'the resident page fetched worker files');
      assertOwnOrigin(browser.requests, server.origin);
      t.diagnostic(`resident first load: ${browser.requests.map((u) => u.slice(server.origin.length)).join(' ')}`);
    } finally {
      await browser.close();
    }
  });

  it('the checkpoint starts the worker and admits a green code through it', async (t) => {
    const code = await fx.present('green', 'scanner-green');
    const y4m = fx.file('scanner-green.y4m');
    await pngToY4m(code.png, y4m, { width: 640, height: 480 });
    const browser = await launchWithCamera(y4m, server.origin);
    const { page } = browser;
    try {
      await page.addInitScript(recordWorkers);
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator('[data-testid="scanner"]').waitFor({ timeout: TIMEOUT });
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
      // Until the import the issuer is unknown (S|KID); the next verdict is the real one.
      const verdict = await (
        await page.waitForFunction(
          () => {
            const v = document.querySelector('[data-testid="verdict"]');
            const code = v?.getAttribute('data-code');
            return code && code !== 'S|KID' ? { code, decision: v.getAttribute('data-decision') } : null;
          },
          null,
          { timeout: TIMEOUT, polling: 50 },
        )
      ).jsonValue();
      await page.screenshot({ path: path.join(ARTIFACTS, 'scanner-worker-admit.png'), fullPage: true });
      assert.deepEqual(verdict, { code: 'C|GRN', decision: 'admit' });

      const started = await page.evaluate(() => window.__workersStarted);
      assert.deepEqual(started, ['./scanner-worker_loader.js'], 'one decoder worker started');
      const wasm = browser.requests.filter((u) => /\.wasm$/.test(u)).map((u) => u.slice(server.origin.length));
      assert.ok(wasm.includes('/scanner-worker_bg.wasm'), `the worker wasm was fetched (wasm: ${wasm.join(', ')})`);
      assertOwnOrigin(browser.requests, server.origin);
      assert.deepEqual(await page.locator('[data-testid="decoder-problem"]').count(), 0, 'no decoder problem shown');
      assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
      assert.deepEqual(browser.consoleErrors, [], 'no console error (a CSP violation is one)');
      // Fake camera: one camera, no torch, so neither button shows.
      assert.equal(await page.locator('[data-testid="switch-camera"]').count(), 0, 'no switch button with one camera');
      assert.equal(await page.locator('[data-testid="torch"]').count(), 0, 'no torch button without a torch');
    } finally {
      await browser.close();
    }
  });
});
