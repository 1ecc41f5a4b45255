//! Everything that touches the browser: the Leptos app with its resident, checkpoint and
//! paper-code pages, camera access, storage, language and the service worker. Compiled for
//! wasm32 only.

mod camera;
mod checkpoint;
mod clock;
mod desk;
mod file_input;
pub mod i18n;
mod paper;
mod picture;
mod pwa;
mod resident;
mod scanner;
mod store;
mod wakelock;
mod worker;

use crate::tr;
use crate::wallet::parse_import_fragment;
use leptos::prelude::*;

/// Which page shows, from the URL fragment (`#resident`, `#checkpoint`, `#paper=…`,
/// `#import=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Resident,
    Checkpoint,
    Desk,
    Paper(String),
}

impl Route {
    fn from_hash(hash: &str) -> Route {
        let hash = hash.trim_start_matches('#');
        if hash.starts_with("checkpoint") {
            Route::Checkpoint
        } else if hash.starts_with("desk") {
            Route::Desk
        } else if let Some(encoded) = hash.strip_prefix("paper=") {
            Route::Paper(parse_import_fragment(&format!("import={encoded}")).unwrap_or_default())
        } else {
            Route::Resident
        }
    }

    /// The bundle that shows this route.
    fn bundle(&self) -> Bundle {
        match self {
            Route::Resident => Bundle::Resident,
            Route::Checkpoint | Route::Desk | Route::Paper(_) => Bundle::Staff,
        }
    }
}

/// The app ships as two wasm bundles, so that a resident's phone loads only what the
/// resident page needs: `healthcode-app` (the resident page; `src/bin/app.rs`) and
/// `healthcode-staff` (checkpoint, desk and paper codes; `src/bin/staff.rs`). The start-up
/// script that `scripts/postbuild.mjs` writes loads the one the URL fragment asks for; a
/// fragment for the other bundle, once running, reloads the page (see [`App`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bundle {
    Resident,
    Staff,
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The credential text of an import link the app was opened with, removed from the address
/// bar and history (so a reload does not import it again).
fn take_import() -> Option<String> {
    let text = parse_import_fragment(&current_hash())?;
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#resident"));
    }
    Some(text)
}

/// Mounts the resident page's bundle on `<body>`.
pub fn mount_resident() {
    leptos::mount::mount_to_body(|| view! { <App bundle=Bundle::Resident pages=resident_pages/> });
}

/// Mounts the staff bundle (checkpoint, desk, paper codes) on `<body>`.
pub fn mount_staff() {
    leptos::mount::mount_to_body(|| view! { <App bundle=Bundle::Staff pages=staff_pages/> });
}

