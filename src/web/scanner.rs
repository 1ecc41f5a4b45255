//! The camera scanner, used by the checkpoint and resident pages: the rear camera in a
//! viewfinder with an aim box, a switch-camera button (when there is more than one camera)
//! and a torch button (where the camera has one). Frames are decoded off the main thread by
//! the decoder worker ([`super::worker`], `src/bin/scanner_worker.rs`), from one of three
//! frame sources, chosen by what the browser has (shown as `data-frame-source` on the
//! scanner):
//!
//! - `track-processor` (Chromium): the camera track's frames as a stream
//!   ([`camera::frame_stream`]) handed to the worker, which reads them itself: the main
//!   thread does no work per frame;
//! - `bitmap`: the page grabs a frame with `createImageBitmap(video)` and transfers it;
//! - `canvas`: the page draws the frame on a canvas and transfers its RGBA bytes.
//!
//! One frame is decoded at a time, frames are dropped while the worker is busy, and a worker
//! that does not answer within [`WORKER_TIMEOUT_MS`] is replaced. The camera stops when the
//! component is removed or the page is hidden (`visibilitychange`, MDN "Document:
//! visibilitychange event"), and starts again when the page is shown; its frame stream ends
//! with it (`data-stream="ended"`; `data-frames-read` and `data-frames-closed` count the
//! stream's frames the worker read and closed).

use super::camera::{self, CameraError, FrameGrabber};
use super::i18n;
use super::worker::{DecoderWorker, FrameCount, Pixels, WorkerEvent};
use crate::tr;
use leptos::leptos_dom::helpers::window_event_listener_untyped;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamTrack, VisibilityState};

/// How often the scanner looks for a frame to decode, in milliseconds. A frame is grabbed
/// only when the worker is idle and [`MIN_GRAB_GAP_MS`] has passed since the last grab.
const SCAN_INTERVAL_MS: u64 = 15;
/// Least time between two grabs, in milliseconds: one frame of a 30 fps camera, so no frame
/// is decoded twice and the worker rests between frames.
const MIN_GRAB_GAP_MS: f64 = 33.0;
/// A worker that has not answered a frame for this long, in milliseconds, is replaced.
const WORKER_TIMEOUT_MS: f64 = 3000.0;
/// A text counts as still in view (not reported again) while it was read within this many
/// milliseconds.
const FORGET_MS: f64 = 1000.0;
/// After this long with the camera on, unpaused, and nothing read, the hint says no code was
/// found and how to show one (closer, flat, out of glare), in milliseconds.
const NO_CODE_HINT_MS: f64 = 14_000.0;

/// The camera's error in the page's language, with what to do.
pub fn camera_error_words(err: &CameraError, lang: i18n::Lang) -> String {
    match err {
        CameraError::Denied => tr!(lang, "camera.denied"),
        CameraError::NotFound => tr!(lang, "camera.not_found"),
        CameraError::Busy => tr!(lang, "camera.busy"),
        CameraError::Unsupported => tr!(lang, "camera.unsupported"),
        CameraError::Other(name) => tr!(lang, "camera.other", name = name),
    }
}

/// `performance.now()` in milliseconds (MDN "Performance.now()"); 0 without a window.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Where the decoder's frames come from (see the module docs); its name is the scanner's
/// `data-frame-source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameSource {
    TrackProcessor,
    Bitmap,
    Canvas,
}

impl FrameSource {
    fn name(self) -> &'static str {
        match self {
            FrameSource::TrackProcessor => "track-processor",
            FrameSource::Bitmap => "bitmap",
            FrameSource::Canvas => "canvas",
        }
    }
}

