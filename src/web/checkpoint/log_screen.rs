//! The registration log screen: newest first, 50 a page, filters by time, colour and
//! decision, each page read from the store ([`super::logstore::LogStore::page`]: one key
//! range, never the whole log); exports as CSV ([`crate::log::csv_rows`]) and as the
//! verifiable JSON-lines file ([`crate::log::ExportWriter`]) with the device's log public key
//! for `healthcode log verify --key`, read [`super::logstore::CHUNK`] entries at a time with
//! the progress shown. The export's head is signed by the device key
//! ([`super::device_key::DeviceKey::sign`], WebCrypto where the browser has Ed25519); an export
//! dated before its last entry is flagged (`L|EXPT`). Below, the log's head for inspectors
//! as text and QR ([`super::head_view::LogHeadPanel`]).
//!
//! Files are offered with a `Blob`, `URL.createObjectURL` and a clicked
//! `<a download href="blob:…">` (MDN "URL.createObjectURL"): a download is a navigation, which
//! the page's Content-Security-Policy (fetch directives only) does not restrict.

use super::super::clock;
use super::head_view;
use super::logstore::CHUNK;
use super::verdict::{colour_words, reason_words};
use super::{pause, Gate};
use crate::keys::to_hex;
use crate::log::{audit, csv_rows, Entry, ExportWriter, Outcome};
use crate::log_view::LogFilter;
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

