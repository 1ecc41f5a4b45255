//! Verification of a presentation at a checkpoint: QR text in, verified claims or the
//! failing stage out. Pure: the caller passes the trust list and `now`.

use crate::codec::CodecError;
use crate::credential::Claims;
use crate::presentation::{self, Presentation};
use crate::trust::TrustList;
use ed25519_dalek::Signature;

/// Default freshness window of a presentation: its timestamp may be at most this many
/// seconds before or after the checkpoint's `now`.
pub const DEFAULT_FRESHNESS_SECS: u64 = 60;

/// Default clock-skew allowance applied to a credential's validity window, in seconds.
pub const DEFAULT_CLOCK_SKEW_SECS: u64 = 60;

/// Tunable windows, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Presentation timestamp must lie within `now ± freshness_secs`.
    pub freshness_secs: u64,
    /// A credential is accepted from `not_before - clock_skew_secs` until before
    /// `expires + clock_skew_secs`.
    pub clock_skew_secs: u64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            freshness_secs: DEFAULT_FRESHNESS_SECS,
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
        }
    }
}

/// Whether a failure means the code is bad, or that this checkpoint could not check it.
/// The two must look different to staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The code is bad: forged, tampered, expired, stale, not a health code.
    Invalid,
    /// The code may be fine but cannot be checked here (e.g. its issuer is not in the trust
    /// list): check by other means, update the lists.
    CannotCheck,
}

/// The stage at which verification failed. Codes are stable: they are shown to staff and
/// kept in the registration log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Prefix, base45 or canonical decoding failed (`P|…`, `D|…`).
    #[error("{0}")]
    Decode(#[from] CodecError),
    /// The credential's fields break a rule (`D|FLD`).
    #[error("invalid field in the credential")]
    InvalidField,
    /// The issuer key id is not in the trust list (`S|KID`).
    #[error("unknown issuer")]
    UnknownIssuer,
    /// The issuer signature does not verify (`S|SIG`): forged or altered.
    #[error("invalid issuer signature")]
    IssuerSignature,
    /// `now` is before the credential's not-before (`V|NBF`).
    #[error("not yet valid")]
    NotYetValid,
    /// `now` is at or past the credential's expiry (`V|EXP`).
    #[error("expired")]
    Expired,
    /// The presentation is not signed by the credential's holder key (`H|SIG`).
    #[error("not signed by the holder's device")]
    HolderSignature,
    /// The presentation is older than the freshness window (`H|OLD`): a screenshot or a
    /// replay.
    #[error("presentation too old")]
    Stale,
    /// The presentation is dated after `now` + the freshness window (`H|FUT`): the phone's
    /// or the checkpoint's clock is wrong.
    #[error("presentation dated in the future")]
    FromFuture,
}

impl VerifyError {
    /// Stable short code, e.g. `S|SIG`.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Decode(e) => e.code(),
            VerifyError::InvalidField => "D|FLD",
            VerifyError::UnknownIssuer => "S|KID",
            VerifyError::IssuerSignature => "S|SIG",
            VerifyError::NotYetValid => "V|NBF",
            VerifyError::Expired => "V|EXP",
            VerifyError::HolderSignature => "H|SIG",
            VerifyError::Stale => "H|OLD",
            VerifyError::FromFuture => "H|FUT",
        }
    }

    /// Bad code, or could not check.
    pub fn class(&self) -> ErrorClass {
        match self {
            VerifyError::UnknownIssuer => ErrorClass::CannotCheck,
            _ => ErrorClass::Invalid,
        }
    }
}

/// A presentation that passed every stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The issuer's claims.
    pub claims: Claims,
    /// The name of the issuer in the trust list.
    pub issuer_name: String,
    /// When the holder signed the presentation, Unix seconds.
    pub presented_at: u64,
}

/// [`verify_with`] with the default windows.
pub fn verify(qr_text: &str, trust: &TrustList, now: u64) -> Result<Verified, VerifyError> {
    verify_with(qr_text, trust, now, &VerifyOptions::default())
}

/// Verifies presentation QR text at `now` (Unix seconds): prefix and base45, canonical
/// decoding, issuer signature (`verify_strict`, RFC 8032 §5.1.7 with canonical `S` and no
/// small-order keys), validity window, holder signature and freshness, in that order; the
/// first failing stage is returned.
pub fn verify_with(
    qr_text: &str,
    trust: &TrustList,
    now: u64,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError> {
    let presentation = Presentation::from_qr_text(qr_text)?;
    let Presentation {
        credential,
        timestamp,
        signature,
    } = presentation;
    let claims = &credential.claims;
    claims.validate().map_err(|_| VerifyError::InvalidField)?;

    let issuer = trust
        .find(&claims.issuer)
        .ok_or(VerifyError::UnknownIssuer)?;
    let issuer_key = issuer
        .verifying_key()
        .map_err(|_| VerifyError::UnknownIssuer)?;
    issuer_key
        .verify_strict(
            &claims.signing_input(),
            &Signature::from_bytes(&credential.signature),
        )
        .map_err(|_| VerifyError::IssuerSignature)?;

    if now.saturating_add(options.clock_skew_secs) < claims.not_before {
        return Err(VerifyError::NotYetValid);
    }
    if now >= claims.expires.saturating_add(options.clock_skew_secs) {
        return Err(VerifyError::Expired);
    }

    let holder_key = ed25519_dalek::VerifyingKey::from_bytes(&claims.holder)
        .map_err(|_| VerifyError::HolderSignature)?;
    holder_key
        .verify_strict(
            &presentation::signing_input(&credential, timestamp),
            &Signature::from_bytes(&signature),
        )
        .map_err(|_| VerifyError::HolderSignature)?;
    if timestamp.saturating_add(options.freshness_secs) < now {
        return Err(VerifyError::Stale);
    }
    if timestamp > now.saturating_add(options.freshness_secs) {
        return Err(VerifyError::FromFuture);
    }

    Ok(Verified {
        claims: credential.claims,
        issuer_name: issuer.name.clone(),
        presented_at: timestamp,
    })
}
