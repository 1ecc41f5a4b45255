//! Reading the file chosen in an `<input type="file">` as text (`Blob.text()`, MDN).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Reads the first file chosen in the input that fired `ev` and hands `then` its text, or
/// `None` when it could not be read (not UTF-8 text, or a read error). Nothing happens when
/// no file was chosen.
pub fn read_first_file(ev: &leptos::ev::Event, then: impl FnOnce(Option<String>) + 'static) {
    let Some(file) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    leptos::task::spawn_local(async move {
        then(
            JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string()),
        );
    });
}
