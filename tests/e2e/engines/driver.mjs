// What every engine's driver offers the cross-engine tests. Each engine implements the
// primitives (goto, reload, evaluate, click, fill, setInputFile, screenshot, pageErrors,
// close); waiting and reading are built here on `evaluate`, the same way for all three, so a
// case reads the same in every engine.

/** How long a wait lasts unless told, in milliseconds. */
export const TIMEOUT = 60_000;

/** A phone-sized viewport (CSS pixels). */
export const PHONE = { width: 390, height: 844 };

export class Driver {
  /** @param {string} name the engine: chromium, firefox or webkit */
  constructor(name) {
    this.name = name;
  }

  /**
   * Polls `fn(arg)` in the page every `polling` ms until it returns a truthy value, and
   * resolves to that value (JSON). A throw in the page (e.g. during a reload) counts as
   * "not yet". Rejects after `timeout` ms with `what` and the last error.
   */
  async waitFor(fn, arg = null, { timeout = TIMEOUT, polling = 50, what = String(fn).slice(0, 200) } = {}) {
    const deadline = Date.now() + timeout;
    let lastError = null;
    for (;;) {
      try {
        const value = await this.evaluate(fn, arg);
        if (value) return value;
        lastError = null;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, polling));
    }
  }

  /** Waits until an element matches `selector`. */
  waitForSelector(selector, options = {}) {
    return this.waitFor((sel) => document.querySelector(sel) !== null, selector, { what: `selector ${selector}`, ...options });
  }

  /** Waits until no element matches `selector`. */
  waitForNoSelector(selector, options = {}) {
    return this.waitFor((sel) => document.querySelector(sel) === null, selector, { what: `no ${selector}`, ...options });
  }

  /** The attribute `name` of the first element matching `selector` (null if none). */
  getAttribute(selector, name) {
    return this.evaluate(([sel, n]) => document.querySelector(sel)?.getAttribute(n) ?? null, [selector, name]);
  }

  /** The text of the first element matching `selector` (null if none). */
  text(selector) {
    return this.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, selector);
  }

  /** How many elements match `selector`. */
  count(selector) {
    return this.evaluate((sel) => document.querySelectorAll(sel).length, selector);
  }

  /** Clicks by script (`element.click()`): for controls a verdict may cover. */
  clickByScript(selector) {
    return this.evaluate((sel) => {
      const el = document.querySelector(sel);
      if (!el) throw new Error(`no ${sel}`);
      el.click();
      return true;
    }, selector);
  }
}

/**
 * Wraps a function for engines that take a script body (WebDriver classic):
 * `fn(arguments[0])`, awaiting a promise it returns.
 */
export function scriptBody(fn) {
  return `return (${fn}).call(null, arguments[0]);`;
}
