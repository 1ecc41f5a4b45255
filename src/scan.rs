//! QR decoding from camera frames and image files, shared by the checkpoint page (wasm) and
//! the CLI, so both read codes the same way. The decoder is `rxing` (a Rust port of ZXing).
//!
//! Input is an 8-bit grey ("luma") image, row-major, `width * height` bytes; helpers convert
//! RGBA (as `CanvasRenderingContext2D.getImageData` returns it, MDN) to luma.
//!
//! Two entry points: [`decode_luma`] (and [`decode_luma_within`]), full effort on one image
//! (files, the CLI, a single photo); [`FrameDecoder`], a cheap pass on every frame of a camera
//! stream and the full-effort passes spread over the following frames.

use std::collections::HashSet;

use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::qrcode::cpp_port::QrReader;
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8Source, MultiFormatReader, Reader,
};

/// Why a frame gave no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// `luma.len()` is not `width * height`, or a side is 0.
    #[error("frame size does not match its buffer")]
    BadFrame,
    /// No QR code was found or read in the frame.
    #[error("no QR code found")]
    NotFound,
}

/// Grey value of each RGBA pixel (ITU-R BT.601 weights, integer arithmetic):
/// `(77 R + 150 G + 29 B) >> 8`. A trailing partial pixel is ignored.
pub fn rgba_to_luma(rgba: &[u8]) -> Vec<u8> {
    let mut luma = Vec::with_capacity(rgba.len() / 4);
    rgba_to_luma_into(rgba, &mut luma);
    luma
}

/// Reads one QR code from a grey frame; returns its text.
///
/// Up to four passes with `rxing`'s QR readers, cheapest and most likely first; the first
/// text found is returned, so a frame the first pass reads costs no more than one pass:
///
/// 1. The frame as it is, `HybridBinarizer` (local thresholds, ZXing's default). Reads almost
///    every readable frame, among them a phone screen in a 640x480 frame.
/// 2. The frame at half size (2x2 pixel means), `HybridBinarizer`. Averaging smooths sensor
///    noise and JPEG/WebP artefacts, and halves modules that are large for the binarizer's
///    8x8-pixel blocks; it is cheap (a quarter of the pixels).
/// 3. The frame as it is, `GlobalHistogramBinarizer` (one threshold for the frame). Helps where
///    the local thresholds break the code up: uneven light, folds, codes on cloth.
/// 4. The frame inverted (255 - grey), `HybridBinarizer`: light-on-dark codes. Inverting the
///    grey values before binarizing reads more of them than inverting the binarized bits
///    (`rxing`'s `AlsoInverted` hint, which this function used before).
///
/// Every pass uses `TryHarder` (denser search). Measured with `examples/decode_rate.rs`
/// (`scripts/bench-decode.sh`) on the real photos of `../shared/qr-corpus`, upright: the old
/// single pass (1 with `AlsoInverted`) read 165/179 (ZXing set) and 121/137 (zxing-cpp set);
/// these four passes read 167/179 and 128/137 (zxing-cpp 3.1.1: 166 and 125), and gain at
/// 90/180/270 degrees too. A frame with a code costs the same as before; a 640x480 frame with
/// no code runs all four passes, about twice the old time (2.1 to 2.2 times in back-to-back
/// native release runs, e.g. 5.7 ms instead of 2.7 ms). Tried and rejected (no gain, wrong texts, or too slow for a frame
/// every 150 ms): `PureBarcode`, third and quarter size, half size with the global binarizer,
/// 2x upscaling, a 3x3 blur, morphological closing, and `rxing`'s `FilteredImageReader`.
pub fn decode_luma(luma: &[u8], width: u32, height: u32) -> Result<String, ScanError> {
    decode_luma_within(luma, width, height, || false)
}

