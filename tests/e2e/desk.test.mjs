// End-to-end: the issuer desk and a resident's phone, two browsers with their own storage and
// their own (fake) cameras, as at a community office:
//
//   phone: add a person (declaring contact with a case) → request QR
//   desk:  camera reads the request QR → suggests red → an override without a reason is
//          refused → issues red → credential QR
//   phone: camera reads the credential QR → shows the red code
//   desk:  registry → re-issue green (the red one is revoked) → sign the revocation list
//   desk's checkpoint: the phone's live red code is denied (C|RED), then, after importing the
//          list, refused as revoked (R|REV).

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchWithCamera } from './browser.mjs';
import { ARTIFACTS, DIST, E2E_DIR } from './cli.mjs';
import { serveStatic } from './server.mjs';
import { pngToY4m, y4mBytes } from './y4m.mjs';

const TIMEOUT = 60_000;
const LAPTOP = { width: 1280, height: 800 };

/** A y4m video of the element `selector` of `page` as the other device's camera sees it. */
async function filmElement(page, selector, dir, name) {
  const png = path.join(dir, `${name}.png`);
  await page.locator(selector).screenshot({ path: png });
  const y4m = path.join(dir, `${name}.y4m`);
  await pngToY4m(png, y4m, { width: 640, height: 480 });
  return y4m;
}

async function verdictOf(page) {
  const handle = await page.waitForFunction(
    () => {
      const v = document.querySelector('[data-testid="verdict"]');
      return v && { decision: v.getAttribute('data-decision'), code: v.getAttribute('data-code') };
    },
    null,
    { timeout: TIMEOUT, polling: 100 },
  );
  return handle.jsonValue();
}

