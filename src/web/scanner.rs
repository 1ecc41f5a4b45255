//! A camera scanner component: the rear camera in a viewfinder, a frame decoded every
//! [`SCAN_INTERVAL_MS`], each new QR text handed to the caller. The camera stops when the
//! component is removed.

use super::camera::{self, CameraError, FrameGrabber};
use super::i18n;
use crate::scan;
use crate::tr;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::time::Duration;

/// How often a frame is grabbed and decoded, in milliseconds.
const SCAN_INTERVAL_MS: u64 = 200;

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

/// A viewfinder that scans QR codes; `on_text` gets each decoded text once (the same text
/// is not reported again until another is seen).
#[component]
pub fn Scanner(on_text: Callback<String>) -> impl IntoView {
    let lang = i18n::settings().lang;
    let video_ref = NodeRef::<leptos::html::Video>::new();
    let stream = StoredValue::new(None::<SendWrapper<web_sys::MediaStream>>);
    let camera_error = RwSignal::new(None::<CameraError>);
    let camera_on = RwSignal::new(false);
    let last = StoredValue::new(String::new());

    let start = move || {
        camera_error.set(None);
        let Some(video) = video_ref.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match camera::start(&video).await {
                Ok(s) => {
                    stream.set_value(Some(SendWrapper::new(s)));
                    camera_on.set(true);
                }
                Err(e) => camera_error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        if video_ref.get().is_some() {
            start();
        }
    });

    let grabber = StoredValue::new_local(FrameGrabber::new());
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if !camera_on.get_untracked() {
                return;
            }
            let Some(video) = video_ref.get_untracked() else {
                return;
            };
            let frame = grabber.with_value(|g| g.as_ref().and_then(|g| g.grab(&video)));
            if let Some((luma, w, h)) = frame {
                if let Ok(text) = scan::decode_luma(&luma, w, h) {
                    if last.get_value() != text {
                        last.set_value(text.clone());
                        on_text.run(text);
                    }
                }
            }
        },
        Duration::from_millis(SCAN_INTERVAL_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    on_cleanup(move || {
        if let Some(s) = stream.try_get_value().flatten() {
            camera::stop(&s);
        }
    });

    view! {
        <div class="camera small" data-testid="scanner">
            <video node_ref=video_ref class="viewfinder" autoplay=true muted=true playsinline=true></video>
            <div class="aim" aria-hidden="true"></div>
            {move || camera_error.get().map(|e| view! {
                <div class="camera-error" role="alert">
                    <p>{camera_error_words(&e, lang.get())}</p>
                    <button on:click=move |_| start()>{move || tr!(lang.get(), "camera.retry")}</button>
                </div>
            })}
        </div>
    }
}