/// [`decode_luma`] with a time bound: `out_of_time` is asked before each pass after the
/// first, and when it answers `true` the remaining passes are skipped and the frame counts as
/// [`ScanError::NotFound`]. The first pass always runs (it reads almost every readable
/// frame), so a frame costs at most one pass more than its budget. The caller measures the
/// time (the core has no clock); the scanner's Web Worker (`src/bin/scanner_worker.rs`) uses
/// it so that no frame can hold the worker for long.
pub fn decode_luma_within(
    luma: &[u8],
    width: u32,
    height: u32,
    mut out_of_time: impl FnMut() -> bool,
) -> Result<String, ScanError> {
    check_grey(luma, width, height)?;
    let mut buffers = Buffers::default();
    let frame = Grey {
        luma,
        width,
        height,
    };
    FULL_EFFORT
        .iter()
        .enumerate()
        .find_map(|(i, &pass)| {
            if i > 0 && out_of_time() {
                return None;
            }
            pass.run(frame, &mut buffers)
        })
        .ok_or(ScanError::NotFound)
}

/// The passes of [`decode_luma`], in order.
const FULL_EFFORT: [Pass; 4] = [Pass::AsIs, Pass::Half, Pass::Global, Pass::Inverted];

/// One way of reading a grey frame (see [`decode_luma`] and [`FrameDecoder`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// [`decode_luma`]'s pass 1: full size, `HybridBinarizer`, `TryHarder`.
    AsIs,
    /// Pass 2: half size (2x2 means), `HybridBinarizer`, `TryHarder`.
    Half,
    /// Pass 3: full size, `GlobalHistogramBinarizer`, `TryHarder`.
    Global,
    /// Pass 4: full size inverted (255 - grey), `HybridBinarizer`, `TryHarder`.
    Inverted,
    /// [`FrameDecoder`]'s cheap pass on a frame as given: `HybridBinarizer`, only `rxing`'s
    /// port of zxing-cpp's QR reader (`QrReader`), no `TryHarder`.
    Quick,
}

/// A grey frame, its size checked.
#[derive(Clone, Copy)]
struct Grey<'a> {
    luma: &'a [u8],
    width: u32,
    height: u32,
}

impl<'a> Grey<'a> {
    fn new(luma: &'a [u8], width: u32, height: u32) -> Self {
        Self {
            luma,
            width,
            height,
        }
    }
}

/// Scratch buffers reused between passes (and, in a [`FrameDecoder`], between frames).
#[derive(Debug, Default, Clone)]
struct Buffers {
    /// The frame at half size, when a pass made it.
    half: Vec<u8>,
    /// The inverted frame.
    inverted: Vec<u8>,
}

impl Pass {
    /// The text this pass reads in `frame`, if any.
    fn run(self, frame: Grey<'_>, buffers: &mut Buffers) -> Option<String> {
        let Grey {
            luma,
            width,
            height,
        } = frame;
        let thorough = DecodeHints {
            TryHarder: Some(true),
            PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
            ..DecodeHints::default()
        };
        match self {
            Pass::AsIs => read(
                HybridBinarizer::new(source(luma, width, height)?),
                &thorough,
            ),
            Pass::Half => {
                let (w, h) = half_size_into(luma, width, height, &mut buffers.half)?;
                read(
                    HybridBinarizer::new(source(&buffers.half, w, h)?),
                    &thorough,
                )
            }
            Pass::Global => read(
                GlobalHistogramBinarizer::new(source(luma, width, height)?),
                &thorough,
            ),
            Pass::Inverted => {
                buffers.inverted.clear();
                buffers.inverted.extend(luma.iter().map(|&v| 255 - v));
                read(
                    HybridBinarizer::new(source(&buffers.inverted, width, height)?),
                    &thorough,
                )
            }
            Pass::Quick => {
                let hints = DecodeHints {
                    PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
                    ..DecodeHints::default()
                };
                let mut bitmap =
                    BinaryBitmap::new(HybridBinarizer::new(source(luma, width, height)?));
                QrReader
                    .decode_with_hints(&mut bitmap, &hints)
                    .ok()
                    .map(|result| result.getText().to_owned())
            }
        }
    }
}

