// PNG → YUV4MPEG2 (.y4m) video for Chromium's fake camera
// (`--use-file-for-fake-video-capture=<file>.y4m`).
//
// The picture is centred on a white frame, scaled by nearest neighbour so that it is about
// `qrHeight` pixels tall (and always fits inside the frame with a margin), and written as
// grey 4:2:0: a full-size luma plane and two quarter-size chroma planes of value 128.
// Chromium loops the file, so a few identical frames are enough.

import { readFile, writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';

/** Full-range BT.601 luma of an sRGB pixel, 0–255 (JFIF/JPEG convention, matching `C420jpeg`). */
export function luma601(r, g, b) {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

/**
 * Renders an RGBA image onto a white luma plane of `width` × `height`, nearest-neighbour
 * scaled so that it is `targetHeight` pixels tall, centred. Transparent pixels are composited
 * over white.
 *
 * @param {{width: number, height: number, data: Uint8Array}} image RGBA, 4 bytes a pixel
 * @returns {{plane: Uint8Array, scale: number, drawnWidth: number, drawnHeight: number}}
 */
export function lumaPlane(image, width, height, targetHeight) {
  const margin = 16; // keep the picture (its quiet zone included) clear of the frame's edges
  const scale = Math.min(
    targetHeight / image.height,
    (height - 2 * margin) / image.height,
    (width - 2 * margin) / image.width,
  );
  const drawnWidth = Math.max(1, Math.round(image.width * scale));
  const drawnHeight = Math.max(1, Math.round(image.height * scale));
  const left = Math.floor((width - drawnWidth) / 2);
  const top = Math.floor((height - drawnHeight) / 2);

  const plane = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < drawnHeight; y++) {
    // Sample at the centre of the destination pixel.
    const sy = Math.min(image.height - 1, Math.floor(((y + 0.5) * image.height) / drawnHeight));
    for (let x = 0; x < drawnWidth; x++) {
      const sx = Math.min(image.width - 1, Math.floor(((x + 0.5) * image.width) / drawnWidth));
      const i = (sy * image.width + sx) * 4;
      const a = image.data[i + 3] / 255;
      const over = (c) => c * a + 255 * (1 - a);
      plane[(top + y) * width + left + x] = luma601(
        over(image.data[i]),
        over(image.data[i + 1]),
        over(image.data[i + 2]),
      );
    }
  }
  return { plane, scale, drawnWidth, drawnHeight };
}

/**
 * The bytes of a grey 4:2:0 YUV4MPEG2 video: `frames` copies of the luma plane `y`.
 * `width` and `height` must be even.
 */
export function y4mBytes(y, width, height, frames) {
  if (width % 2 || height % 2) throw new Error(`y4m size must be even, got ${width}x${height}`);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const frameHeader = Buffer.from('FRAME\n', 'ascii');
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128); // U then V, both neutral
  const parts = [header];
  for (let f = 0; f < frames; f++) parts.push(frameHeader, y, chroma);
  return Buffer.concat(parts);
}

/**
 * Converts the PNG at `pngPath` into a camera video at `y4mPath`.
 *
 * @param {string} pngPath
 * @param {string} y4mPath
 * @param {{width?: number, height?: number, qrHeight?: number, frames?: number}} [options]
 *   frame size (default 640 × 480), height of the picture in the frame (default 400 px; it is
 *   reduced if it would not fit), number of frames (default 10)
 * @returns {Promise<{scale: number, drawnWidth: number, drawnHeight: number}>} how the picture
 *   was drawn
 */
export async function pngToY4m(pngPath, y4mPath, options = {}) {
  const { width = 640, height = 480, qrHeight = 400, frames = 10 } = options;
  const image = PNG.sync.read(await readFile(pngPath));
  const { plane, ...drawn } = lumaPlane(image, width, height, qrHeight);
  await writeFile(y4mPath, y4mBytes(plane, width, height, frames));
  return drawn;
}

/** A .y4m video of a blank white page (`file`): a camera that sees no code. */
export async function blankY4m(file) {
  const w = 320;
  const h = 240;
  await writeFile(file, y4mBytes(Buffer.alloc(w * h, 235), w, h, 2));
  return file;
}

/**
 * One camera video showing several pictures in turn (`framesEach` frames of each, in the
 * order given; Chromium loops the file), e.g. the parts of a multi-part code.
 */
export async function pngsToY4m(pngPaths, y4mPath, { width = 640, height = 480, qrHeight = 400, framesEach = 15 } = {}) {
  const planes = [];
  for (const png of pngPaths) {
    const image = PNG.sync.read(await readFile(png));
    planes.push(lumaPlane(image, width, height, qrHeight).plane);
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const parts = [header];
  for (const plane of planes) {
    for (let f = 0; f < framesEach; f++) parts.push(Buffer.from('FRAME\n', 'ascii'), plane, chroma);
  }
  await writeFile(y4mPath, Buffer.concat(parts));
}
