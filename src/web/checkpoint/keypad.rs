//! The temperature keypad: one thumb, two taps (`37` then `.5`), ±0.1 to correct; the value
//! also shows in a text field that can be typed in. 36.0–42.0 °C on the keys; typed values
//! are checked by [`Temperature::parse`] when the next code is scanned.

use crate::{tr, Temperature};
use leptos::prelude::*;

/// Lowest and highest whole degree on the keys.
const WHOLE: std::ops::RangeInclusive<u16> = 36..=42;
/// The keys' range in tenths of °C.
const KEY_RANGE: (u16, u16) = (360, 420);

/// Tenths of °C in `text` if it is a temperature, for ±0.1.
fn tenths(text: &str) -> Option<u16> {
    Temperature::parse(text).ok().map(Temperature::tenths)
}

fn show(t: u16) -> String {
    format!("{}.{}", t / 10, t % 10)
}

/// The keypad writing into `text` (the field the next verdict reads).
#[component]
pub fn Keypad(text: RwSignal<String>, required: Signal<bool>) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    let whole = move |d: u16| {
        // Keep the tenths already chosen.
        let t = tenths(&text.get_untracked()).map(|t| t % 10).unwrap_or(0);
        text.set(show(d * 10 + t));
    };
    let tenth = move |n: u16| {
        let d = tenths(&text.get_untracked()).map(|t| t / 10).unwrap_or(36);
        text.set(show(d * 10 + n));
    };
    let step = move |up: bool| {
        let t = tenths(&text.get_untracked()).unwrap_or(365);
        let t = if up { t + 1 } else { t.saturating_sub(1) };
        text.set(show(t.clamp(KEY_RANGE.0, KEY_RANGE.1)));
    };
    let problem = move || {
        let typed = text.get();
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        Temperature::parse(typed)
            .err()
            .map(|_| tr!(lang.get(), "cp.t.impossible", value = typed.to_owned()))
    };
    view! {
        <section class="temperature keypad" data-testid="keypad">
            <label class="temperature-value">
                <span>{move || if required.get() { tr!(lang.get(), "cp.t.label_required") } else { tr!(lang.get(), "cp.t.label") }}</span>
                <input type="text" inputmode="decimal" data-testid="temperature" placeholder="36.5"
                    autocomplete="off" maxlength="4"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))/>
                <span class="unit">"°C"</span>
            </label>
            {move || problem().map(|p| view! { <p class="notice problem" role="alert" data-testid="temperature-problem">{p}</p> })}
            <div class="keys whole" role="group" aria-label=move || tr!(lang.get(), "cp.t.whole")>
                {WHOLE.map(|d| view! {
                    <button type="button" class:fever={d >= 38} on:click=move |_| whole(d)>{d.to_string()}"."</button>
                }).collect::<Vec<_>>()}
            </div>
            <div class="keys tenths" role="group" aria-label=move || tr!(lang.get(), "cp.t.tenths")>
                {(0..10u16).map(|n| view! {
                    <button type="button" on:click=move |_| tenth(n)>{format!(".{n}")}</button>
                }).collect::<Vec<_>>()}
            </div>
            <div class="keys adjust">
                <button type="button" data-testid="temp-down" on:click=move |_| step(false)>"−0.1"</button>
                <button type="button" data-testid="temp-up" on:click=move |_| step(true)>"+0.1"</button>
                <button type="button" data-testid="temp-clear" on:click=move |_| text.set(String::new())>{move || tr!(lang.get(), "cp.t.clear")}</button>
            </div>
            <p class="hint">{move || tr!(lang.get(), "cp.t.hint")}</p>
        </section>
    }
}