/// Reads QR codes from a camera stream, frame after frame, at a small cost per frame.
///
/// A scanner sees a code that is in view in many frames in a row, and most frames show no code
/// at all; so instead of [`decode_luma`]'s four passes on every frame, each frame gets
///
/// 1. a cheap pass: `HybridBinarizer`, `rxing`'s port of zxing-cpp's QR reader alone, no
///    `TryHarder`; on a frame of [`HALF_SIZE_FROM`] pixels or more (1280x720) on the frame at
///    half size (2x2 means, made straight from the RGBA by [`FrameDecoder::decode_rgba`]), as
///    a camera's modules are large there;
/// 2. then, if the cheap pass read nothing and `out_of_time` says there is time, on every
///    other frame one of [`decode_luma`]'s four passes, in turn (a cycle of 8 frames).
///
/// So a code that [`decode_luma`] reads in one frame is read within 8 frames of the same view
/// (each of its passes runs once in that many frames, and the cheap pass reads most codes at
/// once). The buffers (grey, half size, inverted) are kept and reused from frame to frame. Not
/// for single images: use [`decode_luma`] there.
///
/// Measured 2026-11-29 (`tests/bench/frame-time.mjs`, wasm in headless Chromium, README
/// "Frame time in the browser"): within 8 frames it reads exactly what [`decode_luma`] reads
/// (corpus 167/179 and 128/137; at the first frame 164 and 118), at a median time per frame of
/// 0.50–0.98 times zxing-wasm's with a code and 0.80–0.93 times without ([`decode_luma`] on
/// every frame: 2.1–3.5 times without a code). Tried: `TryHarder` changes no count of this
/// reader on these frames (without it the finder scans every `3 * height / 388`th row instead
/// of every 3rd, fewer rows from 720 rows up); rxing's Java-port reader (what `MultiFormatReader`
/// adds after this one) reads fewer alone (157/179 and 94/137); the half-size cheap pass at
/// 640x480 misses 5 of 106 corpus frames fitted into 640x480 that the full-size one reads.
#[derive(Debug, Default, Clone)]
pub struct FrameDecoder {
    /// Frames seen so far; picks the entry of [`FALLBACKS`].
    frames: usize,
    /// The frame in grey, when it came as RGBA.
    grey: Vec<u8>,
    /// The frame at half size for the cheap pass.
    small: Vec<u8>,
    /// Scratch buffers of the fallback passes.
    buffers: Buffers,
}

/// Frames of at least this many pixels (1280x720) get their cheap pass at half size.
pub const HALF_SIZE_FROM: u64 = 1280 * 720;

/// What [`FrameDecoder`] runs after its cheap pass on frame `k`: entry `k % FALLBACKS.len()`.
const FALLBACKS: [Option<Pass>; 8] = [
    None,
    Some(Pass::AsIs),
    None,
    Some(Pass::Half),
    None,
    Some(Pass::Global),
    None,
    Some(Pass::Inverted),
];

impl FrameDecoder {
    /// A decoder at its first frame, with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one grey frame (`width * height` bytes, row-major) of the stream; see
    /// [`FrameDecoder`] for the passes. `out_of_time` is asked once, after the cheap pass;
    /// `true` skips this frame's fallback. Errors: [`ScanError::BadFrame`] if the sizes do not
    /// match, [`ScanError::NotFound`] if this frame's passes read nothing.
    pub fn decode(
        &mut self,
        luma: &[u8],
        width: u32,
        height: u32,
        mut out_of_time: impl FnMut() -> bool,
    ) -> Result<String, ScanError> {
        check_grey(luma, width, height)?;
        let frame = Grey {
            luma,
            width,
            height,
        };
        let due = self.next_fallback();
        let quick = if is_large(width, height) {
            half_size_into(luma, width, height, &mut self.small)
                .and_then(|(w, h)| Pass::Quick.run(Grey::new(&self.small, w, h), &mut self.buffers))
        } else {
            Pass::Quick.run(frame, &mut self.buffers)
        };
        match (quick, due) {
            (Some(text), _) => Some(text),
            (None, Some(pass)) if !out_of_time() => pass.run(frame, &mut self.buffers),
            _ => None,
        }
        .ok_or(ScanError::NotFound)
    }

