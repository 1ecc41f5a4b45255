//! The checkpoint page (issue #5): the rear camera scans continuously; each code is verified
//! offline under this checkpoint's settings, registered in the hash-chained log (IndexedDB,
//! written and committed before the verdict shows), checked for replays and shown full
//! screen. Tabs: scan (camera, temperature keypad, lists), log, index, settings.
//!
//! # Links
//!
//! - `#checkpoint/import=<text>`: imports a signed trust list (`HCT1:…`) or revocation list
//!   (`HCL1:…`); `<text>` is the list's QR text, percent-encoded (RFC 3986; the base45
//!   alphabet's space, `%`, `+`, `/`, `:` must be encoded). The fragment never reaches a
//!   server, and is removed from the address bar after the import. A trust list must be
//!   signed by a pinned root, as for a file.
//!
//! The log is filled for tests and benchmarks by test tooling only (`examples/log_fill.rs`,
//! `tests/e2e/log-fill.mjs`): no route of the shipped page writes test data.

mod device_key;
mod head_view;
mod index_view;
mod keypad;
mod log_screen;
mod logstore;
mod verdict;

use super::{clock, store};
use crate::codec::{peek_kind, MessageKind};
use crate::demo::DemoWorld;
use crate::log::{ChainCheck, Log, Scan};
use crate::replay::{presentation_digest, ReplayGuard};
use crate::settings::{clock_warnings, list_age_warnings, Banner, CheckpointSettings};
use crate::{tr, KeyId, RevocationSet, Temperature, TrustList, TrustStore};
use ed25519_dalek::VerifyingKey;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use logstore::LogStore;
use std::rc::Rc;
use std::time::Duration;
use verdict::{Shown, VerdictView};

/// How long a verdict stays before scanning resumes, in milliseconds.
const VERDICT_MS: u64 = 4000;
/// After a list shown to the camera was refused, how long before it is read again, ms.
const LIST_RETRY_MS: u64 = 2000;
/// How often the clock banners and the index's "now" are refreshed, in milliseconds.
const TICK_MS: u64 = 5000;
/// The checkpoint's settings (JSON of [`CheckpointSettings`]).
const SETTINGS_KEY: &str = "healthcode.checkpoint.settings.v1";
/// The latest clock reading seen, Unix seconds (for `K|JMP`).
const CLOCK_KEY: &str = "healthcode.checkpoint.clock.v1";

/// State the log and index screens share with the page.
#[derive(Clone, Copy)]
pub struct Gate {
    /// The open log store, once open (the screens read their pages and tallies from it).
    pub store: StoredValue<Option<Rc<LogStore>>, leptos::reactive::owner::LocalStorage>,
    /// Entries in the log (the stored ones, plus each new one once committed); changes on
    /// every append, which the screens follow.
    pub count: RwSignal<u64>,
    /// The device's log signing key, once read or made.
    pub device_key:
        StoredValue<Option<device_key::DeviceKey>, leptos::reactive::owner::LocalStorage>,
    /// Changes when `device_key` is set.
    pub device_key_ready: RwSignal<bool>,
    /// Now, Unix seconds, refreshed every few seconds.
    pub now: RwSignal<u64>,
}

/// Where the registration log stands.
#[derive(Debug, Clone, PartialEq)]
enum LogState {
    Opening,
    /// Open (ready to scan and append) `load_ms` milliseconds after the page asked: the
    /// count and the last entry read, the device key ready.
    Ready {
        load_ms: f64,
        chain: Chain,
    },
    /// Cannot be used: scans are still verified, but every verdict says it was not registered.
    Failed(String),
}

/// The chain check over the whole log, run in the background after opening, chunk by chunk.
#[derive(Debug, Clone, PartialEq)]
enum Chain {
    /// This many of `of` entries checked so far.
    Checking { done: u64, of: u64 },
    /// Every entry checked and linked; it took `ms` milliseconds.
    Intact { ms: f64 },
    /// The first broken entry, or the storage error that stopped the check.
    Broken(String),
}

/// Milliseconds the chain check pauses between chunks, leaving the page to scanning.
const CHAIN_PAUSE_MS: i32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Scan,
    Log,
    Index,
    Settings,
}

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The settings saved on this device, or the defaults with the reason they could not be read.
fn load_settings() -> (CheckpointSettings, Option<String>) {
    match LocalStorage::get::<CheckpointSettings>(SETTINGS_KEY) {
        Ok(s) if s.validate().is_ok() => (s, None),
        Ok(_) => (CheckpointSettings::default(), Some("invalid".into())),
        Err(gloo_storage::errors::StorageError::KeyNotFound(_)) => {
            (CheckpointSettings::default(), None)
        }
        Err(e) => (CheckpointSettings::default(), Some(e.to_string())),
    }
}

