//! Bench-only wasm module: the checkpoint's decoder path (`healthcode::scan::rgba_to_luma` +
//! `decode_luma`) exported to JavaScript for `tests/bench/frame-time.mjs`. Not part of the app.
//!
//! Built by `tests/bench/build-wasm.sh` (`--features bench-wasm --no-default-features`,
//! wasm32, `wasm-bindgen --target web`, `wasm-opt`).

#[cfg(target_arch = "wasm32")]
mod exports {
    use healthcode::scan;
    use wasm_bindgen::prelude::*;

    /// The text of the QR code in an RGBA frame (as `getImageData` gives it), if one is read.
    #[wasm_bindgen]
    pub fn decode_rgba(rgba: &[u8], width: u32, height: u32) -> Option<String> {
        let luma = scan::rgba_to_luma(rgba);
        scan::decode_luma(&luma, width, height).ok()
    }

    /// Tried for the comparison: only the first of `decode_luma`'s passes (the frame as it is,
    /// `HybridBinarizer`, `TryHarder`), i.e. plain rxing: the floor of what the fallbacks cost.
    #[wasm_bindgen]
    pub fn decode_rgba_one_pass(rgba: &[u8], width: u32, height: u32) -> Option<String> {
        use rxing::common::HybridBinarizer;
        use rxing::{
            BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, MultiFormatReader, Reader,
        };
        let luma = scan::rgba_to_luma(rgba);
        let hints = DecodeHints {
            TryHarder: Some(true),
            PossibleFormats: Some(std::collections::HashSet::from([BarcodeFormat::QR_CODE])),
            ..DecodeHints::default()
        };
        let source = Luma8Source::new_with_slice(&luma, width, height).ok()?;
        MultiFormatReader::default()
            .decode_with_hints(&mut BinaryBitmap::new(HybridBinarizer::new(source)), &hints)
            .ok()
            .map(|r| r.getText().to_owned())
    }

    /// The same from a grey frame (to separate the conversion's cost).
    #[wasm_bindgen]
    pub fn decode_grey(luma: &[u8], width: u32, height: u32) -> Option<String> {
        scan::decode_luma(luma, width, height).ok()
    }
}

fn main() {}