    /// [`FrameDecoder::decode`] from RGBA pixels (`width * height * 4` bytes, as
    /// `ImageData.data` holds them, MDN "ImageData"), converted to grey as [`rgba_to_luma`]
    /// does, into buffers kept between frames: on a large frame the half-size grey frame is
    /// made in one read of the RGBA, and the full-size one only when a fallback runs.
    /// Errors: as [`FrameDecoder::decode`]; [`ScanError::BadFrame`] if `rgba` is not
    /// `width * height * 4` bytes.
    pub fn decode_rgba(
        &mut self,
        rgba: &[u8],
        width: u32,
        height: u32,
        mut out_of_time: impl FnMut() -> bool,
    ) -> Result<String, ScanError> {
        check_frame(rgba, width, height, 4)?;
        let due = self.next_fallback();
        let large = is_large(width, height);
        let quick = if large {
            rgba_to_half_luma_into(rgba, width, height, &mut self.small)
                .and_then(|(w, h)| Pass::Quick.run(Grey::new(&self.small, w, h), &mut self.buffers))
        } else {
            rgba_to_luma_into(rgba, &mut self.grey);
            Pass::Quick.run(Grey::new(&self.grey, width, height), &mut self.buffers)
        };
        match (quick, due) {
            (Some(text), _) => Some(text),
            (None, Some(pass)) if !out_of_time() => {
                if large {
                    rgba_to_luma_into(rgba, &mut self.grey);
                }
                pass.run(Grey::new(&self.grey, width, height), &mut self.buffers)
            }
            _ => None,
        }
        .ok_or(ScanError::NotFound)
    }

    /// This frame's entry of [`FALLBACKS`]; counts the frame.
    fn next_fallback(&mut self) -> Option<Pass> {
        let due = FALLBACKS[self.frames % FALLBACKS.len()];
        self.frames = self.frames.wrapping_add(1);
        due
    }
}

/// Whether a frame gets [`FrameDecoder`]'s cheap pass at half size.
fn is_large(width: u32, height: u32) -> bool {
    width as u64 * height as u64 >= HALF_SIZE_FROM
}

/// [`rgba_to_luma`] and half size in one read: each output pixel is
/// `(77 R + 150 G + 29 B) >> 10` with R, G and B summed over a 2x2 block of RGBA pixels (the
/// BT.601 grey of the block's mean colour, rounded down; on one pixel's colour the same value
/// as [`rgba_to_luma`]); an odd last row or column is dropped.
/// `half` is cleared and filled; returns its sides, `None` if a side would be 0 or `rgba` is
/// not `width * height * 4` bytes.
fn rgba_to_half_luma_into(
    rgba: &[u8],
    width: u32,
    height: u32,
    half: &mut Vec<u8>,
) -> Option<(u32, u32)> {
    check_frame(rgba, width, height, 4).ok()?;
    half_blocks(rgba, width, height, 4, half, |t, b| {
        let sum = |c: usize| t[c] as u32 + t[c + 4] as u32 + b[c] as u32 + b[c + 4] as u32;
        ((77 * sum(0) + 150 * sum(1) + 29 * sum(2)) >> 10) as u8
    })
}

