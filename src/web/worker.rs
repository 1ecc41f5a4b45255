//! The page's side of the decoder worker (`src/bin/scanner_worker.rs`, its message shapes are
//! documented there): starts it (`new Worker(url)`, MDN "Worker()"), and either hands it the
//! camera's frames as a stream it reads itself ([`DecoderWorker::attach`]: a
//! `MediaStreamTrackProcessor`'s `readable`, transferred) or sends one frame at a time with its
//! pixels transferred, not copied (`Worker.postMessage(message, transfer)`, MDN); each answer
//! goes to a callback. The app's own wasm has no decoder.

use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// Where Trunk puts the worker's loader (`data-loader-shim` in `index.html`), relative to the
/// page, before `scripts/postbuild.mjs` gives it a content-hashed name.
pub const WORKER_URL: &str = "./scanner-worker_loader.js";

/// The worker's loader: the `content` of `<meta name="healthcode-scanner-worker">`, which
/// `scripts/postbuild.mjs` writes with the loader's hashed name (`./scanner-worker-<hash>_loader.js`);
/// [`WORKER_URL`] if the page has no such tag (a build without the hook).
pub fn worker_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=\"healthcode-scanner-worker\"]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .filter(|url| url.starts_with("./scanner-worker") && url.ends_with("_loader.js"))
        .unwrap_or_else(|| WORKER_URL.to_owned())
}

/// What the worker said.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// The worker is running.
    Ready {
        /// Whether frames may be sent as `ImageBitmap`s (it can draw them itself).
        offscreen: bool,
        /// Whether it can read a stream of `VideoFrame`s ([`DecoderWorker::attach`]).
        video_frames: bool,
    },
    /// The answer for one frame.
    Frame {
        /// The QR text, if one was read.
        text: Option<String>,
        /// `performance.now()` when the frame was grabbed, in milliseconds.
        grabbed_at: f64,
        /// Time the worker spent on the frame, in milliseconds.
        decode_ms: f64,
        /// For a frame of an attached stream: the stream's frames read and closed so far.
        frames: Option<FrameCount>,
        /// For a frame of an attached stream: when the frame decoded before it was grabbed, if
        /// it had no code (`performance.now()` of this page, ms).
        empty_at: Option<f64>,
    },
    /// The attached stream stopped (its track ended, or it failed: the browser's words).
    StreamEnded {
        /// Its frames read and closed.
        frames: FrameCount,
        /// Why, if it failed.
        error: Option<String>,
    },
    /// The worker could not start or run (script not loaded, wasm failed), or could not read
    /// a frame; with the browser's words.
    Failed(String),
}

/// Frames of an attached stream the worker has read and closed (`VideoFrame.close()`); equal
/// whenever the worker answers, as it closes each frame once its pixels are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameCount {
    /// Frames read from the stream.
    pub read: u32,
    /// Frames closed.
    pub closed: u32,
}

/// A frame on its way to the worker.
pub enum Pixels {
    /// An `ImageBitmap` (`createImageBitmap`, MDN) already at the frame's size.
    Bitmap(web_sys::ImageBitmap),
    /// RGBA bytes as `ImageData.data`'s buffer.
    Rgba(js_sys::ArrayBuffer),
}

#[derive(Default)]
struct Inner {
    ready: bool,
    offscreen: bool,
    video_frames: bool,
    /// The number of the stream attached (0: none yet) and whether it is being read.
    stream: u32,
    streaming: bool,
    /// `performance.now()` of the last answer for the attached stream (or of its attaching, or
    /// of the end of a pause), in milliseconds.
    stream_heard: f64,
    /// `performance.timeOrigin` of this page, to put the worker's times on the page's clock.
    time_origin: f64,
    /// `performance.now()` when the frame now with the worker (or being grabbed) was taken.
    in_flight: Option<f64>,
    next_id: u32,
    /// The id of the frame in flight.
    sent_id: u32,
}

