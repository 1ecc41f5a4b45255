//! The checkpoint page: the rear camera scans continuously; each QR code read is verified
//! offline against the checkpoint's trust list and shown as a full-screen verdict.

use super::scanner::Scanner;
use super::{clock, store};
use crate::demo::DemoWorld;
use crate::{
    decide, verify_in, Claims, Colour, Context, Decision, ErrorClass, KeyId, Policy, RevocationSet,
    Temperature, TrustList, TrustStore, VerifyError, VerifyOptions,
};
use ed25519_dalek::VerifyingKey;
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long a verdict stays before scanning resumes, in milliseconds.
const VERDICT_MS: u64 = 4000;

/// The result of one scan, as staff see it.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    /// `ok`, `invalid` or `cannot-check`.
    class: &'static str,
    decision: Decision,
    /// Stable reason code.
    code: &'static str,
    /// Big words.
    headline: &'static str,
    /// What to do.
    instruction: String,
    claims: Option<Claims>,
    /// The temperature taken for this person, if any.
    temperature: Option<Temperature>,
    at: u64,
}

/// Words for a failed verification: headline and instruction.
fn error_words(err: &VerifyError) -> (&'static str, &'static str) {
    use crate::codec::CodecError as C;
    match err {
        VerifyError::Decode(C::NotHealthCode) => ("NOT A HEALTH CODE", "This QR code is not a health code. Ask for the health code."),
        VerifyError::Decode(C::WrongKind) => ("NOT A LIVE CODE", "This is not the live code from the resident's app. Ask them to open the app."),
        VerifyError::Decode(C::UnsupportedVersion(_)) => ("CANNOT CHECK", "This code is of a newer version. Update this checkpoint."),
        VerifyError::Decode(_) | VerifyError::InvalidField => ("INVALID CODE", "The code is damaged or forged. Do not admit."),
        VerifyError::NotLive => ("NOT A LIVE CODE", "This is a saved code, not the live code from the resident's app. Ask them to open the app."),
        VerifyError::ClockBehind => ("CANNOT CHECK", "This device's clock is behind its trust list. Set the correct time, then scan again."),
        VerifyError::TrustListTooOld => ("CANNOT CHECK", "The trust list is too old. Import the current trust list; check by hand meanwhile."),
        VerifyError::RevocationListTooOld => ("CANNOT CHECK", "The revocation list is missing or too old. Import the current one; check by hand meanwhile."),
        VerifyError::UnknownIssuer => ("CANNOT CHECK", "Unknown issuer: this checkpoint does not know who issued the code. Check by hand and update the trust list."),
        VerifyError::IssuerRole | VerifyError::KeyNotValid | VerifyError::IssuerSignature => ("INVALID CODE", "Invalid signature: the code was forged or altered. Do not admit."),
        VerifyError::Revoked => ("REVOKED CODE", "This code has been revoked by the health authority. Do not admit."),
        VerifyError::NotYetValid => ("INVALID CODE", "The code is not valid yet. Do not admit; check this device's clock."),
        VerifyError::Expired => ("EXPIRED CODE", "The code has expired. Do not admit; the resident must renew it."),
        VerifyError::HolderSignature => ("INVALID CODE", "The code was not shown from the holder's own phone. Do not admit."),
        VerifyError::Stale => ("OLD CODE", "This code is more than a minute old: a screenshot or a copy. Ask for the live code."),
        VerifyError::FromFuture => ("CLOCK WRONG", "The code's time is ahead of this device. Check both clocks."),
        VerifyError::PassMissing => ("NO PASS", "A pass for this place is required. Do not admit."),
        VerifyError::PassPlace
        | VerifyError::PassIssuer
        | VerifyError::PassSignature
        | VerifyError::PassHolder
        | VerifyError::PassExpired
        | VerifyError::PassRevoked => ("INVALID PASS", "The pass is not valid for this place. Do not admit."),
    }
}

