//! The camera: `MediaDevices.getUserMedia` with the rear camera (MDN), the list of cameras,
//! the torch, its frames as a stream for the decoder worker (`MediaStreamTrackProcessor`,
//! where the browser has it), and frames grabbed through a canvas
//! (`CanvasRenderingContext2D.getImageData`, MDN) where the decoder worker cannot take
//! `ImageBitmap`s.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamTrack,
};

/// Longest side of the frames handed to the decoder, in pixels; larger frames are scaled
/// down by the canvas.
pub const MAX_FRAME_SIDE: u32 = 800;

/// Why the camera could not be used, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    /// The user or the browser refused the permission (`NotAllowedError`).
    #[error("Camera permission was refused. Allow the camera for this page in the browser's settings, then tap Retry.")]
    Denied,
    /// No camera (`NotFoundError`, `OverconstrainedError`).
    #[error("No camera was found. Connect a camera, or use a device that has one.")]
    NotFound,
    /// The camera is in use or failed (`NotReadableError`, `AbortError`).
    #[error("The camera is busy or not working. Close other apps using it, then tap Retry.")]
    Busy,
    /// The page is not a secure context, or the browser has no camera API.
    #[error("This browser cannot open the camera here (the page must be https or localhost).")]
    Unsupported,
    /// Anything else, with the browser's name for it.
    #[error("The camera could not start ({0}). Tap Retry.")]
    Other(String),
}

impl CameraError {
    /// The error a rejected camera promise stands for, by its `DOMException` name.
    pub fn from_js(err: JsValue) -> CameraError {
        let name = err
            .dyn_ref::<web_sys::DomException>()
            .map(|e| e.name())
            .unwrap_or_else(|| format!("{err:?}"));
        match name.as_str() {
            "NotAllowedError" | "SecurityError" => CameraError::Denied,
            "NotFoundError" | "OverconstrainedError" => CameraError::NotFound,
            "NotReadableError" | "AbortError" => CameraError::Busy,
            _ => CameraError::Other(name),
        }
    }
}

/// Opens a camera and plays it in `video`: the one with `device_id`
/// (`deviceId: {exact}`) if given, else the rear camera (`facingMode: {ideal:
/// "environment"}`), falling back to any camera (`video: true`) when the browser finds none
/// that way (a laptop's USB webcam has no facing mode). MDN "MediaDevices.getUserMedia()".
pub async fn start(
    video: &HtmlVideoElement,
    device_id: Option<&str>,
) -> Result<MediaStream, CameraError> {
    let window = web_sys::window().ok_or(CameraError::Unsupported)?;
    let devices = window
        .navigator()
        .media_devices()
        .map_err(|_| CameraError::Unsupported)?;
    let video_constraints = js_sys::Object::new();
    match device_id {
        Some(id) => set(&video_constraints, "deviceId", &exact(id)),
        None => {
            let facing = js_sys::Object::new();
            set(&facing, "ideal", &"environment".into());
            set(&video_constraints, "facingMode", &facing);
        }
    }
    let stream = match open(&devices, &video_constraints).await {
        Err(CameraError::NotFound) if device_id.is_none() => open(&devices, &JsValue::TRUE).await,
        other => other,
    }?;
    video.set_muted(true);
    let _ = video.set_attribute("playsinline", "");
    video.set_src_object(Some(&stream));
    if let Ok(play) = video.play() {
        if let Err(e) = JsFuture::from(play).await {
            stop(&stream);
            return Err(CameraError::from_js(e));
        }
    }
    Ok(stream)
}

async fn open(
    devices: &web_sys::MediaDevices,
    video: &JsValue,
) -> Result<MediaStream, CameraError> {
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_video(video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| CameraError::Unsupported)?;
    JsFuture::from(promise)
        .await
        .map_err(CameraError::from_js)?
        .dyn_into()
        .map_err(|_| CameraError::Other("no stream".into()))
}

fn set(target: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &key.into(), value);
}

fn exact(value: &str) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "exact", &value.into());
    o.into()
}

/// Stops every track of `stream` (turns the camera off).
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The first video track of `stream`.
pub fn video_track(stream: &MediaStream) -> Option<MediaStreamTrack> {
    stream.get_video_tracks().get(0).dyn_into().ok()
}

/// The `deviceId` of the camera `track` comes from (`MediaStreamTrack.getSettings()`, MDN).
pub fn device_id(track: &MediaStreamTrack) -> Option<String> {
    js_sys::Reflect::get(&track.get_settings(), &"deviceId".into())
        .ok()?
        .as_string()
        .filter(|id| !id.is_empty())
}

/// The `deviceId`s of the cameras (`kind == "videoinput"`), in the browser's order
/// (`MediaDevices.enumerateDevices()`, MDN; ids are empty before a camera was allowed, and such
/// entries are left out).
pub async fn cameras() -> Result<Vec<String>, CameraError> {
    let devices = web_sys::window()
        .ok_or(CameraError::Unsupported)?
        .navigator()
        .media_devices()
        .map_err(|_| CameraError::Unsupported)?;
    let list = JsFuture::from(devices.enumerate_devices().map_err(CameraError::from_js)?)
        .await
        .map_err(CameraError::from_js)?;
    Ok(js_sys::Array::from(&list)
        .iter()
        .filter_map(|d| d.dyn_into::<web_sys::MediaDeviceInfo>().ok())
        .filter(|d| d.kind() == web_sys::MediaDeviceKind::Videoinput)
        .map(|d| d.device_id())
        .filter(|id| !id.is_empty())
        .collect())
}