/// Offers the concatenation of `parts` (strings or `Uint8Array`s, the `Blob` constructor's
/// parts, MDN "Blob()") as a file named `name` of type `mime`. Errors: the browser refused to
/// make the blob or its URL (shown by the caller).
pub fn download(name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &bag).map_err(fail)?;
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
    let date_problem = RwSignal::new(None::<crate::log::LogError>);

    let filter = Memo::new(move |_| LogFilter {
        from: local_input_secs(&from.get()),
        // Until the end of the chosen minute (the bound is exclusive).
        until: local_input_secs(&until.get()).map(|t| t + 60),
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
    // The page's rows and the number matching, read from the store in two requests (the
    // rows come first; a count over many entries takes longer), again whenever the filter,
    // the page or the log changes; an answer overtaken by a newer request is dropped.
    let rows = RwSignal::new(None::<Vec<Entry>>);
    let matching = RwSignal::new(None::<u64>);
    let read_problem = RwSignal::new(None::<String>);
    let show_problem = move |e: super::logstore::StoreError| {
        read_problem.try_set(Some(tr!(
            lang.get_untracked(),
            "cp.log.read_failed",
            detail = e.to_string()
        )));
    };
    let rows_request = StoredValue::new(0u64);
    Effect::new(move |_| {
        let f = filter.get();
        let s = skip.get() as u64;
        let all = gate.count.get();
        gate.device_key_ready.track();
        let Some(store) = gate.store.get_value() else {
            return;
        };
        rows_request.update_value(|n| *n += 1);
        let this = rows_request.get_value();
        leptos::task::spawn_local(async move {
            let result = store.page(&f, s, PAGE_SIZE as u64, all).await;
            // Overtaken by a newer request, or the screen was left meanwhile.
            if rows_request.try_get_value() != Some(this) {
                return;
            }
            match result {
                Ok(entries) => {
                    read_problem.try_set(None);
                    rows.try_set(Some(entries));
                }
                Err(e) => show_problem(e),
            }
        });
    });
    let count_request = StoredValue::new(0u64);
    Effect::new(move |_| {
        let f = filter.get();
        let all = gate.count.get();
        gate.device_key_ready.track();
        let Some(store) = gate.store.get_value() else {
            return;
        };
        count_request.update_value(|n| *n += 1);
        let this = count_request.get_value();
        leptos::task::spawn_local(async move {
            let result = store.count(&f, all).await;
            if count_request.try_get_value() != Some(this) {
                return;
            }
            match result {
                Ok(n) => {
                    matching.try_set(Some(n));
                }
                Err(e) => show_problem(e),
            }
        });
    });
    Effect::new(move |_| {
        filter.track();
        // Until the new count arrives, no stale number is shown.
        matching.set(None);
    });
    let total = move || matching.get().unwrap_or(0);

    // Exports read the whole log a chunk at a time; `exporting` is the progress (done, of).
    let exporting = RwSignal::new(None::<(u64, u64)>);
    let run_export = move |verifiable: bool| {
        let l = lang.get_untracked();
        if exporting.get_untracked().is_some() {
            return;
        }
        let Some(store) = gate.store.get_value() else {
            export_problem.set(Some(tr!(l, "cp.log.opening")));
            return;
        };
        let key = gate.device_key.get_value();
        if verifiable && key.is_none() {
            export_problem.set(Some(tr!(l, "cp.log.no_key")));
            return;
        }
        let count = gate.count.get_untracked();
        exporting.set(Some((0, count)));
        date_problem.set(None);
        leptos::task::spawn_local(async move {
            let now = clock::now_secs();
            let parts = js_sys::Array::new();
            let push = |bytes: Vec<u8>| {
                parts.push(&js_sys::Uint8Array::from(bytes.as_slice()));
            };
            let mut writer = ExportWriter::new();
            let mut last_time = None;
            push(if verifiable {
                writer.start()
            } else {
                csv_rows(&[], true)
            });
            let mut failed = None;
            let mut first = 1;
            while first <= count {
                let last = (first + CHUNK - 1).min(count);
                match store.range(first, last).await {
                    Ok(entries) => {
                        last_time = entries.last().map(|e| e.time).or(last_time);
                        push(if verifiable {
                            writer.entries(&entries)
                        } else {
                            csv_rows(&entries, false)
                        })
                    }
                    Err(e) => {
                        failed = Some(e.to_string());
                        break;
                    }
                }
                if exporting.try_set(Some((last, count))).is_some() {
                    // The screen was left (`try_set` gives the value back): stop reading.
                    return;
                }
                first = last + 1;
                pause(0).await;
            }
            let result = match failed {
                Some(e) => Err(e),
                None if verifiable => match &key {
                    Some(key) => {
                        // Dated before its last entry: the clock is behind. Exported anyway
                        // (the log is what it is), flagged here and by `log verify` (L|EXPT).
                        if let Some(found) = audit::export_date(now, last_time) {
                            let _ = head_view::record(&[head_view::Flag::of(&found, now)]);
                            date_problem.try_set(Some(found));
                        }
                        match key.sign(&writer.head_signing_input(now)).await {
                            Ok(sig) => {
                                push(writer.finish_signed(key.public_key().as_bytes(), &sig, now));
                                download(
                                    &format!("healthcode-log-{}.jsonl", file_stamp(now)),
                                    "application/x-ndjson",
                                    &parts,
                                )
                            }
                            Err(e) => Err(e),
                        }
                    }
                    None => Err("no device key".into()),
                },
                None => download(
                    &format!("healthcode-log-{}.csv", file_stamp(now)),
                    "text/csv",
                    &parts,
                ),
            };
            exporting.try_set(None);
            export_problem.try_set(
                result
                    .err()
                    .map(|e| tr!(lang.get_untracked(), "cp.log.export_failed", detail = e)),
            );
        });
    };
    let export_csv = move |_| run_export(false);
    let export_log = move |_| run_export(true);
    let public_key = move || {
        gate.device_key_ready.track();
        gate.device_key
            .get_value()
            .map(|k| to_hex(k.public_key().as_bytes()))
    };
    let export_key = move |_| {
        if let Some(hex) = public_key() {
            export_problem.set(
                download(
                    "checkpoint-log.key.pub",
                    "text/plain",
                    &js_sys::Array::of1(&format!("{hex}\n").into()),
                )
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
            <p class="cp-count" data-testid="log-count" data-total=move || matching.get().map(|n| n.to_string())
                data-all=move || gate.count.get().to_string()>
                {move || {
                    let total = total();
                    let s = skip.get() as u64;
                    let shown_to = (s + PAGE_SIZE as u64).min(total);
                    if rows.with(Option::is_none) || matching.with(Option::is_none) {
                        return tr!(lang.get(), "cp.log.loading");
                    }
                    tr!(lang.get(), "cp.log.count", from = if total == 0 { 0 } else { s + 1 }, to = shown_to, total = total, all = gate.count.get())
                }}
            </p>
            {move || read_problem.get().map(|p| view! { <p class="notice problem" role="alert" data-testid="log-read-problem">{p}</p> })}
            <div class="cp-pager">
                <button type="button" data-testid="log-newer" disabled=move || skip.get() == 0
                    on:click=move |_| skip.update(|s| *s = s.saturating_sub(PAGE_SIZE))>{move || tr!(lang.get(), "cp.log.newer")}</button>
                <button type="button" data-testid="log-older" disabled=move || match matching.get() {
                        Some(n) => skip.get() as u64 + PAGE_SIZE as u64 >= n,
                        // Not counted yet: a full page may have more behind it.
                        None => rows.with(|r| r.as_ref().is_none_or(|r| r.len() < PAGE_SIZE)),
                    }
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
                    {move || rows.get().unwrap_or_default().into_iter().map(|e| {
                        let outcome = e.scan.outcome;
                        let colour = e.scan.colour;
                        let reasons = e.scan.reasons.clone();
                        let title = reasons.iter().map(|c| reason_words(c, lang.get_untracked())).collect::<Vec<_>>().join(" ");
                        view! {
                            <tr data-testid="log-row" data-seq=e.seq.to_string() data-time=e.time.to_string() data-outcome=outcome.as_str()
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
                <button type="button" data-testid="export-csv" disabled=move || exporting.with(Option::is_some) on:click=export_csv>{move || tr!(lang.get(), "cp.log.export_csv")}</button>
                <button type="button" data-testid="export-log" disabled=move || exporting.with(Option::is_some) on:click=export_log>{move || tr!(lang.get(), "cp.log.export_log")}</button>
                <button type="button" data-testid="export-key" on:click=export_key>{move || tr!(lang.get(), "cp.log.export_key")}</button>
            </div>
            <p class="cp-key">{move || tr!(lang.get(), "cp.log.key")}" "<code data-testid="device-key">{public_key}</code></p>
            <p class="hint">{move || tr!(lang.get(), "cp.log.verify_hint")}</p>
            {move || exporting.get().map(|(done, of)| view! { <p class="notice" role="status" data-testid="export-progress">{tr!(lang.get(), "cp.log.reading", done = done, of = of)}</p> })}
            {move || export_problem.get().map(|p| view! { <p class="notice problem" role="alert">{p}</p> })}
            {move || date_problem.get().map(|f| view! {
                <p class="notice problem" role="alert" data-testid="export-date-problem" data-code=f.code()>
                    {head_view::Flag::of(&f, 0).words(lang.get())}" ("{f.code()}")"</p>
            })}
            <head_view::LogHeadPanel gate=gate/>
        </section>
    }
}
