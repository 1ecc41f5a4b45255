//! The registration log screen: newest first, 50 a page, filters by time, colour and
//! decision ([`crate::log_view::page`]); exports as CSV ([`crate::log::to_csv`]) and as the
//! verifiable JSON-lines file ([`crate::log::export`]) with the device's log public key for
//! `healthcode log verify --key`.
//!
//! Files are offered with a `Blob`, `URL.createObjectURL` and a clicked
//! `<a download href="blob:…">` (MDN "URL.createObjectURL"): a download is a navigation, which
//! the page's Content-Security-Policy (fetch directives only) does not restrict.

use super::super::clock;
use super::verdict::{colour_words, reason_words};
use super::Gate;
use crate::keys::to_hex;
use crate::log::{Entry, Outcome};
use crate::log_view::{page, LogFilter};
use crate::{tr, Colour};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Entries per page.
pub const PAGE_SIZE: usize = 50;

/// Unix seconds of a `datetime-local` value (`2027-01-15T08:00`, local time; `Date.parse`,
/// MDN), or `None` when empty or unreadable.
fn local_input_secs(value: &str) -> Option<u64> {
    if value.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::parse(value);
    (ms.is_finite() && ms >= 0.0).then(|| (ms / 1000.0) as u64)
}

/// An outcome's words.
pub fn outcome_words(outcome: Outcome, lang: super::super::i18n::Lang) -> String {
    match outcome {
        Outcome::Admit => tr!(lang, "cp.o.admit"),
        Outcome::Refer => tr!(lang, "cp.o.refer"),
        Outcome::Deny => tr!(lang, "cp.o.deny"),
        Outcome::Invalid => tr!(lang, "cp.o.invalid"),
        Outcome::CannotCheck => tr!(lang, "cp.o.cannot_check"),
    }
}