/// Walks the 2x2 pixel blocks of a frame of `bytes_per_pixel`-byte pixels (rows of
/// `width * bytes_per_pixel` bytes), top row then bottom row of each block handed to `pixel`
/// (`2 * bytes_per_pixel` bytes each), and fills `out` (cleared first) with one byte per
/// block; an odd last row or column is dropped. Returns the new sides, `None` if a side would
/// be 0.
fn half_blocks(
    frame: &[u8],
    width: u32,
    height: u32,
    bytes_per_pixel: usize,
    out: &mut Vec<u8>,
    pixel: impl Fn(&[u8], &[u8]) -> u8,
) -> Option<(u32, u32)> {
    let (w, h) = (width / 2, height / 2);
    if w == 0 || h == 0 {
        return None;
    }
    let stride = width as usize * bytes_per_pixel;
    let block = 2 * bytes_per_pixel;
    out.clear();
    for pair in frame.chunks_exact(2 * stride).take(h as usize) {
        let (top, bottom) = pair.split_at(stride);
        out.extend(
            top.chunks_exact(block)
                .zip(bottom.chunks_exact(block))
                .take(w as usize)
                .map(|(t, b)| pixel(t, b)),
        );
    }
    Some((w, h))
}

/// [`ScanError::BadFrame`] unless `luma` holds `width * height` bytes and no side is 0.
fn check_grey(luma: &[u8], width: u32, height: u32) -> Result<(), ScanError> {
    check_frame(luma, width, height, 1)
}

/// [`ScanError::BadFrame`] unless `frame` holds `width * height * bytes_per_pixel` bytes and
/// no side is 0.
fn check_frame(
    frame: &[u8],
    width: u32,
    height: u32,
    bytes_per_pixel: u64,
) -> Result<(), ScanError> {
    if width == 0
        || height == 0
        || frame.len() as u64 != width as u64 * height as u64 * bytes_per_pixel
    {
        return Err(ScanError::BadFrame);
    }
    Ok(())
}

/// [`rgba_to_luma`] into a reused buffer: `luma` is cleared and filled with one grey byte per
/// whole RGBA pixel of `rgba`.
pub fn rgba_to_luma_into(rgba: &[u8], luma: &mut Vec<u8>) {
    luma.clear();
    luma.extend(
        rgba.chunks_exact(4)
            .map(|p| ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32) >> 8) as u8),
    );
}

/// A borrowing `rxing` source; `None` if the sizes do not match (checked before, so never).
fn source(luma: &[u8], width: u32, height: u32) -> Option<Luma8Source<'_>> {
    Luma8Source::new_with_slice(luma, width, height).ok()
}

/// One decoding pass: the text of the QR code `binarizer`'s bitmap shows, if any.
fn read<B: Binarizer>(binarizer: B, hints: &DecodeHints) -> Option<String> {
    MultiFormatReader::default()
        .decode_with_hints(&mut BinaryBitmap::new(binarizer), hints)
        .ok()
        .map(|result| result.getText().to_owned())
}

