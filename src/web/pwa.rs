//! Offline and installable: registers the service worker (`sw.js`, made at build time by
//! `scripts/postbuild.mjs`, which precaches the whole app) and offers a new version when one
//! has been downloaded (`ServiceWorkerRegistration`, MDN). The new version takes over only
//! when the user taps "Reload", so nothing in use changes under them; codes and keys live in
//! the page's storage, which a new version keeps.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerRegistration, ServiceWorkerState};

/// Registers `sw.js`; the returned signal holds the waiting new version, if any.
pub fn register() -> RwSignal<Option<SendWrapper<ServiceWorker>>> {
    let waiting = RwSignal::new(None::<SendWrapper<ServiceWorker>>);
    let Some(container) = web_sys::window().map(|w| w.navigator().service_worker()) else {
        return waiting;
    };
    // Reload once the new version has taken over (after the user asked for it).
    let had_controller = container.controller().is_some();
    let on_change = Closure::<dyn FnMut()>::new(move || {
        if had_controller {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();

    leptos::task::spawn_local(async move {
        let Ok(registration) = JsFuture::from(container.register("/sw.js")).await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<ServiceWorkerRegistration>() else {
            return;
        };
        let offer = move |registration: &ServiceWorkerRegistration| {
            // A waiting worker with a controlling one present is an update.
            if let (Some(w), true) = (registration.waiting(), had_controller) {
                waiting.set(Some(SendWrapper::new(w)));
            }
        };
        offer(&registration);
        let reg = registration.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = reg.installing() else {
                return;
            };
            let reg = reg.clone();
            let worker = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if worker.state() == ServiceWorkerState::Installed {
                    offer(&reg);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
    });
    waiting
}

/// Tells the waiting version to take over; the page reloads when it has.
pub fn activate(worker: &ServiceWorker) {
    let _ = worker.post_message(&"skip-waiting".into());
}
