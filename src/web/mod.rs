//! Everything that touches the browser: the Leptos app with its resident and checkpoint
//! pages, camera access and storage. Compiled for wasm32 only.

mod camera;
mod checkpoint;
mod clock;
mod resident;
mod store;

use leptos::prelude::*;

/// Which page shows, from the URL fragment (`#resident`, `#checkpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Resident,
    Checkpoint,
}

impl Mode {
    fn from_hash(hash: &str) -> Mode {
        if hash.trim_start_matches('#').starts_with("checkpoint") {
            Mode::Checkpoint
        } else {
            Mode::Resident
        }
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Mounts the app on `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// The whole app: a mode switch and the page for the mode.
#[component]
fn App() -> impl IntoView {
    let mode = RwSignal::new(Mode::from_hash(&current_hash()));
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        mode.set(Mode::from_hash(&current_hash()));
    });
    on_cleanup(move || on_hash.remove());

    let now = clock::now_secs();
    let demo = store::load_or_create_demo(now);

    view! {
        <nav class="modes" aria-label="Mode">
            <a href="#resident" class:active=move || mode.get() == Mode::Resident>"Resident"</a>
            <a href="#checkpoint" class:active=move || mode.get() == Mode::Checkpoint>"Checkpoint"</a>
        </nav>
        {match demo {
            Ok(demo) => {
                let demo_for_checkpoint = demo.clone();
                view! {
                    <Show
                        when=move || mode.get() == Mode::Resident
                        fallback=move || view! { <checkpoint::CheckpointPage demo=demo_for_checkpoint.clone()/> }
                    >
                        <resident::ResidentPage demo=demo.clone()/>
                    </Show>
                }
                .into_any()
            }
            Err(message) => view! { <store::StorageProblem message=message/> }.into_any(),
        }}
    }
}
