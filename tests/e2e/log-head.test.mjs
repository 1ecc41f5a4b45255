// Issue #12, defect 6: a gate could rewrite its own registration log without a trace.
// Deleting the last entries from IndexedDB and reloading showed "chain intact" and numbering
// went on from the cut; deleting the whole database made a new key silently and restarted
// at 1.
//
// Here, in Chromium: the log's key is a non-extractable WebCrypto Ed25519 key (a CryptoKey
// in IndexedDB, not a seed); the page shows its head as text and QR; `healthcode log verify
// --noted <that QR text>` accepts the real export; the last three entries deleted from
// IndexedDB are flagged on reload (L|CUT) and by `log verify` against the noted head; the
// database deleted is flagged on reload (L|REKEY, L|CUT).
//
// Needs target/debug/healthcode (or $HEALTHCODE_BIN) and the built app in dist/ (or
// $HEALTHCODE_DIST).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchWithCamera } from './browser.mjs';
import { DIST, makeFixture, run } from './cli.mjs';
import { serveStatic } from './server.mjs';
import { waitForLog } from './checkpoint-page.mjs';

const TIMEOUT = 60_000;
const VERDICT = '[data-testid="verdict"]';

async function openTab(page, name) {
  await page.evaluate((n) => document.querySelector(`[data-testid="tab-${n}"]`).click(), name);
}

/** Types `text` as a scan and waits for its verdict's log entry (above `afterSeq`). */
async function scanTyped(page, text, afterSeq) {
  await openTab(page, 'scan');
  await page.fill('[data-testid="manual-text"]', text, { timeout: TIMEOUT });
  await page.click('[data-testid="manual-check"]', { timeout: TIMEOUT });
  const handle = await page.waitForFunction(
    ([sel, after]) => {
      const seq = Number(document.querySelector(sel)?.getAttribute('data-log-seq') || 0);
      return seq > after ? seq : null;
    },
    [VERDICT, afterSeq],
    { timeout: TIMEOUT, polling: 50 },
  );
  const seq = await handle.jsonValue();
  await page.click(VERDICT, { timeout: TIMEOUT });
  await page.waitForFunction((sel) => !document.querySelector(sel), VERDICT, { timeout: TIMEOUT });
  return seq;
}

/** The codes of the findings shown, in order. */
async function flagCodes(page) {
  return page.$$eval('[data-testid="log-head-line"] [data-testid="log-flag"]', (fs) => fs.map((f) => f.getAttribute('data-code')));
}

/** Clicks `testid` and saves the download to `file`. */
async function download(page, testid, file) {
  const [d] = await Promise.all([
    page.waitForEvent('download', { timeout: TIMEOUT }),
    page.click(`[data-testid="${testid}"]`, { timeout: TIMEOUT }),
  ]);
  await d.saveAs(file);
  return file;
}