fn evaluate(
    text: &str,
    trust: &TrustStore,
    revocation: &RevocationSet,
    temperature: Option<Temperature>,
    now: u64,
) -> Shown {
    let options = VerifyOptions::default();
    let ctx = Context {
        trust,
        revocation: (revocation.sequence != 0).then_some(revocation),
        options: &options,
        now,
    };
    match verify_in(text, &ctx) {
        Ok(verified) => {
            let verdict = decide(&verified, temperature, &Policy::default());
            Shown {
                class: "ok",
                decision: verdict.decision,
                code: verdict.code(),
                headline: match verdict.decision {
                    Decision::Admit => "ADMIT",
                    Decision::Deny if verdict.code() == "T|FEV" => "DENY — FEVER",
                    Decision::Deny => "DENY",
                    Decision::Refer if verified.claims.is_paper() => "CHECK ID CARD",
                    Decision::Refer => "CHECK MANUALLY",
                },
                // What decided, not what was overruled ("green: free passage" under a fever).
                instruction: verdict
                    .reasons
                    .iter()
                    .filter(|r| r.decision == verdict.decision)
                    .map(|r| r.instruction)
                    .collect::<Vec<_>>()
                    .join(" "),
                claims: Some(verified.claims),
                temperature,
                at: now,
            }
        }
        Err(err) => {
            let (headline, instruction) = error_words(&err);
            let (class, decision) = match err.class() {
                ErrorClass::Invalid => ("invalid", Decision::Deny),
                ErrorClass::CannotCheck => ("cannot-check", Decision::Refer),
            };
            Shown {
                class,
                decision,
                code: err.code(),
                headline,
                instruction: instruction.to_owned(),
                claims: None,
                temperature,
                at: now,
            }
        }
    }
}