/// Words for a banner, in the page's language.
fn banner_words(b: &Banner, lang: super::i18n::Lang) -> String {
    let d = |secs: u64| duration(secs, lang);
    match *b {
        Banner::NoTrustList => tr!(lang, "cp.b.no_trust"),
        Banner::TrustListTooOld { age_secs, max_secs } => {
            tr!(lang, "cp.b.trust_old", age = d(age_secs), max = d(max_secs))
        }
        Banner::NoRevocationList => tr!(lang, "cp.b.no_revocation"),
        Banner::RevocationListTooOld { age_secs, max_secs } => {
            tr!(
                lang,
                "cp.b.revocation_old",
                age = d(age_secs),
                max = d(max_secs)
            )
        }
        Banner::ClockBehindTrustList { behind_secs } => {
            tr!(lang, "cp.b.clock_behind", by = d(behind_secs))
        }
        Banner::ClockJumpedBack { back_secs } => tr!(lang, "cp.b.clock_back", by = d(back_secs)),
    }
}

/// `45 s`, `12 min`, `5 h`, `9 days` (the largest whole unit), in the page's language.
fn duration(secs: u64, lang: super::i18n::Lang) -> String {
    match secs {
        0..=119 => tr!(lang, "cp.dur.s", n = secs),
        120..=7_199 => tr!(lang, "cp.dur.min", n = secs / 60),
        7_200..=172_799 => tr!(lang, "cp.dur.h", n = secs / 3600),
        _ => tr!(lang, "cp.dur.days", n = secs / 86_400),
    }
}

/// How long ago a list was signed ("2 h ago"), or that it is dated after this device's
/// clock (a clock set back).
fn age_words(signed_at: u64, now: u64, lang: super::i18n::Lang) -> String {
    if signed_at > now {
        tr!(lang, "cp.l.ahead")
    } else {
        tr!(lang, "cp.l.ago", age = duration(now - signed_at, lang))
    }
}

