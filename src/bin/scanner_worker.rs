//! The scanner's Web Worker: its own wasm, holding only the QR decoder
//! ([`healthcode::scan`], rxing), so that decoding never runs on the page's main thread and
//! the app's own wasm carries no decoder.
//!
//! Built by Trunk beside the app (`<link data-trunk rel="rust" data-type="worker"
//! data-bin="scanner-worker" data-loader-shim …>` in `index.html`): wasm-bindgen's
//! `no-modules` output `scanner-worker.js` + `scanner-worker_bg.wasm`, started by the loader
//! `scanner-worker_loader.js` (`importScripts`, so a classic worker). The page side is
//! `src/web/scanner.rs`.
//!
//! Messages (structured clone, `postMessage`, MDN "Worker.postMessage()"):
//!
//! - worker → page, once started: `{ready: true, offscreen: bool}`; `offscreen` says whether
//!   this worker can draw an `ImageBitmap` itself (`OffscreenCanvas` with a 2D context).
//! - page → worker, one frame: `{id: number, width: number, height: number, bitmap:
//!   ImageBitmap}` (the bitmap transferred, drawn at `width` × `height` pixels), or `{id,
//!   width, height, rgba: ArrayBuffer}` (transferred; `width * height * 4` bytes of RGBA as
//!   `ImageData.data` holds them). Sides are 1 to [`MAX_SIDE`] pixels.
//! - worker → page, for each frame: `{id, text: string | null, ms: number, timedOut: bool}`
//!   (`ms`: milliseconds spent on the frame, drawing, grey conversion and decoding), or
//!   `{id, error: string, ms}` when the frame could not be read at all (bad message, canvas
//!   failure).
//!
//! Each frame is converted to grey ([`healthcode::scan::rgba_to_luma_into`], into a reused
//! buffer) and decoded with [`healthcode::scan::decode_luma_within`] under a budget of
//! [`FRAME_BUDGET_MS`]; the page sends the next frame only after the answer.

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("scanner-worker is the web app's QR decoder worker: build it with `trunk build` (see README.md)");
    std::process::exit(2);
}

/// Largest frame side accepted, in pixels.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const MAX_SIDE: u32 = 4096;
/// Time allowed per frame before the decoder's later passes are skipped, in milliseconds.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const FRAME_BUDGET_MS: f64 = 60.0;

#[cfg(target_arch = "wasm32")]
mod worker {
    use super::{FRAME_BUDGET_MS, MAX_SIDE};
    use healthcode::scan;
    use js_sys::{Object, Reflect, Uint8ClampedArray};
    use std::cell::{Cell, RefCell};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{
        DedicatedWorkerGlobalScope, ImageBitmap, MessageEvent, OffscreenCanvas,
        OffscreenCanvasRenderingContext2d,
    };

    /// What the worker keeps between frames: its canvas and its buffers.
    #[derive(Default)]
    struct State {
        canvas: Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>,
        rgba: Vec<u8>,
        luma: Vec<u8>,
    }