/// The checkpoint page.
#[component]
pub fn CheckpointPage(demo: DemoWorld) -> impl IntoView {
    let (loaded_roots, loaded_trust, mut problems) = store::load_trust(&demo, clock::now_secs());
    let (loaded_revocation, applied, revocation_problems) = store::load_revocation(&loaded_trust);
    problems.extend(revocation_problems);
    let problem = RwSignal::new((!problems.is_empty()).then(|| problems.join(" ")));
    let roots = RwSignal::new(loaded_roots);
    let trust = RwSignal::new(loaded_trust);
    let revocation = RwSignal::new(loaded_revocation);
    let revocation_texts = StoredValue::new(applied);
    let demo = StoredValue::new(demo);
    let shown = RwSignal::new(None::<Shown>);

    // Each verdict has a number, so the timer of an earlier (dismissed) verdict never
    // clears a later one.
    let verdict_no = StoredValue::new(0u64);
    // The temperature typed for the person now at the gate; used by the next verdict only.
    let temperature_text = RwSignal::new(String::new());
    let show = move |text: &str| {
        let typed = temperature_text.get_untracked();
        let temperature = if typed.trim().is_empty() {
            None
        } else {
            match Temperature::parse(&typed) {
                Ok(t) => Some(t),
                Err(e) => {
                    // No verdict on a misread temperature: the guard corrects it first.
                    problem.set(Some(format!("Temperature {}: {e}.", typed.trim())));
                    return;
                }
            }
        };
        let result = trust.with_untracked(|t| {
            revocation.with_untracked(|r| evaluate(text, t, r, temperature, clock::now_secs()))
        });
        // A verified code closes this person's check; after a failed scan the same person
        // usually tries again, so the temperature stays.
        if result.class == "ok" {
            temperature_text.set(String::new());
        }
        verdict_no.update_value(|n| *n += 1);
        let this = verdict_no.get_value();
        shown.set(Some(result));
        let _ = set_timeout_with_handle(
            move || {
                if verdict_no.get_value() == this {
                    shown.set(None);
                }
            },
            Duration::from_millis(VERDICT_MS),
        );
    };

    let import_file = move |ev: leptos::ev::Event| {
        read_chosen_file(ev, problem, move |text| {
            import_trust_text(&text, roots, trust, problem)
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
                    let saved = demo.with_value(|d| store::save_roots(&all, d));
                    problem.set(saved.err());
                    roots.set(all);
                }
                Err(e) => problem.set(Some(format!("Not a root public key: {e}."))),
            },
        );
    };

    let import_revocation = move |ev: leptos::ev::Event| {
        read_chosen_file(ev, problem, move |text| {
            let mut set = revocation.get_untracked();
            let mut texts = revocation_texts.get_value();
            let result =
                trust.with_untracked(|t| store::import_revocation(&text, t, &mut set, &mut texts));
            match result {
                Ok(()) => {
                    problem.set(None);
                    revocation.set(set);
                    revocation_texts.set_value(texts);
                }
                // Applied in memory but not saved: still use it, and say so.
                Err(e) if set.sequence != revocation.get_untracked().sequence => {
                    problem.set(Some(e));
                    revocation.set(set);
                    revocation_texts.set_value(texts);
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    };

    let manual = RwSignal::new(String::new());

    view! {
        <main class="checkpoint">
            // Decoded in the scanner's worker; no frame is decoded while a verdict shows.
            <Scanner on_text=Callback::new(move |text: String| show(&text))
                paused=Signal::derive(move || shown.get().is_some())/>
            {move || problem.get().map(|p| view! { <p class="problem" role="alert">{p}</p> })}
            <section class="trust">
                <h2>"Trusted issuers"</h2>
                <ul data-testid="trust-status">
                    {move || trust.get().lists.into_iter().flat_map(|l| {
                        let signed = format!("{} {}", clock::local_date(l.signed_at), clock::local_time(l.signed_at));
                        l.issuers.into_iter().map(move |i| view! {
                            <li>{i.name}" · key "<code>{i.key_id.to_string()}</code>" · list signed "{signed.clone()}</li>
                        })
                    }).collect::<Vec<_>>()}
                </ul>
                <p class="roots" data-testid="root-status">"Pinned root keys: "
                    {move || roots.get().iter().map(|k| KeyId::of(k).to_string()).collect::<Vec<_>>().join(", ")}
                </p>
                <label class="file">"Pin root public key file "
                    <input type="file" data-testid="root-file" accept=".pub,.txt,text/plain" on:change=import_root/>
                </label>
                <label class="file">"Import trust list file "
                    <input type="file" data-testid="trust-file" accept=".hct,.txt,text/plain" on:change=import_file/>
                </label>
                <p data-testid="revocation-status">{move || revocation.with(|r| if r.sequence == 0 {
                    "No revocation list loaded.".to_owned()
                } else {
                    format!("Revocation list {}: {} revoked ids, signed {} {}.", r.sequence, r.len(),
                        clock::local_date(r.signed_at), clock::local_time(r.signed_at))
                })}</p>
                <label class="file">"Import revocation list file "
                    <input type="file" data-testid="revocation-file" accept=".hcl,.txt,text/plain" on:change=import_revocation/>
                </label>
            </section>
            <section class="temperature">
                <label>"Temperature °C (person at the gate) "
                    <input type="text" inputmode="decimal" data-testid="temperature" placeholder="36.5"
                        autocomplete="off" maxlength="4"
                        prop:value=move || temperature_text.get()
                        on:input=move |ev| temperature_text.set(event_target_value(&ev))/>
                </label>
                <p class="hint">"37.3 °C or more: fever clinic. Cleared after each verified code."</p>
            </section>
            <section class="manual">
                <h2>"Check code text"</h2>
                <textarea aria-label="Code text" prop:value=move || manual.get()
                    on:input=move |ev| manual.set(event_target_value(&ev))></textarea>
                <button on:click=move |_| {
                    let text = manual.get_untracked();
                    let text = text.trim();
                    if text.starts_with("HCT") {
                        import_trust_text(text, roots, trust, problem);
                    } else if !text.is_empty() {
                        show(text);
                    }
                }>"Check"</button>
            </section>
            {move || shown.get().map(|s| view! { <VerdictView shown=s on_dismiss=move || shown.set(None)/> })}
        </main>
    }
}

/// Reads the file chosen in the `<input type="file">` of `ev` as text (`Blob.text()`, MDN)
/// and hands it to `then`; a read failure is shown as a problem.
fn read_chosen_file(
    ev: leptos::ev::Event,
    problem: RwSignal<Option<String>>,
    then: impl FnOnce(String) + 'static,
) {
    let Some(file) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    leptos::task::spawn_local(async move {
        match JsFuture::from(file.text()).await.map(|v| v.as_string()) {
            Ok(Some(text)) => then(text),
            _ => problem.set(Some("Could not read that file.".into())),
        }
    });
}

fn import_trust_text(
    text: &str,
    roots: RwSignal<Vec<VerifyingKey>>,
    trust: RwSignal<TrustStore>,
    problem: RwSignal<Option<String>>,
) {
    let pinned = roots.get_untracked();
    let list = match TrustList::from_text(text, &pinned) {
        Ok(list) => list,
        Err(e) => {
            problem.set(Some(format!("Trust list refused: {e} ({}).", e.code())));
            return;
        }
    };
    let root = list.root;
    let mut store = trust.get_untracked();
    if let Err(e) = store.import(list) {
        problem.set(Some(format!("Trust list refused: {e} ({}).", e.code())));
        return;
    }
    problem.set(store::save_trust_text(text, root).err());
    trust.set(store);
}

/// The full-screen verdict. Tap anywhere to scan the next code.
#[component]
fn VerdictView(shown: Shown, on_dismiss: impl Fn() + 'static) -> impl IntoView {
    let colour = shown.claims.as_ref().map(|c| c.colour);
    // The screen follows the decision, not the colour alone: a green code with a fever is a
    // denial, a green paper code a referral.
    let tone = match (shown.class, shown.decision) {
        ("ok", Decision::Admit) => "admit",
        ("ok", Decision::Refer) => "refer",
        ("ok", Decision::Deny) if shown.code == "C|YEL" => "deny-yellow",
        ("ok", Decision::Deny) => "deny-red",
        ("invalid", _) => "invalid",
        _ => "cannot-check",
    };
    let icon = match tone {
        "admit" => "✓",
        "cannot-check" | "refer" => "?",
        "deny-yellow" => "!",
        _ => "✕",
    };
    let colour_words = match colour {
        Some(Colour::Green) => "Green code",
        Some(Colour::Yellow) => "Yellow code",
        Some(Colour::Red) => "Red code",
        None => "",
    };
    view! {
        <div
            class=format!("verdict {tone}")
            role="alert"
            data-testid="verdict"
            data-decision=shown.decision.as_str()
            data-class=shown.class
            data-code=shown.code
            data-colour=colour.map(|c| c.as_str()).unwrap_or("")
            on:click=move |_| on_dismiss()
        >
            <div class="verdict-icon" aria-hidden="true">{icon}</div>
            <div class="verdict-headline">{shown.headline}</div>
            {(!colour_words.is_empty()).then(|| view! { <div class="verdict-colour">{colour_words}</div> })}
            {shown.claims.as_ref().map(|c| view! {
                <div class="verdict-who">{c.masked_name.clone()}<span class="id">"ID ****"{c.id_last4.clone()}</span></div>
            })}
            {shown.temperature.map(|t| view! { <div class="verdict-temperature">{t.to_string()}</div> })}
            <div class="verdict-instruction">{shown.instruction.clone()}</div>
            <div class="verdict-meta">{format!("{} · {}", shown.code, clock::local_time(shown.at))}</div>
            <div class="verdict-next">"Tap to scan the next code"</div>
        </div>
    }
}