/// The checkpoint page.
#[component]
pub fn CheckpointPage(demo: Option<DemoWorld>) -> impl IntoView {
    let lang = super::i18n::settings().lang;
    let start_now = clock::now_secs();
    let (loaded_roots, loaded_trust, mut problems) = store::load_trust(demo.as_ref(), start_now);
    let (loaded_revocation, applied, revocation_problems) =
        store::load_revocation(&loaded_trust, start_now);
    problems.extend(revocation_problems);
    let (loaded_settings, settings_problem) = load_settings();
    if let Some(p) = settings_problem {
        problems.push(tr!(lang.get_untracked(), "cp.s.load_failed", detail = p));
    }
    let problem = RwSignal::new((!problems.is_empty()).then(|| problems.join(" ")));
    let notice = RwSignal::new(None::<String>);
    // A notice ("Trust list imported.") goes after a while; problems stay until fixed.
    Effect::new(move |_| {
        if notice.with(Option::is_some) {
            let shown_notice = notice.get_untracked();
            let _ = set_timeout_with_handle(
                move || {
                    if notice.get_untracked() == shown_notice {
                        notice.set(None);
                    }
                },
                Duration::from_secs(8),
            );
        }
    });
    let roots = RwSignal::new(loaded_roots);
    let trust = RwSignal::new(loaded_trust);
    let revocation = RwSignal::new(loaded_revocation);
    let revocation_texts = StoredValue::new(applied);
    let in_demo = demo.is_some();
    let demo = StoredValue::new(demo);
    let settings = RwSignal::new(loaded_settings);
    let shown = RwSignal::new(None::<Shown>);
    let busy = RwSignal::new(false);
    let tab = RwSignal::new(Tab::Scan);

    let log_store = StoredValue::new_local(None::<Rc<LogStore>>);
    let gate = Gate {
        store: log_store,
        count: RwSignal::new(0),
        device_key: StoredValue::new_local(None),
        device_key_ready: RwSignal::new(false),
        now: RwSignal::new(start_now),
    };
    let log_state = RwSignal::new(LogState::Opening);
    let log = StoredValue::new(Log::new());
    let guard = StoredValue::new(ReplayGuard::new(settings.get_untracked().freshness_secs));

    // ---- the clock: banners when it is behind the trust list or went back ----
    let last_seen = RwSignal::new(LocalStorage::get::<u64>(CLOCK_KEY).ok());
    let clock_banners = RwSignal::new(Vec::<Banner>::new());
    // Every list held must be fresh: the banner follows the oldest one.
    let oldest_trust = move || trust.with(|t| t.lists.iter().map(|l| l.signed_at).min());
    let tick = move || {
        let now = clock::now_secs();
        gate.now.set(now);
        let last = last_seen.get_untracked();
        let trust_at = trust.with_untracked(|t| t.lists.iter().map(|l| l.signed_at).max());
        clock_banners.set(clock_warnings(trust_at, last, now));
        let keep = last.map_or(now, |l| l.max(now));
        last_seen.set(Some(keep));
        if let Err(e) = LocalStorage::set(CLOCK_KEY, keep) {
            problem.set(Some(tr!(
                lang.get_untracked(),
                "cp.s.save_failed",
                detail = e.to_string()
            )));
        }
    };
    tick();
    if let Ok(h) = set_interval_with_handle(tick, Duration::from_millis(TICK_MS)) {
        on_cleanup(move || h.clear());
    }
    let list_banners = Memo::new(move |_| {
        // Per signer: the oldest of the signers' newest lists (issue 12).
        let rev_at = revocation.with(RevocationSet::oldest_signed_at);
        settings.with(|s| list_age_warnings(s, oldest_trust(), rev_at, gate.now.get()))
    });

    // ---- open the log ----
    leptos::task::spawn_local(async move {
        let t0 = perf_now();
        let opened = async {
            let store = LogStore::open().await?;
            let head = store.head().await?;
            let key = store.device_key().await?;
            Ok::<_, logstore::StoreError>((store, head, key))
        }
        .await;
        match opened {
            Ok((store, head, key)) => {
                let load_ms = perf_now() - t0;
                log.set_value(Log::resume(head.last.as_ref()));
                gate.count.set(head.count);
                gate.device_key.set_value(Some(key));
                gate.device_key_ready.set(true);
                let store = Rc::new(store);
                log_store.set_value(Some(store.clone()));
                log_state.set(LogState::Ready {
                    load_ms,
                    chain: Chain::Checking {
                        done: 0,
                        of: head.count,
                    },
                });
                check_chain(store, gate.count.get_untracked(), log_state).await;
            }
            Err(e) => log_state.set(LogState::Failed(e.to_string())),
        }
    });

    // ---- lists ----
    // `None`: not a list; `Some(imported)` otherwise.
    let import_list_text = move |text: &str| -> Option<bool> {
        match peek_kind(text.trim()) {
            Some(MessageKind::TrustList) => Some(import_trust_text(
                text.trim(),
                roots,
                trust,
                problem,
                notice,
                lang.get_untracked(),
            )),
            Some(MessageKind::RevocationList) => Some(import_revocation_text(
                text.trim(),
                trust,
                revocation,
                revocation_texts,
                problem,
                notice,
                lang.get_untracked(),
            )),
            _ => None,
        }
    };
    // A list carried by the link the page was opened with.
    if let Some(link) = link_import(&current_hash()) {
        if link
            .map(|text| import_list_text(&text))
            .ok()
            .flatten()
            .is_none()
        {
            problem.set(Some(tr!(lang.get_untracked(), "cp.l.link_not_list")));
        }
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some("#checkpoint"),
            );
        }
    }

    // ---- multi-part list codes (`HCM1:`), collected in any order ----
    let parts = StoredValue::new(crate::multipart::Assembler::default());
    let part_progress = RwSignal::new(None::<(usize, usize)>);

    // ---- one scan ----
    let verdict_no = StoredValue::new(0u64);
    let temperature_text = RwSignal::new(String::new());
    let present = move |s: Shown| {
        let decision = s.decision;
        verdict_no.update_value(|n| *n += 1);
        let this = verdict_no.get_value();
        // The verdict first: its sound and vibration are extras that must never stand in
        // its way (issue 12: a missing `navigator.vibrate` once stopped every verdict).
        shown.set(Some(s));
        verdict::signal(decision);
        let _ = set_timeout_with_handle(
            move || {
                if verdict_no.get_value() == this {
                    shown.set(None);
                }
            },
            Duration::from_millis(VERDICT_MS),
        );
    };
    let handle_text = move |text: String| {
        // From the decoded text to the verdict (the scanner's worker times the frame).
        let started = perf_now();
        if busy.get_untracked() || shown.with_untracked(Option::is_some) {
            return;
        }
        // A part of a list too long for one code: collected, never logged as a scan.
        if crate::multipart::is_part(&text) {
            if let Some(whole) =
                collect_part(&text, parts, part_progress, problem, lang.get_untracked())
            {
                import_list_text(&whole);
            }
            return;
        }
        match import_list_text(&text) {
            Some(true) => return,
            Some(false) => {
                // Refused (e.g. a revocation list before its trust list): pause a moment so
                // the camera reads it again once the staff have fixed what the problem says.
                busy.set(true);
                let _ = set_timeout_with_handle(
                    move || busy.set(false),
                    Duration::from_millis(LIST_RETRY_MS),
                );
                return;
            }
            None => {}
        }
        let l = lang.get_untracked();
        let typed = temperature_text.get_untracked();
        let temperature = if typed.trim().is_empty() {
            None
        } else {
            match Temperature::parse(&typed) {
                Ok(t) => Some(t),
                Err(_) => {
                    // No verdict on a misread temperature: the guard corrects it first.
                    problem.set(Some(tr!(
                        l,
                        "cp.t.impossible",
                        value = typed.trim().to_owned()
                    )));
                    return;
                }
            }
        };
        let now = clock::now_secs();
        let current = settings.get_untracked();
        let (mut result, mut entry_scan): (Shown, Scan) = trust.with_untracked(|t| {
            revocation
                .with_untracked(|r| verdict::evaluate(&text, &current, t, r, temperature, now))
        });
        let flags = guard
            .try_update_value(|g| {
                g.check(
                    &presentation_digest(&text),
                    entry_scan.id_hash,
                    entry_scan.outcome,
                    now,
                )
            })
            .unwrap_or_default();
        entry_scan
            .reasons
            .extend(flags.iter().map(|f| f.code().to_owned()));
        result.flags = flags;
        result.demo = in_demo;
        // A verified code closes this person's check; after a failed scan the same person
        // usually tries again, so the temperature stays.
        if result.class == "ok" {
            temperature_text.set(String::new());
        }
        let state = log_state.get_untracked();
        let store = log_store.with_value(Clone::clone);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match (state, store) {
                (LogState::Ready { .. }, Some(store)) => {
                    let before = log.get_value();
                    let entry = log.try_update_value(|lg| lg.append(entry_scan, now));
                    match entry {
                        Some(entry) => match store.append(std::slice::from_ref(&entry)).await {
                            Ok(()) => {
                                result.log_seq = Some(entry.seq);
                                gate.count.set(entry.seq);
                            }
                            Err(e) => {
                                log.set_value(before);
                                result.log_error =
                                    Some(tr!(l, "cp.log.write_failed", detail = e.to_string()));
                            }
                        },
                        None => {
                            result.log_error = Some(tr!(l, "cp.log.write_failed", detail = "gone"))
                        }
                    }
                }
                (LogState::Failed(e), _) => {
                    result.log_error = Some(tr!(l, "cp.log.write_failed", detail = e));
                }
                _ => result.log_error = Some(tr!(l, "cp.log.opening")),
            }
            busy.set(false);
            result.took_ms = Some(perf_now() - started);
            present(result);
        });
    };
    let on_text = Callback::new(handle_text);
    let paused = Signal::derive(move || {
        shown.with(Option::is_some) || busy.get() || log_state.with(|s| *s == LogState::Opening)
    });

    // ---- settings ----
    let save_settings = move |new: CheckpointSettings| {
        let l = lang.get_untracked();
        if let Err(e) = new.validate() {
            problem.set(Some(tr!(
                l,
                "cp.s.invalid",
                detail = e.to_string(),
                code = e.code()
            )));
            return;
        }
        if new.freshness_secs != settings.get_untracked().freshness_secs {
            guard.set_value(ReplayGuard::new(new.freshness_secs));
        }
        settings.set(new.clone());
        match LocalStorage::set(SETTINGS_KEY, &new) {
            Ok(()) => {
                problem.set(None);
                notice.set(Some(tr!(l, "cp.s.saved")));
            }
            Err(e) => problem.set(Some(tr!(l, "cp.s.save_failed", detail = e.to_string()))),
        }
    };

    let import_file = move |ev: leptos::ev::Event| {
        read_chosen_file(ev, problem, move |text| {
            import_trust_text(&text, roots, trust, problem, notice, lang.get_untracked());
        });
    };
    let import_root = move |ev: leptos::ev::Event| {
        read_chosen_file(
            ev,
            problem,
            move |text| match crate::keys::verifying_key_from_hex(&text) {
                Ok(key) => {
                    let mut all = roots.get_untracked();
                    if !all.contains(&key) {
                        all.push(key);
                    }
                    let saved = demo.with_value(|d| store::save_roots(&all, d.as_ref()));
                    problem.set(saved.err());
                    roots.set(all);
                }
                Err(e) => problem.set(Some(tr!(
                    lang.get_untracked(),
                    "cp.l.not_root",
                    detail = e.to_string()
                ))),
            },
        );
    };
    let import_revocation = move |ev: leptos::ev::Event| {
        read_chosen_file(ev, problem, move |text| {
            import_revocation_text(
                &text,
                trust,
                revocation,
                revocation_texts,
                problem,
                notice,
                lang.get_untracked(),
            );
        });
    };
    let manual = RwSignal::new(String::new());

    let tab_button = move |t: Tab, test: &'static str, key: &'static str| {
        view! {
            <button type="button" role="tab" data-testid=test class:active=move || tab.get() == t
                aria-selected=move || (tab.get() == t).to_string() on:click=move |_| tab.set(t)>
                {move || match key {
                    "scan" => tr!(lang.get(), "cp.tab.scan"),
                    "log" => tr!(lang.get(), "cp.tab.log"),
                    "index" => tr!(lang.get(), "cp.tab.index"),
                    _ => tr!(lang.get(), "cp.tab.settings"),
                }}
            </button>
        }
    };

    view! {
        <main class="checkpoint">
            <nav class="cp-tabs" role="tablist">
                {tab_button(Tab::Scan, "tab-scan", "scan")}
                {tab_button(Tab::Log, "tab-log", "log")}
                {tab_button(Tab::Index, "tab-index", "index")}
                {tab_button(Tab::Settings, "tab-settings", "settings")}
            </nav>
            <p class="cp-place" data-testid="place">{move || settings.with(|s| {
                let l = lang.get();
                if s.place_id.is_empty() && s.place_name.is_empty() { tr!(l, "cp.place.unset") }
                else { tr!(l, "cp.place.is", name = s.place_name.clone(), id = s.place_id.clone()) }
            })}</p>
            <div class="cp-banners" data-testid="banners">
                {move || list_banners.get().into_iter().chain(clock_banners.get()).map(|b| {
                    let severe = !matches!(b, Banner::NoRevocationList);
                    view! { <p class="cp-banner" class:severe=severe role="alert" data-testid="banner" data-code=b.code()>
                        {move || banner_words(&b, lang.get())}" ("{b.code()}")"</p> }
                }).collect::<Vec<_>>()}
            </div>
            {move || part_progress.get().map(|(have, of)| view! {
                <p class="notice" role="status" data-testid="parts" data-have=have.to_string() data-of=of.to_string()>
                    {move || tr!(lang.get(), "cp.l.parts", have = have, of = of)}</p>
            })}
            <LogStatus state=log_state gate=gate/>
            <head_view::LogHeadLine gate=gate/>
            {move || problem.get().map(|p| view! { <p class="notice problem" role="alert" data-testid="problem">{p}</p> })}
            {move || notice.get().map(|p| view! { <p class="notice done" role="status" data-testid="notice">{p}</p> })}
            {move || match tab.get() {
                Tab::Scan => view! {
                    <super::scanner::Scanner on_text=on_text paused=paused/>
                    <keypad::Keypad text=temperature_text required=Signal::derive(move || settings.with(|s| s.temperature_required))/>
                    <section class="trust">
                        <h2>{move || tr!(lang.get(), "cp.l.title")}</h2>
                        <ul data-testid="trust-status">
                            {move || { let now = gate.now.get(); trust.get().lists.into_iter().flat_map(move |l| {
                                let signed = format!("{} {}", clock::local_date(l.signed_at), clock::local_time(l.signed_at));
                                let age = l.signed_at;
                                l.issuers.into_iter().map(move |i| {
                                    let signed = signed.clone();
                                    view! {
                                        <li>{i.name}" · "<code>{i.key_id.to_string()}</code>" · "
                                            {move || tr!(lang.get(), "cp.l.signed", at = signed.clone(), age = age_words(age, now, lang.get()))}</li>
                                    }
                                })
                            }).collect::<Vec<_>>() }}
                        </ul>
                        <p class="roots" data-testid="root-status">{move || tr!(lang.get(), "cp.l.roots")}" "
                            {move || roots.get().iter().map(|k| KeyId::of(k).to_string()).collect::<Vec<_>>().join(", ")}
                        </p>
                        <p data-testid="revocation-status">{move || revocation.with(|r| {
                            let l = lang.get();
                            // The signer whose newest list is the oldest (issue 12).
                            match r.oldest() {
                                None => tr!(l, "cp.l.no_revocation"),
                                Some((_, o)) => tr!(l, "cp.l.revocation", seq = o.sequence, n = o.len(),
                                    at = format!("{} {}", clock::local_date(o.signed_at), clock::local_time(o.signed_at)),
                                    age = age_words(o.signed_at, gate.now.get(), l)),
                            }
                        })}</p>
                        <label class="file">{move || tr!(lang.get(), "cp.l.root_file")}
                            <input type="file" data-testid="root-file" accept=".pub,.txt,text/plain" on:change=import_root/>
                        </label>
                        <label class="file">{move || tr!(lang.get(), "cp.l.trust_file")}
                            <input type="file" data-testid="trust-file" accept=".hct,.txt,text/plain" on:change=import_file/>
                        </label>
                        <label class="file">{move || tr!(lang.get(), "cp.l.revocation_file")}
                            <input type="file" data-testid="revocation-file" accept=".hcl,.txt,text/plain" on:change=import_revocation/>
                        </label>
                        <p class="hint">{move || tr!(lang.get(), "cp.l.scan_or_link")}</p>
                    </section>
                    <section class="manual">
                        <h2>{move || tr!(lang.get(), "cp.m.title")}</h2>
                        <textarea data-testid="manual-text" aria-label=move || tr!(lang.get(), "cp.m.label") prop:value=move || manual.get()
                            on:input=move |ev| manual.set(event_target_value(&ev))></textarea>
                        <button type="button" data-testid="manual-check" on:click=move |_| {
                            let text = manual.get_untracked();
                            let text = text.trim();
                            if !text.is_empty() {
                                handle_text(text.to_owned());
                            }
                        }>{move || tr!(lang.get(), "cp.m.check")}</button>
                    </section>
                }.into_any(),
                Tab::Log => view! { <log_screen::LogScreen gate=gate/> }.into_any(),
                Tab::Index => view! { <index_view::IndexScreen gate=gate/> }.into_any(),
                Tab::Settings => view! { <SettingsForm current=settings on_save=save_settings/> }.into_any(),
            }}
            {move || shown.get().map(|s| view! { <VerdictView shown=s on_dismiss=move || shown.set(None)/> })}
        </main>
    }
}

