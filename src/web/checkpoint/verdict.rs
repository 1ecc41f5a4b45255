//! One scan's verdict: verification, policy and replay flags turned into what staff see
//! (headline, reason, who, time) and what the log records; the full-screen view, its sound
//! (Web Audio oscillator, MDN "OscillatorNode") and vibration (`navigator.vibrate`, MDN).

use super::super::{clock, i18n::Lang};
use crate::codec::CodecError;
use crate::log::Scan;
use crate::replay::ReplayFlag;
use crate::settings::CheckpointSettings;
use crate::{
    decide, tr, verify_in, Claims, Colour, Context, Decision, ErrorClass, RevocationSet,
    Temperature, TrustStore, VerifyError,
};
use leptos::prelude::*;

/// The result of one scan, as staff see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// `ok`, `invalid` or `cannot-check`.
    pub class: &'static str,
    /// Admit, deny or refer (check manually).
    pub decision: Decision,
    /// The deciding reason's stable code (`C|GRN`, `S|KID`, …).
    pub code: &'static str,
    /// The verify error, for the words; `None` when the code verified.
    pub error: Option<VerifyError>,
    /// The policy's reason codes that decided (for the words).
    pub deciding: Vec<&'static str>,
    /// The verified claims.
    pub claims: Option<Claims>,
    /// The temperature taken for this person, if any.
    pub temperature: Option<Temperature>,
    /// Replay flags raised by this scan.
    pub flags: Vec<ReplayFlag>,
    /// When, Unix seconds.
    pub at: u64,
    /// The registration-log entry's sequence number once it is stored.
    pub log_seq: Option<u64>,
    /// Why the scan could not be registered (storage error), in the page's words.
    pub log_error: Option<String>,
    /// Milliseconds from the camera frame (or the typed text) to the verdict being set,
    /// including verification and the committed log write.
    pub took_ms: Option<f64>,
}

/// Verifies `text` under `settings` at `now` and decides; returns what to show and what to
/// log (the log's reasons do not yet hold replay flags).
pub fn evaluate(
    text: &str,
    settings: &CheckpointSettings,
    trust: &TrustStore,
    revocation: &RevocationSet,
    temperature: Option<Temperature>,
    now: u64,
) -> (Shown, Scan) {
    let options = settings.verify_options();
    let ctx = Context {
        trust,
        revocation: (revocation.sequence != 0).then_some(revocation),
        options: &options,
        now,
    };
    let place = settings.place_id.as_str();
    match verify_in(text, &ctx) {
        Ok(verified) => {
            let verdict = decide(&verified, temperature, &settings.policy());
            let scan = Scan::verified(place, &verified, temperature, &verdict);
            let shown = Shown {
                class: "ok",
                decision: verdict.decision,
                code: verdict.code(),
                error: None,
                // What decided, not what was overruled ("green" under a fever).
                deciding: verdict
                    .reasons
                    .iter()
                    .filter(|r| r.decision == verdict.decision)
                    .map(|r| r.code)
                    .collect(),
                claims: Some(verified.claims),
                temperature,
                flags: Vec::new(),
                at: now,
                log_seq: None,
                log_error: None,
                took_ms: None,
            };
            (shown, scan)
        }
        Err(err) => {
            let scan = Scan::failed(place, &err, temperature);
            let (class, decision) = match err.class() {
                ErrorClass::Invalid => ("invalid", Decision::Deny),
                ErrorClass::CannotCheck => ("cannot-check", Decision::Refer),
            };
            let shown = Shown {
                class,
                decision,
                code: err.code(),
                error: Some(err),
                deciding: Vec::new(),
                claims: None,
                temperature,
                flags: Vec::new(),
                at: now,
                log_seq: None,
                log_error: None,
                took_ms: None,
            };
            (shown, scan)
        }
    }
}

/// Big words for a failed verification.
fn error_headline(err: &VerifyError, lang: Lang) -> String {
    match err {
        VerifyError::Decode(CodecError::NotHealthCode) => tr!(lang, "cp.v.not_health_code"),
        VerifyError::Decode(CodecError::WrongKind) | VerifyError::NotLive => {
            tr!(lang, "cp.v.not_live")
        }
        VerifyError::Revoked => tr!(lang, "cp.v.revoked"),
        VerifyError::Expired => tr!(lang, "cp.v.expired"),
        VerifyError::Stale => tr!(lang, "cp.v.old"),
        VerifyError::FromFuture => tr!(lang, "cp.v.clock"),
        VerifyError::PassMissing => tr!(lang, "cp.v.no_pass"),
        VerifyError::PassPlace
        | VerifyError::PassIssuer
        | VerifyError::PassSignature
        | VerifyError::PassHolder
        | VerifyError::PassExpired
        | VerifyError::PassRevoked => tr!(lang, "cp.v.invalid_pass"),
        e if e.class() == ErrorClass::CannotCheck => tr!(lang, "cp.v.cannot_check"),
        _ => tr!(lang, "cp.v.invalid"),
    }
}

