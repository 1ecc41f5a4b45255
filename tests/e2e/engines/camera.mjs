// A camera that shows a given picture, in every engine: the page's
// `navigator.mediaDevices.getUserMedia` is replaced by one that answers with a
// `canvas.captureStream()` of a 640×480 canvas (white, or a QR PNG centred on white). Only the
// source of the stream is the test's: the <video>, the frame path (track processor, bitmap or
// canvas), the decoder worker, the verdict and the log are the engine's and the app's own.
// Chromium could play a .y4m file as its fake camera; Firefox and WebKit cannot (their fake
// cameras show a fixed test pattern), so the cross-engine suite uses this in all three.
//
// The script also keeps the files the page offers for download (`window.__e2eDownloads`), the
// page's uncaught errors and unhandled rejections in
// `window.__e2eErrors` (WebKitWebDriver has no event for them) and, for timings, when the
// picture was first drawn (`__e2eCamera.shownAt`, performance.now() milliseconds).

/**
 * The init script's source: defines `window.__e2eCamera` with `show(base64Png)` (draws the
 * picture from the next frame on; resolves when drawn), `blank()`, `shownAt`, `streams`
 * (how many streams the page got) and `failWith` (a DOMException name the camera fails with,
 * from `?e2e-camera-error=` at first), and replaces `MediaDevices.prototype.getUserMedia`;
 * defines `window.__e2eClock` (`offsetMs`, added to what `Date.now` answers); with
 * `?e2e-storage=refused` in the URL, `Storage.prototype.setItem` throws QuotaExceededError.
 */
export function cameraInitScript() {
  return `(${install})();\n`;
}

/** Runs in the page (serialised by cameraInitScript). */
function install() {
  const errors = [];
  window.__e2eErrors = errors;
  window.addEventListener('error', (e) => errors.push(`${e.message} ${e.error?.stack ?? ''}`.trim()));
  window.addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${String(e.reason)} ${e.reason?.stack ?? ''}`.trim()));

  // Downloads: the app offers a file as `<a download href="blob:…">` and clicks it. The blob
  // behind each such click is kept in `window.__e2eDownloads` ({name, blob}) instead of being
  // saved: Firefox (BiDi) and WebKitWebDriver give a test no saved file to read.
  const downloads = [];
  window.__e2eDownloads = downloads;
  const blobs = new Map();
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function createObjectURLKept(obj) {
    const url = createObjectURL.call(URL, obj);
    blobs.set(url, obj);
    return url;
  };
  const anchorClick = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function click() {
    if (this.hasAttribute('download') && blobs.has(this.href)) {
      downloads.push({ name: this.download, blob: blobs.get(this.href) });
      return undefined;
    }
    return anchorClick.call(this);
  };

  const W = 640;
  const H = 480;
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  let picture = null;
  let tick = 0;
  const camera = { shownAt: null, streams: 0, frames: 0 };
  const draw = () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    if (picture) {
      // Nearest-neighbour, 400 px tall at most, in the middle: a code held up to the camera.
      ctx.imageSmoothingEnabled = false;
      const scale = Math.min(400 / picture.height, 560 / picture.width);
      const w = Math.round(picture.width * scale);
      const h = Math.round(picture.height * scale);
      ctx.drawImage(picture, Math.round((W - w) / 2), Math.round((H - h) / 2), w, h);
    }
    // One corner pixel changes every frame: a canvas that does not change sends no frames.
    tick = (tick + 1) % 2;
    ctx.fillStyle = tick ? '#fefefe' : '#fff';
    ctx.fillRect(0, 0, 1, 1);
    camera.frames += 1;
  };
  draw();
  setInterval(draw, 33);

  camera.show = async (base64Png) => {
    const bytes = Uint8Array.from(atob(base64Png), (c) => c.charCodeAt(0));
    const next = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    picture = next;
    draw();
    camera.shownAt = performance.now();
    return camera.shownAt;
  };
  camera.blank = () => {
    picture = null;
    draw();
    camera.shownAt = null;
  };
  window.__e2eCamera = camera;

  // The page's clock: `Date.now` answers the real time plus `__e2eClock.offsetMs` (0 until a
  // case moves it), so a case can step the clock forward instead of sleeping. The app reads the
  // time only through `Date.now` (src/web/clock.rs `now_secs`).
  const clock = { offsetMs: 0 };
  const realNow = Date.now.bind(Date);
  Date.now = function now() {
    return realNow() + clock.offsetMs;
  };
  window.__e2eClock = clock;

  // Storage that refuses every write, as when full or disabled (private browsing on some
  // phones): `?e2e-storage=refused` in the URL makes `Storage.prototype.setItem` throw
  // QuotaExceededError.
  if (new URLSearchParams(location.search).get('e2e-storage') === 'refused') {
    Storage.prototype.setItem = function setItem() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  }

  // A camera that fails as a browser's does: `?e2e-camera-error=NotAllowedError` in the URL,
  // or `__e2eCamera.failWith` set later (null: works).
  camera.failWith = new URLSearchParams(location.search).get('e2e-camera-error');
  const original = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function getUserMedia(constraints) {
    if (!constraints?.video) return original.call(this, constraints);
    if (camera.failWith) throw new DOMException('refused by the test', camera.failWith);
    camera.streams += 1;
    return canvas.captureStream(30);
  };
}
