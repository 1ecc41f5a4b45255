//! The staff bundle of the web app (built for wasm32 by Trunk): the checkpoint, the issuer's
//! desk and paper codes. The resident page is the other bundle (`src/bin/app.rs`); see
//! `healthcode::web::mount_staff`.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    healthcode::web::mount_staff();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("healthcode-staff is the web app's staff bundle: build it with `trunk build` (see README.md)");
    std::process::exit(2);
}
