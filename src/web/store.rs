//! Persistent state in `localStorage` (through `gloo-storage`): the embedded demo world and
//! the checkpoint's trust list. Every failure is returned for the page to show.

use crate::demo::{DemoResident, DemoWorld};
use crate::keys::{parse_hex32, to_hex};
use crate::revocation::RevocationError;
use crate::verify::DEFAULT_CLOCK_SKEW_SECS;
use crate::wallet::{Person, Wallet};
use crate::Declaration;
use crate::{Credential, RevocationList, RevocationSet, Scope, TrustList, TrustStore};
use ed25519_dalek::VerifyingKey;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::collections::BTreeMap;

const DEMO_KEY: &str = "healthcode.demo.v1";
/// Demo mode: `"on"`, `"off"`; absent means on (a first run opens on the demo).
const DEMO_MODE_KEY: &str = "healthcode.demo-mode.v1";
const ROOTS_KEY: &str = "healthcode.roots.v1";
/// Imported trust-list texts by root key id (hex): one per root.
const TRUST_KEY: &str = "healthcode.trust-lists.v2";
const REVOCATION_KEY: &str = "healthcode.revocation-lists.v1";
/// The resident's wallet: the people on this phone with their holder keys and codes.
const WALLET_KEY: &str = "healthcode.wallet.v1";

/// The demo world as stored: keys as hex, credentials as their QR text.
#[derive(Serialize, Deserialize)]
struct StoredDemo {
    root_seed: String,
    issuer_seed: String,
    created_at: u64,
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
            root_seed: to_hex(&world.root_seed),
            issuer_seed: to_hex(&world.issuer_seed),
            created_at: world.created_at,
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
            root_seed: parse_hex32(&self.root_seed).ok()?,
            issuer_seed: parse_hex32(&self.issuer_seed).ok()?,
            created_at: self.created_at,
            residents,
        })
    }
}

/// Whether this browser is in demo mode: on until the user leaves it (a first run opens on
/// the demo, so the app works with no set-up), off once left, on again only when asked for.
/// Unreadable storage counts as on: the demo banner then shows on every page.
pub fn demo_mode() -> bool {
    !matches!(LocalStorage::get::<String>(DEMO_MODE_KEY), Ok(v) if v == "off")
}

/// The demo world in demo mode (see [`load_or_create_demo`]), `None` outside it.
pub fn load_demo(now: u64) -> Result<Option<DemoWorld>, String> {
    if demo_mode() {
        load_or_create_demo(now).map(Some)
    } else {
        Ok(None)
    }
}

/// Leaves demo mode: the demo world's keys (root, issuer, residents' holder keys) and the
/// demo people on the phone are removed, and nothing of the demo is trusted any more. The
/// caller reloads the page. Errors: storage refused or the saved wallet unreadable (then
/// nothing is changed).
pub fn leave_demo() -> Result<(), String> {
    // The wallet first: a wallet that cannot be read keeps the demo, and says why.
    let wallet = load_wallet(None)?;
    save_wallet(&wallet)?;
    LocalStorage::set(DEMO_MODE_KEY, "off")
        .map_err(|e| format!("Could not save the mode in this browser's storage ({e})."))?;
    LocalStorage::delete(DEMO_KEY);
    Ok(())
}

