// Bench only: loaded by page.html. Exposes window.bench.run(frames) for frame-time.mjs.
// Each frame is fetched, drawn on a canvas (optionally fitted into a WxH frame on grey) and
// read back with getImageData, as the checkpoint's scanner does; every decoder then gets the
// same RGBA ImageData, in a rotating order, timed with performance.now().
import { prepareZXingModule, readBarcodes } from '/node_modules/zxing-wasm/dist/es/reader/index.js';

const params = new URLSearchParams(location.search);
const profile = params.get('profile') || 'wasmbench';

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
    'ours-1pass': async (img) => ours.decode_rgba_one_pass(new Uint8Array(img.data.buffer), img.width, img.height) ?? null,
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
  // Returns [{group, decoder, ok, ms, text?}].
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
