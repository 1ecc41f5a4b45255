//! The issuer desk (`#desk`): an officer scans a resident's holder-request QR, checks the
//! declaration against the rules' suggestion, confirms or overrides the colour (with a
//! reason), issues, and shows the credential QR for the resident's phone to scan. Paper codes
//! for people without a phone; a searchable registry with re-issue and revoke; a signed
//! revocation list to publish.
//!
//! The desk's issuing key lives in this browser's storage (the demo issuer's key until the
//! officer makes a new one), with a warning of what that means; its public half can be
//! exported for the root's trust list.

use super::scanner::Scanner;
use super::store;
use super::{clock, i18n};
use crate::credential::{mask_name, Holder};
use crate::declaration::{self, Ground};
use crate::demo::DemoWorld;
use crate::keys::{to_hex, CredentialId, KeyId};
use crate::registry::{Order, Registry, RegistryError};
use crate::wallet::{fragment_encode, import_link};
use crate::{render, tr, Colour, Declaration, HolderRequest};
use ed25519_dalek::SigningKey;
use i18n::Lang;
use leptos::prelude::*;

fn colour_word(lang: Lang, colour: Colour) -> String {
    match colour {
        Colour::Green => tr!(lang, "colour.green"),
        Colour::Yellow => tr!(lang, "colour.yellow"),
        Colour::Red => tr!(lang, "colour.red"),
    }
}

fn ground_words(lang: Lang, ground: Ground) -> String {
    match ground {
        Ground::FeverOrSymptoms => tr!(lang, "desk.ground.fever"),
        Ground::ContactWithCase => tr!(lang, "desk.ground.contact"),
        Ground::HighRiskTravel => tr!(lang, "desk.ground.travel"),
        Ground::UnderQuarantine => tr!(lang, "desk.ground.quarantine"),
        Ground::NothingDeclared => tr!(lang, "desk.ground.nothing"),
    }
}

fn registry_error(lang: Lang, e: &RegistryError) -> String {
    let words = match e {
        RegistryError::Claims(_) => tr!(lang, "desk.err.fields"),
        RegistryError::NoReason => tr!(lang, "desk.err.reason"),
        RegistryError::Unknown => tr!(lang, "desk.err.unknown"),
        RegistryError::AlreadyRevoked => tr!(lang, "desk.err.revoked"),
        RegistryError::HolderChange => tr!(lang, "desk.err.holder"),
    };
    format!("{words} ({})", e.code())
}

fn random_id() -> Result<CredentialId, String> {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).map_err(|e| e.to_string())?;
    Ok(CredentialId(id))
}

/// What the desk shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Issue,
    Paper,
    Registry,
    Publish,
    Index,
    Key,
}

/// The desk's state: its key and its registry, saved after every change.
#[derive(Clone, Copy)]
struct Desk {
    key: RwSignal<[u8; 32]>,
    demo_key: bool,
    registry: RwSignal<Registry>,
    problem: RwSignal<Option<String>>,
}

impl Desk {
    fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.key.get_untracked())
    }

    fn save(&self, lang: Lang) {
        let own = (!self.demo_key).then(|| self.key.get_untracked());
        let result = self
            .registry
            .with_untracked(|r| store::save_desk(own.as_ref(), r));
        self.problem.set(
            result
                .err()
                .map(|e| tr!(lang, "storage.save_failed", detail = e)),
        );
    }
}

/// What the officer filled in; [`Desk::issue`] turns it into a credential.
struct Filled {
    holder: Holder,
    masked_name: String,
    id_last4: String,
    colour: Colour,
    suggested: Colour,
    reason: String,
}

