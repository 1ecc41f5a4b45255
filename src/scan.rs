//! QR decoding from camera frames and image files, shared by the checkpoint page (wasm) and
//! the CLI, so both read codes the same way. The decoder is `rxing` (a Rust port of ZXing).
//!
//! Input is an 8-bit grey ("luma") image, row-major, `width * height` bytes; helpers convert
//! RGBA (as `CanvasRenderingContext2D.getImageData` returns it, MDN) to luma.

use rxing::{BarcodeFormat, DecodeHints};

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
    rgba.chunks_exact(4)
        .map(|p| ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32) >> 8) as u8)
        .collect()
}

/// Reads one QR code from a grey frame; returns its text. Tries normal and inverted
/// (light-on-dark) symbols.
pub fn decode_luma(luma: &[u8], width: u32, height: u32) -> Result<String, ScanError> {
    if width == 0 || height == 0 || luma.len() as u64 != width as u64 * height as u64 {
        return Err(ScanError::BadFrame);
    }
    let mut hints = DecodeHints {
        TryHarder: Some(true),
        AlsoInverted: Some(true),
        ..DecodeHints::default()
    };
    rxing::helpers::detect_in_luma_slice_with_hints(
        luma,
        width,
        height,
        Some(BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .map(|result| result.getText().to_owned())
    .map_err(|_| ScanError::NotFound)
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
    fn refuses_mismatched_buffers_and_empty_frames() {
        assert_eq!(decode_luma(&[0; 10], 4, 4), Err(ScanError::BadFrame));
        assert_eq!(decode_luma(&[], 0, 0), Err(ScanError::BadFrame));
        assert_eq!(
            decode_luma(&[255; 64 * 64], 64, 64),
            Err(ScanError::NotFound)
        );
    }

    #[test]
    fn rgba_conversion_weights_channels() {
        assert_eq!(
            rgba_to_luma(&[255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255]),
            vec![255, 0, 76]
        );
    }
}