/// The log's state line: entries held, load time, chain check, or the storage error with
/// what to do.
#[component]
fn LogStatus(state: RwSignal<LogState>, gate: Gate) -> impl IntoView {
    let lang = super::i18n::settings().lang;
    move || {
        let l = lang.get();
        match state.get() {
            LogState::Opening => view! { <p class="cp-log-status" data-testid="log-status" data-state="opening">{tr!(l, "cp.log.opening")}</p> }.into_any(),
            LogState::Ready { load_ms, chain } => {
                let n = gate.count.get();
                let (words, state, verify_ms) = match &chain {
                    Chain::Checking { done, of } => {
                        (tr!(l, "cp.log.checking", n = n, done = *done, of = *of), "checking", None)
                    }
                    Chain::Intact { ms } => (tr!(l, "cp.log.ready", n = n), "intact", Some(*ms)),
                    Chain::Broken(e) => (tr!(l, "cp.log.broken", n = n, detail = e.clone()), "broken", None),
                };
                let broken = state == "broken";
                view! {
                    <p class="cp-log-status" class:problem=broken data-testid="log-status" data-state="ready"
                        data-chain=state data-entries=n.to_string() data-load-ms=format!("{load_ms:.0}")
                        data-verify-ms=verify_ms.map(|ms| format!("{ms:.0}"))>{words}</p>
                }.into_any()
            }
            LogState::Failed(e) => view! {
                <p class="cp-log-status notice problem" role="alert" data-testid="log-status" data-state="failed">{tr!(l, "cp.log.failed", detail = e)}</p>
            }.into_any(),
        }
    }
}

