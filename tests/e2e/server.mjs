// A tiny static file server for the built app (dist/), on 127.0.0.1 and a free port.
// http://127.0.0.1 is a secure context, so the camera and service workers work as on HTTPS.

import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

/** Content types by file extension. */
export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The `[serve.headers]` table of Trunk.toml (`"Name" = "value"` lines): what `trunk serve`
 * sends with every file, sent here too so the tests run the app under the served headers.
 */
export function servedHeaders(trunkToml = new URL('../../Trunk.toml', import.meta.url)) {
  const headers = {};
  let inTable = false;
  for (const line of readFileSync(trunkToml, 'utf8').split('\n')) {
    const t = line.trim();
    if (t.startsWith('[')) inTable = t === '[serve.headers]';
    const m = inTable && t.match(/^"([^"]+)"\s*=\s*"(.*)"$/);
    if (m) headers[m[1].toLowerCase()] = m[2];
  }
  return headers;
}

/**
 * Serves the files under `root` on `port` (default: a free one); `/` (and any directory) serves
 * its index.html. GET and HEAD only; nothing outside `root`; no caching.
 *
 * @returns {Promise<{url: string, origin: string, requests: string[], close: () => Promise<void>}>}
 *   `url` ends with `/`; `requests` logs `STATUS METHOD PATH` lines for failure reports
 */
export async function serveStatic(root, { port: wanted = 0 } = {}) {
  root = path.resolve(root);
  const requests = [];
  const served = servedHeaders();

  const server = http.createServer(async (req, res) => {
    const reply = (status, body, type = 'text/plain; charset=utf-8') => {
      requests.push(`${status} ${req.method} ${req.url}`);
      res.writeHead(status, { ...served, 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');

    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return reply(400, 'bad request\n');
    }
    let file = path.join(root, pathname);
    if (file !== root && !file.startsWith(root + path.sep)) return reply(403, 'forbidden\n');

    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      requests.push(`200 ${req.method} ${req.url}`);
      res.writeHead(200, {
        ...served,
        'content-type': type,
        'content-length': info.size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch {
      reply(404, 'not found\n');
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
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