describe('the issuer desk and a resident phone', () => {
  let server;
  let work;
  let phoneProfile;
  let deskProfile;
  let blank;

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await mkdir(path.join(E2E_DIR, 'work'), { recursive: true });
    work = await mkdtemp(path.join(E2E_DIR, 'work', 'desk-'));
    phoneProfile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-phone-'));
    deskProfile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-desk-'));
    server = await serveStatic(DIST);
    blank = path.join(work, 'blank.y4m');
    await writeFile(blank, y4mBytes(new Uint8Array(640 * 480).fill(235), 640, 480, 2));
  });

  after(async () => {
    await server?.close();
    for (const dir of [phoneProfile, deskProfile]) if (dir) await rm(dir, { recursive: true, force: true });
    if (work && !process.env.HEALTHCODE_E2E_KEEP) await rm(work, { recursive: true, force: true });
  });

  it('issues by handshake, re-issues, revokes, and the checkpoint applies the list', { timeout: 10 * TIMEOUT }, async () => {
    // The phone asks.
    let phone = await launchWithCamera(blank, server.origin, { profileDir: phoneProfile });
    let requestVideo;
    try {
      await phone.page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await phone.page.locator('[data-testid="add-person"]').click();
      await phone.page.fill('[data-testid="name"]', '陈小红');
      await phone.page.locator('[data-testid="q1-yes"]').check();
      await phone.page.locator('[data-testid="make-request"]').click();
      requestVideo = await filmElement(phone.page, '.qr.request', work, 'request');
    } finally {
      await phone.close();
    }

    // The desk reads the request with its camera and issues.
    let desk = await launchWithCamera(requestVideo, server.origin, { profileDir: deskProfile, viewport: LAPTOP });
    let credentialVideo;
    let passLink;
    try {
      const { page } = desk;
      await page.goto(`${server.url}#desk`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator('[data-testid="scan-request"]').click();
      const suggestion = page.locator('[data-testid="suggestion"]');
      await suggestion.waitFor({ timeout: TIMEOUT });
      assert.equal(await suggestion.getAttribute('data-colour'), 'red');
      assert.equal(await suggestion.innerText(), 'Suggested: Red (contact with a case declared)');
      assert.match(await page.locator('[data-testid="review"] h2').innerText(), /^陈小红 → 陈\*红$/);
      await page.fill('[data-testid="id-last4"]', '5555');
      // An override needs a reason.
      await page.locator('[data-testid="colour-green"]').check();
      await page.locator('[data-testid="issue"]').click();
      assert.match(await page.locator('[data-testid="desk-problem"]').innerText(), /Give a reason \(I\|RSN\)/);
      await page.locator('[data-testid="colour-red"]').check();
      await page.locator('[data-testid="issue"]').click();
      await page.locator('[data-testid="issued"]').waitFor({ timeout: TIMEOUT });
      assert.match(await page.locator('[data-testid="issued-link"]').inputValue(), /#import=HCC1:/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'desk-issued.png'), fullPage: true });
      credentialVideo = await filmElement(page, '[data-testid="issued"] .qr', work, 'credential');

      // One code, one certificate: a pass for the demo place, sent as an import link.
      await page.locator('[data-testid="tab-registry"]').click();
      assert.equal(await page.locator('[data-testid="pass-place"]').inputValue(), '330902-0001');
      await page.locator('[data-testid="issue-pass"]').click();
      passLink = await page.locator('[data-testid="issued-link"]').inputValue();
      assert.match(passLink, /#import=HCA1:/);
      assert.deepEqual(desk.pageErrors, []);
    } finally {
      await desk.close();
    }

    // The phone reads the credential with its camera and shows the red code.
    phone = await launchWithCamera(credentialVideo, server.origin, { profileDir: phoneProfile });
    let liveVideo;
    try {
      const { page } = phone;
      await page.goto(`${server.url}#resident`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator('[data-testid="person"]', { hasText: '陈小红' }).click();
      await page.locator('[data-testid="scan-credential"]').click();
      await page.locator('[data-testid="code-card"][data-colour="red"]').waitFor({ timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="status"]').innerText(), 'Red — 14-day quarantine, 14 days left');
      assert.match(await page.locator('[data-testid="code-card"] .who').innerText(), /^陈\*红 · ID \*\*\*\*5555$/);
      await page.goto(passLink, { waitUntil: 'load' });
      await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent === 'Pass for 330902-0001 added for 陈*红.', null, { timeout: TIMEOUT });
      await page.locator('[data-testid="pass-choice"]').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="code-card"] .qr')?.getAttribute('data-pass') === '330902-0001', null, { timeout: TIMEOUT });
      await page.screenshot({ path: path.join(ARTIFACTS, 'resident-code-with-pass.png'), fullPage: true });
      liveVideo = await filmElement(page, '[data-testid="code-card"] .qr', work, 'live');
    } finally {
      await phone.close();
    }

    // The desk re-issues green (quarantine ended early, say) and publishes the list; its
    // checkpoint denies the live red code, then refuses it as revoked after the import.
    desk = await launchWithCamera(liveVideo, server.origin, { profileDir: deskProfile, viewport: LAPTOP });
    try {
      const { page } = desk;
      await page.goto(`${server.url}#desk`, { waitUntil: 'load', timeout: TIMEOUT });
      await page.locator('[data-testid="tab-registry"]').click();
      assert.equal(await page.locator('[data-testid="registry-row"]').count(), 1);
      await page.fill('[data-testid="action-reason"]', 'negative tests, released by the district');
      await page.locator('[data-testid="reissue-green"]').click();
      await page.locator('[data-testid="issued"]').waitFor({ timeout: TIMEOUT });
      assert.equal(await page.locator('[data-testid="registry-row"]').count(), 2);
      assert.equal(await page.locator('[data-testid="registry-row"].revoked').count(), 1);
      await page.fill('[data-testid="registry-search"]', '5555');
      assert.equal(await page.locator('[data-testid="registry-row"]').count(), 2);
      await page.screenshot({ path: path.join(ARTIFACTS, 'desk-registry.png'), fullPage: true });
      await page.locator('[data-testid="tab-publish"]').click();
      await page.locator('[data-testid="sign-revocation"]').click();
      assert.equal(await page.locator('[data-testid="revocation-count"]').innerText(), '1 revoked codes in the list.');
      const list = await page.locator('[data-testid="revocation-text"]').inputValue();
      assert.match(list, /^HCL1:/);
      const listFile = path.join(work, 'revocation.txt');
      await writeFile(listFile, `${list}\n`);

      await page.goto(`${server.url}#checkpoint`, { waitUntil: 'load' });
      assert.deepEqual(await verdictOf(page), { decision: 'deny', code: 'C|RED' });
      await page.locator('[data-testid="revocation-file"]').setInputFiles(listFile);
      await page.waitForFunction(() => !document.querySelector('[data-testid="verdict"]'), null, { timeout: TIMEOUT });
      assert.deepEqual(await verdictOf(page), { decision: 'deny', code: 'R|REV' });
      await page.screenshot({ path: path.join(ARTIFACTS, 'desk-checkpoint-revoked.png'), fullPage: true });
      assert.deepEqual(desk.pageErrors, []);
      assert.deepEqual(desk.consoleErrors, []);
    } finally {
      await desk.close();
    }
  });
});
