//! The resident page: the people on this phone (up to 10), each person's live code as a large
//! QR on the colour of the code (re-signed by the holder's key every 30 seconds), and the
//! way to get a code: name and declaration, a holder-request QR for the issuer desk, then
//! the issuer's credential by camera, import link, pasted text or file.

use super::scanner::Scanner;
use super::store::{self, LoadedWallet};
use super::{clock, i18n, wakelock};
use crate::demo::DemoWorld;
use crate::presentation::REFRESH_SECS;
use crate::tr;
use crate::wallet::{Accepted, WalletError, MAX_PEOPLE};
use crate::{render, Claims, Colour, Declaration, Presentation};
use ed25519_dalek::SigningKey;
use i18n::Lang;
use leptos::prelude::*;
use std::time::Duration;

/// Icon for a colour (status is never shown by colour alone).
fn icon(colour: Colour) -> &'static str {
    match colour {
        Colour::Green => "✓",
        Colour::Yellow => "!",
        Colour::Red => "✕",
    }
}

/// The colour's name.
fn colour_word(lang: Lang, colour: Colour) -> String {
    match colour {
        Colour::Green => tr!(lang, "colour.green"),
        Colour::Yellow => tr!(lang, "colour.yellow"),
        Colour::Red => tr!(lang, "colour.red"),
    }
}

/// The status in words, with days left for yellow and red.
fn status_words(lang: Lang, claims: &Claims, now: u64) -> String {
    let days = claims.quarantine_days_left(now);
    match (claims.colour, days) {
        (Colour::Green, _) => tr!(lang, "status.green"),
        (Colour::Yellow, 0) => tr!(lang, "status.yellow"),
        (Colour::Yellow, n) => tr!(lang, "status.yellow_days", days = n),
        (Colour::Red, 0) => tr!(lang, "status.red"),
        (Colour::Red, n) => tr!(lang, "status.red_days", days = n),
    }
}

/// What to do, and when the code can turn green.
fn guidance(lang: Lang, claims: &Claims, now: u64) -> String {
    let until = claims
        .quarantine_end
        .map(clock::local_date)
        .unwrap_or_default();
    let days = claims.quarantine_days_left(now);
    match claims.colour {
        Colour::Green => tr!(lang, "guide.green"),
        Colour::Yellow if days > 0 => tr!(lang, "guide.yellow", date = until, days = days),
        Colour::Red if days > 0 => tr!(lang, "guide.red", date = until, days = days),
        _ => tr!(lang, "guide.ended"),
    }
}

/// A wallet error in words, with what to do.
fn wallet_error_words(lang: Lang, e: &WalletError) -> String {
    let words = match e {
        WalletError::Full => tr!(lang, "wallet.full", max = MAX_PEOPLE),
        WalletError::Name => tr!(lang, "wallet.name"),
        WalletError::Foreign => tr!(lang, "wallet.foreign"),
        WalletError::WrongKind => tr!(lang, "wallet.wrong_kind"),
        WalletError::Damaged(_) => tr!(lang, "wallet.damaged"),
        WalletError::Paper => tr!(lang, "wallet.paper"),
        WalletError::OtherHolder => tr!(lang, "wallet.other_holder"),
        WalletError::Expired => tr!(lang, "wallet.expired"),
    };
    format!("{words} ({})", e.code())
}

/// A message under the people bar: good news or a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    Done(String),
    Problem(String),
}

/// What the main area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Person(usize),
    Adding,
}

/// The resident page. `import` holds the text of an import link opened with the app or
/// while it runs; the page takes it (and sets it back to `None`).
#[component]
pub fn ResidentPage(demo: Option<DemoWorld>, import: RwSignal<Option<String>>) -> impl IntoView {
    let lang = i18n::settings().lang;
    match store::load_wallet(demo.as_ref()) {
        Ok(loaded) => view! { <Wallet loaded=loaded import=import/> }.into_any(),
        Err(message) => view! {
            <main class="problem" role="alert">
                <h1>{move || tr!(lang.get(), "storage.unreadable_title")}</h1>
                <p>{message.clone()}</p>
                <p>{move || tr!(lang.get(), "storage.unreadable_what")}</p>
            </main>
        }
        .into_any(),
    }
}

