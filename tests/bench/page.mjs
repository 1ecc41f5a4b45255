// Bench only: loaded by page.html. Exposes window.bench.run(frames) for frame-time.mjs.
// Each frame is fetched, drawn on a canvas (optionally fitted into a WxH frame on grey) and
// read back with getImageData, as the checkpoint's scanner does; every decoder then gets the
// same RGBA ImageData, in a rotating order, timed with performance.now().
// 'ours-stream' is the scanner worker's path (scan::FrameDecoder): a fresh decoder is given
// the same frame STREAM_FRAMES times in a row, as a camera held on a code gives it; every
// call is timed, and the frame counts as read if any call read it (and, for no-code frames,
// if no call read anything).
import { prepareZXingModule, readBarcodes } from '/node_modules/zxing-wasm/dist/es/reader/index.js';

const params = new URLSearchParams(location.search);
const profile = params.get('profile') || 'wasmbench';
/** Consecutive frames of one image for 'ours-stream': FrameDecoder's cycle of fallbacks. */
export const STREAM_FRAMES = Number(params.get('streamFrames') || 8);

async function setup() {
  const ours = await import(`/tests/bench/pkg/${profile}/bench-decode-wasm.js`);
  await ours.default();
  // The reader's .wasm from node_modules, never from a CDN.
  await prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) =>
        path.endsWith('.wasm') ? '/node_modules/zxing-wasm/dist/reader/zxing_reader.wasm' : prefix + path,
    },
    fireImmediately: true,
  });
  const zxOptions = { formats: ['QRCode'], maxNumberOfSymbols: 1 };
  const decoders = {
    ours: async (img) => ours.decode_rgba(new Uint8Array(img.data.buffer), img.width, img.height) ?? null,
    'zxing-wasm': async (img) => {
      const r = await readBarcodes(img, zxOptions);
      return r.length && r[0].isValid ? r[0].text : null;
    },
    jsqr: async (img) => {
      const r = window.jsQR(img.data, img.width, img.height);
      return r ? r.data : null;
    },
  };
  return { decoders, ours };
}

async function load(url, fit) {
  const blob = await (await fetch(url)).blob();
  const bmp = await createImageBitmap(blob);
  let w = bmp.width, h = bmp.height;
  if (fit) [w, h] = fit;
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (fit) {
    ctx.fillStyle = '#777';
    ctx.fillRect(0, 0, w, h);
    const s = Math.min(w / bmp.width, h / bmp.height);
    const dw = bmp.width * s, dh = bmp.height * s;
    ctx.drawImage(bmp, (w - dw) / 2, (h - dh) / 2, dw, dh);
  } else {
    ctx.drawImage(bmp, 0, 0);
  }
  return ctx.getImageData(0, 0, w, h);
}

/** The same frame STREAM_FRAMES times through a fresh FrameDecoder: per-call times, read at
 * the first call (`ok1`), read within the run (`ok`). */
function stream(img, expected) {
  const scanner = new state.ours.Scanner();
  const data = new Uint8Array(img.data.buffer);
  const samples = [];
  let ok1 = false, read = false, wrong = false;
  try {
    for (let k = 0; k < STREAM_FRAMES; k++) {
      const t0 = performance.now();
      const text = scanner.decode(data, img.width, img.height) ?? null;
      samples.push(performance.now() - t0);
      if (text !== null && text === expected) read = true;
      else if (text !== null) wrong = true;
      if (k === 0) ok1 = expected === null ? text === null : text === expected;
    }
  } finally {
    scanner.free();
  }
  const ok = expected === null ? !wrong : read && !wrong;
  const sorted = [...samples].sort((a, b) => a - b);
  return { ok, ok1, ms: sorted[sorted.length >> 1], samples };
}

let state;
window.bench = {
  async ready() {
    state = await setup();
    document.getElementById('status').textContent = 'ready';
    return {
      hasBarcodeDetector: 'BarcodeDetector' in globalThis,
      barcodeFormats: 'BarcodeDetector' in globalThis ? await BarcodeDetector.getSupportedFormats() : [],
      userAgent: navigator.userAgent,
    };
  },
  // frames: [{url, fit: [w,h] | null, expected: string | null, group}]; decoders: names.
  // Returns [{group, decoder, ok, ms, url, samples?, ok1?}] (samples and ok1: 'ours-stream').
  async run(frames, names, repeat = 1) {
    const out = [];
    let turn = 0;
    for (const f of frames) {
      let img;
      try {
        img = await load(f.url, f.fit);
      } catch (e) {
        // Chromium cannot decode a few corpus files: counted as failed for every decoder.
        for (const name of names) out.push({ group: f.group, decoder: name, ok: false, ms: null, url: f.url, loadError: String(e) });
        continue;
      }
      const order = names.map((_, i) => names[(i + turn) % names.length]);
      turn++;
      for (const name of order) {
        if (name === 'ours-stream') {
          out.push({ group: f.group, decoder: name, url: f.url, ...stream(img, f.expected) });
          continue;
        }
        const times = [];
        let text = null;
        for (let r = 0; r < repeat; r++) {
          const t0 = performance.now();
          text = await state.decoders[name](img);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        const ok = f.expected === null ? text === null : text === f.expected;
        out.push({ group: f.group, decoder: name, ok, ms: times[times.length >> 1], url: f.url });
      }
    }
    return out;
  },
};