impl Desk {
    /// Issues what was filled in (an override needs a reason), saves the registry, and shows
    /// the credential in `issued` or the problem in `problem`.
    fn issue(
        &self,
        lang: Lang,
        filled: Filled,
        problem: RwSignal<Option<String>>,
        issued: RwSignal<Option<String>>,
    ) {
        let override_reason =
            (filled.colour != filled.suggested).then(|| filled.reason.trim().to_owned());
        if override_reason.as_deref() == Some("") {
            problem.set(Some(registry_error(lang, &RegistryError::NoReason)));
            return;
        }
        let id = match random_id() {
            Ok(id) => id,
            Err(e) => return problem.set(Some(e)),
        };
        let order = Order {
            holder: filled.holder,
            masked_name: filled.masked_name,
            id_last4: filled.id_last4.trim().to_uppercase(),
            colour: filled.colour,
            override_reason,
            region: crate::demo::DEMO_REGION,
        };
        let mut result = Err(RegistryError::Unknown);
        let key = self.signing_key();
        self.registry
            .update(|r| result = r.issue(order, id, &key, clock::now_secs()));
        match result {
            Ok(c) => {
                problem.set(None);
                self.save(lang);
                issued.set(Some(c.to_qr_text()));
            }
            Err(e) => problem.set(Some(registry_error(lang, &e))),
        }
    }
}

/// A credential just issued: its QR for the resident's phone, and its import link.
#[component]
fn Issued(text: String) -> impl IntoView {
    let lang = i18n::settings().lang;
    let svg = render::svg(&text, "#000", "#fff").unwrap_or_default();
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let link = import_link(&base, &text);
    view! {
        <section class="issued" data-testid="issued">
            <h2>{move || tr!(lang.get(), "desk.issued.title")}</h2>
            <div class="qr" role="img" aria-label=move || tr!(lang.get(), "desk.issued.qr_label") inner_html=svg></div>
            <label>{move || tr!(lang.get(), "desk.issued.link")}
                <textarea readonly=true data-testid="issued-link" prop:value=link></textarea>
            </label>
            <details>
                <summary>{move || tr!(lang.get(), "pending.show_text")}</summary>
                <textarea readonly=true data-testid="issued-text" prop:value=text></textarea>
            </details>
        </section>
    }
}

/// The desk page.
#[component]
pub fn DeskPage(demo: Option<DemoWorld>) -> impl IntoView {
    let lang = i18n::settings().lang;
    let (seed, registry, load_problem) = match store::load_desk() {
        Ok((seed, registry)) => (seed, registry, None),
        Err(e) => (None, Registry::default(), Some(e)),
    };
    // The desk's own key; in demo mode the demo issuer's until the officer makes one; outside
    // demo mode a new one is made (and saved) on the first visit.
    let (key, demo_key) = match (seed, &demo) {
        (Some(seed), _) => (seed, false),
        (None, Some(demo)) => (demo.issuer_seed, true),
        (None, None) => match new_desk_key(&registry) {
            Ok(seed) => (seed, false),
            // No key could be made or kept: the desk issues nothing (never with a fixed key).
            Err(e) => {
                let problem = tr!(lang.get_untracked(), "storage.save_failed", detail = e);
                return view! { <main class="desk" data-testid="desk"><p class="notice problem" role="alert">{problem}</p></main> }
                    .into_any();
            }
        },
    };
    let desk = Desk {
        key: RwSignal::new(key),
        demo_key,
        registry: RwSignal::new(registry),
        problem: RwSignal::new(load_problem),
    };
    let tab = RwSignal::new(Tab::Issue);
    let tab_button = move |t: Tab, key: &'static str, testid: &'static str| {
        view! {
            <button role="tab" data-testid=testid aria-selected=move || (tab.get() == t).to_string()
                on:click=move |_| tab.set(t)>
                {move || match key {
                    "issue" => tr!(lang.get(), "desk.tab.issue"),
                    "paper" => tr!(lang.get(), "desk.tab.paper"),
                    "registry" => tr!(lang.get(), "desk.tab.registry"),
                    "publish" => tr!(lang.get(), "desk.tab.publish"),
                    "index" => tr!(lang.get(), "desk.tab.index"),
                    _ => tr!(lang.get(), "desk.tab.key"),
                }}
            </button>
        }
    };
    view! {
        <main class="desk" data-testid="desk">
            <h1>{move || tr!(lang.get(), "desk.title")}</h1>
            {move || desk.demo_key.then(|| view! { <p class="notice demo">{tr!(lang.get(), "desk.demo_key")}</p> })}
            {move || desk.problem.get().map(|p| view! { <p class="notice problem" role="alert">{p}</p> })}
            <div class="tabs" role="tablist">
                {tab_button(Tab::Issue, "issue", "tab-issue")}
                {tab_button(Tab::Paper, "paper", "tab-paper")}
                {tab_button(Tab::Registry, "registry", "tab-registry")}
                {tab_button(Tab::Publish, "publish", "tab-publish")}
                {tab_button(Tab::Index, "index", "tab-index")}
                {tab_button(Tab::Key, "key", "tab-key")}
            </div>
            {move || match tab.get() {
                Tab::Issue => view! { <IssueTab desk=desk/> }.into_any(),
                Tab::Paper => view! { <PaperTab desk=desk/> }.into_any(),
                Tab::Registry => view! { <RegistryTab desk=desk/> }.into_any(),
                Tab::Publish => view! { <PublishTab desk=desk/> }.into_any(),
                Tab::Index => view! { <super::picture::AreaIndexView registry=Signal::from(desk.registry)/> }.into_any(),
                Tab::Key => view! { <KeyTab desk=desk/> }.into_any(),
            }}
        </main>
    }
    .into_any()
}

