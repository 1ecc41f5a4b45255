//! # healthcode
//!
//! Offline health codes. An **issuer** (health authority) signs a **credential** for a
//! **holder** (resident); the holder's phone wraps it in a short-lived **presentation**
//! signed by the holder's own device key and shows it as a QR code; a **checkpoint**
//! (verifier) decodes the QR text, checks both signatures against its **trust list** and the
//! validity window at the `now` it is given, and a **policy** turns the verified claims into
//! a **verdict** (admit / deny / refer).
//!
//! The core (every module here except `web`) is pure Rust: no browser, file or network
//! I/O, no clock and no randomness of its own. Every decision takes `now` (seconds since the
//! Unix epoch, UTC) and every key is made from a seed the caller supplies.
//!
//! The pipeline of [`verify::verify_in`] has one error variant per stage, each with a stable
//! short code (see [`verify::VerifyError`]); [`policy::decide`] turns a verified code and a
//! temperature into a [`policy::Verdict`].
//!
//! # Messages (format version 1)
//!
//! Every message is the postcard encoding of a Rust structure, checked strictly (one byte
//! string per message), as QR text `HC<kind><version>:` + base45 (RFC 9285). The byte layout
//! of each is in its module, enough to write a second implementation:
//!
//! | prefix | message | module |
//! |--------|---------|--------|
//! | `HCC1:` | credential (health code), or paper code | [`credential`] |
//! | `HCA1:` | pass ("one code, one certificate") | [`pass`] |
//! | `HCP1:` | presentation: credential + optional pass + timestamp, holder-signed | [`presentation`] |
//! | `HCR1:` | holder request: holder key, typed name, health declaration | [`request`] |
//! | `HCT1:` | trust list, root-signed | [`trust`] |
//! | `HCL1:` | revocation list, full or delta | [`revocation`] |
//!
//! Signatures are Ed25519 (RFC 8032) over a context string + the message's bytes, checked
//! with one acceptance rule ([`signature`]).
//!
//! # At the checkpoint, after the verdict
//!
//! | module | what |
//! |--------|------|
//! | [`settings`] | the checkpoint's settings → [`Policy`] and [`VerifyOptions`]; banners about list ages and the clock (`K\|…`) |
//! | [`replay`] | a presentation scanned here before (`Q\|RPL`), a credential admitted twice within a minute (`Q\|TWO`) |
//! | [`log`] | the registration log: hash-chained entries, the signed verifiable export (`healthcode log verify`, `L\|…` codes), CSV |
//! | [`log_view`] | the log's list: filters by time, colour and outcome, pages newest first |
//! | [`gate_index`] | the gate's index: today's counts by colour and outcome, scans per hour, deny reasons |
//!
//! # At the authority
//!
//! [`area_index`]: "one picture, one code, one index": from the registry and checkpoint log
//! exports, residents by colour and a control index per area, scans and flags per gate, and
//! the SVG charts ([`area_index::svg`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod area_index;
pub mod batch;
pub mod codec;
pub mod credential;
pub mod declaration;
pub mod demo;
pub mod gate_index;
pub mod inspect;
pub mod keys;
pub mod log;
pub mod log_view;
pub mod multipart;
pub mod pass;
pub mod policy;
pub mod presentation;
pub mod registry;
pub mod render;
pub mod replay;
pub mod request;
pub mod revocation;
pub mod scan;
pub mod settings;
pub mod signature;
pub mod trust;
pub mod verify;
pub mod wallet;

#[cfg(target_arch = "wasm32")]
pub mod web;

// The app's strings in English and Simplified Chinese (rust-i18n; see src/web/i18n.rs).
#[cfg(target_arch = "wasm32")]
rust_i18n::i18n!("src/web/locales", fallback = "en");

pub use credential::{Claims, Colour, Credential, Holder};
pub use keys::{CredentialId, KeyId};
pub use pass::{Pass, PassClaims, PassKind};
pub use policy::{decide, Decision, Policy, Reason, Temperature, Verdict};
pub use presentation::Presentation;
pub use request::{Declaration, HolderRequest};
pub use revocation::{RevocationList, RevocationSet, Scope, SignedRevocationList};
pub use trust::{Role, SignedTrustList, TrustList, TrustStore, TrustedIssuer};
pub use verify::{verify, verify_in, Context, ErrorClass, Verified, VerifyError, VerifyOptions};