/// The frame at half width and height into `half` (cleared first), each pixel the rounded
/// mean of a 2x2 block (an odd last row or column is dropped); returns the new sides, `None`
/// if a side would be 0.
fn half_size_into(luma: &[u8], width: u32, height: u32, half: &mut Vec<u8>) -> Option<(u32, u32)> {
    half_blocks(luma, width, height, 1, half, |t, b| {
        ((t[0] as u16 + t[1] as u16 + b[0] as u16 + b[1] as u16 + 2) / 4) as u8
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render;

    /// Draws a matrix at `scale` pixels a module on a white frame with a grey offset.
    fn frame(text: &str, scale: usize, pad: usize) -> (Vec<u8>, u32) {
        let m = render::matrix(text).unwrap();
        let side = m.size * scale + 2 * pad;
        let mut luma = vec![255u8; side * side];
        for y in 0..m.size * scale {
            for x in 0..m.size * scale {
                if m.is_dark(x / scale, y / scale) {
                    luma[(y + pad) * side + x + pad] = 20;
                }
            }
        }
        (luma, side as u32)
    }

    #[test]
    fn reads_back_what_render_drew() {
        let text = "HCP1:ABCDEF0123456789 $%*+-./:";
        let (luma, side) = frame(text, 4, 30);
        assert_eq!(decode_luma(&luma, side, side), Ok(text.to_string()));
    }

    #[test]
    fn reads_light_on_dark_codes() {
        let text = "HCP1:INVERTED";
        let (luma, side) = frame(text, 4, 30);
        let inverted: Vec<u8> = luma.iter().map(|&v| 255 - v).collect();
        assert_eq!(decode_luma(&inverted, side, side), Ok(text.to_string()));
    }

    #[test]
    fn half_size_averages_2x2_blocks_and_drops_odd_edges() {
        #[rustfmt::skip]
        let luma = [
            0, 4, 10, 20, 99,
            8, 4, 30, 41, 99,
            7, 7, 7, 7, 7,
        ];
        let mut half = vec![9; 3];
        assert_eq!(half_size_into(&luma, 5, 3, &mut half), Some((2, 1)));
        assert_eq!(half, vec![4, 25]);
        assert_eq!(half_size_into(&[1], 1, 1, &mut half), None);
    }

    #[test]
    fn refuses_mismatched_buffers_and_empty_frames() {
        assert_eq!(decode_luma(&[0; 10], 4, 4), Err(ScanError::BadFrame));
        assert_eq!(decode_luma(&[], 0, 0), Err(ScanError::BadFrame));
        assert_eq!(
            decode_luma(&[255; 64 * 64], 64, 64),
            Err(ScanError::NotFound)
        );
    }

    #[test]
    fn a_spent_time_budget_skips_the_later_passes_only() {
        let text = "HCP1:BUDGET";
        let (luma, side) = frame(text, 4, 30);
        // The first pass reads a clean frame even with no time left.
        assert_eq!(
            decode_luma_within(&luma, side, side, || true),
            Ok(text.to_string())
        );
        // A light-on-dark code needs the fourth pass: asked three times, then skipped.
        let inverted: Vec<u8> = luma.iter().map(|&v| 255 - v).collect();
        let mut asked = 0;
        let result = decode_luma_within(&inverted, side, side, || {
            asked += 1;
            asked > 2
        });
        assert_eq!(result, Err(ScanError::NotFound));
        assert_eq!(asked, 3);
    }

    /// `luma` as RGBA (grey pixels, opaque), as `getImageData` gives a grey frame.
    fn rgba(luma: &[u8]) -> Vec<u8> {
        luma.iter().flat_map(|&v| [v, v, v, 255]).collect()
    }

    /// A camera-like `width` x `height` frame: a lighting gradient, a dark phone body and on it
    /// the code drawn at `scale` pixels a module (ink 40, paper 210) at (`x0`, `y0`), a 2x2
    /// blur and +-4 levels of deterministic noise.
    fn camera_frame(
        text: &str,
        width: usize,
        height: usize,
        scale: f64,
        at: (usize, usize),
    ) -> Vec<u8> {
        let m = render::matrix(text).unwrap();
        let side = ((m.size + 8) as f64 * scale) as usize;
        let mut f: Vec<i32> = (0..width * height)
            .map(|i| 100 + (40 * (i % width) / width) as i32)
            .collect();
        let (x0, y0) = at;
        for y in y0.saturating_sub(15)..(y0 + side + 30).min(height) {
            for x in x0.saturating_sub(10)..(x0 + side + 10).min(width) {
                f[y * width + x] = 25;
            }
        }
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x as f64 / scale) as usize, (y as f64 / scale) as usize);
                let dark = (4..m.size + 4).contains(&mx)
                    && (4..m.size + 4).contains(&my)
                    && m.is_dark(mx - 4, my - 4);
                f[(y0 + y) * width + x0 + x] = if dark { 40 } else { 210 };
            }
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut luma = vec![0u8; width * height];
        for y in 0..height {
            for x in 0..width {
                let (x1, y1) = ((x + 1).min(width - 1), (y + 1).min(height - 1));
                let sum =
                    f[y * width + x] + f[y * width + x1] + f[y1 * width + x] + f[y1 * width + x1];
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let noise = (seed % 9) as i32 - 4;
                luma[y * width + x] = (sum / 4 + noise).clamp(0, 255) as u8;
            }
        }
        luma
    }

    /// A live presentation's length of base45 text (the app's codes: QR version 11 at M).
    const PRESENTATION: &str = "HCP1:6BFOXN*TS0BI$ZDFRH-KT4:N5$S7SQ0ITD6UF-8-JL0*9.K5QM9UO4T4L-JLX4E2Z5V5EO8CR8$YK5*8QZMC$91C2G/FUGD5J2P$-9M0LS*8M$N*C8K3UB1UZGE7W$LAW-ONQU*FL7U1%CKSQ5B4I7YKIRVJ.GLB3DA5F.GOVAI7CJ+EOW9OYL5X$I.L0.K4:BZRO8U25*7KXV:.P6:G.YDNHRQ/JEYB2EOO0H0F2G1D.BBZNK8PS/4K-5RJ5TK4A5NX8C6AP+:UXGOA:BI6O2H$KRG3/CVM71/DXTP1SQZWBS3HFTO$BHS2$1-5YDH3G1*LS7/EBIA8W2*F0S$N$9K+5P59GEVEE:B7H9.OEAVT/YF*:7:BETV6JIMS-HN20C+HD1EM3P:ZDZ5*X6B7GDU0QHP7T1%YWFT3V1G2QH9GSE3P6WHN0KF:56UE5+ETXK1$1LV5Z:AC73VHB5J2$8S9VFP0";

    #[test]
    fn frame_decoder_reads_a_phone_screen_on_the_first_frame() {
        let luma = camera_frame(PRESENTATION, 640, 480, 4.0, (150, 60));
        assert_eq!(decode_luma(&luma, 640, 480), Ok(PRESENTATION.to_string()));
        let mut decoder = FrameDecoder::new();
        let mut asked = 0;
        let read = decoder.decode_rgba(&rgba(&luma), 640, 480, || {
            asked += 1;
            false
        });
        assert_eq!(read, Ok(PRESENTATION.to_string()));
        // The cheap pass read it: no fallback was considered.
        assert_eq!(asked, 0);
        assert_eq!(
            FrameDecoder::new().decode(&luma, 640, 480, || true),
            Ok(PRESENTATION.to_string())
        );
    }

    #[test]
    fn frame_decoder_reads_a_1280x720_frame_from_its_half_size() {
        let luma = camera_frame(PRESENTATION, 1280, 720, 6.0, (300, 40));
        let mut decoder = FrameDecoder::new();
        // `true`: no fallback may run, so the half-size cheap pass is what read it.
        assert_eq!(
            decoder.decode_rgba(&rgba(&luma), 1280, 720, || true),
            Ok(PRESENTATION.to_string())
        );
        assert_eq!(
            decoder.decode(&luma, 1280, 720, || true),
            Ok(PRESENTATION.to_string())
        );
    }

    #[test]
    fn frame_decoder_reads_a_light_on_dark_code_within_one_cycle() {
        let text = "HCP1:INVERTED";
        let (luma, side) = frame(text, 4, 30);
        let inverted: Vec<u8> = luma.iter().map(|&v| 255 - v).collect();
        let frame_rgba = rgba(&inverted);
        let mut decoder = FrameDecoder::new();
        let results: Vec<Result<String, ScanError>> = (0..FALLBACKS.len())
            .map(|_| decoder.decode_rgba(&frame_rgba, side, side, || false))
            .collect();
        // Only the inverted pass reads it, on the frame whose fallback it is.
        let at = FALLBACKS
            .iter()
            .position(|&p| p == Some(Pass::Inverted))
            .unwrap();
        for (k, result) in results.iter().enumerate() {
            let expected = if k == at {
                Ok(text.to_string())
            } else {
                Err(ScanError::NotFound)
            };
            assert_eq!(result, &expected, "frame {k}");
        }
        // The next cycle reads it at the same place again.
        let again: Vec<bool> = (0..FALLBACKS.len())
            .map(|_| decoder.decode(&inverted, side, side, || false).is_ok())
            .collect();
        assert_eq!(again.iter().position(|&ok| ok), Some(at));
    }

    #[test]
    fn frame_decoder_skips_the_fallback_when_out_of_time() {
        let text = "HCP1:INVERTED";
        let (luma, side) = frame(text, 4, 30);
        let inverted: Vec<u8> = luma.iter().map(|&v| 255 - v).collect();
        let mut decoder = FrameDecoder::new();
        let mut asked = 0;
        for _ in 0..2 * FALLBACKS.len() {
            let result = decoder.decode(&inverted, side, side, || {
                asked += 1;
                true
            });
            assert_eq!(result, Err(ScanError::NotFound));
        }
        // Asked once on each frame that had a fallback due.
        let due = FALLBACKS.iter().filter(|p| p.is_some()).count();
        assert_eq!(asked, 2 * due);
    }

    #[test]
    fn frame_decoder_refuses_bad_frames_and_finds_nothing_in_an_empty_scene() {
        let mut decoder = FrameDecoder::new();
        assert_eq!(
            decoder.decode_rgba(&[0; 15], 2, 2, || false),
            Err(ScanError::BadFrame)
        );
        assert_eq!(
            decoder.decode_rgba(&[], 0, 4, || false),
            Err(ScanError::BadFrame)
        );
        assert_eq!(
            decoder.decode(&[0; 3], 2, 2, || false),
            Err(ScanError::BadFrame)
        );
        let (w, h) = (1280, 720);
        let scene: Vec<u8> = (0..w * h).map(|i| ((i % w) * 255 / w) as u8).collect();
        for _ in 0..FALLBACKS.len() {
            assert_eq!(
                decoder.decode_rgba(&rgba(&scene), w as u32, h as u32, || false),
                Err(ScanError::NotFound)
            );
        }
    }

    #[test]
    fn rgba_to_half_luma_means_2x2_blocks_in_one_read() {
        #[rustfmt::skip]
        let rgba = [
            255, 255, 255, 255,  0, 0, 0, 255,      10, 10, 10, 255,  30, 30, 30, 255,  1, 2, 3, 4,
            255, 255, 255, 255,  0, 0, 0, 255,      20, 20, 20, 255,  41, 41, 41, 255,  1, 2, 3, 4,
            9, 9, 9, 255,        9, 9, 9, 255,      9, 9, 9, 255,     9, 9, 9, 255,     9, 9, 9, 255,
        ];
        let mut half = vec![7; 9];
        assert_eq!(rgba_to_half_luma_into(&rgba, 5, 3, &mut half), Some((2, 1)));
        // (255 + 0 + 255 + 0) / 4 = 127.5 -> 127; (10 + 30 + 20 + 41) / 4 = 25.25 -> 25.
        assert_eq!(half, vec![127, 25]);
        // Pure red: 77 * 255 >> 8 = 76, as rgba_to_luma gives.
        let red = [255, 0, 0, 255].repeat(4);
        assert_eq!(rgba_to_half_luma_into(&red, 2, 2, &mut half), Some((1, 1)));
        assert_eq!(half, rgba_to_luma(&red[..4]));
        assert_eq!(rgba_to_half_luma_into(&[0; 8], 2, 1, &mut half), None);
        assert_eq!(rgba_to_half_luma_into(&[0; 12], 2, 2, &mut half), None);
    }

    #[test]
    fn rgba_into_reuses_the_buffer() {
        let mut luma = vec![9; 10];
        rgba_to_luma_into(&[255, 255, 255, 255, 255, 0, 0, 255, 1], &mut luma);
        assert_eq!(luma, vec![255, 76]);
    }

    #[test]
    fn rgba_conversion_weights_channels() {
        assert_eq!(
            rgba_to_luma(&[255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255]),
            vec![255, 0, 76]
        );
    }
}
