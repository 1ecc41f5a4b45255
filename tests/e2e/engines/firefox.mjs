// Firefox ESR (Debian's /usr/bin/firefox-esr) through puppeteer-core over WebDriver BiDi,
// truly headless, a fresh profile (puppeteer makes one per launch). No geckodriver.

import { existsSync } from 'node:fs';

import puppeteer from 'puppeteer-core';

import { Driver, PHONE, TIMEOUT } from './driver.mjs';

/** The browser: `$FIREFOX`, else /usr/bin/firefox-esr. */
export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

export class FirefoxDriver extends Driver {
  constructor(browser, page) {
    super('firefox');
    this.browser = browser;
    this.page = page;
    this.errors = [];
    page.on('pageerror', (err) => this.errors.push(String(err?.stack ?? err)));
  }

  /** Launches headless Firefox and opens one page at `viewport`. */
  static async launch({ viewport = PHONE, locale = 'en-US' } = {}) {
    if (!existsSync(FIREFOX)) throw new Error(`Firefox not found at ${FIREFOX}: set FIREFOX or install firefox-esr`);
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      protocolTimeout: TIMEOUT,
      timeout: TIMEOUT,
      extraPrefsFirefox: {
        // The page's own getUserMedia is replaced (camera.mjs); these keep Firefox from
        // asking should anything reach the real one.
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
        'intl.accept_languages': locale,
        'intl.locale.requested': locale,
      },
    });
    try {
      const page = (await browser.pages())[0] ?? (await browser.newPage());
      page.setDefaultTimeout(TIMEOUT);
      await page.setViewport(viewport);
      return new FirefoxDriver(browser, page);
    } catch (err) {
      await browser.close().catch(() => {});
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
    await this.page.locator(selector).fill(text);
  }

  async setInputFile(selector, file) {
    const input = await this.page.waitForSelector(selector);
    await input.uploadFile(file);
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file });
  }

  async pageErrors() {
    return [...this.errors];
  }

  async close() {
    await this.browser.close().catch(() => {});
  }
}
