// Shared steps on the checkpoint page for the e2e tests.

/**
 * Waits (up to `timeout` ms) until the registration log is open; returns the entries it holds
 * (0 included). Throws with the page's words if the log failed to open.
 */
export async function waitForLog(page, { timeout = 60_000 } = {}) {
  const handle = await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid="log-status"]');
      const state = s?.getAttribute('data-state');
      if (state === 'failed') return { failed: s.textContent };
      return state === 'ready' ? { entries: Number(s.getAttribute('data-entries')) } : null;
    },
    undefined,
    { timeout, polling: 50 },
  );
  const r = await handle.jsonValue();
  if (r.failed) throw new Error(`the registration log failed to open: ${r.failed}`);
  return r.entries;
}