/// Enters demo mode again (a new demo world is made on the next load).
pub fn enter_demo() -> Result<(), String> {
    LocalStorage::set(DEMO_MODE_KEY, "on")
        .map_err(|e| format!("Could not save the mode in this browser's storage ({e})."))
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

/// The value saved under `key`: `Ok(None)` when nothing is saved, an error message (naming
/// `what`) when storage cannot be read or the value is damaged.
fn read_saved<T: DeserializeOwned>(key: &str, what: &str) -> Result<Option<T>, String> {
    match LocalStorage::get::<T>(key) {
        Ok(value) => Ok(Some(value)),
        Err(gloo_storage::errors::StorageError::KeyNotFound(_)) => Ok(None),
        Err(e) => Err(format!("Saved {what} cannot be read ({e}).")),
    }
}

/// The checkpoint's pinned root keys and trust store: every root pinned and list imported on
/// this device, and in demo mode (`demo` given) the demo root and a fresh demo list too. A
/// stored list that no longer verifies is reported, not silently dropped.
pub fn load_trust(
    demo: Option<&DemoWorld>,
    now: u64,
) -> (Vec<VerifyingKey>, TrustStore, Vec<String>) {
    let mut problems = Vec::new();
    let mut roots: Vec<VerifyingKey> = demo.map(DemoWorld::root_key).into_iter().collect();
    let stored_roots = read_saved::<Vec<String>>(ROOTS_KEY, "root keys").unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    for hex in stored_roots.unwrap_or_default() {
        match crate::keys::verifying_key_from_hex(&hex) {
            Ok(key) if !roots.contains(&key) => roots.push(key),
            Ok(_) => {}
            Err(e) => problems.push(format!("A saved root key is damaged ({e}).")),
        }
    }
    // The demo list is made here, so it needs no decoding or checking.
    let mut store = TrustStore {
        lists: demo.map(|d| d.trust_list(now).list).into_iter().collect(),
    };
    let texts =
        read_saved::<BTreeMap<String, String>>(TRUST_KEY, "trust lists").unwrap_or_else(|e| {
            problems.push(e);
            None
        });
    for text in texts.unwrap_or_default().into_values() {
        match TrustList::from_text(&text, &roots) {
            Ok(list) => {
                // An older copy of a list held is not news.
                let _ = store.import(list);
            }
            Err(e) => problems.push(format!(
                "A saved trust list no longer verifies ({}); import it again.",
                e.code()
            )),
        }
    }
    (roots, store, problems)
}

/// Saves the pinned root keys (the demo root, pinned in demo mode only, is not saved).
pub fn save_roots(roots: &[VerifyingKey], demo: Option<&DemoWorld>) -> Result<(), String> {
    let demo_root = demo.map(DemoWorld::root_key);
    let hex: Vec<String> = roots
        .iter()
        .filter(|k| Some(**k) != demo_root)
        .map(|k| to_hex(k.as_bytes()))
        .collect();
    LocalStorage::set(ROOTS_KEY, hex)
        .map_err(|e| format!("Could not save the root key in this browser's storage ({e})."))
}

/// Adds an imported trust list's text to storage, replacing the saved text of the same root.
/// Refuses to write when the saved lists cannot be read, so none is lost.
pub fn save_trust_text(text: &str, root: crate::KeyId) -> Result<(), String> {
    let mut texts =
        read_saved::<BTreeMap<String, String>>(TRUST_KEY, "trust lists")?.unwrap_or_default();
    texts.insert(root.to_string(), text.trim().to_owned());
    LocalStorage::set(TRUST_KEY, texts)
        .map_err(|e| format!("Could not save the trust list in this browser's storage ({e})."))
}

/// The checkpoint's revocation set: the stored lists (per signer, a full list and the
/// deltas after it), applied in order at `now` (Unix seconds) with the default clock skew,
/// with the texts that made it. Problems are returned for the page to show.
pub fn load_revocation(trust: &TrustStore, now: u64) -> (RevocationSet, Vec<String>, Vec<String>) {
    let mut set = RevocationSet::default();
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    let texts = read_saved::<Vec<String>>(REVOCATION_KEY, "revocation lists").unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    for text in texts.unwrap_or_default() {
        match RevocationList::from_text(&text, trust)
            .and_then(|l| set.apply(l, now, DEFAULT_CLOCK_SKEW_SECS))
        {
            Ok(()) => applied.push(text),
            Err(e) => problems.push(format!(
                "A saved revocation list no longer applies ({}); import the current one.",
                e.code()
            )),
        }
    }
    (set, applied, problems)
}

/// Why an imported revocation list is not in use, or is in use but not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationImportError {
    /// Refused: the set is unchanged.
    Refused(RevocationError),
    /// Applied to the set, but the browser's storage refused the texts: the message.
    NotSaved(String),
}

