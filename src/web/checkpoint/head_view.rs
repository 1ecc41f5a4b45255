//! The log's head on screen (issue #12): the newest entry's number, short hash and key id
//! as text on every page of the checkpoint, and as a QR ([`crate::log::LogHead::to_qr_text`])
//! on the log screen for an inspector to scan at every visit and later give to
//! `healthcode log verify --noted`.
//!
//! The page also keeps the last head it showed in `localStorage`
//! (`healthcode.checkpoint.log-head.v1`: `{"head": "HCH1:…", "time": T}`, `T` the newest
//! entry's time, Unix seconds, or `null`), apart from the IndexedDB that holds the log, and
//! compares each new head with it ([`crate::log::check_head`]): a log that now ends before
//! that entry (cut, or restarted after the database was deleted: `L|CUT`), whose entry there
//! has another hash (rewritten: `L|NOTE`), or that is signed by another key (`L|REKEY`), and
//! a newest entry dated before the one shown (`L|BACK`). Each finding is kept in
//! `healthcode.checkpoint.log-flags.v1` (a JSON list of [`Flag`], the newest 100) and shown
//! on every page of the checkpoint; nothing in the app removes one. The chain check's own `L|BACK`
//! ([`crate::log::ChainCheck::times_backwards`]) and an export dated before its last entry
//! (`L|EXPT`) are kept there too ([`record`]).
//!
//! Limits, said on the log screen and in `docs/operations.md`: clearing the site's data
//! removes both stores at once, and the page's own code could be changed to skip this; an
//! inspector's own note of the head is what cannot be taken back.

use super::super::clock;
use super::logstore::LogStore;
use super::Gate;
use crate::log::{audit, check_head, LogError, LogHead, NotedHead, Problem, GENESIS};
use crate::{render, tr};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The last head the page showed.
const SHOWN_KEY: &str = "healthcode.checkpoint.log-head.v1";
/// The findings kept.
const FLAGS_KEY: &str = "healthcode.checkpoint.log-flags.v1";
/// Most findings kept (the oldest go first).
const MAX_FLAGS: usize = 100;

/// The last head shown, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Shown {
    /// The head QR text.
    head: String,
    /// The newest entry's time, Unix seconds (`None` for an empty log).
    time: Option<u64>,
}

/// One finding about the log, kept in `localStorage` and shown until the data is cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The code: `L|CUT`, `L|NOTE`, `L|REKEY`, `L|BACK` or `L|EXPT`.
    pub code: String,
    /// When the page found it, Unix seconds.
    pub found_at: u64,
    /// The entry it concerns (the noted one, or the one dated backwards; 0 for `L|EXPT`).
    pub seq: u64,
    /// The head shown before (`L|CUT`: its entry number; `L|REKEY`: its key id), else empty.
    pub was: String,
    /// The head found (`L|CUT`: its entry number; `L|REKEY`: its key id), else empty.
    pub now: String,
    /// `L|BACK` and `L|EXPT`: how many seconds back.
    pub secs: u64,
}

impl Flag {
    /// The flag for `error` found at `found_at` (Unix seconds).
    pub fn of(error: &LogError, found_at: u64) -> Flag {
        let seq = match error.at {
            crate::log::Position::Entry(n) => n,
            _ => 0,
        };
        let (was, now, secs) = match error.problem {
            Problem::Truncated { found } => (seq.to_string(), found.to_string(), 0),
            Problem::KeyChanged { found, noted } => (noted.to_string(), found.to_string(), 0),
            Problem::TimeBackwards { secs, .. } | Problem::ExportBeforeLast { secs } => {
                (String::new(), String::new(), secs)
            }
            _ => (String::new(), String::new(), 0),
        };
        Flag {
            code: error.code().to_owned(),
            found_at,
            seq,
            was,
            now,
            secs,
        }
    }

