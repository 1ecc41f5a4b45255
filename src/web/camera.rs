//! The camera: `MediaDevices.getUserMedia` with the rear camera (MDN), frames grabbed
//! through a canvas (`CanvasRenderingContext2D.getImageData`, MDN) as grey images.

use crate::scan;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream};

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
    fn from_js(err: JsValue) -> CameraError {
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

/// Opens the rear camera (`facingMode: "environment"`, falling back to any camera) and
/// plays it in `video`.
pub async fn start(video: &HtmlVideoElement) -> Result<MediaStream, CameraError> {
    let window = web_sys::window().ok_or(CameraError::Unsupported)?;
    let devices = window
        .navigator()
        .media_devices()
        .map_err(|_| CameraError::Unsupported)?;
    let video_constraints = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &video_constraints,
        &"facingMode".into(),
        &"environment".into(),
    );
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_video(&video_constraints);
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| CameraError::Unsupported)?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(CameraError::from_js)?
        .dyn_into()
        .map_err(|_| CameraError::Other("no stream".into()))?;
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

/// Stops every track of `stream` (turns the camera off).
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// An off-screen canvas that turns video frames into grey images.
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

    /// The current frame of `video` as (luma, width, height), scaled so its longest side is
    /// at most [`MAX_FRAME_SIDE`]; `None` while the video has no frame yet.
    pub fn grab(&self, video: &HtmlVideoElement) -> Option<(Vec<u8>, u32, u32)> {
        let (vw, vh) = (video.video_width(), video.video_height());
        if vw == 0 || vh == 0 || video.ready_state() < 2 {
            return None;
        }
        let scale = (MAX_FRAME_SIDE as f64 / vw.max(vh) as f64).min(1.0);
        let (w, h) = (
            ((vw as f64 * scale) as u32).max(1),
            ((vh as f64 * scale) as u32).max(1),
        );
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        self.context
            .draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w as f64, h as f64)
            .ok()?;
        let data = self
            .context
            .get_image_data(0.0, 0.0, w as f64, h as f64)
            .ok()?
            .data();
        Some((scan::rgba_to_luma(&data), w, h))
    }
}