/// A viewfinder that scans QR codes.
#[component]
pub fn Scanner(
    /// Each decoded text. The same text is not reported again while it stays in view,
    /// but is reported again after `paused` goes true→false.
    on_text: Callback<String>,
    /// While true, no frame is decoded (e.g. while a verdict shows).
    #[prop(optional, into)]
    paused: Signal<bool>,
) -> impl IntoView {
    let lang = i18n::settings().lang;
    let video_ref = NodeRef::<leptos::html::Video>::new();
    let scanner_ref = NodeRef::<leptos::html::Div>::new();
    let frame_source = RwSignal::new(None::<FrameSource>);
    // The frame stream: "reading" while the worker reads one, "ended" once it stopped.
    let stream_state = RwSignal::new("");
    // The track whose frames the worker reads, and whether streams failed (then frames are
    // grabbed by the page instead).
    let attached = StoredValue::new(None::<SendWrapper<MediaStreamTrack>>);
    let streams_failed = StoredValue::new(false);
    let streams_here = camera::has_frame_streams();
    let stream = StoredValue::new(None::<SendWrapper<MediaStream>>);
    let camera_error = RwSignal::new(None::<CameraError>);
    let camera_on = RwSignal::new(false);
    // The camera in use and the cameras there are (deviceIds).
    let device = StoredValue::new(None::<String>);
    let cameras = RwSignal::new(Vec::<String>::new());
    let torch_available = RwSignal::new(false);
    let torch_on = RwSignal::new(false);
    let torch_problem = RwSignal::new(None::<String>);
    let decoder_problem = RwSignal::new(None::<String>);
    // Stopped because the page was hidden: start again when it is shown.
    let stopped_while_hidden = StoredValue::new(false);
    // The last text read and when (performance.now()).
    let last = StoredValue::new(None::<(String, f64)>);
    // When the previous frame was grabbed, if it had no code (for the latency benchmark).
    let previous_empty = StoredValue::new(None::<f64>);

    // Each start has a number; a camera that finishes starting after a later start (or a
    // stop) is turned off again, so two quick starts never leave a camera on.
    let start_no = StoredValue::new(0u32);
    let stop_camera = move || {
        start_no.update_value(|n| *n = n.wrapping_add(1));
        if let Some(Some(s)) = stream.try_update_value(|s| s.take()) {
            camera::stop(&s);
        }
        camera_on.set(false);
        torch_available.set(false);
        torch_on.set(false);
    };

    let start = move |wanted: Option<String>| {
        stop_camera();
        camera_error.set(None);
        torch_problem.set(None);
        let Some(video) = video_ref.get_untracked() else {
            return;
        };
        start_no.update_value(|n| *n = n.wrapping_add(1));
        let mine = start_no.get_value();
        leptos::task::spawn_local(async move {
            match camera::start(&video, wanted.as_deref()).await {
                Ok(s) => {
                    // A later start (or the component's removal, or the page being hidden)
                    // came while this camera was starting: this one must not stay on.
                    let current = move || start_no.try_get_value() == Some(mine);
                    if !current() {
                        camera::stop(&s);
                        return;
                    }
                    if video.src_object().as_ref() != Some(&s) {
                        video.set_src_object(Some(&s));
                        if let Ok(play) = video.play() {
                            let _ = JsFuture::from(play).await;
                        }
                        if !current() {
                            camera::stop(&s);
                            return;
                        }
                    }
                    let track = camera::video_track(&s);
                    if let Some(Some(old)) =
                        // `Clone::clone`, not `MediaStream.clone()` (a second capture that
                        // stopping this one would leave running).
                        stream.try_update_value(|slot| {
                            slot.replace(SendWrapper::new(<MediaStream as Clone>::clone(&s)))
                        })
                    {
                        camera::stop(&old);
                    }
                    device.try_set_value(track.as_ref().and_then(camera::device_id));
                    let _ = torch_available.try_set(track.as_ref().is_some_and(camera::has_torch));
                    let _ = camera_on.try_set(true);
                    match camera::cameras().await {
                        Ok(list) => {
                            let _ = cameras.try_set(list);
                        }
                        // Only the switch button depends on it: keep the camera running.
                        Err(e) => {
                            let _ = cameras.try_set(Vec::new());
                            let _ = camera_error.try_set(None);
                            let _ = torch_problem.try_set(Some(e.to_string()));
                        }
                    }
                }
                Err(e) => {
                    let _ = camera_error.try_set(Some(e));
                }
            }
        });
    };
    Effect::new(move |_| {
        if video_ref.get().is_some() {
            start(None);
        }
    });

    let switch_camera = move |_| {
        let list = cameras.get_untracked();
        if list.len() < 2 {
            return;
        }
        let current = device.get_value();
        let next = current
            .and_then(|id| list.iter().position(|d| *d == id))
            .map(|i| (i + 1) % list.len())
            .unwrap_or(0);
        start(list.get(next).cloned());
    };

    let toggle_torch = move |_| {
        let Some(track) = stream
            .with_value(|s| s.as_ref().and_then(|s| camera::video_track(s)))
            .map(SendWrapper::new)
        else {
            return;
        };
        let want = !torch_on.get_untracked();
        leptos::task::spawn_local(async move {
            match camera::set_torch(&track, want).await {
                Ok(()) => {
                    let _ = torch_on.try_set(want);
                    let _ = torch_problem.try_set(None);
                }
                Err(name) => {
                    let _ = torch_problem.try_set(Some(name));
                }
            }
        });
    };

    // Since when nothing was read (camera on and unpaused); the hint turns to "no code found"
    // after NO_CODE_HINT_MS.
    let nothing_since = StoredValue::new(now_ms());
    let no_code = RwSignal::new(false);
    if let Ok(h) = set_interval_with_handle(
        move || {
            let stuck = camera_on.get_untracked()
                && !paused.get_untracked()
                && now_ms() - nothing_since.get_value() >= NO_CODE_HINT_MS;
            if no_code.get_untracked() != stuck {
                no_code.set(stuck);
            }
        },
        Duration::from_millis(1000),
    ) {
        on_cleanup(move || h.clear());
    }
    Effect::new(move |_| {
        // A camera (re)started or a pause ended: count from now.
        let _ = (camera_on.get(), paused.get());
        nothing_since.set_value(now_ms());
        no_code.set(false);
    });

    // Reported again after a pause.
    Effect::new(move |was: Option<bool>| {
        let now = paused.get();
        if was == Some(true) && !now {
            last.set_value(None);
        }
        previous_empty.set_value(None);
        now
    });

    // What the decoder says.
    let receive = move |text: String, grabbed_at: f64, decode_ms: f64| {
        if paused.get_untracked() {
            return;
        }
        let now = now_ms();
        nothing_since.set_value(now);
        no_code.set(false);
        let repeat = last
            .with_value(|l| matches!(l, Some((seen, at)) if *seen == text && now - at < FORGET_MS));
        last.set_value(Some((text.clone(), now)));
        if repeat {
            return;
        }
        let appeared_after = previous_empty.get_value();
        on_text.run(text);
        record_timing(appeared_after, grabbed_at, decode_ms, now);
    };
    let generation = StoredValue::new(0u32);
    let decoder = StoredValue::new_local(None::<DecoderWorker>);
    // The stream's frame counts on the scanner element, written directly (no re-render).
    let show_frames = move |frames: FrameCount| {
        if let Some(el) = scanner_ref.get_untracked() {
            let _ = el.set_attribute("data-frames-read", &frames.read.to_string());
            let _ = el.set_attribute("data-frames-closed", &frames.closed.to_string());
        }
    };
    let on_event = move |event: WorkerEvent| match event {
        WorkerEvent::Ready { .. } => {}
        WorkerEvent::StreamEnded { frames, error } => {
            show_frames(frames);
            let _ = stream_state.try_set("ended");
            attached.try_set_value(None);
            if let Some(error) = error {
                // Grab frames on the page from now on.
                streams_failed.try_set_value(true);
                let _ = decoder_problem.try_set(Some(error));
            }
        }
        WorkerEvent::Frame {
            text,
            grabbed_at,
            decode_ms,
            frames,
            empty_at,
        } => {
            if decoder_problem.with_untracked(Option::is_some) {
                let _ = decoder_problem.try_set(None);
            }
            if let Some(frames) = frames {
                show_frames(frames);
                // The worker answers only some empty frames: it says which came just before.
                if text.is_some() {
                    previous_empty.set_value(empty_at);
                }
            }
            match text {
                Some(text) => {
                    receive(text, grabbed_at, decode_ms);
                    previous_empty.set_value(None);
                }
                None => previous_empty.set_value(Some(grabbed_at)),
            }
        }
        WorkerEvent::Failed(message) => {
            let _ = decoder_problem.try_set(Some(message));
        }
    };
    let spawn_worker = move || {
        generation.update_value(|g| *g = g.wrapping_add(1));
        // The old worker (if any) is terminated when dropped, and its stream with it.
        decoder.set_value(None);
        attached.set_value(None);
        match DecoderWorker::start(on_event) {
            Ok(worker) => decoder.set_value(Some(worker)),
            Err(e) => decoder_problem.set(Some(e)),
        }
    };
    spawn_worker();

    // The frame stream: hands the worker the live camera track's frames, once per track.
    let attach_stream = move || {
        let Some(track) = stream.with_value(|s| s.as_ref().and_then(|s| camera::video_track(s)))
        else {
            return;
        };
        if track.ready_state() != web_sys::MediaStreamTrackState::Live
            || attached.with_value(|a| a.as_deref() == Some(&track))
        {
            return;
        }
        let sent = camera::frame_stream(&track).and_then(|readable| {
            decoder.with_value(|d| match d {
                Some(d) => d.attach(&readable, paused.get_untracked()),
                None => Err("no decoder".to_owned()),
            })
        });
        match sent {
            Ok(()) => {
                attached.set_value(Some(SendWrapper::new(track)));
                if frame_source.get_untracked() != Some(FrameSource::TrackProcessor) {
                    frame_source.set(Some(FrameSource::TrackProcessor));
                }
                stream_state.set("reading");
            }
            Err(e) => {
                // Grab frames on the page from now on.
                streams_failed.set_value(true);
                decoder_problem.set(Some(e));
            }
        }
    };
    // The worker drops the stream's frames while paused.
    Effect::new(move |_| {
        let now = paused.get();
        decoder.with_value(|d| {
            if let Some(d) = d {
                d.set_paused(now);
            }
        });
    });

    // The frame loop: grab a frame whenever the worker is idle.
    let grabber = StoredValue::new_local(FrameGrabber::new());
    let bitmaps_failed = StoredValue::new(false);
    let last_grab = StoredValue::new(f64::NEG_INFINITY);
    let tick = move || {
        if !camera_on.get_untracked() {
            return;
        }
        let now = now_ms();
        if streams_here && !streams_failed.get_value() {
            let state = decoder.with_value(|d| {
                d.as_ref()
                    .map(|d| (d.is_ready(), d.takes_streams(), d.stream_silent_for(now)))
            });
            match state {
                // No worker yet, or not ready: wait for it.
                None | Some((false, _, _)) => return,
                Some((true, true, silent)) => {
                    // A muted track (MDN "MediaStreamTrack: mute event") sends no frames, so
                    // the worker has nothing to answer.
                    let stuck = silent.is_some_and(|ms| ms > WORKER_TIMEOUT_MS)
                        && !paused.get_untracked()
                        && !stream.with_value(|s| {
                            s.as_ref()
                                .and_then(|s| camera::video_track(s))
                                .is_some_and(|t| t.muted())
                        });
                    if stuck {
                        decoder_problem
                            .set(Some(tr!(lang.get_untracked(), "scanner.decoder_restarted")));
                        spawn_worker();
                    } else if attached.with_value(Option::is_none) {
                        // The stream (if any) ended: the live track's next.
                        attach_stream();
                    }
                    return;
                }
                // A worker without `VideoFrame`: the page grabs the frames.
                Some((true, false, _)) => {}
            }
        }
        if paused.get_untracked() {
            return;
        }
        let Some(video) = video_ref.get_untracked() else {
            return;
        };
        let state = decoder.with_value(|d| {
            d.as_ref()
                .map(|d| (d.is_idle(), d.takes_bitmaps(), d.busy_for(now)))
        });
        let Some((idle, bitmaps, busy_for)) = state else {
            return;
        };
        if busy_for.is_some_and(|ms| ms > WORKER_TIMEOUT_MS) {
            decoder_problem.set(Some(tr!(lang.get_untracked(), "scanner.decoder_restarted")));
            spawn_worker();
            return;
        }
        if !idle {
            return; // one frame in flight; this one is dropped
        }
        if now - last_grab.get_value() < MIN_GRAB_GAP_MS {
            return;
        }
        last_grab.set_value(now);
        let Some((width, height)) = camera::frame_size(&video) else {
            return;
        };
        decoder.with_value(|d| {
            if let Some(d) = d {
                d.begin(now);
            }
        });
        let send = move |pixels: Pixels, width: u32, height: u32| {
            decoder.with_value(|d| {
                if let Some(d) = d {
                    if let Err(e) = d.send(pixels, width, height) {
                        decoder_problem.set(Some(e));
                    }
                }
            });
        };
        let abandon = move || {
            decoder.with_value(|d| {
                if let Some(d) = d {
                    d.abandon();
                }
            })
        };
        let promise = (bitmaps && !bitmaps_failed.get_value())
            .then(|| bitmap_of(&video, width, height))
            .flatten();
        let source = if promise.is_some() {
            FrameSource::Bitmap
        } else {
            FrameSource::Canvas
        };
        if frame_source.get_untracked() != Some(source) {
            frame_source.set(Some(source));
        }
        if let Some(promise) = promise {
            let this_generation = generation.get_value();
            leptos::task::spawn_local(async move {
                match JsFuture::from(promise).await {
                    Ok(bitmap) => {
                        let bitmap: web_sys::ImageBitmap = bitmap.unchecked_into();
                        if generation.try_get_value() == Some(this_generation) {
                            send(Pixels::Bitmap(bitmap), width, height);
                        } else {
                            bitmap.close();
                        }
                    }
                    Err(_) => {
                        // Grab through the canvas from now on.
                        bitmaps_failed.try_set_value(true);
                        if generation.try_get_value() == Some(this_generation) {
                            abandon();
                        }
                    }
                }
            });
        } else {
            match grabber.with_value(|g| g.as_ref().and_then(|g| g.grab_rgba(&video))) {
                Some((buffer, w, h)) => send(Pixels::Rgba(buffer), w, h),
                None => abandon(),
            }
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(SCAN_INTERVAL_MS)) {
        on_cleanup(move || handle.clear());
    }

    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == VisibilityState::Hidden);
        if hidden {
            // Also while a camera is starting (it is then turned off as it arrives).
            if camera_error.get_untracked().is_none() {
                stopped_while_hidden.set_value(true);
                stop_camera();
            }
        } else if stopped_while_hidden.get_value() {
            stopped_while_hidden.set_value(false);
            start(device.get_value());
        }
    });
    on_cleanup(move || {
        start_no.try_update_value(|n| *n = n.wrapping_add(1));
        visibility.remove();
        if let Some(Some(s)) = stream.try_update_value(|s| s.take()) {
            camera::stop(&s);
        }
        decoder.try_update_value(|d| d.take());
    });

    view! {
        <div class="camera scanner" data-testid="scanner" node_ref=scanner_ref
            data-frame-source=move || frame_source.get().map(FrameSource::name).unwrap_or("")
            data-stream=move || stream_state.get()>
            <video node_ref=video_ref class="viewfinder" autoplay=true muted=true playsinline=true
                aria-label=move || tr!(lang.get(), "scanner.video_label")></video>
            <div class="aim" aria-hidden="true"></div>
            <div class="scanner-controls">
                <Show when=move || camera_on.get() && cameras.with(|c| c.len() > 1)>
                    <button type="button" data-testid="switch-camera" on:click=switch_camera>
                        {move || tr!(lang.get(), "scanner.switch_camera")}
                    </button>
                </Show>
                <Show when=move || camera_on.get() && torch_available.get()>
                    <button type="button" data-testid="torch" aria-pressed=move || torch_on.get().to_string()
                        on:click=toggle_torch>
                        {move || if torch_on.get() { tr!(lang.get(), "scanner.torch_off") } else { tr!(lang.get(), "scanner.torch_on") }}
                    </button>
                </Show>
            </div>
            <p class="scan-hint" data-testid="scan-hint" data-state=move || if no_code.get() { "no-code" } else { "" }>{move || if no_code.get() {
                tr!(lang.get(), "scanner.no_code")
            } else if camera_on.get() {
                tr!(lang.get(), "scanner.hint")
            } else {
                tr!(lang.get(), "scanner.starting")
            }}</p>
            {move || torch_problem.get().map(|name| view! {
                <p class="scanner-problem" role="alert">{tr!(lang.get(), "scanner.torch_failed", name = name)}</p>
            })}
            {move || decoder_problem.get().map(|detail| view! {
                <p class="scanner-problem" role="alert" data-testid="decoder-problem">{tr!(lang.get(), "scanner.decoder_failed", detail = detail)}</p>
            })}
            {move || camera_error.get().map(|e| view! {
                <div class="camera-error" role="alert">
                    <p>{camera_error_words(&e, lang.get())}</p>
                    <button type="button" on:click=move |_| start(device.get_value())>{move || tr!(lang.get(), "camera.retry")}</button>
                </div>
            })}
        </div>
    }
}

