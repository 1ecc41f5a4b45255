//! The scanner's Web Worker: its own wasm, holding only the QR decoder
//! ([`healthcode::scan`], rxing), so that decoding never runs on the page's main thread and
//! the app's own wasm carries no decoder.
//!
//! Built by Trunk beside the app (`<link data-trunk rel="rust" data-type="worker"
//! data-bin="scanner-worker" data-loader-shim …>` in `index.html`): wasm-bindgen's
//! `no-modules` output `scanner-worker.js` + `scanner-worker_bg.wasm`, started by the loader
//! `scanner-worker_loader.js` (`importScripts`, so a classic worker). The page side is
//! `src/web/worker.rs`, driven by `src/web/scanner.rs`.
//!
//! Frames come in one of two ways:
//!
//! - **A stream of camera frames** (Chromium): the page makes a `MediaStreamTrackProcessor`
//!   for the camera's track and transfers its `readable` (a `ReadableStream` of `VideoFrame`s,
//!   MDN "MediaStreamTrackProcessor", "Transferable objects") here. The worker reads it
//!   itself, one frame after the other; the processor keeps only the newest frame
//!   (`maxBufferSize` 1) and drops the others while a frame is being decoded, so the page's
//!   main thread does nothing per frame. A frame in a YUV format (`I420`, `NV12`, …: the
//!   camera's usual ones) gives its grey image directly: the first plane, Y, **is** the luma
//!   (`VideoFrame.copyTo`, MDN); any other format (`RGBA`, `BGRX`, …, or `null` for a frame
//!   the browser cannot read back) is drawn on an `OffscreenCanvas` and converted. Every
//!   frame is closed (`VideoFrame.close()`) as soon as its pixels are copied, whatever
//!   happens. The stream ends when the camera's track stops (the page was hidden or left, or
//!   the camera switched).
//! - **One frame per message** (other browsers: the page grabs the frame): an `ImageBitmap`
//!   or RGBA bytes, answered before the page sends the next.
//!
//! Messages (structured clone, `postMessage`, MDN "Worker.postMessage()"):
//!
//! - worker → page, once started: `{ready: true, offscreen: bool, videoFrames: bool}`;
//!   `offscreen`: this worker can draw an `ImageBitmap` itself (`OffscreenCanvas` with a 2D
//!   context); `videoFrames`: it can read a transferred stream of `VideoFrame`s (`VideoFrame`
//!   and `ReadableStream` exist here).
//! - page → worker, one frame: `{id: number, width: number, height: number, bitmap:
//!   ImageBitmap}` (the bitmap transferred, drawn at `width` × `height` pixels), or `{id,
//!   width, height, rgba: ArrayBuffer}` (transferred; `width * height * 4` bytes of RGBA as
//!   `ImageData.data` holds them). Sides are 1 to [`MAX_SIDE`] pixels.
//! - worker → page, for each such frame: `{id, text: string | null, ms: number, timedOut:
//!   bool}` (`ms`: milliseconds spent on the frame, drawing, grey conversion and decoding), or
//!   `{id, error: string, ms}` when the frame could not be read at all (bad message, canvas
//!   failure).
//! - page → worker, a stream: `{stream: number, readable: ReadableStream, paused: bool}` (the
//!   readable transferred; `stream` numbers it). A new stream replaces the one being read
//!   (which is cancelled).
//! - page → worker: `{paused: bool}`. While paused, stream frames are read and closed at once,
//!   undecoded and unanswered (so the first frame after the pause is a fresh one).
//! - worker → page, for each stream frame with a code, and for frames without one at most
//!   every [`HEARTBEAT_MS`]: `{stream, text: string | null, ms, timedOut, grabbedAt: number,
//!   emptyAt: number | null, width, height, format: string | null, read: number, closed:
//!   number}`; `grabbedAt`: when the worker got the frame, in milliseconds since the Unix epoch
//!   (`performance.timeOrigin + performance.now()`, so the page can put it on its own clock);
//!   `emptyAt`: the same for the frame decoded just before, if it had no code (`null` if it
//!   had one, or was before a pause); `width` × `height`: the size decoded; `format`: the
//!   frame's `VideoFrame.format`; `read`, `closed`: the frames of this stream read and closed
//!   so far. Or `{stream, error: string, ms, read, closed}` (at most every [`HEARTBEAT_MS`])
//!   when a frame could not be read (the stream goes on).
//! - worker → page, when a stream stops (the track ended, it was replaced, or it failed):
//!   `{stream, ended: true, read, closed, error?: string}`.
//!
//! Each frame is read by one [`healthcode::scan::FrameDecoder`] kept for the worker's life: a
//! cheap pass on every frame, the full-effort passes spread over the following frames (a code
//! held in view is read within 8 frames), the fallback skipped when the frame has used its
//! budget of [`FRAME_BUDGET_MS`]. Stream frames give their grey image directly (the Y plane);
//! RGBA frames are decoded with [`healthcode::scan::FrameDecoder::decode_rgba`]. Stream frames
//! larger than [`MAX_DECODE_SIDE`] are scaled down ([`downscale_luma`]), as the page's own
//! grab does.

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
/// Least time between two answers for stream frames without a code (or unreadable), in
/// milliseconds: the page hears that the worker is alive, not about every empty frame.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const HEARTBEAT_MS: f64 = 500.0;
/// Longest side of a stream frame as decoded, in pixels (the page's `MAX_FRAME_SIDE` for the
/// frames it grabs itself).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const MAX_DECODE_SIDE: u32 = 800;

