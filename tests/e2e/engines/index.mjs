// One interface, three engines: Chromium (playwright-core), Firefox ESR (puppeteer-core over
// WebDriver BiDi) and WebKitGTK (selenium-webdriver over WebKitWebDriver). Every driver has:
//
//   goto(url) · reload() · evaluate(fn, arg) · waitFor(fn, arg, {timeout, polling})
//   waitForSelector(sel) · waitForNoSelector(sel) · click(sel) · clickByScript(sel)
//   fill(sel, text) · setInputFile(sel, path) · getAttribute(sel, name) · text(sel)
//   count(sel) · screenshot(path) · pageErrors() (null where the engine cannot tell) · close()
//
// Nothing is downloaded: each engine is a Debian package (chromium, firefox-esr,
// webkit2gtk-driver; Xvfb for WebKit).

import { ChromiumDriver } from './chromium.mjs';
import { FirefoxDriver } from './firefox.mjs';
import { WebKitDriver } from './webkit.mjs';

export { PHONE, TIMEOUT } from './driver.mjs';
export { cameraInitScript } from './camera.mjs';
export { serveApp } from './server.mjs';

const LAUNCHERS = { chromium: ChromiumDriver, firefox: FirefoxDriver, webkit: WebKitDriver };

/** Every engine the suite knows. */
export const ALL_ENGINES = Object.keys(LAUNCHERS);

/** The engines to test: `$HEALTHCODE_ENGINES` (comma-separated), else all three. */
export function enginesFromEnv(value = process.env.HEALTHCODE_ENGINES) {
  if (!value) return ALL_ENGINES;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((e) => !ALL_ENGINES.includes(e));
  if (unknown.length) throw new Error(`HEALTHCODE_ENGINES: unknown engine ${unknown.join(', ')} (known: ${ALL_ENGINES.join(', ')})`);
  return list;
}

/**
 * Launches `engine` with a fresh profile and one page.
 * @param {'chromium'|'firefox'|'webkit'} engine
 * @param {{viewport?: {width: number, height: number}, locale?: string}} options
 */
export function launch(engine, options = {}) {
  const Launcher = LAUNCHERS[engine];
  if (!Launcher) throw new Error(`unknown engine ${engine}`);
  return Launcher.launch(options);
}