/// The reason in words and what to do, for a failed verification.
fn error_reason(err: &VerifyError, lang: Lang) -> String {
    use CodecError as C;
    match err {
        VerifyError::Decode(C::NotHealthCode) => tr!(lang, "cp.e.not_health_code"),
        VerifyError::Decode(C::WrongKind) => tr!(lang, "cp.e.wrong_kind"),
        VerifyError::Decode(C::UnsupportedVersion(_)) => tr!(lang, "cp.e.version"),
        VerifyError::Decode(_) | VerifyError::InvalidField => tr!(lang, "cp.e.damaged"),
        VerifyError::NotLive => tr!(lang, "cp.e.not_live"),
        VerifyError::ClockBehind => tr!(lang, "cp.e.clock_behind"),
        VerifyError::TrustListTooOld => tr!(lang, "cp.e.trust_old"),
        VerifyError::RevocationListTooOld => tr!(lang, "cp.e.revocation_old"),
        VerifyError::UnknownIssuer => tr!(lang, "cp.e.unknown_issuer"),
        VerifyError::IssuerRole | VerifyError::KeyNotValid | VerifyError::IssuerSignature => {
            tr!(lang, "cp.e.signature")
        }
        VerifyError::Revoked => tr!(lang, "cp.e.revoked"),
        VerifyError::NotYetValid => tr!(lang, "cp.e.not_yet_valid"),
        VerifyError::Expired => tr!(lang, "cp.e.expired"),
        VerifyError::HolderSignature => tr!(lang, "cp.e.holder"),
        VerifyError::Stale => tr!(lang, "cp.e.stale"),
        VerifyError::FromFuture => tr!(lang, "cp.e.future"),
        VerifyError::PassMissing => tr!(lang, "cp.e.pass_missing"),
        VerifyError::PassPlace
        | VerifyError::PassIssuer
        | VerifyError::PassSignature
        | VerifyError::PassHolder
        | VerifyError::PassExpired
        | VerifyError::PassRevoked => tr!(lang, "cp.e.pass_invalid"),
    }
}

/// The words of a reason code kept in the log: a policy reason, a replay flag, or the code
/// of a failed verification (by its stage).
pub fn reason_words(code: &str, lang: Lang) -> String {
    match code {
        "C|GRN" => tr!(lang, "cp.r.green"),
        "C|YEL" => tr!(lang, "cp.r.yellow"),
        "C|RED" => tr!(lang, "cp.r.red"),
        "P|PAP" => tr!(lang, "cp.r.paper"),
        "P|NOP" => tr!(lang, "cp.r.no_paper"),
        "T|FEV" => tr!(lang, "cp.r.fever"),
        "T|REQ" => tr!(lang, "cp.r.temperature_required"),
        "Q|RPL" => tr!(lang, "cp.code.rescanned"),
        "Q|TWO" => tr!(lang, "cp.code.twice"),
        "P|PFX" => tr!(lang, "cp.e.not_health_code"),
        "P|RAW" => tr!(lang, "cp.e.not_live"),
        "S|KID" => tr!(lang, "cp.e.unknown_issuer"),
        "S|SIG" | "S|ROL" | "S|KVA" => tr!(lang, "cp.e.signature"),
        "R|REV" => tr!(lang, "cp.e.revoked"),
        "V|EXP" => tr!(lang, "cp.e.expired"),
        "V|NBF" => tr!(lang, "cp.e.not_yet_valid"),
        "H|SIG" => tr!(lang, "cp.e.holder"),
        "H|OLD" => tr!(lang, "cp.e.stale"),
        "H|FUT" => tr!(lang, "cp.e.future"),
        "A|MIS" => tr!(lang, "cp.e.pass_missing"),
        "K|CLK" => tr!(lang, "cp.e.clock_behind"),
        "K|OLD" => tr!(lang, "cp.e.trust_old"),
        "K|REV" => tr!(lang, "cp.e.revocation_old"),
        c if c.starts_with("A|") => tr!(lang, "cp.e.pass_invalid"),
        c if c.starts_with("D|") || c.starts_with("P|") => tr!(lang, "cp.e.damaged"),
        other => other.to_owned(),
    }
}