/// The officer's decision on a colour: the suggestion, or another colour with a reason.
#[component]
fn ColourChoice(
    suggested: Colour,
    chosen: RwSignal<Colour>,
    reason: RwSignal<String>,
) -> impl IntoView {
    let lang = i18n::settings().lang;
    let options = [Colour::Green, Colour::Yellow, Colour::Red]
        .into_iter()
        .map(|c| {
            view! {
                <label class=format!("colour-option {}", c.as_str())>
                    <input type="radio" name="colour" data-testid=format!("colour-{}", c.as_str())
                        prop:checked=move || chosen.get() == c on:change=move |_| chosen.set(c)/>
                    {move || colour_word(lang.get(), c)}
                </label>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <fieldset class="question">
            <legend>{move || tr!(lang.get(), "desk.colour")}</legend>
            {options}
        </fieldset>
        {move || (chosen.get() != suggested).then(|| view! {
            <label class="reason">{tr!(lang.get(), "desk.override_reason")}
                <input type="text" data-testid="override-reason" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))/>
            </label>
        })}
    }
}

/// Issue for a resident's holder request: scanned or pasted.
#[component]
fn IssueTab(desk: Desk) -> impl IntoView {
    let lang = i18n::settings().lang;
    let request = RwSignal::new(None::<HolderRequest>);
    let scanning = RwSignal::new(false);
    let pasted = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let issued = RwSignal::new(None::<String>);
    let read = Callback::new(
        move |text: String| match HolderRequest::from_qr_text(text.trim()) {
            Ok(r) => {
                scanning.set(false);
                problem.set(None);
                issued.set(None);
                request.set(Some(r));
            }
            Err(e) => problem.set(Some(format!(
                "{} ({})",
                tr!(lang.get_untracked(), "desk.bad_request"),
                e.code()
            ))),
        },
    );
    view! {
        <section class="desk-issue">
            <p>{move || tr!(lang.get(), "desk.issue.intro")}</p>
            <button class="primary" data-testid="scan-request" on:click=move |_| scanning.update(|s| *s = !*s)>
                {move || if scanning.get() { tr!(lang.get(), "pending.stop_scan") } else { tr!(lang.get(), "desk.scan_request") }}
            </button>
            {move || scanning.get().then(|| view! { <Scanner on_text=read/> })}
            <label class="paste">{move || tr!(lang.get(), "desk.paste_request")}
                <textarea data-testid="paste-request" prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            </label>
            <button data-testid="paste-request-submit" on:click=move |_| read.run(pasted.get_untracked())>
                {move || tr!(lang.get(), "desk.read_request")}
            </button>
            {move || problem.get().map(|p| view! { <p class="notice problem" role="alert" data-testid="desk-problem">{p}</p> })}
            {move || request.get().map(|r| view! { <RequestReview desk=desk request=r issued=issued/> })}
            {move || issued.get().map(|text| view! { <Issued text=text/> })}
        </section>
    }
}

