//! The gate's index ([`crate::gate_index::gate_index_from_tallies`]): today's scans by colour
//! and by decision, scans per local hour as an SVG bar chart, and the most frequent deny
//! reasons, from today's 96 quarter-hour tallies in the store (never today's entries).

use super::log_screen::outcome_words;
use super::verdict::reason_words;
use super::Gate;
use crate::gate_index::{day_start, gate_index_from_tallies, today_buckets, GateIndex};
use crate::log::Outcome;
use crate::tr;
use leptos::prelude::*;

/// How many deny reasons are listed.
const TOP_REASONS: usize = 5;

/// The device's offset from UTC in seconds at `now` (`Date.getTimezoneOffset`, MDN, gives
/// minutes west of UTC).
pub fn utc_offset_secs(now: u64) -> i32 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now as f64 * 1000.0));
    let minutes = date.get_timezone_offset();
    if minutes.is_finite() {
        -(minutes as i32) * 60
    } else {
        0
    }
}

/// The index screen.
#[component]
pub fn IndexScreen(gate: Gate) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    // Read again when the log grows or the day changes; an overtaken answer is dropped.
    let today = Memo::new(move |_| {
        let now = gate.now.get();
        day_start(now, utc_offset_secs(now))
    });
    let index = RwSignal::new(None::<GateIndex>);
    let problem = RwSignal::new(None::<String>);
    let request = StoredValue::new(0u64);
    Effect::new(move |_| {
        today.track();
        gate.count.track();
        gate.device_key_ready.track();
        let Some(store) = gate.store.get_value() else {
            return;
        };
        request.update_value(|n| *n += 1);
        let this = request.get_value();
        let now = gate.now.get_untracked();
        let offset = utc_offset_secs(now);
        leptos::task::spawn_local(async move {
            let result = store.tallies(today_buckets(now, offset)).await;
            // Overtaken by a newer request, or the screen was left meanwhile.
            if request.try_get_value() != Some(this) {
                return;
            }
            match result {
                Ok(t) => {
                    problem.try_set(None);
                    index.try_set(Some(gate_index_from_tallies(
                        t.iter().map(|(b, t)| (*b, t)),
                        now,
                        offset,
                        TOP_REASONS,
                    )));
                }
                Err(e) => {
                    problem.try_set(Some(tr!(
                        lang.get_untracked(),
                        "cp.log.read_failed",
                        detail = e.to_string()
                    )));
                }
            }
        });
    });
    let count = |label: String, n: u32, class: &'static str, test: &'static str| {
        view! { <div class=format!("cp-stat {class}") data-testid=test data-count=n.to_string()><span class="n">{n.to_string()}</span><span class="l">{label}</span></div> }
    };
    view! {
        <section class="cp-index" data-testid="index-screen">
            <h2>{move || tr!(lang.get(), "cp.idx.title", date = super::super::clock::local_date(gate.now.get()))}</h2>
            {move || problem.get().map(|p| view! { <p class="notice problem" role="alert" data-testid="idx-problem">{p}</p> })}
            {move || {
                let Some(i) = index.get() else {
                    return view! { <p>{tr!(lang.get(), "cp.log.loading")}</p> }.into_any();
                };
                let l = lang.get();
                view! {
                    <p class="cp-total" data-testid="idx-scans" data-count=i.scans.to_string()>{tr!(l, "cp.idx.scans", n = i.scans)}</p>
                    <h3>{tr!(l, "cp.idx.by_colour")}</h3>
                    <div class="cp-stats">
                        {count(tr!(l, "cp.colour.green"), i.by_colour.green, "green", "idx-green")}
                        {count(tr!(l, "cp.colour.yellow"), i.by_colour.yellow, "yellow", "idx-yellow")}
                        {count(tr!(l, "cp.colour.red"), i.by_colour.red, "red", "idx-red")}
                        {count(tr!(l, "cp.idx.no_colour"), i.by_colour.none, "none", "idx-none")}
                    </div>
                    <h3>{tr!(l, "cp.idx.by_decision")}</h3>
                    <div class="cp-stats">
                        {count(outcome_words(Outcome::Admit, l), i.by_outcome.admit, "admit", "idx-admit")}
                        {count(outcome_words(Outcome::Refer, l), i.by_outcome.refer, "refer", "idx-refer")}
                        {count(outcome_words(Outcome::Deny, l), i.by_outcome.deny, "deny", "idx-deny")}
                        {count(outcome_words(Outcome::Invalid, l), i.by_outcome.invalid, "invalid", "idx-invalid")}
                        {count(outcome_words(Outcome::CannotCheck, l), i.by_outcome.cannot_check, "cannot-check", "idx-cannot-check")}
                    </div>
                    <h3>{tr!(l, "cp.idx.per_hour")}</h3>
                    <HourChart per_hour=i.per_hour/>
                    <h3>{tr!(l, "cp.idx.deny_reasons")}</h3>
                    {if i.deny_reasons.is_empty() {
                        view! { <p>{tr!(l, "cp.idx.none")}</p> }.into_any()
                    } else {
                        view! {
                            <ol class="cp-reasons" data-testid="idx-reasons">
                                {i.deny_reasons.iter().map(|(code, n)| view! {
                                    <li data-code=code.clone() data-count=n.to_string()><code>{code.clone()}</code>" × "{n.to_string()}" — "{reason_words(code, l)}</li>
                                }).collect::<Vec<_>>()}
                            </ol>
                        }.into_any()
                    }}
                }.into_any()
            }}
        </section>
    }
}

/// 24 bars, one per local hour, scaled to the busiest hour; each bar's count is its title.
#[component]
fn HourChart(per_hour: [u32; 24]) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    let max = per_hour.iter().copied().max().unwrap_or(0).max(1);
    const W: u32 = 20;
    const H: u32 = 120;
    view! {
        <svg class="cp-chart" data-testid="idx-chart" viewBox=format!("0 0 {} {}", W * 24, H + 18)
            role="img" aria-label=move || tr!(lang.get(), "cp.idx.chart_label")>
            {per_hour.iter().enumerate().map(|(h, &n)| {
                let height = (u64::from(n) * u64::from(H) / u64::from(max)) as u32;
                let x = h as u32 * W;
                view! {
                    <g>
                        <title>{format!("{h:02}:00 — {n}")}</title>
                        <rect class="bar" x=(x + 2).to_string() y=(H - height).to_string() width=(W - 4).to_string()
                            height=height.to_string() data-hour=h.to_string() data-count=n.to_string()></rect>
                        {(h % 3 == 0).then(|| view! { <text class="tick" x=(x + 2).to_string() y=(H + 14).to_string()>{format!("{h:02}")}</text> })}
                    </g>
                }
            }).collect::<Vec<_>>()}
        </svg>
    }
}
