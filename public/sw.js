// healthcode service worker: precaches the whole app at install, then serves it from the
// cache, so the app opens and works with no network at all. A new version installs beside
// the old one and waits; the page offers "Update available — reload", and on the user's tap
// sends "skip-waiting". Codes and keys are in the page's storage, which no update touches.
//
// scripts/postbuild.mjs replaces the two placeholders below at build time.
const VERSION = '__HEALTHCODE_VERSION__';
const PRECACHE = __HEALTHCODE_PRECACHE__;
const CACHE = `healthcode-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const key = request.mode === 'navigate' ? '/index.html' : request;
      const cached = await cache.match(key, { ignoreSearch: true });
      return cached ?? fetch(request);
    })(),
  );
});
