//! The paper code's print layout (`#paper=<percent-encoded HCC1 text>`): the QR, masked
//! name, last 4 of the ID, status in words and instructions, laid out for one A4/A5 page
//! (`@media print` in style/main.css). Used by the issuer desk and by links the CLI writes.

use super::{clock, i18n};
use crate::credential::Holder;
use crate::{render, tr, Colour, Credential};
use leptos::prelude::*;

/// The print layout of the paper code in `text`, or why it cannot be shown.
#[component]
pub fn PaperPage(text: String) -> impl IntoView {
    let lang = i18n::settings().lang;
    let credential = Credential::from_qr_text(&text);
    match credential {
        Ok(c) if c.claims.holder == Holder::Paper => {
            let svg = render::svg(&text, "#000", "#fff").unwrap_or_default();
            let claims = c.claims;
            let colour = claims.colour;
            let status = move || match colour {
                Colour::Green => tr!(lang.get(), "status.green"),
                Colour::Yellow => tr!(lang.get(), "status.yellow"),
                Colour::Red => tr!(lang.get(), "status.red"),
            };
            let valid = format!("{} – {}", clock::local_date(claims.not_before), clock::local_date(claims.expires));
            view! {
                <main class=format!("paper {}", colour.as_str()) data-testid="paper">
                    <h1>{move || tr!(lang.get(), "paper.title")}</h1>
                    <p class="paper-status">{status}</p>
                    <div class="qr" role="img" aria-label=move || tr!(lang.get(), "paper.qr_label") inner_html=svg></div>
                    <p class="who">{claims.masked_name.clone()}" · ID ****"{claims.id_last4.clone()}</p>
                    <p>{move || tr!(lang.get(), "paper.valid", dates = valid.clone())}</p>
                    <ol class="instructions">
                        <li>{move || tr!(lang.get(), "paper.step1")}</li>
                        <li>{move || tr!(lang.get(), "paper.step2")}</li>
                        <li>{move || tr!(lang.get(), "paper.step3")}</li>
                    </ol>
                    <button class="primary no-print" on:click=move |_| {
                        if let Some(w) = web_sys::window() { let _ = w.print(); }
                    }>{move || tr!(lang.get(), "paper.print")}</button>
                </main>
            }
            .into_any()
        }
        Ok(_) => view! { <main class="problem" role="alert">{move || tr!(lang.get(), "paper.not_paper")}</main> }.into_any(),
        Err(e) => {
            let code = e.code();
            view! { <main class="problem" role="alert">{move || tr!(lang.get(), "paper.bad", code = code)}</main> }.into_any()
        }
    }
}
