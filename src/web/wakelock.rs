//! Keeps the screen on while a code shows: the Screen Wake Lock API
//! (`navigator.wakeLock.request("screen")`, MDN), asked again when the page becomes visible
//! (the browser releases the lock when it is hidden) and released when the code is closed.
//! Safari (WebKit) refuses the lock with `NotAllowedError` until the user has touched the
//! page: then it is asked again on the next tap or key press, and the page says until then
//! that the screen may dim.

use leptos::leptos_dom::helpers::window_event_listener_untyped;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Whether the screen is kept on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awake {
    /// Not known yet (the request is under way).
    Asking,
    /// The lock is held: the screen stays on.
    Held,
    /// Refused until the user touches the page (`NotAllowedError` before any tap): asked
    /// again on the next tap or key press.
    NeedsTap,
    /// This browser has no wake lock, or refused it after a tap: the screen may dim.
    Unavailable,
}

impl Awake {
    /// The state's name, for the page's `data-awake` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Awake::Asking => "asking",
            Awake::Held => "held",
            Awake::NeedsTap => "tap",
            Awake::Unavailable => "none",
        }
    }
}

/// Why no lock was granted.
enum Refused {
    /// `NotAllowedError`: no user activation yet, or a policy forbids it.
    NotAllowed,
    /// No wake lock in this browser, or another error.
    Other,
}

async fn request() -> Result<JsValue, Refused> {
    let navigator = web_sys::window().ok_or(Refused::Other)?.navigator();
    let lock = js_sys::Reflect::get(&navigator, &"wakeLock".into()).map_err(|_| Refused::Other)?;
    if lock.is_undefined() || lock.is_null() {
        return Err(Refused::Other);
    }
    let request: js_sys::Function = js_sys::Reflect::get(&lock, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(Refused::Other)?;
    let promise: js_sys::Promise = request
        .call1(&lock, &"screen".into())
        .map_err(|e| refusal(&e))?
        .dyn_into()
        .map_err(|_| Refused::Other)?;
    JsFuture::from(promise).await.map_err(|e| refusal(&e))
}

fn refusal(err: &JsValue) -> Refused {
    match err.dyn_ref::<web_sys::DomException>() {
        Some(e) if e.name() == "NotAllowedError" => Refused::NotAllowed,
        _ => Refused::Other,
    }
}

fn release(sentinel: &JsValue) {
    if let Ok(release) = js_sys::Reflect::get(sentinel, &"release".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = release.call0(sentinel);
    }
}

/// Asks for a screen wake lock for as long as the calling component lives, and again on the
/// next tap or key press where the browser wants a user gesture first. The signal says
/// whether the screen is kept on ([`Awake`]).
pub fn keep_awake() -> RwSignal<Awake> {
    let state = RwSignal::new(Awake::Asking);
    let sentinel = StoredValue::new(None::<SendWrapper<JsValue>>);
    let alive = StoredValue::new(true);
    // `after_tap`: asked from a tap, so a refusal now is final (until the page is shown again).
    let acquire = move |after_tap: bool| {
        leptos::task::spawn_local(async move {
            let got = request().await;
            if alive.try_get_value() != Some(true) {
                if let Ok(s) = got {
                    release(&s);
                }
                return;
            }
            let next = match &got {
                Ok(_) => Awake::Held,
                Err(Refused::NotAllowed) if !after_tap => Awake::NeedsTap,
                Err(_) => Awake::Unavailable,
            };
            state.set(next);
            if let Some(old) = sentinel.try_update_value(|s| s.take()).flatten() {
                release(&old);
            }
            sentinel.set_value(got.ok().map(SendWrapper::new));
        });
    };
    acquire(false);
    let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
            .unwrap_or(false);
        if visible {
            acquire(false);
        }
    });
    // A tap or a key press is the user activation WebKit waits for (HTML "activation
    // triggering input event"); `click` and `keydown` are among them.
    let on_gesture = move |_: web_sys::Event| {
        if state.get_untracked() == Awake::NeedsTap {
            state.set(Awake::Asking);
            acquire(true);
        }
    };
    let on_click = window_event_listener_untyped("click", on_gesture);
    let on_key = window_event_listener_untyped("keydown", on_gesture);
    on_cleanup(move || {
        on_visible.remove();
        on_click.remove();
        on_key.remove();
        alive.set_value(false);
        if let Some(Some(s)) = sentinel.try_get_value() {
            release(&s);
        }
    });
    state
}