/// A running decoder worker. Dropping it terminates the worker.
pub struct DecoderWorker {
    worker: Worker,
    inner: Rc<RefCell<Inner>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl DecoderWorker {
    /// Starts the worker at [`worker_url`]; `on_event` gets everything it says.
    pub fn start(on_event: impl Fn(WorkerEvent) + 'static) -> Result<DecoderWorker, String> {
        let worker = Worker::new(&worker_url()).map_err(|e| describe(&e))?;
        let time_origin = web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.time_origin())
            .unwrap_or(0.0);
        let inner = Rc::new(RefCell::new(Inner {
            time_origin,
            ..Inner::default()
        }));
        let on_event = Rc::new(on_event);

        let state = inner.clone();
        let tell = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let get = |key: &str| Reflect::get(&data, &key.into()).unwrap_or(JsValue::UNDEFINED);
            if get("ready").is_truthy() {
                let offscreen = get("offscreen").is_truthy();
                let video_frames = get("videoFrames").is_truthy();
                {
                    let mut s = state.borrow_mut();
                    s.ready = true;
                    s.offscreen = offscreen;
                    s.video_frames = video_frames;
                }
                tell(WorkerEvent::Ready {
                    offscreen,
                    video_frames,
                });
                return;
            }
            if let Some(stream) = get("stream").as_f64() {
                let frames = FrameCount {
                    read: get("read").as_f64().unwrap_or(0.0) as u32,
                    closed: get("closed").as_f64().unwrap_or(0.0) as u32,
                };
                let time_origin = {
                    let mut s = state.borrow_mut();
                    if stream != f64::from(s.stream) {
                        return; // a stream replaced since
                    }
                    if get("ended").is_truthy() {
                        s.streaming = false;
                    } else {
                        s.stream_heard = now_ms();
                    }
                    s.time_origin
                };
                if get("ended").is_truthy() {
                    tell(WorkerEvent::StreamEnded {
                        frames,
                        error: get("error").as_string(),
                    });
                } else if let Some(error) = get("error").as_string() {
                    tell(WorkerEvent::Failed(error));
                } else {
                    tell(WorkerEvent::Frame {
                        text: get("text").as_string(),
                        grabbed_at: get("grabbedAt").as_f64().unwrap_or(0.0) - time_origin,
                        decode_ms: get("ms").as_f64().unwrap_or(0.0),
                        frames: Some(frames),
                        empty_at: get("emptyAt").as_f64().map(|t| t - time_origin),
                    });
                }
                return;
            }
            let id = get("id").as_f64().map(|v| v as u32);
            let grabbed_at = {
                let mut s = state.borrow_mut();
                if id != Some(s.sent_id) {
                    return; // an answer for a frame given up on
                }
                s.in_flight.take()
            };
            let Some(grabbed_at) = grabbed_at else {
                return;
            };
            if let Some(error) = get("error").as_string() {
                tell(WorkerEvent::Failed(error));
                return;
            }
            tell(WorkerEvent::Frame {
                text: get("text").as_string(),
                grabbed_at,
                decode_ms: get("ms").as_f64().unwrap_or(0.0),
                frames: None,
                empty_at: None,
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

        let state = inner.clone();
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            {
                let mut s = state.borrow_mut();
                s.in_flight = None;
                s.streaming = false;
            }
            let message = ev.message();
            on_event(WorkerEvent::Failed(if message.is_empty() {
                "the decoder could not be loaded".to_owned()
            } else {
                message
            }));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

        Ok(DecoderWorker {
            worker,
            inner,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Whether the worker said it is running.
    pub fn is_ready(&self) -> bool {
        self.inner.borrow().ready
    }

    /// Ready and no frame in flight: a new frame may be grabbed.
    pub fn is_idle(&self) -> bool {
        let s = self.inner.borrow();
        s.ready && s.in_flight.is_none()
    }

    /// Whether frames may go as `ImageBitmap`s (the worker has `OffscreenCanvas`).
    pub fn takes_bitmaps(&self) -> bool {
        self.inner.borrow().offscreen
    }

    /// Whether the worker is ready and can read a stream of `VideoFrame`s.
    pub fn takes_streams(&self) -> bool {
        let s = self.inner.borrow();
        s.ready && s.video_frames
    }

    /// How long the worker has said nothing about the stream being read, in milliseconds
    /// (`None` when none is): it answers at least twice a second while frames come and it is
    /// not paused, so a long silence means the worker is stuck.
    pub fn stream_silent_for(&self, now: f64) -> Option<f64> {
        let s = self.inner.borrow();
        s.streaming.then(|| now - s.stream_heard)
    }

    /// Hands the worker `readable`, a `ReadableStream` of the camera's `VideoFrame`s (a
    /// `MediaStreamTrackProcessor`'s, MDN), transferred: from now on the worker reads the
    /// frames itself and answers each ([`WorkerEvent::Frame`] with `frames`) until the track
    /// ends ([`WorkerEvent::StreamEnded`]). Replaces a stream attached before.
    pub fn attach(&self, readable: &web_sys::ReadableStream, paused: bool) -> Result<(), String> {
        let number = {
            let mut s = self.inner.borrow_mut();
            s.stream = s.stream.wrapping_add(1);
            s.stream
        };
        let message = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&message, &k.into(), v).map(|_| ());
        set("stream", &JsValue::from(number))
            .and_then(|_| set("readable", readable))
            .and_then(|_| set("paused", &JsValue::from_bool(paused)))
            .and_then(|_| {
                self.worker
                    .post_message_with_transfer(&message, &Array::of1(readable))
            })
            .map_err(|e| describe(&e))?;
        let mut s = self.inner.borrow_mut();
        s.streaming = true;
        s.stream_heard = now_ms();
        Ok(())
    }

    /// Tells the worker to drop the stream's frames undecoded (`true`) or to decode them again.
    pub fn set_paused(&self, paused: bool) {
        let message = Object::new();
        let _ = Reflect::set(&message, &"paused".into(), &JsValue::from_bool(paused));
        let _ = self.worker.post_message(&message);
        // The worker is silent while paused: the watchdog counts from now.
        self.inner.borrow_mut().stream_heard = now_ms();
    }

    /// How long the frame in flight has been out, in milliseconds, if one is.
    pub fn busy_for(&self, now: f64) -> Option<f64> {
        self.inner.borrow().in_flight.map(|t| now - t)
    }

    /// Marks a frame grabbed at `grabbed_at` as in flight (while it is being grabbed, so no
    /// second grab starts).
    pub fn begin(&self, grabbed_at: f64) {
        let mut s = self.inner.borrow_mut();
        s.in_flight = Some(grabbed_at);
        s.next_id = s.next_id.wrapping_add(1);
        s.sent_id = s.next_id;
    }

    /// Gives up the frame in flight (its grab failed); a late answer is ignored.
    pub fn abandon(&self) {
        let mut s = self.inner.borrow_mut();
        s.in_flight = None;
        s.sent_id = s.sent_id.wrapping_add(u32::MAX / 2);
    }

    /// Sends the frame begun with [`begin`](Self::begin), its pixels transferred.
    pub fn send(&self, pixels: Pixels, width: u32, height: u32) -> Result<(), String> {
        let message = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&message, &k.into(), v).map(|_| ());
        let id = self.inner.borrow().sent_id;
        let transfer = Array::new();
        let sent = set("id", &JsValue::from(id))
            .and_then(|_| set("width", &JsValue::from(width)))
            .and_then(|_| set("height", &JsValue::from(height)))
            .and_then(|_| match &pixels {
                Pixels::Bitmap(b) => {
                    transfer.push(b);
                    set("bitmap", b)
                }
                Pixels::Rgba(buffer) => {
                    transfer.push(buffer);
                    set("rgba", buffer)
                }
            })
            .and_then(|_| self.worker.post_message_with_transfer(&message, &transfer));
        sent.map_err(|e| {
            self.abandon();
            describe(&e)
        })
    }
}

impl Drop for DecoderWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// `performance.now()` in milliseconds (MDN "Performance.now()"); 0 without a window.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// A thrown value in words: an `Error`'s message, else its debug form.
fn describe(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| format!("{err:?}"))
}
