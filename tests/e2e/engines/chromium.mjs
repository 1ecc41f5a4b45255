// Chromium (Debian's /usr/bin/chromium) through playwright-core, headless, a fresh profile.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { CHROMIUM, chromiumArgs } from '../browser.mjs';
import { Driver, PHONE, TIMEOUT } from './driver.mjs';

export class ChromiumDriver extends Driver {
  constructor(context, page, profile) {
    super('chromium');
    this.context = context;
    this.page = page;
    this.profile = profile;
    this.errors = [];
    page.on('pageerror', (err) => this.errors.push(String(err?.stack ?? err)));
  }

  /** Launches headless Chromium with a fresh profile and opens one page. */
  static async launch({ viewport = PHONE, locale = 'en-US' } = {}) {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: set CHROMIUM`);
    const profile = await mkdtemp(path.join(os.tmpdir(), 'healthcode-e2e-chromium-'));
    // The camera is the page's canvas (camera.mjs): no fake-camera file.
    const args = chromiumArgs('unused.y4m').filter((a) => !a.startsWith('--use-file-for-fake-video-capture'));
    try {
      const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, viewport, locale, timeout: TIMEOUT });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(TIMEOUT);
      return new ChromiumDriver(context, page, profile);
    } catch (err) {
      await rm(profile, { recursive: true, force: true });
      throw err;
    }
  }

  async goto(url) {
    await this.page.goto(url, { waitUntil: 'load', timeout: TIMEOUT });
  }

  async reload() {
    await this.page.reload({ waitUntil: 'load', timeout: TIMEOUT });
  }

  evaluate(fn, arg = null) {
    return this.page.evaluate(fn, arg);
  }

  async click(selector) {
    await this.page.click(selector);
  }

  async fill(selector, text) {
    await this.page.fill(selector, text);
  }

  async setInputFile(selector, file) {
    await this.page.setInputFiles(selector, file);
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file });
  }

  async pageErrors() {
    return [...this.errors];
  }

  async close() {
    await this.context.close().catch(() => {});
    await rm(this.profile, { recursive: true, force: true });
  }
}