/// Whether `track` has a torch (`"torch"` among `MediaStreamTrack.getCapabilities()`; Chrome
/// on Android; MDN "MediaTrackCapabilities"). `getCapabilities` is missing in some browsers:
/// then no torch.
pub fn has_torch(track: &MediaStreamTrack) -> bool {
    let Ok(method) = js_sys::Reflect::get(track, &"getCapabilities".into()) else {
        return false;
    };
    let Ok(method) = method.dyn_into::<js_sys::Function>() else {
        return false;
    };
    method
        .call0(track)
        .and_then(|caps| js_sys::Reflect::get(&caps, &"torch".into()))
        .map(|t| t.is_truthy())
        .unwrap_or(false)
}

/// Turns the torch of `track` on or off (`applyConstraints({advanced: [{torch}]})`, MDN
/// "MediaStreamTrack.applyConstraints()"); the browser's error name if it refuses.
pub async fn set_torch(track: &MediaStreamTrack, on: bool) -> Result<(), String> {
    let torch = js_sys::Object::new();
    set(&torch, "torch", &JsValue::from_bool(on));
    let constraints = js_sys::Object::new();
    set(&constraints, "advanced", &js_sys::Array::of1(&torch));
    let promise = track
        .apply_constraints_with_constraints(constraints.unchecked_ref())
        .map_err(|e| CameraError::from_js(e).to_string())?;
    JsFuture::from(promise).await.map(|_| ()).map_err(|e| {
        e.dyn_ref::<web_sys::DomException>()
            .map(|d| d.name())
            .unwrap_or_else(|| format!("{e:?}"))
    })
}

#[wasm_bindgen]
extern "C" {
    /// `MediaStreamTrackProcessor` (MDN; "MediaStreamTrack Insertable Media Processing using
    /// Streams", W3C): a video track's frames as a `ReadableStream` of `VideoFrame`s. Bound
    /// here because web-sys has it only behind `web_sys_unstable_apis`.
    type MediaStreamTrackProcessor;
    #[wasm_bindgen(constructor, catch)]
    fn new(init: &js_sys::Object) -> Result<MediaStreamTrackProcessor, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &MediaStreamTrackProcessor) -> web_sys::ReadableStream;
}

/// Whether this page can turn a track into a stream of frames ([`frame_stream`]): Chromium
/// has `MediaStreamTrackProcessor` on the window; Safari and Firefox do not (they grab frames
/// from the `<video>` instead).
pub fn has_frame_streams() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &"MediaStreamTrackProcessor".into()).unwrap_or(false)
    })
}

/// The frames of the video `track` as a `ReadableStream` of `VideoFrame`s
/// (`new MediaStreamTrackProcessor({track, maxBufferSize: 1})`: only the newest frame waits,
/// older ones are dropped and closed by the browser while the reader is busy), to be
/// transferred to the decoder worker. The stream ends when the track stops. The browser's
/// words if it refuses (no such API, a track that is not video).
pub fn frame_stream(track: &MediaStreamTrack) -> Result<web_sys::ReadableStream, String> {
    let init = js_sys::Object::new();
    set(&init, "track", track);
    set(&init, "maxBufferSize", &JsValue::from(1));
    MediaStreamTrackProcessor::new(&init)
        .map(|p| p.readable())
        .map_err(|e| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}"))
        })
}

/// An off-screen canvas that turns video frames into RGBA pixels.
pub struct FrameGrabber {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
}

impl FrameGrabber {
    /// A grabber with its own canvas; `None` if the browser has no 2D canvas.
    pub fn new() -> Option<FrameGrabber> {
        let document = web_sys::window()?.document()?;
        let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE);
        let context = canvas
            .get_context_with_context_options("2d", &options)
            .ok()??
            .dyn_into()
            .ok()?;
        Some(FrameGrabber { canvas, context })
    }

    /// The current frame of `video` as RGBA bytes (`ImageData.data`'s buffer, to be
    /// transferred to the decoder worker), width and height, scaled by [`frame_size`];
    /// `None` while the video has no frame yet.
    pub fn grab_rgba(&self, video: &HtmlVideoElement) -> Option<(js_sys::ArrayBuffer, u32, u32)> {
        let (w, h) = frame_size(video)?;
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        self.context
            .draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w as f64, h as f64)
            .ok()?;
        let image = self
            .context
            .get_image_data(0.0, 0.0, w as f64, h as f64)
            .ok()?;
        let data: js_sys::Uint8ClampedArray = js_sys::Reflect::get(&image, &"data".into())
            .ok()?
            .dyn_into()
            .ok()?;
        Some((data.buffer(), w, h))
    }
}

/// The size a frame of `video` is decoded at: the video's own, scaled so its longest side is
/// at most [`MAX_FRAME_SIDE`]; `None` while the video has no frame yet.
pub fn frame_size(video: &HtmlVideoElement) -> Option<(u32, u32)> {
    let (vw, vh) = (video.video_width(), video.video_height());
    if vw == 0 || vh == 0 || video.ready_state() < 2 {
        return None;
    }
    let scale = (MAX_FRAME_SIDE as f64 / vw.max(vh) as f64).min(1.0);
    Some((
        ((vw as f64 * scale) as u32).max(1),
        ((vh as f64 * scale) as u32).max(1),
    ))
}
