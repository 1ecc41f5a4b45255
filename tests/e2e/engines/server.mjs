// The built app served for the cross-engine tests: dist/ on 127.0.0.1 and a free port, as
// tests/e2e/server.mjs does, plus one test hook that works in every engine. WebKitWebDriver
// speaks classic WebDriver only (no script that runs before the page's own), so when a case
// sets an init script, every HTML page gets `<script src="/__e2e/init.js">` as the first
// element of its <head>, and that URL serves the script. Same origin, so the page's
// Content-Security-Policy (`script-src 'self'`) lets it run, before the app's own scripts.
// The service worker precaches index.html as served (with the tag); the script itself is not
// precached, so with the server stopped it is simply missing (offline cases set none).

import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

import { MIME } from '../server.mjs';

/** The path the init script is served at. */
export const INIT_PATH = '/__e2e/init.js';

/**
 * Serves the files under `root` (GET and HEAD; `/` and directories serve their index.html;
 * no caching) on `port` (default: a free one).
 *
 * @returns {Promise<{url: string, origin: string, requests: string[],
 *   setInitScript: (source: string | null) => void, close: () => Promise<void>}>}
 *   `setInitScript(source)` injects `source` into every HTML page served from then on
 *   (`null`: none); `requests` logs `STATUS METHOD PATH` lines for failure reports
 */
export async function serveApp(root, { port: wanted = 0 } = {}) {
  root = path.resolve(root);
  const requests = [];
  let initScript = null;

  const server = http.createServer(async (req, res) => {
    const send = (status, body, type) => {
      requests.push(`${status} ${req.method} ${req.url}`);
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n', MIME['.txt']);
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, 'bad request\n', MIME['.txt']);
    }
    if (pathname === INIT_PATH) {
      return initScript === null ? send(404, 'not found\n', MIME['.txt']) : send(200, initScript, MIME['.js']);
    }
    let file = path.join(root, pathname);
    if (file !== root && !file.startsWith(root + path.sep)) return send(403, 'forbidden\n', MIME['.txt']);
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      if (type.startsWith('text/html') && initScript !== null) {
        const html = await readFile(file, 'utf8');
        return send(200, html.replace(/<head>/i, `<head><script src="${INIT_PATH}"></script>`), type);
      }
      requests.push(`200 ${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': type, 'content-length': info.size, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch {
      send(404, 'not found\n', MIME['.txt']);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: `${origin}/`,
    port,
    requests,
    setInitScript(source) {
      initScript = source;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
