//! The web app's entry point (built for wasm32 by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    healthcode::web::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("healthcode-app is the web app: build it with `trunk build` (see README.md)");
    std::process::exit(2);
}
