//! Bench-only wasm module: the checkpoint's decoder paths exported to JavaScript for
//! `tests/bench/frame-time.mjs`. Not part of the app.
//!
//! Built by `tests/bench/build-wasm.sh` (`--features bench-wasm --no-default-features`,
//! wasm32, `wasm-bindgen --target web`, `wasm-opt`).

#[cfg(target_arch = "wasm32")]
mod exports {
    use healthcode::scan;
    use wasm_bindgen::prelude::*;

    /// Full effort on one frame: the text of the QR code in an RGBA frame (as `getImageData`
    /// gives it), converted with `scan::rgba_to_luma` and read with `scan::decode_luma` (all
    /// four passes when nothing is found), if one is read.
    #[wasm_bindgen]
    pub fn decode_rgba(rgba: &[u8], width: u32, height: u32) -> Option<String> {
        let luma = scan::rgba_to_luma(rgba);
        scan::decode_luma(&luma, width, height).ok()
    }

    /// The scanner worker's per-frame path: a `scan::FrameDecoder` kept from frame to frame
    /// (its cheap pass on every frame, one fallback pass in turn), with the worker's time
    /// bound per frame (`FRAME_BUDGET_MS` in `src/bin/scanner_worker.rs`, 60 ms, measured
    /// with `Date.now()` from the start of the call).
    #[wasm_bindgen]
    #[derive(Default)]
    pub struct Scanner {
        decoder: scan::FrameDecoder,
    }

    #[wasm_bindgen]
    impl Scanner {
        /// A scanner at its first frame.
        #[wasm_bindgen(constructor)]
        pub fn new() -> Scanner {
            Scanner::default()
        }

        /// The text read in this RGBA frame, if any.
        pub fn decode(&mut self, rgba: &[u8], width: u32, height: u32) -> Option<String> {
            let started = js_sys::Date::now();
            self.decoder
                .decode_rgba(rgba, width, height, || js_sys::Date::now() - started > 60.0)
                .ok()
        }
    }
}

fn main() {}
