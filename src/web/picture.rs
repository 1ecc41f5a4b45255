//! "One picture, one code, one index" at the issuer desk: the area index
//! ([`crate::area_index`]) of the desk's registry and of checkpoint log exports the officer
//! adds here (each verified with [`crate::log::verify_export`]; a refused file is named with
//! its first broken entry and left out), with the same SVG charts as `healthcode index`.
//!
//! Nothing is stored: added files last as long as the page. Day boundaries follow this
//! device's current UTC offset (`Date.getTimezoneOffset()`, MDN).

use super::{clock, i18n};
use crate::area_index::svg::{self, Words};
use crate::area_index::{
    area_index, local_time_text, read_gates_csv, tenths_text, Band, Gate, Inputs, Options,
};
use crate::log::{verify_export, VerifiedExport};
use crate::registry::Registry;
use crate::tr;
use i18n::Lang;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A gate with no scan in this many days is flagged.
const QUIET_DAYS: u32 = 3;

/// This device's offset east of UTC, seconds (`Date.getTimezoneOffset()` is minutes west).
fn utc_offset_secs() -> i32 {
    let minutes = js_sys::Date::new_0().get_timezone_offset();
    if minutes.is_finite() {
        (-minutes * 60.0) as i32
    } else {
        0
    }
}

fn words(lang: Lang) -> Words {
    Words {
        map_title: tr!(lang, "picture.map_title"),
        residents_title: tr!(lang, "picture.residents_title"),
        gates_title: tr!(lang, "picture.gates_title"),
        bands: [
            tr!(lang, "picture.band.no_data"),
            tr!(lang, "picture.band.low"),
            tr!(lang, "picture.band.medium"),
            tr!(lang, "picture.band.high"),
        ],
        index: tr!(lang, "picture.index"),
        // The chart fills in `{n}` itself.
        residents: tr!(lang, "picture.residents", n = "{n}"),
        colours: [
            tr!(lang, "picture.colour.green"),
            tr!(lang, "picture.colour.yellow"),
            tr!(lang, "picture.colour.red"),
        ],
        unknown_area: tr!(lang, "picture.unknown_area"),
        scans_7d: tr!(lang, "picture.scans_7d"),
        turned_away: tr!(lang, "picture.turned_away"),
        no_scans: tr!(lang, "picture.no_scans"),
        quiet: tr!(lang, "picture.quiet", n = "{n}"),
        nothing: tr!(lang, "picture.nothing"),
    }
}

fn band_word(lang: Lang, band: Band) -> String {
    match band {
        Band::NoData => tr!(lang, "picture.band.no_data"),
        Band::Low => tr!(lang, "picture.band.low"),
        Band::Medium => tr!(lang, "picture.band.medium"),
        Band::High => tr!(lang, "picture.band.high"),
    }
}

/// The files chosen in the `<input type="file">` of `ev`, each with its name and bytes
/// (`Blob.arrayBuffer()`, MDN), handed to `each` in order; the input is cleared so the same
/// file can be chosen again.
fn read_chosen_files(ev: leptos::ev::Event, each: impl Fn(String, Option<Vec<u8>>) + 'static) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(list) = input.files() else {
        return;
    };
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    input.set_value("");
    leptos::task::spawn_local(async move {
        for file in files {
            let bytes = JsFuture::from(file.array_buffer())
                .await
                .ok()
                .map(|buf| js_sys::Uint8Array::new(&buf).to_vec());
            each(file.name(), bytes);
        }
    });
}

