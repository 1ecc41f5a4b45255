//! The browser's clock (`Date.now()`, MDN) in Unix seconds, and local-time display.

use wasm_bindgen::JsValue;

/// Seconds since the Unix epoch from `Date.now()`.
pub fn now_secs() -> u64 {
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0) as u64
    } else {
        0
    }
}

/// `HH:MM:SS` in the device's local time zone.
pub fn local_time(secs: u64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    format!(
        "{:02}:{:02}:{:02}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// `YYYY-MM-DD` in the device's local time zone.
pub fn local_date(secs: u64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}