/// A replay flag in words ("scanned 12 s ago").
pub fn flag_words(flag: &ReplayFlag, lang: Lang) -> String {
    match flag {
        ReplayFlag::Rescanned { secs_ago } => tr!(lang, "cp.flag.rescanned", secs = secs_ago),
        ReplayFlag::AdmittedTwice { secs_ago } => {
            tr!(lang, "cp.flag.twice", secs = secs_ago)
        }
    }
}

/// A colour's name.
pub fn colour_words(colour: Colour, lang: Lang) -> String {
    match colour {
        Colour::Green => tr!(lang, "cp.colour.green"),
        Colour::Yellow => tr!(lang, "cp.colour.yellow"),
        Colour::Red => tr!(lang, "cp.colour.red"),
    }
}

impl Shown {
    /// The screen's tone (a CSS class): it follows the decision, not the colour alone (a
    /// green code with a fever is a denial, a green paper code a referral).
    pub fn tone(&self) -> &'static str {
        match (self.class, self.decision) {
            ("ok", Decision::Admit) => "admit",
            ("ok", Decision::Refer) => "refer",
            ("ok", Decision::Deny) if self.code == "C|YEL" => "deny-yellow",
            ("ok", Decision::Deny) => "deny-red",
            ("invalid", _) => "invalid",
            _ => "cannot-check",
        }
    }

    /// The big words.
    pub fn headline(&self, lang: Lang) -> String {
        if let Some(err) = &self.error {
            return error_headline(err, lang);
        }
        match self.decision {
            Decision::Admit => tr!(lang, "cp.v.admit"),
            Decision::Deny if self.deciding.contains(&"T|FEV") => tr!(lang, "cp.v.fever"),
            Decision::Deny => tr!(lang, "cp.v.deny"),
            Decision::Refer if self.claims.as_ref().is_some_and(Claims::is_paper) => {
                tr!(lang, "cp.v.check_id")
            }
            Decision::Refer => tr!(lang, "cp.v.check"),
        }
    }

    /// The reason in words, with what to do.
    pub fn reason(&self, lang: Lang) -> String {
        match &self.error {
            Some(err) => error_reason(err, lang),
            None => self
                .deciding
                .iter()
                .map(|c| reason_words(c, lang))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// Plays the verdict's sound and vibrates: one high rising tone for admit, three low buzzes
/// for deny, two middle tones for check manually.
///
/// Best effort, and never throws: both only after the user has interacted with the page
/// (`navigator.userActivation.hasBeenActive`, MDN "UserActivation"), since browsers block
/// (and log) audio and vibration before a gesture; vibration only where `navigator.vibrate`
/// exists (Firefox and every WebKit browser have none). A browser without either stays
/// silent; the screen is the verdict.
pub fn signal(decision: Decision) {
    let (tones, pattern): (&[(f32, f64, f64)], &[u32]) = match decision {
        // (frequency Hz, start s, length s)
        Decision::Admit => (&[(880.0, 0.0, 0.12), (1320.0, 0.12, 0.18)], &[80]),
        Decision::Deny => (
            &[(220.0, 0.0, 0.18), (220.0, 0.25, 0.18), (220.0, 0.5, 0.3)],
            &[200, 100, 200, 100, 400],
        ),
        Decision::Refer => (&[(520.0, 0.0, 0.15), (520.0, 0.25, 0.15)], &[150, 100, 150]),
    };
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    if !has_been_active(&navigator) {
        return;
    }
    let _ = play(tones, decision == Decision::Deny);
    vibrate(&navigator, pattern);
}

/// `navigator.userActivation.hasBeenActive`; false where the engine has no `userActivation`.
fn has_been_active(navigator: &web_sys::Navigator) -> bool {
    js_sys::Reflect::get(navigator, &"userActivation".into())
        .ok()
        .filter(|a| a.is_object())
        .and_then(|a| js_sys::Reflect::get(&a, &"hasBeenActive".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// `navigator.vibrate(pattern)` (MDN "Navigator.vibrate") where it exists; an exception is
/// caught, not thrown through the wasm.
fn vibrate(navigator: &web_sys::Navigator, pattern: &[u32]) {
    use wasm_bindgen::JsCast;
    let Some(f) = js_sys::Reflect::get(navigator, &"vibrate".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let array = js_sys::Array::new();
    for ms in pattern {
        array.push(&wasm_bindgen::JsValue::from(*ms));
    }
    let _ = f.call1(navigator, &array);
}

thread_local! {
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
}

fn play(tones: &[(f32, f64, f64)], harsh: bool) -> Result<(), wasm_bindgen::JsValue> {
    let ctx = AUDIO.with(
        |a| -> Result<web_sys::AudioContext, wasm_bindgen::JsValue> {
            let mut slot = a
                .try_borrow_mut()
                .map_err(|_| wasm_bindgen::JsValue::NULL)?;
            if let Some(ctx) = slot.as_ref() {
                return Ok(ctx.clone());
            }
            let ctx = web_sys::AudioContext::new()?;
            *slot = Some(ctx.clone());
            Ok(ctx)
        },
    )?;
    let _ = ctx.resume();
    let t0 = ctx.current_time();
    for &(freq, start, len) in tones {
        let osc = ctx.create_oscillator()?;
        osc.set_type(if harsh {
            web_sys::OscillatorType::Square
        } else {
            web_sys::OscillatorType::Sine
        });
        osc.frequency().set_value(freq);
        let gain = ctx.create_gain()?;
        gain.gain().set_value(0.25);
        osc.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&ctx.destination())?;
        osc.start_with_when(t0 + start)?;
        osc.stop_with_when(t0 + start + len)?;
    }
    Ok(())
}

/// The full-screen verdict. Tap anywhere to scan the next code.
#[component]
pub fn VerdictView(shown: Shown, on_dismiss: impl Fn() + 'static) -> impl IntoView {
    let lang = super::super::i18n::settings().lang;
    let colour = shown.claims.as_ref().map(|c| c.colour);
    let tone = shown.tone();
    let icon = match tone {
        "admit" => "✓",
        "cannot-check" | "refer" => "?",
        "deny-yellow" => "!",
        _ => "✕",
    };
    let s = StoredValue::new(shown.clone());
    let flag_codes = shown
        .flags
        .iter()
        .map(|f| f.code())
        .collect::<Vec<_>>()
        .join(",");
    view! {
        <div
            class=format!("verdict {tone}")
            role="alert"
            data-testid="verdict"
            data-decision=shown.decision.as_str()
            data-class=shown.class
            data-code=shown.code
            data-colour=colour.map(|c| c.as_str()).unwrap_or("")
            data-log-seq=shown.log_seq.map(|n| n.to_string()).unwrap_or_default()
            data-flags=flag_codes
            data-took-ms=shown.took_ms.map(|t| format!("{t:.0}")).unwrap_or_default()
            on:click=move |_| on_dismiss()
        >
            <div class="verdict-icon" aria-hidden="true">{icon}</div>
            <div class="verdict-headline">{move || s.with_value(|s| s.headline(lang.get()))}</div>
            {colour.map(|c| view! { <div class="verdict-colour">{move || colour_words(c, lang.get())}</div> })}
            {shown.claims.as_ref().map(|c| {
                let last4 = c.id_last4.clone();
                view! {
                    <div class="verdict-who">{c.masked_name.clone()}
                        <span class="id">{move || tr!(lang.get(), "cp.v.id_last4", last4 = last4.clone())}</span>
                    </div>
                }
            })}
            {shown.temperature.map(|t| view! { <div class="verdict-temperature">{t.to_string()}</div> })}
            <div class="verdict-instruction" data-testid="verdict-reason">{move || s.with_value(|s| s.reason(lang.get()))}</div>
            {(!shown.flags.is_empty()).then(|| view! {
                <ul class="verdict-flags" data-testid="verdict-flags">
                    {s.with_value(|s| s.flags.clone()).into_iter().map(|f| view! {
                        <li>"⚠ "{move || flag_words(&f, lang.get())}" ("{f.code()}")"</li>
                    }).collect::<Vec<_>>()}
                </ul>
            })}
            {shown.log_error.clone().map(|e| view! { <div class="verdict-log-error" role="alert" data-testid="verdict-log-error">{e}</div> })}
            <div class="verdict-meta">{
                let code = shown.code;
                let at = shown.at;
                let seq = shown.log_seq;
                move || match seq {
                    Some(n) => tr!(lang.get(), "cp.v.meta_logged", code = code, time = clock::local_time(at), seq = n),
                    None => format!("{code} · {}", clock::local_time(at)),
                }
            }</div>
            <div class="verdict-next">{move || tr!(lang.get(), "cp.v.next")}</div>
        </div>
    }
}