/// Applies a revocation list's text to `set` at `now` (Unix seconds, with the default clock
/// skew) and saves the texts that make the new set: a full list replaces the saved texts of
/// its own signer only; a delta is added to them.
pub fn import_revocation(
    text: &str,
    trust: &TrustStore,
    set: &mut RevocationSet,
    applied: &mut Vec<String>,
    now: u64,
) -> Result<(), RevocationImportError> {
    let list = RevocationList::from_text(text, trust).map_err(RevocationImportError::Refused)?;
    let (signer, full) = (list.signer, list.scope == Scope::Full);
    set.apply(list, now, DEFAULT_CLOCK_SKEW_SECS)
        .map_err(RevocationImportError::Refused)?;
    if full {
        applied.retain(|t| RevocationList::peek_signer(t) != Some(signer));
    }
    applied.push(text.trim().to_owned());
    LocalStorage::set(REVOCATION_KEY, &*applied).map_err(|e| {
        RevocationImportError::NotSaved(format!(
            "The revocation list applies now but could not be saved in this browser's storage ({e})."
        ))
    })
}

/// A person as stored: the holder key as hex, the credential as its QR text.
#[derive(Serialize, Deserialize)]
struct StoredPerson {
    holder_seed: String,
    name: String,
    declaration: Declaration,
    requested_at: u64,
    credential: Option<String>,
    /// Passes (`HCA1:` texts).
    #[serde(default)]
    passes: Vec<String>,
    /// One of the embedded demo residents (replaced when the demo world is made anew).
    #[serde(default)]
    demo: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredWallet {
    people: Vec<StoredPerson>,
    /// The demo world the demo people came from (`DemoWorld::created_at`).
    demo_created_at: u64,
}

/// The wallet as loaded, with which people are demo residents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadedWallet {
    /// The people.
    pub wallet: Wallet,
    /// `demo[i]`: person `i` is an embedded demo resident.
    pub demo: Vec<bool>,
    /// The demo world the demo people came from.
    pub demo_created_at: u64,
}

fn demo_person(r: &DemoResident) -> Person {
    Person {
        holder_seed: r.holder_seed,
        name: r.credential.claims.masked_name.clone(),
        declaration: Declaration::default(),
        requested_at: r.credential.claims.issued_at,
        credential: Some(r.credential.clone()),
        passes: Vec::new(),
    }
}

/// The saved wallet; in demo mode (`demo` given), on first run or when the demo world was
/// made anew, the demo residents are put first; outside demo mode there are none. Errors: the
/// saved wallet cannot be read or is damaged (it is not overwritten: the message says so).
pub fn load_wallet(demo: Option<&DemoWorld>) -> Result<LoadedWallet, String> {
    let stored = read_saved::<StoredWallet>(WALLET_KEY, "codes")?;
    let mut loaded = LoadedWallet::default();
    if let Some(stored) = stored {
        for p in stored.people {
            let credential = match p.credential {
                Some(text) => Some(Credential::from_qr_text(&text).map_err(|e| {
                    format!(
                        "A saved code is damaged ({}); nothing was changed.",
                        e.code()
                    )
                })?),
                None => None,
            };
            let passes = p
                .passes
                .iter()
                .map(|t| crate::Pass::from_qr_text(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    format!(
                        "A saved pass is damaged ({}); nothing was changed.",
                        e.code()
                    )
                })?;
            let holder_seed = parse_hex32(&p.holder_seed)
                .map_err(|_| "A saved key is damaged; nothing was changed.".to_owned())?;
            if p.demo && demo.is_none_or(|d| stored.demo_created_at != d.created_at) {
                continue;
            }
            loaded.wallet.people.push(Person {
                holder_seed,
                name: p.name,
                declaration: p.declaration,
                requested_at: p.requested_at,
                credential,
                passes,
            });
            loaded.demo.push(p.demo);
        }
        match demo {
            None => return Ok(loaded),
            Some(d) if stored.demo_created_at == d.created_at => {
                loaded.demo_created_at = d.created_at;
                return Ok(loaded);
            }
            Some(_) => {}
        }
    }
    let Some(demo) = demo else {
        return Ok(loaded);
    };
    // First run, or a new demo world: its residents go first.
    let mut people: Vec<Person> = demo.residents.iter().map(demo_person).collect();
    let mut flags = vec![true; people.len()];
    people.append(&mut loaded.wallet.people);
    flags.append(&mut loaded.demo);
    people.truncate(crate::wallet::MAX_PEOPLE);
    flags.truncate(crate::wallet::MAX_PEOPLE);
    Ok(LoadedWallet {
        wallet: Wallet { people },
        demo: flags,
        demo_created_at: demo.created_at,
    })
}

