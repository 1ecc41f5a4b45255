//! The resident page: the holder's live code as a large QR on the colour of the code,
//! re-signed by the holder's key every 30 seconds.

use super::clock;
use crate::demo::DemoWorld;
use crate::presentation::REFRESH_SECS;
use crate::{render, Colour, Presentation};
use ed25519_dalek::SigningKey;
use leptos::prelude::*;
use std::time::Duration;

/// Status words and icon for a colour (never colour alone).
fn status(colour: Colour) -> (&'static str, &'static str) {
    match colour {
        Colour::Green => ("✓", "Green — free passage"),
        Colour::Yellow => ("!", "Yellow — 7-day home observation"),
        Colour::Red => ("✕", "Red — 14-day quarantine"),
    }
}

/// The resident page for the demo residents.
#[component]
pub fn ResidentPage(demo: DemoWorld) -> impl IntoView {
    let now = RwSignal::new(clock::now_secs());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(clock::now_secs()),
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let selected = RwSignal::new(0usize);
    let residents = StoredValue::new(demo.residents);

    // Re-sign when the 30-second slot changes or another person is chosen.
    let slot = Memo::new(move |_| now.get() / REFRESH_SECS);
    let code = Memo::new(move |_| {
        slot.track();
        let index = selected.get();
        let signed_at = now.get_untracked();
        residents.with_value(|rs| {
            rs.get(index).map(|r| {
                let key = SigningKey::from_bytes(&r.holder_seed);
                let p = Presentation::sign(r.credential.clone(), None, &key, signed_at);
                let text = p.to_qr_text();
                let svg = render::svg(&text, "#000", "#fff").map_err(|e| e.to_string());
                (signed_at, r.credential.claims.clone(), svg)
            })
        })
    });

    let people = move || {
        residents.with_value(|rs| {
            rs.iter()
                .enumerate()
                .map(|(i, r)| {
                    let colour = r.credential.claims.colour;
                    let name = r.credential.claims.masked_name.clone();
                    view! {
                        <button
                            class=format!("person {}", colour.as_str())
                            aria-pressed=move || (selected.get() == i).to_string()
                            on:click=move |_| selected.set(i)
                        >
                            <span class="dot" aria-hidden="true">{status(colour).0}</span>
                            {name}
                        </button>
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    view! {
        <main class="resident">
            <div class="people" role="group" aria-label="People on this phone">{people}</div>
            // The card is rebuilt only when the code is re-signed; the clock and the countdown
            // tick on their own, so the QR's DOM is not redrawn twice a second.
            {move || code.get().map(|(signed_at, claims, svg)| {
                let (icon, words) = status(claims.colour);
                let days_left = claims.quarantine_days_left(signed_at);
                let words = if days_left > 0 { format!("{words}, {days_left} days left") } else { words.to_owned() };
                let label = format!("Health code QR: {words}, {}", claims.masked_name);
                let valid_until = clock::local_date(claims.expires);
                view! {
                    <section class=format!("code-card {}", claims.colour.as_str()) data-testid="code-card" data-colour=claims.colour.as_str()>
                        <h1 class="status"><span class="icon" aria-hidden="true">{icon}</span>" "{words}</h1>
                        {match svg {
                            Ok(svg) => view! { <div class="qr" role="img" aria-label=label inner_html=svg></div> }.into_any(),
                            Err(e) => view! { <p class="problem" role="alert">{format!("Cannot draw the code: {e}")}</p> }.into_any(),
                        }}
                        <p class="who">{claims.masked_name.clone()}" · ID ****"{claims.id_last4.clone()}</p>
                        <p class="clock" aria-live="off">
                            <time class="time">{move || clock::local_time(now.get())}</time>" "
                            <span class="date">{move || clock::local_date(now.get())}</span>
                        </p>
                        <p class="refresh">{move || {
                            let next = REFRESH_SECS - now.get().saturating_sub(signed_at).min(REFRESH_SECS);
                            format!("New code in {next} s · valid until {valid_until}")
                        }}</p>
                    </section>
                }
            })}
            <p class="hint">"Turn your screen brightness up when you show the code."</p>
        </main>
    }
}