/// The size a `width` × `height` frame is decoded at: scaled down so that its longest side is
/// at most `max_side` pixels (never up), each side at least 1.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn decode_size(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_side {
        return (width, height);
    }
    let scale = |side: u32| ((side as u64 * max_side as u64 / longest as u64) as u32).max(1);
    (scale(width), scale(height))
}

/// Scales a grey image (`width` × `height` bytes, row after row) down to `out_width` ×
/// `out_height` (each at most the source's) by averaging the source pixels each output pixel
/// covers (box filter), into `out`. `None` if `luma` is not `width * height` bytes or an
/// output side is 0 or larger than the source's.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn downscale_luma(
    luma: &[u8],
    width: u32,
    height: u32,
    out_width: u32,
    out_height: u32,
    out: &mut Vec<u8>,
) -> Option<()> {
    let (w, h, ow, oh) = (
        width as usize,
        height as usize,
        out_width as usize,
        out_height as usize,
    );
    if luma.len() != w.checked_mul(h)? || ow == 0 || oh == 0 || ow > w || oh > h {
        return None;
    }
    // The source columns of each output column: [x0, x1).
    let columns: Vec<(usize, usize)> = (0..ow)
        .map(|ox| (ox * w / ow, ((ox + 1) * w / ow).max(ox * w / ow + 1)))
        .collect();
    out.clear();
    out.reserve(ow * oh);
    let mut sums = vec![0u32; ow];
    for oy in 0..oh {
        let (y0, y1) = (oy * h / oh, ((oy + 1) * h / oh).max(oy * h / oh + 1));
        sums.fill(0);
        for row in luma.chunks_exact(w).take(y1).skip(y0) {
            for (sum, &(x0, x1)) in sums.iter_mut().zip(&columns) {
                *sum += row[x0..x1].iter().map(|&v| v as u32).sum::<u32>();
            }
        }
        let rows = (y1 - y0) as u32;
        out.extend(
            sums.iter()
                .zip(&columns)
                .map(|(&sum, &(x0, x1))| (sum / (rows * (x1 - x0) as u32)) as u8),
        );
    }
    Some(())
}

