//! Keeps the screen on while a code shows: the Screen Wake Lock API
//! (`navigator.wakeLock.request("screen")`, MDN), asked again when the page becomes visible
//! (the browser releases the lock when it is hidden) and released when the code is closed.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

async fn request() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    let lock = js_sys::Reflect::get(&navigator, &"wakeLock".into()).ok()?;
    if lock.is_undefined() {
        return None;
    }
    let request: js_sys::Function = js_sys::Reflect::get(&lock, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: js_sys::Promise = request
        .call1(&lock, &"screen".into())
        .ok()?
        .dyn_into()
        .ok()?;
    JsFuture::from(promise).await.ok()
}

fn release(sentinel: &JsValue) {
    if let Ok(release) = js_sys::Reflect::get(sentinel, &"release".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = release.call0(sentinel);
    }
}

/// Asks for a screen wake lock for as long as the calling component lives. The signal is
/// true while the lock is held (false where the browser has no wake lock or refuses it).
pub fn keep_awake() -> RwSignal<bool> {
    let held = RwSignal::new(false);
    let sentinel = StoredValue::new(None::<SendWrapper<JsValue>>);
    let alive = StoredValue::new(true);
    let acquire = move || {
        leptos::task::spawn_local(async move {
            let got = request().await;
            if alive.try_get_value() != Some(true) {
                if let Some(s) = got {
                    release(&s);
                }
                return;
            }
            held.set(got.is_some());
            sentinel.set_value(got.map(SendWrapper::new));
        });
    };
    acquire();
    let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
            .unwrap_or(false);
        if visible {
            acquire();
        }
    });
    on_cleanup(move || {
        on_visible.remove();
        alive.set_value(false);
        if let Some(Some(s)) = sentinel.try_get_value() {
            release(&s);
        }
    });
    held
}