/// `createImageBitmap(video, {resizeWidth, resizeHeight})` (MDN "Window.createImageBitmap()"):
/// the frame at the size it is decoded at; `None` where the browser cannot.
fn bitmap_of(
    video: &web_sys::HtmlVideoElement,
    width: u32,
    height: u32,
) -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    if video.video_width() == width && video.video_height() == height {
        return window
            .create_image_bitmap_with_html_video_element(video)
            .ok();
    }
    let options = web_sys::ImageBitmapOptions::new();
    options.set_resize_width(width);
    options.set_resize_height(height);
    window
        .create_image_bitmap_with_html_video_element_and_image_bitmap_options(video, &options)
        .ok()
}

/// For the latency benchmark (`scripts/bench-latency.mjs`) only: when the page defines
/// `window.__healthcodeTimings` as an array, each reported text adds `{emptyAt, grabbedAt,
/// decodeMs, reportedAt}` (milliseconds of `performance.now()`): the grab of the previous frame
/// if it had no code (else `null`), the grab of the frame read (for a frame stream: when the
/// worker got it), the worker's time on it, and when `on_text` was called. The benchmark
/// times the verdict's paint itself. Without the array nothing is recorded.
fn record_timing(empty_at: Option<f64>, grabbed_at: f64, decode_ms: f64, reported_at: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(list) = js_sys::Reflect::get(&window, &"__healthcodeTimings".into()) else {
        return;
    };
    let Ok(list) = list.dyn_into::<js_sys::Array>() else {
        return;
    };
    let entry = js_sys::Object::new();
    let put = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&entry, &k.into(), &v);
    };
    put(
        "emptyAt",
        empty_at.map(JsValue::from).unwrap_or(JsValue::NULL),
    );
    put("grabbedAt", grabbed_at.into());
    put("decodeMs", decode_ms.into());
    put("reportedAt", reported_at.into());
    list.push(&entry);
}