/// Saves the wallet. Errors: storage refused (quota full, storage disabled), with what to do.
pub fn save_wallet(loaded: &LoadedWallet) -> Result<(), String> {
    let stored = StoredWallet {
        people: loaded
            .wallet
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| StoredPerson {
                holder_seed: to_hex(&p.holder_seed),
                name: p.name.clone(),
                declaration: p.declaration,
                requested_at: p.requested_at,
                credential: p.credential.as_ref().map(Credential::to_qr_text),
                passes: p.passes.iter().map(crate::Pass::to_qr_text).collect(),
                demo: loaded.demo.get(i).copied().unwrap_or(false),
            })
            .collect(),
        demo_created_at: loaded.demo_created_at,
    };
    LocalStorage::set(WALLET_KEY, stored).map_err(|e| e.to_string())
}

/// The issuer desk's key (hex; absent = the demo issuer's) and registry.
const DESK_KEY: &str = "healthcode.desk.v1";

#[derive(Serialize, Deserialize)]
struct StoredDesk {
    issuer_seed: Option<String>,
    registry: crate::registry::Registry,
}

/// The desk's own issuing key seed (`None`: use the demo issuer's) and its registry; empty on
/// first use. Errors: storage unreadable or damaged (nothing is overwritten).
pub fn load_desk() -> Result<(Option<[u8; 32]>, crate::registry::Registry), String> {
    match read_saved::<StoredDesk>(DESK_KEY, "desk registry")? {
        None => Ok((None, crate::registry::Registry::default())),
        Some(d) => {
            let seed = match d.issuer_seed {
                Some(hex) => Some(
                    parse_hex32(&hex)
                        .map_err(|e| format!("The desk key is damaged ({e})."))
                        .map_err(|e| e.to_string())?,
                ),
                None => None,
            };
            Ok((seed, d.registry))
        }
    }
}

/// Saves the desk's key seed (`None`: the demo issuer's) and registry. Errors: storage refused.
pub fn save_desk(
    seed: Option<&[u8; 32]>,
    registry: &crate::registry::Registry,
) -> Result<(), String> {
    let stored = StoredDesk {
        issuer_seed: seed.map(|s| to_hex(s)),
        registry: registry.clone(),
    };
    LocalStorage::set(DESK_KEY, stored).map_err(|e| e.to_string())
}

/// Shown instead of the app when storage or randomness fails: what happened and what to do.
#[component]
pub fn StorageProblem(message: String) -> impl IntoView {
    let lang = super::i18n::settings().lang;
    view! {
        <main class="problem" role="alert" data-testid="storage-problem">
            <h1>{move || crate::tr!(lang.get(), "storage.cannot_keep")}</h1>
            <p>{message}</p>
            <p>{move || crate::tr!(lang.get(), "storage.what_to_do")}</p>
        </main>
    }
}
