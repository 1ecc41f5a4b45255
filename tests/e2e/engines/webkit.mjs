// WebKitGTK (Debian's webkit2gtk-driver: /usr/bin/WebKitWebDriver and MiniBrowser) through
// selenium-webdriver, classic WebDriver. MiniBrowser has no headless mode: it needs an X
// display. Under `xvfb-run` it uses that one; with no DISPLAY set, this driver starts its own
// Xvfb for the session. Each session is a new MiniBrowser with its own (ephemeral) storage.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';

import { Builder, By } from 'selenium-webdriver';

import { Driver, PHONE, TIMEOUT, scriptBody } from './driver.mjs';

/** WebKitWebDriver: `$WEBKIT_WEBDRIVER`, else /usr/bin/WebKitWebDriver. */
export const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';
/** The browser it drives: `$MINIBROWSER`, else Debian's MiniBrowser. */
export const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts `Xvfb -displayfd`; resolves to `{display, process}` once it is ready. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    xvfb.once('error', (err) => reject(new Error(`Xvfb could not start (${err.message}): install xvfb or run under xvfb-run`)));
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    xvfb.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/^(\d+)\n/);
      if (m) resolve({ display: `:${m[1]}`, process: xvfb });
    });
  });
}

/** Waits until WebKitWebDriver answers /status. */
async function waitForDriver(url, child) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('WebKitWebDriver did not start');
}

export class WebKitDriver extends Driver {
  constructor(driver, children) {
    super('webkit');
    this.driver = driver;
    this.children = children;
  }

  /** Starts WebKitWebDriver (and Xvfb if there is no display) and a MiniBrowser session. */
  static async launch({ viewport = PHONE, locale = 'en-US' } = {}) {
    for (const file of [WEBKIT_WEBDRIVER, MINIBROWSER]) {
      if (!existsSync(file)) throw new Error(`${file} not found: install webkit2gtk-driver`);
    }
    const children = [];
    const env = { ...process.env, LANG: `${locale.replace('-', '_')}.UTF-8`, LANGUAGE: locale.replace('-', '_') };
    try {
      if (!env.DISPLAY) {
        const xvfb = await startXvfb();
        children.push(xvfb.process);
        env.DISPLAY = xvfb.display;
      }
      const port = await freePort();
      const child = spawn(WEBKIT_WEBDRIVER, [`--port=${port}`], { env, stdio: 'ignore' });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitForDriver(url, child);
      const driver = await new Builder()
        .usingServer(url)
        .withCapabilities({
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        })
        .build();
      await driver.manage().setTimeouts({ script: TIMEOUT, pageLoad: TIMEOUT, implicit: 0 });
      const wd = new WebKitDriver(driver, children);
      await wd.setViewport(viewport);
      return wd;
    } catch (err) {
      for (const c of children.reverse()) c.kill();
      throw err;
    }
  }

  /** Sizes the window so the page's viewport is `viewport` (the window adds its toolbar). */
  async setViewport({ width, height }) {
    const win = this.driver.manage().window();
    await win.setRect({ width, height });
    const inner = await this.evaluate(() => ({ w: window.innerWidth, h: window.innerHeight }));
    if (inner.w !== width || inner.h !== height) {
      const rect = await win.getRect();
      await win.setRect({ width: rect.width + width - inner.w, height: rect.height + height - inner.h });
    }
  }

  async goto(url) {
    await this.driver.get(url);
  }

  async reload() {
    await this.driver.navigate().refresh();
  }

  evaluate(fn, arg = null) {
    return this.driver.executeScript(scriptBody(fn), arg);
  }

  async element(selector) {
    await this.waitForSelector(selector);
    return this.driver.findElement(By.css(selector));
  }

  async click(selector) {
    await (await this.element(selector)).click();
  }

  /** Types `text` into the field (real key events). Typing a 330-character code takes
   * WebKitWebDriver about 5 s; once, on a loaded machine, it failed with an empty "unknown
   * error" part-way: then the field is cleared and typed again, once. */
  async fill(selector, text) {
    for (let attempt = 1; ; attempt += 1) {
      const el = await this.element(selector);
      await el.clear();
      try {
        await el.sendKeys(text);
        return;
      } catch (err) {
        if (attempt < 2) continue;
        err.message = `WebKitWebDriver could not type ${text.length} characters into ${selector}: ${err.name} ${err.message} ${JSON.stringify(err.remoteStacktrace ?? '')}`;
        throw err;
      }
    }
  }

  async setInputFile(selector, file) {
    await (await this.element(selector)).sendKeys(file);
  }

  async screenshot(file) {
    await writeFile(file, Buffer.from(await this.driver.takeScreenshot(), 'base64'));
  }

  /** The current document's uncaught errors, as camera.mjs's init script kept them; null
   * where that script is not on the page (WebDriver classic has no error events). */
  async pageErrors() {
    return this.evaluate(() => (window.__e2eErrors ? [...window.__e2eErrors] : null));
  }

  async close() {
    await this.driver.quit().catch(() => {});
    for (const c of this.children.reverse()) c.kill();
  }
}