/// The settings form; `on_save` validates and stores.
#[component]
fn SettingsForm(
    current: RwSignal<CheckpointSettings>,
    on_save: impl Fn(CheckpointSettings) + Copy + 'static,
) -> impl IntoView {
    let lang = super::i18n::settings().lang;
    let s = current.get_untracked();
    let place_id = RwSignal::new(s.place_id.clone());
    let place_name = RwSignal::new(s.place_name.clone());
    let require_pass = RwSignal::new(s.require_pass);
    let admit_yellow = RwSignal::new(s.admit_yellow);
    let admit_paper = RwSignal::new(s.admit_paper);
    let temperature_required = RwSignal::new(s.temperature_required);
    let freshness = RwSignal::new(s.freshness_secs.to_string());
    let trust_days = RwSignal::new(days_text(s.max_trust_age_secs));
    let revocation_days = RwSignal::new(days_text(s.max_revocation_age_secs));
    let bad_number = RwSignal::new(false);
    let save = move |_| {
        let parse_days = |t: String| {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| (d * 86_400.0).round() as u64)
        };
        let (Ok(fresh), Some(trust_age), Some(rev_age)) = (
            freshness.get_untracked().trim().parse::<u64>(),
            parse_days(trust_days.get_untracked()),
            parse_days(revocation_days.get_untracked()),
        ) else {
            bad_number.set(true);
            return;
        };
        bad_number.set(false);
        on_save(CheckpointSettings {
            place_id: place_id.get_untracked().trim().to_owned(),
            place_name: place_name.get_untracked().trim().to_owned(),
            require_pass: require_pass.get_untracked(),
            admit_yellow: admit_yellow.get_untracked(),
            admit_paper: admit_paper.get_untracked(),
            temperature_required: temperature_required.get_untracked(),
            freshness_secs: fresh,
            max_trust_age_secs: trust_age,
            max_revocation_age_secs: rev_age,
        });
    };
    let check = move |sig: RwSignal<bool>, test: &'static str, key: &'static str| {
        view! {
            <label class="check"><input type="checkbox" data-testid=test prop:checked=move || sig.get()
                on:change=move |ev| sig.set(event_target_checked(&ev))/>
                {move || match key {
                    "pass" => tr!(lang.get(), "cp.s.require_pass"),
                    "yellow" => tr!(lang.get(), "cp.s.admit_yellow"),
                    "paper" => tr!(lang.get(), "cp.s.admit_paper"),
                    _ => tr!(lang.get(), "cp.s.temperature_required"),
                }}</label>
        }
    };
    let text = move |sig: RwSignal<String>,
                     test: &'static str,
                     key: &'static str,
                     mode: &'static str| {
        view! {
            <label class="field"><span>{move || match key {
                    "id" => tr!(lang.get(), "cp.s.place_id"),
                    "name" => tr!(lang.get(), "cp.s.place_name"),
                    "fresh" => tr!(lang.get(), "cp.s.freshness"),
                    "trust" => tr!(lang.get(), "cp.s.trust_age"),
                    _ => tr!(lang.get(), "cp.s.revocation_age"),
                }}</span>
                <input type="text" inputmode=mode data-testid=test prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <section class="cp-settings" data-testid="settings">
            <h2>{move || tr!(lang.get(), "cp.s.title")}</h2>
            {text(place_id, "set-place-id", "id", "text")}
            {text(place_name, "set-place-name", "name", "text")}
            {check(require_pass, "set-require-pass", "pass")}
            {check(admit_yellow, "set-admit-yellow", "yellow")}
            {check(admit_paper, "set-admit-paper", "paper")}
            {check(temperature_required, "set-temperature-required", "temp")}
            {text(freshness, "set-freshness", "fresh", "numeric")}
            {text(trust_days, "set-trust-age", "trust", "decimal")}
            {text(revocation_days, "set-revocation-age", "rev", "decimal")}
            {move || bad_number.get().then(|| view! { <p class="notice problem" role="alert">{tr!(lang.get(), "cp.s.numbers")}</p> })}
            <button type="button" class="primary" data-testid="settings-save" on:click=save>{move || tr!(lang.get(), "cp.s.save")}</button>
        </section>
    }
}