/// The whole app: the mode switch, language and text-size switches, the update offer, and
/// the page for the route. A route of the other bundle reloads the page, so that the
/// start-up script loads that bundle.
#[component]
fn App(bundle: Bundle, pages: Pages) -> impl IntoView {
    let settings = i18n::Settings::provide();
    let lang = settings.lang;
    let import = RwSignal::new(if bundle == Bundle::Resident {
        take_import()
    } else {
        None
    });
    let route = RwSignal::new(Route::from_hash(&current_hash()));
    // An import link opened while the app runs changes only the fragment.
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = current_hash();
        let next = Route::from_hash(&hash);
        if next.bundle() != bundle {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
            return;
        }
        if let Some(text) = take_import() {
            import.set(Some(text));
        }
        // A checkpoint list link (`#checkpoint/import=…`) is read when the page mounts.
        if route.get_untracked() != next || hash.starts_with("#checkpoint/import=") {
            route.set(next);
        }
    });
    on_cleanup(move || on_hash.remove());
    let update = pwa::register();
    let settings_problem = RwSignal::new(None::<String>);

    let now = clock::now_secs();
    let demo = store::load_demo(now);
    let in_demo = matches!(demo, Ok(Some(_)));
    let mode_problem = RwSignal::new(None::<String>);
    // Leaving or entering demo mode changes what every page trusts and holds: reload.
    let switch_mode = move |leave: bool| {
        let result = if leave {
            store::leave_demo()
        } else {
            store::enter_demo()
        };
        match result {
            Ok(()) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
            Err(e) => mode_problem.set(Some(e)),
        }
    };
    let is =
        move |r: Route| route.with(|now| std::mem::discriminant(now) == std::mem::discriminant(&r));

    view! {
        <header class="bar">
            <nav class="modes" aria-label=move || tr!(lang.get(), "nav.label")>
                <a href="#resident" class:active=move || is(Route::Resident) data-testid="nav-resident">{move || tr!(lang.get(), "nav.resident")}</a>
                <a href="#checkpoint" class:active=move || is(Route::Checkpoint) data-testid="nav-checkpoint">{move || tr!(lang.get(), "nav.checkpoint")}</a>
                <a href="#desk" class:active=move || is(Route::Desk) data-testid="nav-desk">{move || tr!(lang.get(), "nav.desk")}</a>
            </nav>
            <div class="switches">
                <button class="switch" data-testid="lang-switch" lang=move || lang.get().other().code()
                    aria-label=move || format!("{} — {}", lang.get().other().own_name(), tr!(lang.get(), "settings.language"))
                    on:click=move |_| settings_problem.set(settings.choose(lang.get_untracked().other()).err())>
                    {move || lang.get().other().own_name()}
                </button>
                <button class="switch" data-testid="large-text" aria-pressed=move || settings.large_text.get().to_string()
                    aria-label=move || format!("A+ {}", tr!(lang.get(), "settings.large_text"))
                    on:click=move |_| settings_problem.set(settings.set_large_text(!settings.large_text.get_untracked()).err())>
                    "A+"
                </button>
                {(!in_demo).then(|| view! {
                    <button class="switch" data-testid="enter-demo" on:click=move |_| switch_mode(false)>
                        {move || tr!(lang.get(), "demo.enter")}
                    </button>
                })}
            </div>
        </header>
        {in_demo.then(|| view! {
            <div class="demo-banner" role="status" data-testid="demo-banner">
                <strong>{move || tr!(lang.get(), "demo.banner")}</strong>
                " "<span>{move || tr!(lang.get(), "demo.what")}</span>
                <button data-testid="leave-demo" on:click=move |_| switch_mode(true)>{move || tr!(lang.get(), "demo.leave")}</button>
            </div>
        })}
        {move || mode_problem.get().map(|e| view! {
            <p class="notice problem" role="alert" data-testid="mode-problem">{e}</p>
        })}
        {move || update.get().map(|worker| view! {
            <div class="update" role="status" data-testid="update">
                <span>{move || tr!(lang.get(), "update.available")}</span>
                <button class="primary" on:click=move |_| pwa::activate(&worker)>{move || tr!(lang.get(), "update.reload")}</button>
            </div>
        })}
        {move || settings_problem.get().map(|e| view! {
            <p class="notice problem" role="alert">{tr!(lang.get(), "storage.save_failed", detail = e)}</p>
        })}
        {match demo {
            Ok(demo) => {
                view! { {move || pages(route.get(), demo.as_ref(), import)} }.into_any()
            }
            Err(message) => view! { <store::StorageProblem message=message/> }.into_any(),
        }}
    }
}

/// Draws the page for a route; each bundle has its own (see [`Bundle`]).
type Pages = fn(Route, Option<&crate::demo::DemoWorld>, RwSignal<Option<String>>) -> AnyView;

/// The resident bundle's page. Only this function is named by [`mount_resident`], so the
/// resident's wasm holds none of the staff pages' code.
fn resident_pages(
    route: Route,
    demo: Option<&crate::demo::DemoWorld>,
    import: RwSignal<Option<String>>,
) -> AnyView {
    match route {
        Route::Resident => {
            view! { <resident::ResidentPage demo=demo.cloned() import=import/> }.into_any()
        }
        // The page reloads into the staff bundle.
        _ => ().into_any(),
    }
}

/// The staff bundle's pages: checkpoint, desk, paper code.
fn staff_pages(
    route: Route,
    demo: Option<&crate::demo::DemoWorld>,
    _import: RwSignal<Option<String>>,
) -> AnyView {
    match route {
        Route::Checkpoint => view! { <checkpoint::CheckpointPage demo=demo.cloned()/> }.into_any(),
        Route::Desk => view! { <desk::DeskPage demo=demo.cloned()/> }.into_any(),
        Route::Paper(text) => view! { <paper::PaperPage text=text/> }.into_any(),
        // The page reloads into the resident bundle.
        Route::Resident => ().into_any(),
    }
}