/// A request's declaration, the suggestion, and the officer's decision.
#[component]
fn RequestReview(
    desk: Desk,
    request: HolderRequest,
    issued: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = i18n::settings().lang;
    let now = clock::now_secs();
    let suggestion = declaration::suggest(&request.body.declaration, now);
    let chosen = RwSignal::new(suggestion.colour);
    let reason = RwSignal::new(String::new());
    let last4 = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let masked = mask_name(&request.body.name).unwrap_or_default();
    let d = request.body.declaration;
    let answers = [
        ("declare.fever", d.fever_or_symptoms),
        ("declare.contact", d.contact_with_case),
        ("declare.travel", d.high_risk_travel),
        ("declare.quarantine", d.under_quarantine),
    ];
    let answer_rows = answers
        .into_iter()
        .map(|(key, yes)| {
            view! {
                <li class:yes=yes>
                    {move || match key {
                        "declare.fever" => tr!(lang.get(), "declare.fever"),
                        "declare.contact" => tr!(lang.get(), "declare.contact"),
                        "declare.travel" => tr!(lang.get(), "declare.travel"),
                        _ => tr!(lang.get(), "declare.quarantine"),
                    }}
                    " "<strong>{move || if yes { tr!(lang.get(), "declare.yes") } else { tr!(lang.get(), "declare.no") }}</strong>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let holder = request.body.holder;
    let typed = request.body.name.clone();
    let masked_for_issue = masked.clone();
    let issue = move |_| {
        let l = lang.get_untracked();
        let colour = chosen.get_untracked();
        desk.issue(
            l,
            Filled {
                holder: Holder::Device(holder),
                masked_name: masked_for_issue.clone(),
                id_last4: last4.get_untracked(),
                colour,
                suggested: suggestion.colour,
                reason: reason.get_untracked(),
            },
            problem,
            issued,
        );
    };
    view! {
        <section class="review" data-testid="review">
            <h2>{typed}" → "{masked}</h2>
            <ul class="answers">{answer_rows}</ul>
            <p class=format!("suggestion {}", suggestion.colour.as_str()) data-testid="suggestion" data-colour=suggestion.colour.as_str()>
                {move || tr!(lang.get(), "desk.suggested", colour = colour_word(lang.get(), suggestion.colour), ground = ground_words(lang.get(), suggestion.ground))}
            </p>
            <ColourChoice suggested=suggestion.colour chosen=chosen reason=reason/>
            <label class="last4">{move || tr!(lang.get(), "desk.id_last4")}
                <input type="text" maxlength="4" data-testid="id-last4" prop:value=move || last4.get()
                    on:input=move |ev| last4.set(event_target_value(&ev))/>
            </label>
            {move || problem.get().map(|p| view! { <p class="notice problem" role="alert" data-testid="desk-problem">{p}</p> })}
            <button class="primary" data-testid="issue" on:click=issue>{move || tr!(lang.get(), "desk.issue")}</button>
        </section>
    }
}

/// Paper codes for people without a phone.
#[component]
fn PaperTab(desk: Desk) -> impl IntoView {
    let lang = i18n::settings().lang;
    let name = RwSignal::new(String::new());
    let last4 = RwSignal::new(String::new());
    let answers = [
        RwSignal::new(false),
        RwSignal::new(false),
        RwSignal::new(false),
        RwSignal::new(false),
    ];
    let declaration = move || Declaration {
        fever_or_symptoms: answers[0].get(),
        contact_with_case: answers[1].get(),
        high_risk_travel: answers[2].get(),
        under_quarantine: answers[3].get(),
    };
    let problem = RwSignal::new(None::<String>);
    let issued = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(Colour::Green);
    let reason = RwSignal::new(String::new());
    let suggestion = Memo::new(move |_| declaration::suggest(&declaration(), clock::now_secs()));
    Effect::new(move |_| chosen.set(suggestion.get().colour));
    let keys = [
        "declare.fever",
        "declare.contact",
        "declare.travel",
        "declare.quarantine",
    ];
    let boxes = keys
        .into_iter()
        .zip(answers)
        .enumerate()
        .map(|(i, (key, answer))| {
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=format!("paper-q{i}") prop:checked=move || answer.get()
                        on:change=move |ev| answer.set(event_target_checked(&ev))/>
                    {move || match key {
                        "declare.fever" => tr!(lang.get(), "declare.fever"),
                        "declare.contact" => tr!(lang.get(), "declare.contact"),
                        "declare.travel" => tr!(lang.get(), "declare.travel"),
                        _ => tr!(lang.get(), "declare.quarantine"),
                    }}
                </label>
            }
        })
        .collect::<Vec<_>>();
    let issue = move |_| {
        let l = lang.get_untracked();
        let Some(masked) = mask_name(&name.get_untracked()) else {
            problem.set(Some(tr!(l, "wallet.name")));
            return;
        };
        desk.issue(
            l,
            Filled {
                holder: Holder::Paper,
                masked_name: masked,
                id_last4: last4.get_untracked(),
                colour: chosen.get_untracked(),
                suggested: suggestion.get_untracked().colour,
                reason: reason.get_untracked(),
            },
            problem,
            issued,
        );
    };
    view! {
        <section class="desk-paper">
            <p>{move || tr!(lang.get(), "desk.paper.intro")}</p>
            <label>{move || tr!(lang.get(), "add.name")}
                <input type="text" data-testid="paper-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <label>{move || tr!(lang.get(), "desk.id_last4")}
                <input type="text" maxlength="4" data-testid="paper-last4" prop:value=move || last4.get() on:input=move |ev| last4.set(event_target_value(&ev))/>
            </label>
            {boxes}
            <p class="suggestion" data-testid="suggestion">{move || {
                let s = suggestion.get();
                tr!(lang.get(), "desk.suggested", colour = colour_word(lang.get(), s.colour), ground = ground_words(lang.get(), s.ground))
            }}</p>
            {move || {
                let s = suggestion.get().colour;
                view! { <ColourChoice suggested=s chosen=chosen reason=reason/> }
            }}
            {move || problem.get().map(|p| view! { <p class="notice problem" role="alert" data-testid="desk-problem">{p}</p> })}
            <button class="primary" data-testid="issue-paper" on:click=issue>{move || tr!(lang.get(), "desk.issue")}</button>
            {move || issued.get().map(|text| {
                let href = format!("#paper={}", fragment_encode(&text));
                view! { <p><a class="print-link" href=href data-testid="print-paper">{tr!(lang.get(), "desk.paper.print")}</a></p> }
            })}
        </section>
    }
}

/// The registry: search, show again, re-issue, revoke.
#[component]
fn RegistryTab(desk: Desk) -> impl IntoView {
    let lang = i18n::settings().lang;
    let query = RwSignal::new(String::new());
    let shown = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let reason = RwSignal::new(String::new());
    let place = RwSignal::new(crate::demo::DEMO_PLACE.to_owned());
    let rows = move || {
        let l = lang.get();
        desk.registry.with(|r| {
            r.search(&query.get())
                .into_iter()
                .take(200)
                .map(|rec| {
                    let id = rec.id;
                    let text = rec.text.clone();
                    let revoked = rec.revoked.is_some();
                    let colour = rec.colour;
                    let act = move |to: Option<Colour>| {
                        let l = lang.get_untracked();
                        let why = reason.get_untracked();
                        let mut result = Ok(None);
                        desk.registry.update(|r| {
                            result = match to {
                                Some(c) => random_id()
                                    .map_err(|_| RegistryError::Unknown)
                                    .and_then(|new| r.reissue(&id, c, &why, new, &desk.signing_key(), clock::now_secs()))
                                    .map(|c| Some(c.to_qr_text())),
                                None => r.revoke(&id, &why, clock::now_secs()).map(|_| None),
                            }
                        });
                        match result {
                            Ok(text) => {
                                problem.set(None);
                                desk.save(l);
                                if text.is_some() {
                                    shown.set(text);
                                }
                            }
                            Err(e) => problem.set(Some(registry_error(l, &e))),
                        }
                    };
                    let holder = rec.holder;
                    let pass = move |_| {
                        let l = lang.get_untracked();
                        let Holder::Device(key) = holder else {
                            return;
                        };
                        match random_id().and_then(|id| {
                            issue_pass(desk, key, &place.get_untracked(), id).map_err(|e| e.to_string())
                        }) {
                            Ok(text) => {
                                problem.set(None);
                                shown.set(Some(text));
                            }
                            Err(e) => problem.set(Some(format!("{} {e}", tr!(l, "desk.err.pass")))),
                        }
                    };
                    let device = matches!(rec.holder, Holder::Device(_));
                    view! {
                        <tr data-testid="registry-row" data-id=id.to_string() class:revoked=revoked>
                            <td>{rec.masked_name.clone()}</td>
                            <td>"****"{rec.id_last4.clone()}</td>
                            <td class=format!("colour {}", colour.as_str())>{colour_word(l, colour)}</td>
                            <td>{clock::local_date(rec.issued_at)}</td>
                            <td>{if matches!(rec.holder, Holder::Paper) { tr!(l, "desk.paper_code") } else { tr!(l, "desk.phone_code") }}</td>
                            <td>{if revoked { tr!(l, "desk.status.revoked") } else { tr!(l, "desk.status.valid") }}</td>
                            <td class="actions">
                                <button on:click=move |_| shown.set(Some(text.clone()))>{tr!(l, "desk.show")}</button>
                                {(!revoked && device).then(|| view! {
                                    <button data-testid="issue-pass" on:click=pass>{tr!(l, "desk.pass")}</button>
                                })}
                                {(!revoked).then(|| view! {
                                    <button data-testid="reissue-green" on:click=move |_| act(Some(Colour::Green))>{tr!(l, "desk.reissue_green")}</button>
                                    <button data-testid="revoke" on:click=move |_| act(None)>{tr!(l, "desk.revoke")}</button>
                                })}
                            </td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="desk-registry">
            <label>{move || tr!(lang.get(), "desk.search")}
                <input type="search" data-testid="registry-search" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            </label>
            <label>{move || tr!(lang.get(), "desk.pass_place")}
                <input type="text" data-testid="pass-place" prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev))/>
            </label>
            <label>{move || tr!(lang.get(), "desk.action_reason")}
                <input type="text" data-testid="action-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </label>
            {move || problem.get().map(|p| view! { <p class="notice problem" role="alert" data-testid="desk-problem">{p}</p> })}
            <table class="registry">
                <thead><tr>
                    <th>{move || tr!(lang.get(), "desk.col.name")}</th>
                    <th>{move || tr!(lang.get(), "desk.col.id")}</th>
                    <th>{move || tr!(lang.get(), "desk.col.colour")}</th>
                    <th>{move || tr!(lang.get(), "desk.col.issued")}</th>
                    <th>{move || tr!(lang.get(), "desk.col.kind")}</th>
                    <th>{move || tr!(lang.get(), "desk.col.status")}</th>
                    <th></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {move || shown.get().map(|text| view! { <Issued text=text/> })}
        </section>
    }
}

/// A resident pass for `place` to holder `key`, valid 90 days, signed by the desk's pass
/// key (the demo pass issuer's for the demo key, which the demo trust list names for
/// [`crate::demo::DEMO_PLACE`]).
fn issue_pass(
    desk: Desk,
    key: [u8; 32],
    place: &str,
    id: CredentialId,
) -> Result<String, crate::pass::PassClaimsError> {
    use crate::pass::{Pass, PassClaims, PassKind};
    let seed = crate::demo::pass_issuer_seed(&desk.key.get_untracked());
    let now = clock::now_secs();
    let pass = Pass::issue(
        PassClaims {
            issuer: KeyId([0; 8]),
            id,
            place: place.trim().to_owned(),
            kind: PassKind::Resident,
            not_before: now.saturating_sub(60),
            expires: now.saturating_add(90 * 86_400),
            holder: key,
        },
        &SigningKey::from_bytes(&seed),
    )?;
    Ok(pass.to_qr_text())
}

/// The signed revocation list for checkpoints.
#[component]
fn PublishTab(desk: Desk) -> impl IntoView {
    let lang = i18n::settings().lang;
    let list = RwSignal::new(None::<(String, usize)>);
    let sign = move |_| {
        let now = clock::now_secs();
        let signed = desk
            .registry
            .with_untracked(|r| r.revocation_list(&desk.signing_key(), now, now));
        list.set(Some((signed.to_text(), signed.list.revoked.len())));
    };
    view! {
        <section class="desk-publish">
            <p>{move || tr!(lang.get(), "desk.publish.intro")}</p>
            <button class="primary" data-testid="sign-revocation" on:click=sign>{move || tr!(lang.get(), "desk.publish.sign")}</button>
            {move || list.get().map(|(text, n)| {
                // One QR code when it fits, else numbered parts a checkpoint collects.
                let parts = crate::multipart::split(&text).unwrap_or_default();
                let count = parts.len();
                let codes = if count <= 1 { vec![text.clone()] } else { parts };
                let qrs = codes.iter().enumerate().map(|(i, part)| {
                    let svg = render::svg(part, "#000", "#fff").unwrap_or_default();
                    let label = if count > 1 { tr!(lang.get(), "desk.publish.part", i = i + 1, n = count) } else { tr!(lang.get(), "desk.publish.qr_label") };
                    view! {
                        <figure class="part">
                            <div class="qr" role="img" aria-label=label.clone() inner_html=svg></div>
                            <figcaption>{label}</figcaption>
                        </figure>
                    }
                }).collect::<Vec<_>>();
                let href = format!("data:text/plain;charset=utf-8,{}", js_sys::encode_uri_component(&text));
                view! {
                    <p data-testid="revocation-count">{tr!(lang.get(), "desk.publish.count", n = n)}</p>
                    <div class="parts" data-testid="revocation-qr" data-parts=codes.len().to_string()>{qrs}</div>
                    <textarea readonly=true data-testid="revocation-text" prop:value=text></textarea>
                    <a class="download" download="revocation-list.txt" href=href>{tr!(lang.get(), "desk.publish.download")}</a>
                }
            })}
        </section>
    }
}

/// Makes a new issuing key (`crypto.getRandomValues`) and saves it with `registry`. Errors:
/// no secure randomness, storage refused.
fn new_desk_key(registry: &Registry) -> Result<[u8; 32], String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| e.to_string())?;
    store::save_desk(Some(&seed), registry)?;
    Ok(seed)
}

/// The issuing key: which it is, its public half, and a new one.
#[component]
fn KeyTab(desk: Desk) -> impl IntoView {
    let lang = i18n::settings().lang;
    let public = move || {
        let key = SigningKey::from_bytes(&desk.key.get()).verifying_key();
        (to_hex(key.as_bytes()), KeyId::of(&key).to_string())
    };
    let make_new = move |_| match desk.registry.with_untracked(new_desk_key) {
        Ok(_) => {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
        Err(e) => desk.problem.set(Some(tr!(
            lang.get_untracked(),
            "storage.save_failed",
            detail = e
        ))),
    };
    view! {
        <section class="desk-key">
            <p class="notice problem">{move || tr!(lang.get(), "desk.key.warning")}</p>
            <p>{move || tr!(lang.get(), "desk.key.id", id = public().1)}</p>
            <label>{move || tr!(lang.get(), "desk.key.public")}
                <textarea readonly=true data-testid="public-key" prop:value=move || public().0></textarea>
            </label>
            <a class="download" download="issuer.pub" href=move || format!("data:text/plain,{}", public().0)>{move || tr!(lang.get(), "desk.key.export")}</a>
            <button data-testid="new-key" on:click=make_new>{move || tr!(lang.get(), "desk.key.new")}</button>
        </section>
    }
}