    /// The finding in words, in `lang`.
    pub fn words(&self, lang: super::super::i18n::Lang) -> String {
        let span = audit::span(self.secs);
        match self.code.as_str() {
            "L|CUT" => tr!(
                lang,
                "cp.head.flag.cut",
                was = self.was.clone(),
                now = self.now.clone()
            ),
            "L|NOTE" => tr!(lang, "cp.head.flag.note", seq = self.seq),
            "L|REKEY" => tr!(
                lang,
                "cp.head.flag.rekey",
                was = self.was.clone(),
                now = self.now.clone()
            ),
            "L|BACK" => tr!(lang, "cp.head.flag.back", seq = self.seq, span = span),
            "L|EXPT" => tr!(lang, "cp.head.flag.expt", span = span),
            other => other.to_owned(),
        }
    }
}

/// The findings kept on this device, oldest first (none when unreadable).
pub fn flags() -> Vec<Flag> {
    LocalStorage::get::<Vec<Flag>>(FLAGS_KEY).unwrap_or_default()
}

/// Keeps `found` with the findings unless the same code about the same entry and heads is
/// kept already. Errors: `localStorage` refused (shown by the caller).
pub fn record(found: &[Flag]) -> Result<(), String> {
    if found.is_empty() {
        return Ok(());
    }
    let mut kept = flags();
    for f in found {
        let same =
            |k: &Flag| k.code == f.code && k.seq == f.seq && k.was == f.was && k.now == f.now;
        if !kept.iter().any(same) {
            kept.push(f.clone());
        }
    }
    let drop = kept.len().saturating_sub(MAX_FLAGS);
    kept.drain(..drop);
    LocalStorage::set(FLAGS_KEY, &kept).map_err(|e| e.to_string())
}

/// The log's head now (from the store's last entry) under the device key `key_id`, and the
/// newest entry's time.
async fn read_head(
    store: &LogStore,
    key_id: crate::KeyId,
) -> Result<(LogHead, Option<u64>), String> {
    let head = store.head().await.map_err(|e| e.to_string())?;
    Ok(match head.last {
        Some(e) => (
            LogHead {
                seq: e.seq,
                hash: e.hash,
                key_id,
            },
            Some(e.time),
        ),
        None => (
            LogHead {
                seq: 0,
                hash: GENESIS,
                key_id,
            },
            None,
        ),
    })
}