/// Offers `text` as a file named `name` of type `mime`. Errors: the browser refused to make
/// the blob or its URL (shown by the caller).
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "no anchor".to_owned())?;
    a.set_href(&url);
    a.set_download(name);
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
    // The download has its own reference; the URL may go once the click is handled.
    let _ = set_timeout_with_handle(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

fn file_stamp(now: u64) -> String {
    format!(
        "{}-{}",
        clock::local_date(now),
        clock::local_time(now).replace(':', "")
    )
}

/// The log screen.
#[component]
pub fn LogScreen(gate: Gate) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let colour = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let skip = RwSignal::new(0usize);
    let export_problem = RwSignal::new(None::<String>);

    let filter = Memo::new(move |_| LogFilter {
        from: local_input_secs(&from.get()),
        // Until the end of the chosen minute.
        until: local_input_secs(&until.get()).map(|t| t + 59),
        colour: match colour.get().as_str() {
            "green" => Some(Colour::Green),
            "yellow" => Some(Colour::Yellow),
            "red" => Some(Colour::Red),
            _ => None,
        },
        outcome: Outcome::parse(&outcome.get()),
    });
    // A new filter starts at the newest entry.
    Effect::new(move |_| {
        filter.track();
        skip.set(0);
    });
    let shown = Memo::new(move |_| {
        let f = filter.get();
        let s = skip.get();
        gate.entries.with(|all| {
            let p = page(all, &f, s, PAGE_SIZE);
            (
                p.total,
                p.entries.into_iter().cloned().collect::<Vec<Entry>>(),
            )
        })
    });

    let export_csv = move |_| {
        let now = clock::now_secs();
        let csv = gate.entries.with_untracked(|e| crate::log::to_csv(e));
        export_problem.set(
            download(
                &format!("healthcode-log-{}.csv", file_stamp(now)),
                "text/csv",
                &csv,
            )
            .err()
            .map(|e| tr!(lang.get_untracked(), "cp.log.export_failed", detail = e)),
        );
    };
    let export_log = move |_| {
        let now = clock::now_secs();
        let Some(key) = gate.device_key.get_value() else {
            export_problem.set(Some(tr!(lang.get_untracked(), "cp.log.no_key")));
            return;
        };
        let text = gate
            .entries
            .with_untracked(|e| crate::log::export(e, &key, now));
        export_problem.set(
            download(
                &format!("healthcode-log-{}.jsonl", file_stamp(now)),
                "application/x-ndjson",
                &text,
            )
            .err()
            .map(|e| tr!(lang.get_untracked(), "cp.log.export_failed", detail = e)),
        );
    };
    let public_key = move || {
        gate.device_key_ready.track();
        gate.device_key
            .get_value()
            .map(|k| to_hex(k.verifying_key().as_bytes()))
    };
    let export_key = move |_| {
        if let Some(hex) = public_key() {
            export_problem.set(
                download("checkpoint-log.key.pub", "text/plain", &format!("{hex}\n"))
                    .err()
                    .map(|e| tr!(lang.get_untracked(), "cp.log.export_failed", detail = e)),
            );
        }
    };

    view! {
        <section class="cp-log" data-testid="log-screen">
            <h2>{move || tr!(lang.get(), "cp.log.title")}</h2>
            <div class="cp-filters">
                <label>{move || tr!(lang.get(), "cp.log.from")}
                    <input type="datetime-local" data-testid="log-from" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))/></label>
                <label>{move || tr!(lang.get(), "cp.log.until")}
                    <input type="datetime-local" data-testid="log-until" prop:value=move || until.get() on:change=move |ev| until.set(event_target_value(&ev))/></label>
                <label>{move || tr!(lang.get(), "cp.log.colour")}
                    <select data-testid="log-colour" on:change=move |ev| colour.set(event_target_value(&ev))>
                        <option value="">{move || tr!(lang.get(), "cp.log.any")}</option>
                        <option value="green">{move || colour_words(Colour::Green, lang.get())}</option>
                        <option value="yellow">{move || colour_words(Colour::Yellow, lang.get())}</option>
                        <option value="red">{move || colour_words(Colour::Red, lang.get())}</option>
                    </select></label>
                <label>{move || tr!(lang.get(), "cp.log.decision")}
                    <select data-testid="log-outcome" on:change=move |ev| outcome.set(event_target_value(&ev))>
                        <option value="">{move || tr!(lang.get(), "cp.log.any")}</option>
                        {Outcome::ALL.into_iter().map(|o| view! {
                            <option value=o.as_str()>{move || outcome_words(o, lang.get())}</option>
                        }).collect::<Vec<_>>()}
                    </select></label>
            </div>
            <p class="cp-count" data-testid="log-count" data-total=move || shown.with(|s| s.0.to_string()) data-all=move || gate.entries.with(|e| e.len().to_string())>
                {move || {
                    let (total, _) = shown.get();
                    let all = gate.entries.with(Vec::len);
                    let s = skip.get();
                    let shown_to = (s + PAGE_SIZE).min(total);
                    tr!(lang.get(), "cp.log.count", from = if total == 0 { 0 } else { s + 1 }, to = shown_to, total = total, all = all)
                }}
            </p>
            <div class="cp-pager">
                <button type="button" data-testid="log-newer" disabled=move || skip.get() == 0
                    on:click=move |_| skip.update(|s| *s = s.saturating_sub(PAGE_SIZE))>{move || tr!(lang.get(), "cp.log.newer")}</button>
                <button type="button" data-testid="log-older" disabled=move || { skip.get() + PAGE_SIZE >= shown.with(|s| s.0) }
                    on:click=move |_| skip.update(|s| *s += PAGE_SIZE)>{move || tr!(lang.get(), "cp.log.older")}</button>
            </div>
            <table class="cp-log-table">
                <thead><tr>
                    <th>"#"</th>
                    <th>{move || tr!(lang.get(), "cp.log.time")}</th>
                    <th>{move || tr!(lang.get(), "cp.log.decision")}</th>
                    <th>{move || tr!(lang.get(), "cp.log.who")}</th>
                    <th>"°C"</th>
                    <th>{move || tr!(lang.get(), "cp.log.reasons")}</th>
                </tr></thead>
                <tbody>
                    {move || shown.get().1.into_iter().map(|e| {
                        let outcome = e.scan.outcome;
                        let colour = e.scan.colour;
                        let reasons = e.scan.reasons.clone();
                        let title = reasons.iter().map(|c| reason_words(c, lang.get_untracked())).collect::<Vec<_>>().join(" ");
                        view! {
                            <tr data-testid="log-row" data-seq=e.seq.to_string() data-outcome=outcome.as_str()
                                data-colour=colour.map(|c| c.as_str()).unwrap_or("") data-reasons=reasons.join(",")
                                data-temp=e.scan.temperature.map(|t| t.to_string()).unwrap_or_default()
                                class=format!("o-{} c-{}", outcome.as_str(), colour.map(|c| c.as_str()).unwrap_or("none"))>
                                <td>{e.seq.to_string()}</td>
                                <td>{format!("{} {}", clock::local_date(e.time), clock::local_time(e.time))}</td>
                                <td class="o">{outcome_words(outcome, lang.get_untracked())}
                                    {colour.map(|c| view! { <span class="dot">{colour_words(c, lang.get_untracked())}</span> })}</td>
                                <td>{e.scan.masked_name.clone().unwrap_or_default()}" "{e.scan.id_last4.clone().map(|l| format!("…{l}")).unwrap_or_default()}</td>
                                <td>{e.scan.temperature.map(|t| format!("{}.{}", t / 10, t % 10)).unwrap_or_default()}</td>
                                <td title=title><code>{reasons.join(" ")}</code></td>
                            </tr>
                        }
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
            <h3>{move || tr!(lang.get(), "cp.log.export")}</h3>
            <div class="cp-export">
                <button type="button" data-testid="export-csv" on:click=export_csv>{move || tr!(lang.get(), "cp.log.export_csv")}</button>
                <button type="button" data-testid="export-log" on:click=export_log>{move || tr!(lang.get(), "cp.log.export_log")}</button>
                <button type="button" data-testid="export-key" on:click=export_key>{move || tr!(lang.get(), "cp.log.export_key")}</button>
            </div>
            <p class="cp-key">{move || tr!(lang.get(), "cp.log.key")}" "<code data-testid="device-key">{public_key}</code></p>
            <p class="hint">{move || tr!(lang.get(), "cp.log.verify_hint")}</p>
            {move || export_problem.get().map(|p| view! { <p class="notice problem" role="alert">{p}</p> })}
        </section>
    }
}
