// Headless Chromium (the Debian package, /usr/bin/chromium) driven by playwright-core, with a
// fake camera that plays a .y4m file. No browser is downloaded.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** The browser: `$CHROMIUM`, else /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A phone-sized viewport. */
export const PHONE = { width: 390, height: 844 };

/** Flags for a quiet, offline, sandbox-less headless Chromium with a fake camera. */
export function chromiumArgs(y4mPath) {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    // Without these, the closed network floods Chromium with refused connections.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // The camera: no permission prompt, a fake device, playing this file in a loop.
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${y4mPath}`,
  ];
}

/**
 * Launches Chromium with a fresh profile whose camera plays `y4mPath`, grants the camera to
 * `origin`, and opens a page (default: a 390×844 phone, English). Everything the page reports
 * is collected: `pageErrors` (uncaught exceptions, `pageerror`), `consoleErrors`
 * (`console.error`, which includes Content-Security-Policy violations) and `requests` (every
 * URL the page or its service worker asked for).
 *
 * @returns {Promise<{context, page, pageErrors: string[], consoleErrors: string[], requests: string[], close: () => Promise<void>}>}
 */
export async function launchWithCamera(y4mPath, origin, { profileDir, viewport = PHONE, locale = 'en-US' } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: set CHROMIUM`);
  // A caller-owned profile survives close(), so a second launch sees the same storage.
  const ownProfile = !profileDir;
  const profile = profileDir ?? (await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-profile-')));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: chromiumArgs(y4mPath),
      viewport,
      locale,
      timeout: 60_000,
    });
    await context.grantPermissions(['camera'], { origin });
  } catch (err) {
    await context?.close().catch(() => {});
    if (ownProfile) await rm(profile, { recursive: true, force: true });
    throw err;
  }

  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  const consoleErrors = [];
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });

  return {
    context,
    page,
    pageErrors,
    consoleErrors,
    requests,
    async close() {
      await context.close().catch(() => {});
      if (ownProfile) await rm(profile, { recursive: true, force: true });
    },
  };
}
