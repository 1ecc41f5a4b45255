//! Rebuilds the app when a translation file changes: rust-i18n reads
//! `src/web/locales/*.yml` at compile time, which Cargo does not track by itself.
fn main() {
    println!("cargo:rerun-if-changed=src/web/locales");
}
