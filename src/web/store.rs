//! Persistent state in `localStorage` (through `gloo-storage`): the embedded demo world and
//! the checkpoint's trust list. Every failure is returned for the page to show.

use crate::demo::{DemoResident, DemoWorld};
use crate::keys::{parse_hex32, to_hex};
use crate::{Credential, TrustList};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

const DEMO_KEY: &str = "healthcode.demo.v1";
const TRUST_KEY: &str = "healthcode.trust.v1";

/// The demo world as stored: keys as hex, credentials as their QR text.
#[derive(Serialize, Deserialize)]
struct StoredDemo {
    issuer_seed: String,
    residents: Vec<StoredResident>,
}

#[derive(Serialize, Deserialize)]
struct StoredResident {
    credential: String,
    holder_seed: String,
}

impl StoredDemo {
    fn from_world(world: &DemoWorld) -> StoredDemo {
        StoredDemo {
            issuer_seed: to_hex(&world.issuer_seed),
            residents: world
                .residents
                .iter()
                .map(|r| StoredResident {
                    credential: r.credential.to_qr_text(),
                    holder_seed: to_hex(&r.holder_seed),
                })
                .collect(),
        }
    }

    fn to_world(&self) -> Option<DemoWorld> {
        let residents = self
            .residents
            .iter()
            .map(|r| {
                Some(DemoResident {
                    credential: Credential::from_qr_text(&r.credential).ok()?,
                    holder_seed: parse_hex32(&r.holder_seed).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(DemoWorld {
            issuer_seed: parse_hex32(&self.issuer_seed).ok()?,
            residents,
        })
    }
}

/// The stored demo world, or a new one (made with `crypto.getRandomValues`) when there is
/// none, it is unreadable, or a credential has expired at `now`. Errors: no randomness, or
/// the new world could not be saved (private browsing, quota, storage disabled).
pub fn load_or_create_demo(now: u64) -> Result<DemoWorld, String> {
    if let Ok(stored) = LocalStorage::get::<StoredDemo>(DEMO_KEY) {
        if let Some(world) = stored.to_world() {
            if !world.expired(now) && world.residents.len() == 3 {
                return Ok(world);
            }
        }
    }
    let mut random_error = None;
    let world = DemoWorld::generate(
        |buf| {
            if let Err(e) = getrandom::fill(buf) {
                random_error = Some(e.to_string());
            }
        },
        now,
    )
    .map_err(|e| format!("could not make the demo residents: {e}"))?;
    if let Some(e) = random_error {
        return Err(format!("this browser gave no secure random numbers ({e})"));
    }
    LocalStorage::set(DEMO_KEY, StoredDemo::from_world(&world)).map_err(|e| {
        format!("could not save the demo residents in this browser's storage ({e})")
    })?;
    Ok(world)
}

/// The checkpoint's trust list: the stored one, else `default` (which is then stored).
/// A stored list that no longer decodes is reported, not silently replaced.
pub fn load_trust_list(default: &TrustList) -> Result<TrustList, String> {
    match LocalStorage::raw().get_item(TRUST_KEY) {
        Ok(Some(text)) => TrustList::from_text(&text).map_err(|e| {
            format!(
                "the saved trust list is damaged ({}); import it again",
                e.code()
            )
        }),
        Ok(None) => {
            save_trust_list(default)?;
            Ok(default.clone())
        }
        Err(_) => Err("this browser's storage cannot be read".to_owned()),
    }
}

/// Saves the checkpoint's trust list.
pub fn save_trust_list(list: &TrustList) -> Result<(), String> {
    LocalStorage::raw()
        .set_item(TRUST_KEY, &list.to_text())
        .map_err(|_| {
            "could not save the trust list in this browser's storage (full or disabled)".to_owned()
        })
}

/// Shown instead of the app when storage or randomness fails: what happened and what to do.
#[component]
pub fn StorageProblem(message: String) -> impl IntoView {
    view! {
        <main class="problem" role="alert">
            <h1>"This browser cannot keep your codes"</h1>
            <p>{message}</p>
            <p>"Leave private browsing, free some space, or allow site data for this page, then reload."</p>
        </main>
    }
}