fn days_text(secs: u64) -> String {
    let days = secs as f64 / 86_400.0;
    let text = format!("{days:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Adds one scanned part of a multi-part list code ([`crate::multipart`]) and shows the
/// progress ("3 of 7"); returns the whole text once the last part is in. A part of another
/// list starts the collection over with that part; parts that do not join are shown as a
/// problem with their code.
fn collect_part(
    text: &str,
    parts: StoredValue<crate::multipart::Assembler>,
    progress: RwSignal<Option<(usize, usize)>>,
    problem: RwSignal<Option<String>>,
    lang: super::i18n::Lang,
) -> Option<String> {
    use crate::multipart::{MultipartError, Progress};
    let mut added = parts.try_update_value(|a| a.add(text))?;
    if added == Err(MultipartError::OtherText) {
        added = parts.try_update_value(|a| {
            a.reset();
            a.add(text)
        })?;
    }
    match added {
        Ok(Progress::Partial { have, of }) => {
            progress.set(Some((have, of)));
            None
        }
        Ok(Progress::Complete(whole)) => {
            progress.set(None);
            Some(whole)
        }
        Err(e) => {
            progress.set(None);
            problem.set(Some(tr!(
                lang,
                "cp.l.parts_failed",
                detail = e.to_string(),
                code = e.code()
            )));
            None
        }
    }
}

/// The list text of a `#checkpoint/import=<percent-encoded text>` link: `None` for another
/// fragment, `Some(Err(()))` when the text is not UTF-8 once decoded (a damaged link).
fn link_import(hash: &str) -> Option<Result<String, ()>> {
    let encoded = hash
        .trim_start_matches('#')
        .strip_prefix("checkpoint/import=")?;
    Some(
        percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .map(|t| t.trim().to_owned())
            .map_err(|_| ()),
    )
}

/// Checks the whole chain, [`logstore::CHUNK`] entries at a time with a pause between
/// chunks (no long task), and shows the progress and the result in the log's state.
async fn check_chain(store: Rc<LogStore>, count: u64, state: RwSignal<LogState>) {
    let t0 = perf_now();
    let mut check = ChainCheck::new();
    // The page may have been left meanwhile: then the state is gone and nothing is shown.
    let set = |chain: Chain| {
        state.try_update(|s| {
            if let LogState::Ready { chain: c, .. } = s {
                *c = chain;
            }
        })
    };
    let mut first = 1;
    while first <= count {
        let last = (first + logstore::CHUNK - 1).min(count);
        let outcome = match store.range(first, last).await {
            Ok(entries) => check
                .check(&entries)
                .map_err(|e| e.to_string())
                .and_then(|()| {
                    // A chunk with fewer entries than numbers: some are missing.
                    (entries.len() as u64 == last - first + 1)
                        .then_some(())
                        .ok_or_else(|| format!("entry {} is missing", check.checked() + 1))
                }),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = outcome {
            set(Chain::Broken(e));
            return;
        }
        if set(Chain::Checking {
            done: last,
            of: count,
        })
        .is_none()
        {
            return;
        }
        first = last + 1;
        pause(CHAIN_PAUSE_MS).await;
    }
    if let Some(found) = check.times_backwards() {
        // Shown with the log's head (issue #12); a storage failure shows there next time.
        let _ = head_view::record(&[head_view::Flag::of(&found, clock::now_secs())]);
    }
    set(Chain::Intact {
        ms: perf_now() - t0,
    });
}

/// Waits `ms` milliseconds (`setTimeout`, MDN), giving the event loop to other work.
pub async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let timer = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms));
        if !matches!(timer, Some(Ok(_))) {
            // No timer: go on at once rather than never.
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Reads the file chosen in the `<input type="file">` of `ev` as text (`Blob.text()`, MDN)
/// and hands it to `then`; a read failure is shown as a problem.
fn read_chosen_file(
    ev: leptos::ev::Event,
    problem: RwSignal<Option<String>>,
    then: impl FnOnce(String) + 'static,
) {
    let lang = super::i18n::settings().lang;
    super::file_input::read_first_file(&ev, move |text| match text {
        Some(text) => then(text),
        None => problem.set(Some(tr!(lang.get_untracked(), "cp.l.read_failed"))),
    });
}

/// Imports a trust list's text (signed by a pinned root) and saves it; `true` when it is in
/// use (also when it could not be saved, which is shown).
fn import_trust_text(
    text: &str,
    roots: RwSignal<Vec<VerifyingKey>>,
    trust: RwSignal<TrustStore>,
    problem: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    lang: super::i18n::Lang,
) -> bool {
    let pinned = roots.get_untracked();
    let refused = |e: crate::trust::TrustListError| {
        tr!(
            lang,
            "cp.l.trust_refused",
            detail = e.to_string(),
            code = e.code()
        )
    };
    let list = match TrustList::from_text(text.trim(), &pinned) {
        Ok(list) => list,
        Err(e) => {
            problem.set(Some(refused(e)));
            return false;
        }
    };
    let root = list.root;
    let mut store = trust.get_untracked();
    if let Err(e) = store.import(list) {
        problem.set(Some(refused(e)));
        return false;
    }
    match store::save_trust_text(text, root) {
        Ok(()) => {
            problem.set(None);
            notice.set(Some(tr!(lang, "cp.l.trust_imported")));
        }
        Err(e) => problem.set(Some(e)),
    }
    trust.set(store);
    true
}

/// Applies a revocation list's text and saves it; `true` when it is in use.
fn import_revocation_text(
    text: &str,
    trust: RwSignal<TrustStore>,
    revocation: RwSignal<RevocationSet>,
    revocation_texts: StoredValue<Vec<String>>,
    problem: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    lang: super::i18n::Lang,
) -> bool {
    let mut set = revocation.get_untracked();
    let mut texts = revocation_texts.get_value();
    let now = clock::now_secs();
    let result =
        trust.with_untracked(|t| store::import_revocation(text, t, &mut set, &mut texts, now));
    match result {
        Ok(()) => {
            problem.set(None);
            notice.set(Some(tr!(lang, "cp.l.revocation_imported")));
            revocation.set(set);
            revocation_texts.set_value(texts);
            true
        }
        // Applied in memory but not saved: still use it, and say so.
        Err(store::RevocationImportError::NotSaved(e)) => {
            problem.set(Some(e));
            revocation.set(set);
            revocation_texts.set_value(texts);
            true
        }
        Err(store::RevocationImportError::Refused(e)) => {
            problem.set(Some(verdict::revocation_refused(&e, lang)));
            false
        }
    }
}
