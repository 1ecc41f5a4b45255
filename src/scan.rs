//! QR decoding from camera frames and image files, shared by the checkpoint page (wasm) and
//! the CLI, so both read codes the same way. The decoder is `rxing` (a Rust port of ZXing).
//!
//! Input is an 8-bit grey ("luma") image, row-major, `width * height` bytes; helpers convert
//! RGBA (as `CanvasRenderingContext2D.getImageData` returns it, MDN) to luma.

use std::collections::HashSet;

use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
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
    if width == 0 || height == 0 || luma.len() as u64 != width as u64 * height as u64 {
        return Err(ScanError::BadFrame);
    }
    let hints = DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        ..DecodeHints::default()
    };
    let as_is = || read(HybridBinarizer::new(source(luma, width, height)?), &hints);
    let half = || {
        let (half, w, h) = half_size(luma, width, height)?;
        read(HybridBinarizer::new(source(&half, w, h)?), &hints)
    };
    let global = || {
        let binarizer = GlobalHistogramBinarizer::new(source(luma, width, height)?);
        read(binarizer, &hints)
    };
    let inverted = || {
        let inverted: Vec<u8> = luma.iter().map(|&v| 255 - v).collect();
        read(
            HybridBinarizer::new(source(&inverted, width, height)?),
            &hints,
        )
    };
    let mut later = |pass: &dyn Fn() -> Option<String>| if out_of_time() { None } else { pass() };
    as_is()
        .or_else(|| later(&half))
        .or_else(|| later(&global))
        .or_else(|| later(&inverted))
        .ok_or(ScanError::NotFound)
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

/// The frame at half width and height, each pixel the rounded mean of a 2x2 block (an odd
/// last row or column is dropped); `None` if a side would be 0.
fn half_size(luma: &[u8], width: u32, height: u32) -> Option<(Vec<u8>, u32, u32)> {
    let (w, h) = (width / 2, height / 2);
    if w == 0 || h == 0 {
        return None;
    }
    let stride = width as usize;
    let mut half = Vec::with_capacity(w as usize * h as usize);
    for pair in luma.chunks_exact(2 * stride).take(h as usize) {
        let (top, bottom) = pair.split_at(stride);
        half.extend(
            top.chunks_exact(2)
                .zip(bottom.chunks_exact(2))
                .take(w as usize)
                .map(|(t, b)| {
                    ((t[0] as u16 + t[1] as u16 + b[0] as u16 + b[1] as u16 + 2) / 4) as u8
                }),
        );
    }
    Some((half, w, h))
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
        assert_eq!(half_size(&luma, 5, 3), Some((vec![4, 25], 2, 1)));
        assert_eq!(half_size(&[1], 1, 1), None);
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