async function blankY4m(file) {
  const w = 320;
  const h = 240;
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(w * h, 235), Buffer.alloc((w / 2) * (h / 2) * 2, 128)]);
  await writeFile(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F5:1 Ip A1:1 C420jpeg\n`), frame, frame]));
  return file;
}

describe('the log head an inspector notes, and a log cut or restarted behind it', () => {
  let fx;
  let server;
  let browser;
  let profile;

  before(async () => {
    if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`built app not found in ${DIST}`);
    fx = await makeFixture('log-head');
    server = await serveStatic(DIST);
    profile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-head-'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await fx?.cleanup();
    await rm(profile, { recursive: true, force: true });
  });

  it('keeps a non-extractable key, shows the head as QR text that log verify --noted accepts, and flags a cut and a restart', { timeout: 5 * TIMEOUT }, async () => {
    browser = await launchWithCamera(await blankY4m(fx.file('blank.y4m')), server.origin, { profileDir: profile });
    const { page } = browser;
    await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), 0);
    let seq = 0;
    for (let i = 0; i < 5; i++) seq = await scanTyped(page, `https://example.com/${i}`, seq);
    assert.equal(seq, 5);
    await page.waitForSelector('[data-testid="log-head"][data-seq="5"]', { timeout: TIMEOUT });
    assert.deepEqual(await flagCodes(page), [], 'a sound log has no finding');

    // The key: a CryptoKey that cannot be read out, not a seed.
    const stored = await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('healthcode-log');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const get = db.transaction('meta').objectStore('meta').get('device-key');
        get.onsuccess = () => {
          const v = get.result;
          db.close();
          resolve({
            cryptoKey: v?.private instanceof CryptoKey,
            extractable: v?.private?.extractable,
            type: v?.private?.type,
            algorithm: v?.private?.algorithm?.name,
            publicBytes: v?.public?.length,
          });
        };
      };
    }));
    assert.deepEqual(stored, { cryptoKey: true, extractable: false, type: 'private', algorithm: 'Ed25519', publicBytes: 32 });

    // The head for inspectors: QR and its text.
    await openTab(page, 'log');
    await page.waitForSelector('[data-testid="log-key-kind"][data-kind="webcrypto"]', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid="log-head-qr"] svg', { timeout: TIMEOUT });
    const noted = (await page.textContent('[data-testid="log-head-text"]')).trim();
    assert.match(noted, /^HCH1:5:[0-9A-F]{64}:[0-9A-F]{16}$/);
    const exported = await download(page, 'export-log', fx.file('gate.jsonl'));
    const key = await download(page, 'export-key', fx.file('gate.key.pub'));
    const good = await run(['log', 'verify', exported, '--key', key, '--noted', noted]);
    assert.equal(good.code, 0, `${good.stdout}${good.stderr}`);
    assert.match(good.stdout, /^ok: 5 entries, head [0-9a-f]{64}, signed by [0-9a-f]{16}\n$/);

    // The last three entries deleted from IndexedDB, then a reload.
    await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('healthcode-log');
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction('entries', 'readwrite');
        tx.objectStore('entries').delete(IDBKeyRange.bound(3, 5));
        tx.oncomplete = () => { db.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
      open.onerror = () => reject(open.error);
    }));
    await page.reload({ waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), 2);
    await page.waitForSelector('[data-testid="log-head-line"] [data-testid="log-flag"][data-code="L|CUT"]', { timeout: TIMEOUT });
    const cut = await page.textContent('[data-testid="log-flag"][data-code="L|CUT"]');
    assert.match(cut, /showed entry 5, the log now ends at entry 2/);
    // The export made now fails against the head the inspector noted.
    await openTab(page, 'log');
    const cutExport = await download(page, 'export-log', fx.file('gate-cut.jsonl'));
    const cutCheck = await run(['log', 'verify', cutExport, '--key', key, '--noted', noted]);
    assert.equal(cutCheck.code, 1, cutCheck.stdout);
    assert.match(cutCheck.stdout, /^entry 5: the log ends at entry 2, before the head noted earlier: entries were cut, or the log was restarted \(L\|CUT\)\n$/);

    // The whole database deleted (from a page of the origin that does not hold it open).
    await page.goto(`${server.origin}/no-such-page.txt`, { waitUntil: 'load', timeout: TIMEOUT });
    await page.evaluate(() => new Promise((resolve, reject) => {
      const del = indexedDB.deleteDatabase('healthcode-log');
      del.onsuccess = () => resolve();
      del.onerror = () => reject(del.error);
      del.onblocked = () => reject(new Error('the log database is still open'));
    }));
    await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
    assert.equal(await waitForLog(page), 0);
    await page.waitForSelector('[data-testid="log-head-line"] [data-testid="log-flag"][data-code="L|REKEY"]', { timeout: TIMEOUT });
    const codes = await flagCodes(page);
    assert.deepEqual(codes, ['L|CUT', 'L|REKEY', 'L|CUT'], 'the earlier finding is kept, the restart added');
    assert.deepEqual(browser.pageErrors, [], 'no uncaught error in the page');
  });

  it('flags an export dated before its last entry and an entry dated before the one before it', { timeout: 5 * TIMEOUT }, async () => {
    await browser?.close();
    const clockProfile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-clock-'));
    const camera = await blankY4m(fx.file('blank3.y4m'));
    try {
      browser = await launchWithCamera(camera, server.origin, { profileDir: clockProfile });
      await browser.page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      assert.equal(await waitForLog(browser.page), 0);
      let seq = 0;
      for (let i = 0; i < 2; i++) seq = await scanTyped(browser.page, `https://example.com/c${i}`, seq);
      await openTab(browser.page, 'log');
      const key = await download(browser.page, 'export-key', fx.file('clock.key.pub'));
      await browser.close();

      // The clock set three days back.
      browser = await launchWithCamera(camera, server.origin, { profileDir: clockProfile });
      const { page } = browser;
      await page.clock.install({ time: Date.now() - 3 * 86_400_000 });
      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      assert.equal(await waitForLog(page), 2);
      await openTab(page, 'log');
      const early = await download(page, 'export-log', fx.file('early.jsonl'));
      await page.waitForSelector('[data-testid="export-date-problem"][data-code="L|EXPT"]', { timeout: TIMEOUT });
      const earlyCheck = await run(['log', 'verify', early, '--key', key]);
      assert.equal(earlyCheck.code, 1, earlyCheck.stdout);
      assert.match(earlyCheck.stdout, /^head: the export is dated (2 d 23 h|3 d) before its last entry \(L\|EXPT\)\n$/);

      // A scan now is dated before the entry before it.
      seq = await scanTyped(page, 'https://example.com/c2', seq);
      assert.equal(seq, 3);
      await page.waitForSelector('[data-testid="log-head-line"] [data-testid="log-flag"][data-code="L|BACK"][data-seq="3"]', { timeout: TIMEOUT });
      await openTab(page, 'log');
      const back = await download(page, 'export-log', fx.file('back.jsonl'));
      const backCheck = await run(['log', 'verify', back, '--key', key]);
      assert.equal(backCheck.code, 1, backCheck.stdout);
      assert.match(backCheck.stdout, /^entry 3: dated (2 d 23 h|3 d) before the entry before it; times run backwards at 1 entry \(L\|BACK\)\n$/);
      assert.deepEqual(
        await page.$$eval('[data-testid="log-head-line"] [data-testid="log-flag"]', (fs) => fs.map((f) => f.getAttribute('data-code'))),
        ['L|EXPT', 'L|BACK'],
      );
    } finally {
      await browser?.close();
      browser = undefined;
      await rm(clockProfile, { recursive: true, force: true });
    }
  });

  it('falls back to a stored seed where WebCrypto has no Ed25519, and moves that seed into WebCrypto later, same key', { timeout: 5 * TIMEOUT }, async () => {
    await browser?.close();
    const seedProfile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-seed-'));
    try {
      browser = await launchWithCamera(await blankY4m(fx.file('blank2.y4m')), server.origin, { profileDir: seedProfile });
      const first = browser.page;
      // An engine without Ed25519: generateKey and importKey throw for it.
      await first.addInitScript(() => {
        for (const name of ['generateKey', 'importKey']) {
          const real = SubtleCrypto.prototype[name];
          SubtleCrypto.prototype[name] = function (...args) {
            const alg = name === 'generateKey' ? args[0] : args[2];
            if ((alg?.name ?? alg) === 'Ed25519') throw new DOMException('Ed25519 is not supported', 'NotSupportedError');
            return real.apply(this, args);
          };
        }
      });
      await first.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      assert.equal(await waitForLog(first), 0);
      let seq = 0;
      for (let i = 0; i < 2; i++) seq = await scanTyped(first, `https://example.com/s${i}`, seq);
      await openTab(first, 'log');
      await first.waitForSelector('[data-testid="log-key-kind"][data-kind="seed"]', { timeout: TIMEOUT });
      const key = (await first.textContent('[data-testid="device-key"]')).trim();
      const noted = (await first.textContent('[data-testid="log-head-text"]')).trim();
      const keyFile = await download(first, 'export-key', fx.file('seed.key.pub'));
      const seedExport = await download(first, 'export-log', fx.file('seed.jsonl'));
      const seedCheck = await run(['log', 'verify', seedExport, '--key', keyFile, '--noted', noted]);
      assert.equal(seedCheck.code, 0, `${seedCheck.stdout}${seedCheck.stderr}`);
      await first.close();

      // The same profile in an engine with Ed25519: the seed becomes a WebCrypto key.
      const second = await browser.context.newPage();
      await second.goto(`${server.url}#checkpoint`, { waitUntil: 'load', timeout: TIMEOUT });
      assert.equal(await waitForLog(second), 2);
      await openTab(second, 'log');
      await second.waitForSelector('[data-testid="log-key-kind"][data-kind="webcrypto"]', { timeout: TIMEOUT });
      assert.equal((await second.textContent('[data-testid="device-key"]')).trim(), key, 'the same key');
      assert.deepEqual(await second.$$eval('[data-testid="log-flag"]', (f) => f.length), 0, 'no finding: the key did not change');
      const moved = await download(second, 'export-log', fx.file('moved.jsonl'));
      const movedCheck = await run(['log', 'verify', moved, '--key', keyFile, '--noted', noted]);
      assert.equal(movedCheck.code, 0, `${movedCheck.stdout}${movedCheck.stderr}`);
      const stored = await second.evaluate(() => new Promise((resolve) => {
        const open = indexedDB.open('healthcode-log');
        open.onsuccess = () => {
          const get = open.result.transaction('meta').objectStore('meta').get('device-key');
          get.onsuccess = () => { open.result.close(); resolve(get.result instanceof Uint8Array ? 'seed' : String(get.result?.private?.extractable)); };
        };
      }));
      assert.equal(stored, 'false', 'the seed is gone; a non-extractable key is stored');
    } finally {
      await browser?.close();
      browser = undefined;
      await rm(seedProfile, { recursive: true, force: true });
    }
  });
});
