// Test tooling: fills a test browser's registration log with synthetic entries made by
// `examples/log_fill.rs` (the core's own chain), written straight into the page's IndexedDB in
// the store's record form. The shipped app has no route that writes test data.

import { execFile } from 'node:child_process';
import path from 'node:path';

import { REPO } from './cli.mjs';

/** The example binary: `$HEALTHCODE_LOG_FILL`, else target/debug/examples/log_fill. */
export const LOG_FILL = path.resolve(
  process.env.HEALTHCODE_LOG_FILL ?? path.join(REPO, 'target', 'debug', 'examples', 'log_fill'),
);

/** The records for `n` entries ending at `now` (Unix seconds): `{entries, tallies}`. */
export function logFillRecords(n, now) {
  return new Promise((resolve, reject) => {
    execFile(LOG_FILL, [String(n), String(now)], { maxBuffer: 512 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${LOG_FILL} ${n} ${now}: ${err.message}\n${stderr} (build it: cargo build --example log_fill)`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/**
 * Writes `n` synthetic entries into the page's empty `healthcode-log` database (the page must
 * have opened it: wait for the log status first), `chunk` entries a transaction. Reload the
 * page afterwards so the app reads the new head. Resolves to the milliseconds the writes took
 * in the page.
 */
export async function fillLog(page, n, now, { chunk = 5000 } = {}) {
  const { entries, tallies } = await logFillRecords(n, now);
  let ms = 0;
  for (let i = 0; i < entries.length || i === 0; i += chunk) {
    ms += await page.evaluate(
      async ([rows, tallyRows]) => {
        const hex = (h) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
        const t0 = performance.now();
        const db = await new Promise((resolve, reject) => {
          const r = indexedDB.open('healthcode-log');
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        await new Promise((resolve, reject) => {
          const tx = db.transaction(['entries', 'tallies'], 'readwrite');
          const store = tx.objectStore('entries');
          for (const [seq, b, t, c, o] of rows) store.add({ b: hex(b), t, c, o }, seq);
          for (const [bucket, b] of tallyRows) tx.objectStore('tallies').put(hex(b), bucket);
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        });
        db.close();
        return performance.now() - t0;
      },
      [entries.slice(i, i + chunk), i === 0 ? tallies : []],
    );
  }
  return ms;
}