/// Compares the head now with the one shown last, keeps any finding, and remembers this
/// head as shown. Returns the head now.
async fn track(store: &LogStore, key_id: crate::KeyId, now: u64) -> Result<LogHead, String> {
    let (head, time) = read_head(store, key_id).await?;
    let mut found = Vec::new();
    let shown = LocalStorage::get::<Shown>(SHOWN_KEY).ok();
    if let Some(noted) = shown.as_ref().and_then(|s| NotedHead::parse(&s.head).ok()) {
        let hash_at = if noted.seq >= 1 && noted.seq <= head.seq {
            let at = store
                .range(noted.seq, noted.seq)
                .await
                .map_err(|e| e.to_string())?;
            at.first().map(|e| e.hash)
        } else {
            None
        };
        found.extend(
            check_head(&noted, head.seq, key_id, hash_at.as_ref())
                .iter()
                .map(|e| Flag::of(e, now)),
        );
        // The newest entry dated before the newest one shown earlier.
        let shown_time = shown.as_ref().and_then(|s| s.time);
        if let (Some(then), Some(t)) = (shown_time, time) {
            if head.seq > noted.seq && t.saturating_add(audit::TIME_TOLERANCE_SECS) < then {
                found.push(Flag::of(
                    &LogError {
                        at: crate::log::Position::Entry(head.seq),
                        problem: Problem::TimeBackwards {
                            secs: then - t,
                            count: 1,
                        },
                    },
                    now,
                ));
            }
        }
    }
    record(&found)?;
    LocalStorage::set(
        SHOWN_KEY,
        Shown {
            head: head.to_qr_text(),
            time,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(head)
}

/// The head and the findings as the page follows them: re-read after every change of the
/// log or the key, and the findings again at every clock tick.
#[derive(Clone, Copy)]
struct Followed {
    head: RwSignal<Option<LogHead>>,
    flags: RwSignal<Vec<Flag>>,
    problem: RwSignal<Option<String>>,
}

fn follow(gate: Gate) -> Followed {
    let followed = Followed {
        head: RwSignal::new(None),
        flags: RwSignal::new(flags()),
        problem: RwSignal::new(None),
    };
    let request = StoredValue::new(0u64);
    Effect::new(move |_| {
        gate.count.track();
        gate.device_key_ready.track();
        let (Some(store), Some(key)) = (gate.store.get_value(), gate.device_key.get_value()) else {
            return;
        };
        request.update_value(|n| *n += 1);
        let this = request.get_value();
        leptos::task::spawn_local(async move {
            let result = track(&store, key.key_id(), clock::now_secs()).await;
            if request.try_get_value() != Some(this) {
                return;
            }
            match result {
                Ok(head) => {
                    followed.head.try_set(Some(head));
                    followed.problem.try_set(None);
                }
                Err(e) => {
                    followed.problem.try_set(Some(e));
                }
            }
            followed.flags.try_set(flags());
        });
    });
    Effect::new(move |_| {
        gate.now.track();
        let now = flags();
        if followed.flags.with_untracked(|f| *f != now) {
            followed.flags.set(now);
        }
    });
    followed
}

fn flag_list(flags: RwSignal<Vec<Flag>>) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    move || {
        let l = lang.get();
        flags
            .get()
            .into_iter()
            .map(|f| {
                let at = format!(
                    "{} {}",
                    clock::local_date(f.found_at),
                    clock::local_time(f.found_at)
                );
                view! {
                    <p class="cp-banner severe" role="alert" data-testid="log-flag" data-code=f.code.clone() data-seq=f.seq.to_string()>
                        {f.words(l)}" "{tr!(l, "cp.head.found", code = f.code.clone(), at = at)}</p>
                }
            })
            .collect::<Vec<_>>()
    }
}

/// The head as one line on every page of the checkpoint, and the findings kept.
#[component]
pub fn LogHeadLine(gate: Gate) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    let followed = follow(gate);
    view! {
        <div class="cp-log-head" data-testid="log-head-line">
            {flag_list(followed.flags)}
            {move || followed.head.get().map(|h| view! {
                <p class="cp-head" data-testid="log-head" data-seq=h.seq.to_string() data-hash=h.short_hash() data-key=h.key_id.to_string()>
                    {tr!(lang.get(), "cp.head.line", seq = h.seq, hash = h.short_hash(), key = h.key_id.to_string())}</p>
            })}
            {move || followed.problem.get().map(|p| view! { <p class="notice problem" role="alert">{tr!(lang.get(), "cp.head.failed", detail = p)}</p> })}
        </div>
    }
}

/// The head for inspectors on the log screen: text, QR, how the key is held, the findings.
#[component]
pub fn LogHeadPanel(gate: Gate) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    let followed = follow(gate);
    let kind = move || {
        gate.device_key_ready.track();
        gate.device_key.get_value().map(|k| k.kind())
    };
    view! {
        <section class="cp-head-panel" data-testid="log-head-panel">
            <h3>{move || tr!(lang.get(), "cp.head.title")}</h3>
            {flag_list(followed.flags)}
            {move || followed.head.get().map(|h| {
                let text = h.to_qr_text();
                let svg = render::svg(&text, "#000", "#fff").unwrap_or_default();
                view! {
                    <div class="qr" role="img" data-testid="log-head-qr" aria-label=move || tr!(lang.get(), "cp.head.qr_label", seq = h.seq)
                        inner_html=svg></div>
                    <p class="cp-head"><strong>{move || tr!(lang.get(), "cp.head.line", seq = h.seq, hash = h.short_hash(), key = h.key_id.to_string())}</strong></p>
                    <p><code data-testid="log-head-text">{text}</code></p>
                }
            })}
            <p class="hint">{move || tr!(lang.get(), "cp.head.hint")}</p>
            {move || kind().map(|k| view! {
                <p class="hint" class:problem=k == super::device_key::KeyKind::Seed data-testid="log-key-kind" data-kind=k.as_str()>
                    {match k {
                        super::device_key::KeyKind::WebCrypto => tr!(lang.get(), "cp.head.kind_webcrypto"),
                        super::device_key::KeyKind::Seed => tr!(lang.get(), "cp.head.kind_seed"),
                    }}</p>
            })}
        </section>
    }
}