/// The area index of `registry` (the desk's) and of the checkpoint log exports added on this
/// view: a summary, the tile map, codes by colour per area, scans per gate, and tables.
#[component]
pub fn AreaIndexView(registry: Signal<Registry>) -> impl IntoView {
    let lang = i18n::settings().lang;
    let logs = RwSignal::new(Vec::<VerifiedExport>::new());
    let gates = RwSignal::new(Vec::<Gate>::new());
    let notes = RwSignal::new(Vec::<(bool, String)>::new());

    let report = Memo::new(move |_| {
        let mut inputs = Inputs::new();
        registry.with(|r| inputs.add_registry(r));
        logs.with(|logs| {
            for export in logs {
                inputs.add_export(export);
            }
        });
        inputs.add_gates(gates.get());
        area_index(
            &inputs,
            Options {
                now: clock::now_secs(),
                utc_offset_secs: utc_offset_secs(),
                quiet_days: QUIET_DAYS,
            },
        )
    });

    let add_logs = move |ev: leptos::ev::Event| {
        read_chosen_files(ev, move |name, bytes| {
            let l = lang.get_untracked();
            let Some(bytes) = bytes else {
                notes.update(|n| n.push((false, tr!(l, "picture.read_failed", file = name))));
                return;
            };
            match verify_export(&bytes, None) {
                Ok(export) => {
                    let mut before = Inputs::new();
                    logs.with_untracked(|logs| {
                        for e in logs {
                            before.add_export(e);
                        }
                    });
                    let added = before.add_export(&export);
                    notes.update(|n| {
                        n.push((
                            true,
                            tr!(
                                l,
                                "picture.log_added",
                                file = name,
                                entries = export.entries.len(),
                                device = export.key_id.to_string(),
                                new = added.new,
                                dup = added.duplicates + added.conflicts
                            ),
                        ))
                    });
                    logs.update(|logs| logs.push(export));
                }
                Err(e) => notes.update(|n| {
                    n.push((
                        false,
                        tr!(l, "picture.log_refused", file = name, error = e.to_string()),
                    ))
                }),
            }
        });
    };
    let add_gates = move |ev: leptos::ev::Event| {
        read_chosen_files(ev, move |name, bytes| {
            let l = lang.get_untracked();
            let Some(bytes) = bytes else {
                notes.update(|n| n.push((false, tr!(l, "picture.read_failed", file = name))));
                return;
            };
            match read_gates_csv(&bytes) {
                Ok(rows) => {
                    let mut lines: Vec<(bool, String)> = rows
                        .errors
                        .iter()
                        .map(|e| {
                            let error = format!("{e} ({})", e.code());
                            (
                                false,
                                tr!(
                                    l,
                                    "picture.gates_refused",
                                    file = name.clone(),
                                    error = error
                                ),
                            )
                        })
                        .collect();
                    lines.push((
                        true,
                        tr!(
                            l,
                            "picture.gates_loaded",
                            file = name,
                            count = rows.rows.len()
                        ),
                    ));
                    notes.update(|n| n.extend(lines));
                    gates.set(rows.rows);
                }
                Err(e) => {
                    let error = format!("{e} ({})", e.code());
                    notes.update(|n| {
                        n.push((
                            false,
                            tr!(l, "picture.gates_refused", file = name, error = error),
                        ))
                    });
                }
            }
        });
    };
    let clear = move |_| {
        logs.set(Vec::new());
        gates.set(Vec::new());
        notes.set(Vec::new());
    };

    let svgs = Memo::new(move |_| {
        let w = words(lang.get());
        report.with(|r| {
            (
                svg::tile_map(r, &w),
                svg::residents_bars(r, &w),
                svg::gate_bars(r, &w),
            )
        })
    });

    view! {
        <section class="area-index" data-testid="area-index">
            <h2>{move || tr!(lang.get(), "picture.title")}</h2>
            <p>{move || tr!(lang.get(), "picture.intro")}</p>
            <label class="file">{move || tr!(lang.get(), "picture.add_logs")}" "
                <input type="file" multiple=true data-testid="picture-logs"
                    accept=".jsonl,.json,.txt,application/json,text/plain" on:change=add_logs/>
            </label>
            <label class="file">{move || tr!(lang.get(), "picture.add_gates")}" "
                <input type="file" data-testid="picture-gates-file" accept=".csv,text/csv,text/plain"
                    on:change=add_gates/>
            </label>
            <button type="button" on:click=clear>{move || tr!(lang.get(), "picture.clear")}</button>
            <ul class="picture-notes" data-testid="picture-notes" aria-live="polite">
                {move || notes.get().into_iter().map(|(ok, text)| view! {
                    <li class={if ok { "ok" } else { "problem" }} role={if ok { "status" } else { "alert" }}>{text}</li>
                }).collect_view()}
            </ul>
            <p data-testid="picture-summary">{move || report.with(|r| {
                let c = r.residents;
                tr!(lang.get(), "picture.summary",
                    codes = c.total(), green = c.green, yellow = c.yellow, red = c.red,
                    areas = r.areas.len(), entries = r.entries.new, gates = r.gates.len(),
                    flagged = r.gates.iter().filter(|g| g.flagged()).count())
            })}</p>
            <div class="chart" data-testid="picture-map" inner_html=move || svgs.with(|s| s.0.clone())></div>
            <div class="chart" data-testid="picture-residents" inner_html=move || svgs.with(|s| s.1.clone())></div>
            <table class="areas">
                <thead><tr>
                    <th>{move || tr!(lang.get(), "picture.th.area")}</th>
                    <th>{move || tr!(lang.get(), "picture.colour.green")}</th>
                    <th>{move || tr!(lang.get(), "picture.colour.yellow")}</th>
                    <th>{move || tr!(lang.get(), "picture.colour.red")}</th>
                    <th>{move || tr!(lang.get(), "picture.th.residents")}</th>
                    <th>{move || tr!(lang.get(), "picture.th.index")}</th>
                    <th>{move || tr!(lang.get(), "picture.th.band")}</th>
                    <th>{move || tr!(lang.get(), "picture.th.gates")}</th>
                </tr></thead>
                <tbody>{move || report.with(|r| r.areas.iter().map(|a| {
                    let label = match &a.name {
                        Some(name) => format!("{:06} {name}", a.code),
                        None => format!("{:06}", a.code),
                    };
                    view! { <tr>
                        <td>{label}</td>
                        <td>{a.residents.green}</td>
                        <td>{a.residents.yellow}</td>
                        <td>{a.residents.red}</td>
                        <td>{a.residents.total()}</td>
                        <td>{tenths_text(a.index_tenths)}</td>
                        <td class=format!("band-{}", a.band.as_str())>{band_word(lang.get(), a.band)}</td>
                        <td>{format!("{} ({})", a.gates, a.flagged_gates)}</td>
                    </tr> }
                }).collect_view())}</tbody>
            </table>
            <div class="chart" data-testid="picture-gates" inner_html=move || svgs.with(|s| s.2.clone())></div>
            <table class="gates">
                <thead><tr>
                    <th>{move || tr!(lang.get(), "picture.th.place")}</th>
                    <th>{move || tr!(lang.get(), "picture.scans_7d")}</th>
                    <th>{move || tr!(lang.get(), "picture.th.deny_rate")}</th>
                    <th>{move || tr!(lang.get(), "picture.th.last_scan")}</th>
                    <th>{move || tr!(lang.get(), "picture.th.flag")}</th>
                </tr></thead>
                <tbody>{move || report.with(|r| {
                    let offset = r.options.utc_offset_secs;
                    r.gates.iter().map(|g| {
                        let l = lang.get();
                        let flag = if g.no_scans_at_all {
                            tr!(l, "picture.no_scans")
                        } else if g.quiet {
                            tr!(l, "picture.quiet", n = QUIET_DAYS)
                        } else {
                            String::new()
                        };
                        let place = if g.name.is_empty() {
                            g.place.clone()
                        } else {
                            format!("{} {}", g.place, g.name)
                        };
                        let rate = g.deny_rate_permille
                            .map_or_else(|| "—".to_owned(), |p| format!("{}.{} %", p / 10, p % 10));
                        let last = g.last_scan
                            .map_or_else(|| "—".to_owned(), |t| local_time_text(t, offset));
                        view! { <tr class={if g.flagged() { "flagged" } else { "" }}>
                            <td>{place}</td>
                            <td>{g.scans_7d}</td>
                            <td>{rate}</td>
                            <td>{last}</td>
                            <td>{flag}</td>
                        </tr> }
                    }).collect_view()
                })}</tbody>
            </table>
            <p class="hint">{move || tr!(lang.get(), "picture.definition")}</p>
        </section>
    }
}