/// Copies the first plane of a planar frame (`stride` bytes a row from `offset`, as
/// `VideoFrame.copyTo` laid it out) into `out` as `width` × `height` bytes. `None` if `data` is
/// too short for it or `stride < width`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn first_plane(
    data: &[u8],
    offset: usize,
    stride: usize,
    width: usize,
    height: usize,
    out: &mut Vec<u8>,
) -> Option<()> {
    if stride < width || height == 0 {
        return None;
    }
    let end = offset
        .checked_add(stride.checked_mul(height - 1)?)?
        .checked_add(width)?;
    let plane = data.get(offset..end)?;
    out.clear();
    out.reserve(width * height);
    for y in 0..height {
        out.extend_from_slice(&plane[y * stride..y * stride + width]);
    }
    Some(())
}

#[cfg(target_arch = "wasm32")]
mod worker {
    use super::{
        decode_size, downscale_luma, first_plane, FRAME_BUDGET_MS, HEARTBEAT_MS, MAX_DECODE_SIDE,
        MAX_SIDE,
    };
    use healthcode::scan;
    use js_sys::{Object, Promise, Reflect, Uint8Array, Uint8ClampedArray};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        DedicatedWorkerGlobalScope, ImageBitmap, MessageEvent, OffscreenCanvas,
        OffscreenCanvasRenderingContext2d, ReadableStream, ReadableStreamDefaultReader,
    };

    #[wasm_bindgen]
    extern "C" {
        /// A camera frame (WebCodecs `VideoFrame`, MDN). Bound here because web-sys has it
        /// only behind `web_sys_unstable_apis`.
        type VideoFrame;
        /// `VideoFrame.format`: `"I420"`, `"NV12"`, `"RGBA"`, …, or `null`.
        #[wasm_bindgen(method, getter)]
        fn format(this: &VideoFrame) -> Option<String>;
        /// `VideoFrame.visibleRect` (a `DOMRectReadOnly`), `null` once closed.
        #[wasm_bindgen(method, getter, js_name = visibleRect)]
        fn visible_rect(this: &VideoFrame) -> Option<Object>;
        /// `VideoFrame.allocationSize()`: bytes `copyTo` needs; throws for a `null` format.
        #[wasm_bindgen(method, catch, js_name = allocationSize)]
        fn allocation_size(this: &VideoFrame) -> Result<f64, JsValue>;
        /// `VideoFrame.copyTo(destination)`: every plane of the visible rectangle; resolves to
        /// the planes' `{offset, stride}`.
        #[wasm_bindgen(method, catch, js_name = copyTo)]
        fn copy_to(this: &VideoFrame, destination: &Uint8Array) -> Result<Promise, JsValue>;
        /// `VideoFrame.close()`: gives the frame's memory back to the camera.
        #[wasm_bindgen(method)]
        fn close(this: &VideoFrame);

        /// The worker canvas's 2D context, for the `drawImage` overload web-sys lacks.
        #[wasm_bindgen(js_name = OffscreenCanvasRenderingContext2D)]
        type Context2d;
        /// `OffscreenCanvasRenderingContext2D.drawImage(videoFrame, dx, dy, dw, dh)`.
        #[wasm_bindgen(method, catch, js_name = drawImage)]
        fn draw_video_frame(
            this: &Context2d,
            frame: &VideoFrame,
            dx: f64,
            dy: f64,
            dw: f64,
            dh: f64,
        ) -> Result<(), JsValue>;
    }

    /// What the worker keeps between frames: its canvas, its buffers and the stream it reads.
    #[derive(Default)]
    struct State {
        canvas: Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>,
        rgba: Vec<u8>,
        luma: Vec<u8>,
        /// The decoder of this worker's frames (cheap pass + rotating fallbacks).
        decoder: scan::FrameDecoder,
        /// A stream frame's planes as `VideoFrame.copyTo` wrote them.
        yuv: Vec<u8>,
        /// The full-size grey image of a stream frame, before scaling down.
        plane: Vec<u8>,
        /// The JS buffer stream frames are copied into, reused while big enough.
        copy: Option<Uint8Array>,
        /// Stream frames are drained, not decoded.
        paused: bool,
        /// The stream being read: its number and reader.
        reading: Option<(f64, ReadableStreamDefaultReader)>,
    }

    type Shared = Rc<RefCell<State>>;

    /// Installs the message handler and says it is ready.
    pub fn run() {
        let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
            return;
        };
        let state: Shared = Rc::default();
        let replier = scope.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            if let Some(readable) = get(&data, "readable").dyn_ref::<ReadableStream>() {
                let number = get(&data, "stream").as_f64().unwrap_or(0.0);
                state.borrow_mut().paused = get(&data, "paused").is_truthy();
                start_stream(&state, &replier, number, readable);
                return;
            }
            if let Some(paused) = get(&data, "paused").as_bool() {
                state.borrow_mut().paused = paused;
                return;
            }
            let reply = handle(&mut state.borrow_mut(), &data);
            // If even this fails the page's watchdog restarts the worker.
            let _ = replier.post_message(&reply);
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let global = js_sys::global();
        let has = |name: &str| Reflect::has(&global, &name.into()).unwrap_or(false);
        let ready = Object::new();
        set(&ready, "ready", &JsValue::TRUE);
        let offscreen = has("OffscreenCanvas")
            && OffscreenCanvas::new(1, 1)
                .ok()
                .and_then(|c| c.get_context("2d").ok().flatten())
                .is_some();
        set(&ready, "offscreen", &JsValue::from_bool(offscreen));
        set(
            &ready,
            "videoFrames",
            &JsValue::from_bool(has("VideoFrame") && has("ReadableStream")),
        );
        let _ = scope.post_message(&ready);
    }

    fn set(target: &Object, key: &str, value: &JsValue) {
        let _ = Reflect::set(target, &JsValue::from_str(key), value);
    }

    fn get(source: &JsValue, key: &str) -> JsValue {
        Reflect::get(source, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// Milliseconds since the Unix epoch, on the clock the page can convert to its own
    /// (`performance.timeOrigin + performance.now()`, MDN "Performance.timeOrigin"); `Date.now()`
    /// where the worker has no `performance`.
    fn epoch_ms() -> f64 {
        let performance = get(&js_sys::global(), "performance");
        match performance.dyn_ref::<web_sys::Performance>() {
            Some(p) => p.time_origin() + p.now(),
            None => js_sys::Date::now(),
        }
    }

    /// A frame read from the stream, closed when dropped (on every path out), and counted.
    struct OpenFrame<'a> {
        frame: VideoFrame,
        closed: &'a Cell<u32>,
    }

    impl Drop for OpenFrame<'_> {
        fn drop(&mut self) {
            self.frame.close();
            self.closed.set(self.closed.get().wrapping_add(1));
        }
    }

    /// Reads stream number `number` (cancelling the stream read before), answering each frame.
    fn start_stream(
        state: &Shared,
        scope: &DedicatedWorkerGlobalScope,
        number: f64,
        readable: &ReadableStream,
    ) {
        let reader: ReadableStreamDefaultReader = readable.get_reader().unchecked_into();
        if let Some((_, old)) = state.borrow_mut().reading.replace((number, reader.clone())) {
            // Its loop sees the stream end and says so.
            let _ = old.cancel();
        }
        let state = state.clone();
        let scope = scope.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let read = Cell::new(0u32);
            let closed = Cell::new(0u32);
            let error = read_frames(&state, &scope, number, &reader, &read, &closed).await;
            {
                let mut s = state.borrow_mut();
                if s.reading.as_ref().is_some_and(|(n, _)| *n == number) {
                    s.reading = None;
                }
            }
            let message = Object::new();
            set(&message, "stream", &JsValue::from_f64(number));
            set(&message, "ended", &JsValue::TRUE);
            set(&message, "read", &JsValue::from(read.get()));
            set(&message, "closed", &JsValue::from(closed.get()));
            if let Err(e) = error {
                set(&message, "error", &JsValue::from_str(&e));
            }
            let _ = scope.post_message(&message);
        });
    }

    /// The stream's frames until it ends (`Ok`) or fails (`Err` with the browser's words).
    async fn read_frames(
        state: &Shared,
        scope: &DedicatedWorkerGlobalScope,
        number: f64,
        reader: &ReadableStreamDefaultReader,
        read: &Cell<u32>,
        closed: &Cell<u32>,
    ) -> Result<(), String> {
        // The grab of the last decoded frame if it had no code (epoch ms), and the last answer.
        let mut empty_at: Option<f64> = None;
        let mut last_answer = f64::NEG_INFINITY;
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|e| describe(&e))?;
            if get(&chunk, "done").is_truthy() {
                return Ok(());
            }
            let Ok(frame) = get(&chunk, "value").dyn_into::<VideoFrame>() else {
                // `dyn_into` checks `instanceof VideoFrame`: anything else is not ours to close.
                return Err("the stream gave something other than a VideoFrame".into());
            };
            read.set(read.get().wrapping_add(1));
            let frame = OpenFrame { frame, closed };
            let current = state.borrow().reading.as_ref().map(|(n, _)| *n) == Some(number);
            if !current {
                return Ok(());
            }
            if state.borrow().paused {
                empty_at = None;
                continue; // dropped: closed at the end of this turn
            }
            let grabbed_at = epoch_ms();
            let started = js_sys::Date::now();
            let format = frame.frame.format();
            let reply = Object::new();
            set(&reply, "stream", &JsValue::from_f64(number));
            let mut found = false;
            match luma_of(state, frame).await {
                Ok((width, height)) => {
                    let State { decoder, luma, .. } = &mut *state.borrow_mut();
                    let timed_out = Cell::new(false);
                    let result = decoder.decode(luma, width, height, || {
                        let out = js_sys::Date::now() - started > FRAME_BUDGET_MS;
                        timed_out.set(timed_out.get() || out);
                        out
                    });
                    found = result.is_ok();
                    let text = result.map(JsValue::from).unwrap_or(JsValue::NULL);
                    set(&reply, "text", &text);
                    set(&reply, "timedOut", &JsValue::from_bool(timed_out.get()));
                    set(&reply, "grabbedAt", &JsValue::from_f64(grabbed_at));
                    set(
                        &reply,
                        "emptyAt",
                        &empty_at.map(JsValue::from_f64).unwrap_or(JsValue::NULL),
                    );
                    empty_at = (!found).then_some(grabbed_at);
                    set(&reply, "width", &JsValue::from(width));
                    set(&reply, "height", &JsValue::from(height));
                    set(
                        &reply,
                        "format",
                        &format.map(JsValue::from).unwrap_or(JsValue::NULL),
                    );
                }
                Err(e) => set(&reply, "error", &JsValue::from_str(&e)),
            }
            set(
                &reply,
                "ms",
                &JsValue::from_f64(js_sys::Date::now() - started),
            );
            set(&reply, "read", &JsValue::from(read.get()));
            set(&reply, "closed", &JsValue::from(closed.get()));
            // A code is always answered; otherwise only every HEARTBEAT_MS, so the page's
            // main thread is not woken for every empty frame. A stream replaced while this
            // frame was decoded is no longer answered.
            let now = js_sys::Date::now();
            let current = state.borrow().reading.as_ref().map(|(n, _)| *n) == Some(number);
            if current && (found || now - last_answer >= HEARTBEAT_MS) {
                last_answer = now;
                let _ = scope.post_message(&reply);
            }
        }
    }

    /// Puts the grey image of `frame` (closed before this returns) in `state.luma`, scaled to
    /// [`decode_size`]; returns its width and height.
    async fn luma_of(state: &Shared, frame: OpenFrame<'_>) -> Result<(u32, u32), String> {
        let rect = frame.frame.visible_rect().ok_or("frame already closed")?;
        let side = |key: &str| {
            get(&rect, key)
                .as_f64()
                .filter(|v| v.fract() == 0.0 && *v >= 1.0 && *v <= MAX_SIDE as f64)
                .map(|v| v as u32)
                .ok_or_else(|| format!("frame {key} missing or out of range"))
        };
        let (width, height) = (side("width")?, side("height")?);
        let (out_width, out_height) = decode_size(width, height, MAX_DECODE_SIDE);
        // 8-bit formats whose first plane is Y (WebCodecs "VideoPixelFormat").
        let planar = frame.frame.format().is_some_and(|f| {
            matches!(
                f.as_str(),
                "I420" | "I420A" | "I422" | "I422A" | "I444" | "I444A" | "NV12"
            )
        });
        if !planar {
            // RGBA-like or unreadable: let the canvas convert and scale it.
            let pixels = {
                let s = &mut *state.borrow_mut();
                draw_frame(s, &frame.frame, out_width, out_height)?
            };
            drop(frame);
            let s = &mut *state.borrow_mut();
            s.rgba.resize(pixels.length() as usize, 0);
            pixels.copy_to(&mut s.rgba);
            let State { rgba, luma, .. } = s;
            scan::rgba_to_luma_into(rgba, luma);
            return Ok((out_width, out_height));
        }
        let size = frame.frame.allocation_size().map_err(|e| describe(&e))? as u32;
        let buffer = {
            let s = &mut *state.borrow_mut();
            match s.copy.as_ref().filter(|b| b.length() >= size).cloned() {
                Some(b) => b,
                None => {
                    let b = Uint8Array::new_with_length(size);
                    s.copy = Some(b.clone());
                    b
                }
            }
        };
        let target = buffer.subarray(0, size);
        let copied = frame.frame.copy_to(&target).map_err(|e| describe(&e))?;
        let layout = JsFuture::from(copied).await.map_err(|e| describe(&e))?;
        drop(frame); // the pixels are ours now
        let y = js_sys::Array::from(&layout).get(0);
        let number = |key: &str| {
            get(&y, key)
                .as_f64()
                .filter(|v| *v >= 0.0)
                .map(|v| v as usize)
        };
        let (Some(offset), Some(stride)) = (number("offset"), number("stride")) else {
            return Err("copyTo gave no plane layout".into());
        };
        let s = &mut *state.borrow_mut();
        s.yuv.resize(size as usize, 0);
        target.copy_to(&mut s.yuv);
        let State {
            yuv, plane, luma, ..
        } = s;
        if (out_width, out_height) == (width, height) {
            first_plane(yuv, offset, stride, width as usize, height as usize, luma)
                .ok_or("frame shorter than its layout")?;
        } else {
            first_plane(yuv, offset, stride, width as usize, height as usize, plane)
                .ok_or("frame shorter than its layout")?;
            downscale_luma(plane, width, height, out_width, out_height, luma)
                .ok_or("frame could not be scaled")?;
        }
        Ok((out_width, out_height))
    }

    /// The worker's canvas at `width` × `height`, made on first use.
    fn canvas(
        state: &mut State,
        width: u32,
        height: u32,
    ) -> Result<&OffscreenCanvasRenderingContext2d, String> {
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
        Ok(context)
    }

    /// The canvas's pixels at `width` × `height` (`getImageData`, MDN).
    fn pixels(
        context: &OffscreenCanvasRenderingContext2d,
        width: u32,
        height: u32,
    ) -> Result<Uint8ClampedArray, String> {
        let image = context
            .get_image_data(0.0, 0.0, width as f64, height as f64)
            .map_err(|e| format!("getImageData: {e:?}"))?;
        get(&image, "data")
            .dyn_into::<Uint8ClampedArray>()
            .map_err(|_| "ImageData without data".into())
    }

    /// Draws a `VideoFrame` scaled to `width` × `height` and reads the RGBA pixels back.
    fn draw_frame(
        state: &mut State,
        frame: &VideoFrame,
        width: u32,
        height: u32,
    ) -> Result<Uint8ClampedArray, String> {
        let context = canvas(state, width, height)?;
        context
            .unchecked_ref::<Context2d>()
            .draw_video_frame(frame, 0.0, 0.0, width as f64, height as f64)
            .map_err(|e| format!("drawImage: {}", describe(&e)))?;
        pixels(context, width, height)
    }

    /// One frame message in, its answer out.
    fn handle(state: &mut State, data: &JsValue) -> Object {
        let started = js_sys::Date::now();
        let reply = Object::new();
        set(&reply, "id", &get(data, "id"));
        let timed_out = Cell::new(false);
        match read_frame(state, data) {
            Ok((width, height)) => {
                let State { decoder, rgba, .. } = state;
                let result = decoder.decode_rgba(rgba, width, height, || {
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
            let drawn = draw_bitmap(state, bitmap, width, height);
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
    fn draw_bitmap(
        state: &mut State,
        bitmap: &ImageBitmap,
        width: u32,
        height: u32,
    ) -> Result<Uint8ClampedArray, String> {
        let context = canvas(state, width, height)?;
        context
            .draw_image_with_image_bitmap_and_dw_and_dh(
                bitmap,
                0.0,
                0.0,
                width as f64,
                height as f64,
            )
            .map_err(|e| format!("drawImage: {e:?}"))?;
        pixels(context, width, height)
    }

    /// A thrown value in words: an `Error`'s message, else its string or debug form.
    fn describe(err: &JsValue) -> String {
        err.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| err.as_string())
            .unwrap_or_else(|| format!("{err:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_size, downscale_luma, first_plane};

    #[test]
    fn frames_are_scaled_to_the_longest_side_and_never_up() {
        assert_eq!(decode_size(1280, 720, 800), (800, 450));
        assert_eq!(decode_size(1920, 1080, 800), (800, 450));
        assert_eq!(decode_size(720, 1280, 800), (450, 800));
        assert_eq!(decode_size(640, 480, 800), (640, 480));
        assert_eq!(decode_size(800, 10, 800), (800, 10));
        assert_eq!(decode_size(4000, 1, 800), (800, 1));
    }

    #[test]
    fn downscaling_averages_the_pixels_each_output_pixel_covers() {
        // 4×2 → 2×1: each output pixel is the mean of a 2×2 block.
        let luma = [0, 10, 100, 200, 20, 30, 50, 50];
        let mut out = Vec::new();
        assert_eq!(downscale_luma(&luma, 4, 2, 2, 1, &mut out), Some(()));
        assert_eq!(out, vec![15, 100]);
        // 3×1 → 2×1 (a fraction): columns [0,1) and [1,3).
        assert_eq!(downscale_luma(&[9, 1, 3], 3, 1, 2, 1, &mut out), Some(()));
        assert_eq!(out, vec![9, 2]);
        // Same size: a copy.
        assert_eq!(downscale_luma(&luma, 4, 2, 4, 2, &mut out), Some(()));
        assert_eq!(out, luma.to_vec());
    }

    #[test]
    fn downscaling_refuses_wrong_sizes() {
        let mut out = Vec::new();
        assert_eq!(downscale_luma(&[0; 7], 4, 2, 2, 1, &mut out), None);
        assert_eq!(downscale_luma(&[0; 8], 4, 2, 0, 1, &mut out), None);
        assert_eq!(downscale_luma(&[0; 8], 4, 2, 5, 1, &mut out), None);
    }

    #[test]
    fn the_first_plane_is_copied_row_by_row_without_its_padding() {
        // 3×2 luma with a stride of 4, after 2 bytes of something else, then chroma.
        let data = [7, 7, 1, 2, 3, 0, 4, 5, 6, 0, 128, 128];
        let mut out = Vec::new();
        assert_eq!(first_plane(&data, 2, 4, 3, 2, &mut out), Some(()));
        assert_eq!(out, vec![1, 2, 3, 4, 5, 6]);
        // The last row may end without padding.
        assert_eq!(first_plane(&data[..9], 2, 4, 3, 2, &mut out), Some(()));
        assert_eq!(first_plane(&data[..8], 2, 4, 3, 2, &mut out), None);
        assert_eq!(first_plane(&data, 2, 2, 3, 2, &mut out), None);
        assert_eq!(first_plane(&data, 2, 4, 3, 0, &mut out), None);
    }
}
