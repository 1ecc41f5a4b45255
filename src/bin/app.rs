//! The web app's resident bundle (built for wasm32 by Trunk): the resident page, the first
//! thing a resident's phone loads. The checkpoint, desk and paper codes are the staff bundle
//! (`src/bin/staff.rs`); see `healthcode::web::mount_resident`.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    healthcode::web::mount_resident();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("healthcode-app is the web app: build it with `trunk build` (see README.md)");
    std::process::exit(2);
}