    /// Installs the message handler and says it is ready.
    pub fn run() {
        let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
            return;
        };
        let state = RefCell::new(State::default());
        let replier = scope.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let reply = handle(&mut state.borrow_mut(), &ev.data());
            // If even this fails the page's watchdog restarts the worker.
            let _ = replier.post_message(&reply);
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let ready = Object::new();
        set(&ready, "ready", &JsValue::TRUE);
        let offscreen = Reflect::has(&js_sys::global(), &"OffscreenCanvas".into()).unwrap_or(false)
            && OffscreenCanvas::new(1, 1)
                .ok()
                .and_then(|c| c.get_context("2d").ok().flatten())
                .is_some();
        set(&ready, "offscreen", &JsValue::from_bool(offscreen));
        let _ = scope.post_message(&ready);
    }

    fn set(target: &Object, key: &str, value: &JsValue) {
        let _ = Reflect::set(target, &JsValue::from_str(key), value);
    }

    fn get(source: &JsValue, key: &str) -> JsValue {
        Reflect::get(source, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// One frame message in, its answer out.
    fn handle(state: &mut State, data: &JsValue) -> Object {
        let started = js_sys::Date::now();
        let reply = Object::new();
        set(&reply, "id", &get(data, "id"));
        let timed_out = Cell::new(false);
        match read_frame(state, data) {
            Ok((width, height)) => {
                scan::rgba_to_luma_into(&state.rgba, &mut state.luma);
                let result = scan::decode_luma_within(&state.luma, width, height, || {
                    let out = js_sys::Date::now() - started > FRAME_BUDGET_MS;
                    timed_out.set(timed_out.get() || out);
                    out
                });
                let text = result.map(JsValue::from).unwrap_or(JsValue::NULL);
                set(&reply, "text", &text);
                set(&reply, "timedOut", &JsValue::from_bool(timed_out.get()));
            }
            Err(message) => set(&reply, "error", &JsValue::from_str(&message)),
        }
        set(
            &reply,
            "ms",
            &JsValue::from_f64(js_sys::Date::now() - started),
        );
        reply
    }

    /// Puts the frame's RGBA pixels in `state.rgba`; returns its width and height.
    fn read_frame(state: &mut State, data: &JsValue) -> Result<(u32, u32), String> {
        let side = |key: &str| {
            get(data, key)
                .as_f64()
                .filter(|v| v.fract() == 0.0 && *v >= 1.0 && *v <= MAX_SIDE as f64)
                .map(|v| v as u32)
                .ok_or_else(|| format!("frame {key} missing or out of range"))
        };
        let (width, height) = (side("width")?, side("height")?);
        let bitmap = get(data, "bitmap");
        let pixels: Uint8ClampedArray = if let Some(bitmap) = bitmap.dyn_ref::<ImageBitmap>() {
            let drawn = draw(state, bitmap, width, height);
            bitmap.close();
            drawn?
        } else {
            let buffer = get(data, "rgba");
            if !buffer.is_instance_of::<js_sys::ArrayBuffer>() {
                return Err("frame has neither bitmap nor rgba".into());
            }
            Uint8ClampedArray::new(&buffer)
        };
        let len = width as usize * height as usize * 4;
        if pixels.length() as usize != len {
            return Err(format!(
                "frame has {} bytes, {width}x{height} RGBA needs {len}",
                pixels.length()
            ));
        }
        state.rgba.resize(len, 0);
        pixels.copy_to(&mut state.rgba);
        Ok((width, height))
    }

    /// Draws `bitmap` on the worker's own canvas at `width` × `height` and reads the pixels
    /// back (`OffscreenCanvasRenderingContext2D.getImageData`, MDN).
    fn draw(
        state: &mut State,
        bitmap: &ImageBitmap,
        width: u32,
        height: u32,
    ) -> Result<Uint8ClampedArray, String> {
        if state.canvas.is_none() {
            let canvas =
                OffscreenCanvas::new(width, height).map_err(|e| format!("canvas: {e:?}"))?;
            let options = Object::new();
            set(&options, "willReadFrequently", &JsValue::TRUE);
            let context = canvas
                .get_context_with_context_options("2d", &options)
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<OffscreenCanvasRenderingContext2d>().ok())
                .ok_or("no 2D context on OffscreenCanvas")?;
            state.canvas = Some((canvas, context));
        }
        let Some((canvas, context)) = state.canvas.as_ref() else {
            return Err("no canvas".into());
        };
        if canvas.width() != width || canvas.height() != height {
            canvas.set_width(width);
            canvas.set_height(height);
        }
        context
            .draw_image_with_image_bitmap_and_dw_and_dh(
                bitmap,
                0.0,
                0.0,
                width as f64,
                height as f64,
            )
            .map_err(|e| format!("drawImage: {e:?}"))?;
        let image = context
            .get_image_data(0.0, 0.0, width as f64, height as f64)
            .map_err(|e| format!("getImageData: {e:?}"))?;
        get(&image, "data")
            .dyn_into::<Uint8ClampedArray>()
            .map_err(|_| "ImageData without data".into())
    }
}