#[component]
fn Wallet(loaded: LoadedWallet, import: RwSignal<Option<String>>) -> impl IntoView {
    let lang = i18n::settings().lang;
    let wallet = RwSignal::new(loaded);
    let screen = RwSignal::new(Screen::Person(0));
    let notice = RwSignal::new(None::<Notice>);

    // Saves after every change; a refused write is shown with what to do.
    let save = move || {
        if let Err(e) = wallet.with_untracked(store::save_wallet) {
            notice.set(Some(Notice::Problem(tr!(
                lang.get_untracked(),
                "storage.save_failed",
                detail = e
            ))));
            false
        } else {
            true
        }
    };

    // The first run's demo people (or a new demo world) are kept from the start.
    save();

    // Takes a credential or pass (QR text or import link) for whichever person it names.
    let receive = Callback::new(move |text: String| {
        let now = clock::now_secs();
        let mut result = Err(WalletError::Foreign);
        wallet.update(|w| result = w.wallet.accept(&text, now));
        let l = lang.get_untracked();
        match result {
            Ok(accepted) => {
                let i = match &accepted {
                    Accepted::Credential(i) | Accepted::Pass(i, _) => *i,
                };
                if save() {
                    let name =
                        wallet.with_untracked(|w| w.wallet.people[i].display_name().to_owned());
                    let words = match accepted {
                        Accepted::Credential(_) => tr!(l, "wallet.received", name = name),
                        Accepted::Pass(_, place) => {
                            tr!(l, "wallet.pass_received", name = name, place = place)
                        }
                    };
                    notice.set(Some(Notice::Done(words)));
                }
                screen.set(Screen::Person(i));
            }
            Err(e) => notice.set(Some(Notice::Problem(wallet_error_words(l, &e)))),
        }
    });
    Effect::new(move |_| {
        if import.with(Option::is_some) {
            if let Some(text) = import.try_update(Option::take).flatten() {
                receive.run(text);
            }
        }
    });

    let people = move || {
        let l = lang.get();
        wallet.with(|w| {
            w.wallet
                .people
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (class, mark, state) = match &p.credential {
                        Some(c) => (
                            c.claims.colour.as_str(),
                            icon(c.claims.colour),
                            colour_word(l, c.claims.colour),
                        ),
                        None => ("pending", "…", tr!(l, "person.pending")),
                    };
                    let name = p.display_name().to_owned();
                    let label = format!("{name}: {state}");
                    view! {
                        <button
                            class=format!("person {class}")
                            aria-pressed=move || (screen.get() == Screen::Person(i)).to_string()
                            aria-label=label
                            data-testid="person"
                            on:click=move |_| { notice.set(None); screen.set(Screen::Person(i)) }
                        >
                            <span class="dot" aria-hidden="true">{mark}</span>
                            {name}
                        </button>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let full = move || wallet.with(|w| w.wallet.people.len() >= MAX_PEOPLE);

    view! {
        <main class="resident">
            <div class="people" role="group" aria-label=move || tr!(lang.get(), "person.group")>
                {people}
                <button
                    class="person add"
                    data-testid="add-person"
                    aria-pressed=move || (screen.get() == Screen::Adding).to_string()
                    disabled=full
                    on:click=move |_| { notice.set(None); screen.set(Screen::Adding) }
                >
                    <span class="dot" aria-hidden="true">"+"</span>
                    {move || tr!(lang.get(), "person.add")}
                </button>
            </div>
            {move || notice.get().map(|n| match n {
                Notice::Done(t) => view! { <p class="notice done" role="status" data-testid="notice">{t}</p> }.into_any(),
                Notice::Problem(t) => view! { <p class="notice problem" role="alert" data-testid="notice">{t}</p> }.into_any(),
            })}
            {move || match screen.get() {
                Screen::Adding => view! {
                    <AddPerson on_added=Callback::new(move |(seed, name, declaration): ([u8; 32], String, Declaration)| {
                        let mut result = Ok(0);
                        wallet.update(|w| {
                            result = w.wallet.add(seed, &name, declaration, clock::now_secs());
                            if result.is_ok() {
                                w.demo.push(false);
                            }
                        });
                        match result {
                            Ok(i) => {
                                save();
                                screen.set(Screen::Person(i));
                            }
                            Err(e) => notice.set(Some(Notice::Problem(wallet_error_words(lang.get_untracked(), &e)))),
                        }
                    })/>
                }.into_any(),
                Screen::Person(i) => {
                    let person = wallet.with(|w| w.wallet.people.get(i).cloned());
                    match person {
                        Some(p) if p.credential.is_some() => view! { <CodeCard person=p/> }.into_any(),
                        Some(p) => view! { <Pending person=p receive=receive/> }.into_any(),
                        None => view! { <p class="hint">{move || tr!(lang.get(), "person.none")}</p> }.into_any(),
                    }
                }
            }}
        </main>
    }
}

/// The form: name and the four declaration questions.
#[component]
fn AddPerson(on_added: Callback<([u8; 32], String, Declaration)>) -> impl IntoView {
    let lang = i18n::settings().lang;
    let name = RwSignal::new(String::new());
    let answers = [
        RwSignal::new(false),
        RwSignal::new(false),
        RwSignal::new(false),
        RwSignal::new(false),
    ];
    let problem = RwSignal::new(None::<String>);
    let keys = [
        "declare.fever",
        "declare.contact",
        "declare.travel",
        "declare.quarantine",
    ];
    let questions = keys
        .iter()
        .zip(answers)
        .enumerate()
        .map(|(i, (key, answer))| {
            let key = *key;
            view! {
                <fieldset class="question">
                    <legend>{move || declaration_question(lang.get(), key)}</legend>
                    <label><input type="radio" name=format!("q{i}") data-testid=format!("q{i}-no")
                        prop:checked=move || !answer.get() on:change=move |_| answer.set(false)/>
                        {move || tr!(lang.get(), "declare.no")}</label>
                    <label><input type="radio" name=format!("q{i}") data-testid=format!("q{i}-yes")
                        prop:checked=move || answer.get() on:change=move |_| answer.set(true)/>
                        {move || tr!(lang.get(), "declare.yes")}</label>
                </fieldset>
            }
        })
        .collect::<Vec<_>>();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut seed = [0u8; 32];
        if getrandom::fill(&mut seed).is_err() {
            problem.set(Some(tr!(lang.get_untracked(), "wallet.no_random")));
            return;
        }
        let declaration = Declaration {
            fever_or_symptoms: answers[0].get_untracked(),
            contact_with_case: answers[1].get_untracked(),
            high_risk_travel: answers[2].get_untracked(),
            under_quarantine: answers[3].get_untracked(),
        };
        on_added.run((seed, name.get_untracked(), declaration));
    };
    view! {
        <form class="add-person" on:submit=submit data-testid="add-form">
            <h1>{move || tr!(lang.get(), "add.title")}</h1>
            <p>{move || tr!(lang.get(), "add.intro")}</p>
            <label class="name">{move || tr!(lang.get(), "add.name")}
                <input type="text" required=true maxlength="20" autocomplete="name" data-testid="name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            {questions}
            {move || problem.get().map(|p| view! { <p class="notice problem" role="alert">{p}</p> })}
            <button type="submit" class="primary" data-testid="make-request">{move || tr!(lang.get(), "add.submit")}</button>
        </form>
    }
}

fn declaration_question(lang: Lang, key: &str) -> String {
    match key {
        "declare.fever" => tr!(lang, "declare.fever"),
        "declare.contact" => tr!(lang, "declare.contact"),
        "declare.travel" => tr!(lang, "declare.travel"),
        _ => tr!(lang, "declare.quarantine"),
    }
}

/// A person waiting for their code: the request QR for the issuer desk, then the ways to
/// receive the credential.
#[component]
fn Pending(person: crate::wallet::Person, receive: Callback<String>) -> impl IntoView {
    let lang = i18n::settings().lang;
    let request = person.request().map(|r| r.to_qr_text());
    let scanning = RwSignal::new(false);
    let pasted = RwSignal::new(String::new());
    let name = person.name.clone();
    let on_file = move |ev: leptos::ev::Event| {
        // An unreadable file is refused like any text that is not a code.
        super::file_input::read_first_file(&ev, move |text| receive.run(text.unwrap_or_default()));
    };
    view! {
        <section class="pending" data-testid="pending">
            <h1>{move || tr!(lang.get(), "pending.title", name = name.clone())}</h1>
            <p>{move || tr!(lang.get(), "pending.step1")}</p>
            {match request {
                Ok(text) => {
                    let svg = render::svg(&text, "#000", "#fff").unwrap_or_default();
                    view! {
                        <div class="qr request" role="img" aria-label=move || tr!(lang.get(), "pending.request_label") inner_html=svg></div>
                        <details>
                            <summary>{move || tr!(lang.get(), "pending.show_text")}</summary>
                            <textarea readonly=true class="request-text" data-testid="request-text" prop:value=text.clone()></textarea>
                        </details>
                    }.into_any()
                }
                Err(e) => view! { <p class="notice problem" role="alert">{e.to_string()}</p> }.into_any(),
            }}
            <p>{move || tr!(lang.get(), "pending.step2")}</p>
            <div class="receive">
                <button class="primary" data-testid="scan-credential" on:click=move |_| scanning.update(|s| *s = !*s)>
                    {move || if scanning.get() { tr!(lang.get(), "pending.stop_scan") } else { tr!(lang.get(), "pending.scan") }}
                </button>
                {move || scanning.get().then(|| view! { <Scanner on_text=receive/> })}
                <label class="paste">{move || tr!(lang.get(), "pending.paste")}
                    <textarea data-testid="paste-credential" prop:value=move || pasted.get()
                        on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                </label>
                <button data-testid="paste-submit" on:click=move |_| receive.run(pasted.get_untracked())>
                    {move || tr!(lang.get(), "pending.add_pasted")}
                </button>
                <label class="file">{move || tr!(lang.get(), "pending.file")}
                    <input type="file" accept=".txt,text/plain" data-testid="credential-file" on:change=on_file/>
                </label>
            </div>
        </section>
    }
}

/// The live code of one person: re-signed every 30 seconds, with a countdown ring.
#[component]
fn CodeCard(person: crate::wallet::Person) -> impl IntoView {
    let lang = i18n::settings().lang;
    let now = RwSignal::new(clock::now_secs());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(clock::now_secs()),
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let awake = wakelock::keep_awake();
    let Some(credential) = person.credential.clone() else {
        return ().into_any();
    };
    let claims = credential.claims.clone();
    let holder = SigningKey::from_bytes(&person.holder_seed);
    let passes = StoredValue::new(person.passes.clone());
    // The pass shown with the code ("one code, one certificate"): an index into `passes`.
    let with_pass = RwSignal::new(None::<usize>);

    // Re-sign when the 30-second slot changes or another pass is chosen; the QR's DOM
    // changes only then. The slot is read with `get`, not `track`: a memo that has never run
    // has not subscribed to `now`, so tracking it alone never saw a new slot (the code kept
    // its first signature, refused as `H|OLD` a minute later).
    let slot = Memo::new(move |_| now.get() / REFRESH_SECS);
    let code = Memo::new(move |_| {
        let _slot = slot.get();
        let pass = with_pass
            .get()
            .and_then(|i| passes.with_value(|p| p.get(i).cloned()));
        let signed_at = now.get_untracked();
        let place = pass
            .as_ref()
            .map(|p| p.claims.place.clone())
            .unwrap_or_default();
        let p = Presentation::sign(credential.clone(), pass, &holder, signed_at);
        let svg = render::svg(&p.to_qr_text(), "#000", "#fff").map_err(|e| e.to_string());
        (signed_at, svg, place)
    });
    let expired = move || now.get() >= claims.expires;
    let c1 = claims.clone();
    let c2 = claims.clone();
    let c3 = claims.clone();
    let colour = claims.colour;
    let valid_until = clock::local_date(claims.expires);
    let name = claims.masked_name.clone();
    let last4 = claims.id_last4.clone();

    view! {
        <section class=format!("code-card {}", colour.as_str()) data-testid="code-card" data-colour=colour.as_str()>
            <h1 class="status"><span class="icon" aria-hidden="true">{icon(colour)}</span>" "
                <span data-testid="status">{move || status_words(lang.get(), &c1, now.get())}</span></h1>
            {move || if expired() {
                view! { <p class="notice problem" role="alert">{tr!(lang.get(), "code.expired")}</p> }.into_any()
            } else {
                let (signed_at, svg, place) = code.get();
                let label = tr!(lang.get(), "code.qr_label", status = status_words(lang.get(), &c2, signed_at), name = c2.masked_name.clone());
                match svg {
                    Ok(svg) => view! { <div class="qr" role="img" aria-label=label data-signed-at=signed_at.to_string() data-pass=place inner_html=svg></div> }.into_any(),
                    Err(e) => view! { <p class="notice problem" role="alert">{e}</p> }.into_any(),
                }
            }}
            <p class="who">{name}" · ID ****"{last4}</p>
            <p class="clock" aria-live="off">
                <time class="time">{move || clock::local_time(now.get())}</time>" "
                <span class="date">{move || clock::local_date(now.get())}</span>
            </p>
            <div class="refresh">
                {move || {
                    let signed_at = code.with(|c| c.0);
                    let left = REFRESH_SECS - now.get().saturating_sub(signed_at).min(REFRESH_SECS);
                    // The ring: the arc left until the next re-signing, in tenths of a
                    // percent (integer maths: no float formatting code in the bundle).
                    let tenths = left * 1000 / REFRESH_SECS;
                    let dash = format!("{}.{} 100", tenths / 10, tenths % 10);
                    view! {
                        <svg class="ring" viewBox="0 0 36 36" aria-hidden="true">
                            <circle class="track" cx="18" cy="18" r="15.9155" pathLength="100"/>
                            <circle class="arc" cx="18" cy="18" r="15.9155" pathLength="100" stroke-dasharray=dash/>
                        </svg>
                        <span>{tr!(lang.get(), "code.refresh", seconds = left, date = valid_until.clone())}</span>
                    }
                }}
            </div>
        </section>
        {move || (!passes.with_value(Vec::is_empty)).then(|| {
            let choices = passes.with_value(|ps| ps.iter().enumerate().map(|(i, p)| {
                let place = p.claims.place.clone();
                view! {
                    <button class="pass-choice" data-testid="pass-choice" aria-pressed=move || (with_pass.get() == Some(i)).to_string()
                        on:click=move |_| with_pass.set(Some(i))>
                        {move || tr!(lang.get(), "code.with_pass", place = place.clone())}
                    </button>
                }
            }).collect::<Vec<_>>());
            view! {
                <div class="passes" role="group" aria-label=move || tr!(lang.get(), "code.passes")>
                    <button class="pass-choice" data-testid="pass-none" aria-pressed=move || with_pass.get().is_none().to_string()
                        on:click=move |_| with_pass.set(None)>{move || tr!(lang.get(), "code.code_only")}</button>
                    {choices}
                </div>
            }
        })}
        <p class="guidance" data-testid="guidance">{move || guidance(lang.get(), &c3, now.get())}</p>
        <p class="hint" data-testid="awake" data-awake=move || awake.get().name()>{move || match awake.get() {
            wakelock::Awake::Held => tr!(lang.get(), "code.awake"),
            wakelock::Awake::NeedsTap => tr!(lang.get(), "code.tap_awake"),
            wakelock::Awake::Asking | wakelock::Awake::Unavailable => tr!(lang.get(), "code.brightness"),
        }}</p>
    }
    .into_any()
}
