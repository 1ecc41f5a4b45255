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
//! Pipeline of [`verify::verify`], one error variant per stage (see [`verify::VerifyError`]):
//!
//! 1. QR text → message kind and version from the prefix (`HCP1:`) → base45 (RFC 9285) →
//!    bytes, with a hard size limit ([`codec`]).
//! 2. Strict canonical decoding (postcard): trailing bytes and non-canonical encodings are
//!    errors ([`codec::decode_canonical`]).
//! 3. Issuer signature (Ed25519, RFC 8032, `verify_strict`) with the key named by its key id
//!    in the [`trust::TrustList`].
//! 4. Validity window (not before / expires) with a stated clock-skew allowance.
//! 5. Holder binding: the presentation is signed by the holder key named in the credential,
//!    and its timestamp lies within the freshness window (default ±60 s).
//!
//! The byte layouts are documented in [`credential`], [`presentation`] and [`trust`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod codec;
pub mod credential;
pub mod demo;
pub mod keys;
pub mod policy;
pub mod presentation;
pub mod render;
pub mod scan;
pub mod trust;
pub mod verify;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use credential::{Claims, Colour, Credential};
pub use keys::{CredentialId, KeyId};
pub use policy::{decide, Decision, Verdict};
pub use presentation::Presentation;
pub use trust::{TrustList, TrustedIssuer};
pub use verify::{verify, verify_with, ErrorClass, Verified, VerifyError, VerifyOptions};
