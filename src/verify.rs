//! Verification at a checkpoint: QR text in, verified claims or the failing stage out.
//! Pure: the caller passes the trust store, the revocation set, the options and `now`.
//!
//! Stages, in order (the first failure is returned):
//!
//! 1. prefix, size limit and base45 ([`crate::codec`]); a presentation (`HCP1:`), or a paper
//!    code (`HCC1:` with a paper holder). A device credential shown bare is refused: it must
//!    come as a live presentation. A paper credential inside a presentation is refused
//!    (`H|SIG`: a paper code has no device key).
//! 2. strict canonical decoding and field rules (every field rule reports `D|FLD`);
//! 3. the issuer key is looked up in the trust store (`S|KID`); then the list it was found in
//!    is checked: the checkpoint's clock is not behind the list's signing time (`K|CLK`),
//!    the list is not older than allowed (`K|OLD`), and the revocation list of the code's
//!    issuer, held (or required), is not older than allowed (`K|REV`: an old list held is
//!    reported even when none is required, so a stale list is never trusted silently).
//!    Revocation is per signer ([`crate::revocation`]): only the lists signed by the code's
//!    issuer key count, for its age as for its ids;
//! 4. the issuer key is a health authority (`S|ROL`), valid when the code was issued
//!    (`S|KVA`), and its signature verifies (`S|SIG`, `verify_strict`, see
//!    [`crate::signature`]);
//! 5. revocation of the credential id on its issuer's lists (`R|REV`);
//! 6. the validity window, with the clock-skew allowance (`V|NBF`, `V|EXP`);
//! 7. holder binding: the presentation is signed by the credential's holder key (`H|SIG`),
//!    inside the freshness window (`H|OLD`, `H|FUT`);
//! 8. the pass, where the options require one for a place (`A|…`). A pass carried where none
//!    is required is not checked and not returned. A pass key's window is checked at the
//!    pass's `not_before`. A pass is revoked only by its issuer's lists (`A|REV`), and a stale
//!    list held from its issuer cannot check it (`K|REV`).

use crate::codec::{self, CodecError, MessageKind};
use crate::credential::{Claims, Credential, Holder};
use crate::keys::KeyId;
use crate::pass::{Pass, PassClaims};
use crate::presentation::{self, Presentation};
use crate::revocation::RevocationSet;
use crate::signature::verify_ed25519;
use crate::trust::{Role, TrustStore};

/// Default freshness window of a presentation, ± seconds around `now`.
pub const DEFAULT_FRESHNESS_SECS: u64 = 60;
/// Default clock-skew allowance on validity windows, in seconds.
pub const DEFAULT_CLOCK_SKEW_SECS: u64 = 60;
/// Default maximum age of the trust list, in seconds (7 days).
pub const DEFAULT_MAX_TRUST_AGE_SECS: u64 = 7 * 86_400;
/// Default maximum age of the revocation list, in seconds (2 days).
pub const DEFAULT_MAX_REVOCATION_AGE_SECS: u64 = 2 * 86_400;

/// Windows and requirements, in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// A presentation's timestamp must lie within `now ± freshness_secs`.
    pub freshness_secs: u64,
    /// Codes are accepted from `not_before - clock_skew_secs` until before
    /// `expires + clock_skew_secs`; the clock may be this far behind a list's signing time.
    pub clock_skew_secs: u64,
    /// The trust list may be at most this old.
    pub max_trust_age_secs: u64,
    /// The revocation list of a code's issuer may be at most this old (when one is required
    /// or held).
    pub max_revocation_age_secs: u64,
    /// Refuse to check codes without a revocation list from their issuer.
    pub require_revocation_list: bool,
    /// This checkpoint's place id, if a pass for it is required ("one code, one certificate").
    pub require_pass_for: Option<String>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            freshness_secs: DEFAULT_FRESHNESS_SECS,
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
            max_trust_age_secs: DEFAULT_MAX_TRUST_AGE_SECS,
            max_revocation_age_secs: DEFAULT_MAX_REVOCATION_AGE_SECS,
            require_revocation_list: false,
            require_pass_for: None,
        }
    }
}

/// Everything a verification depends on.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The checkpoint's trusted keys.
    pub trust: &'a TrustStore,
    /// Revoked ids per signer, if revocation lists were loaded (`Some` of a set without a list
    /// from a code's issuer is the same as `None` for that code).
    pub revocation: Option<&'a RevocationSet>,
    /// Windows and requirements.
    pub options: &'a VerifyOptions,
    /// The checkpoint's clock, Unix seconds.
    pub now: u64,
}

/// Whether a failure means the code is bad, or that this checkpoint could not check it.
/// The two look different to staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The code is bad: forged, tampered, expired, revoked, stale, not a health code.
    Invalid,
    /// The code may be fine but cannot be checked here (unknown issuer, lists too old, clock
    /// wrong): check by hand and fix the checkpoint.
    CannotCheck,
}

/// The stage at which verification failed. Codes are stable: shown to staff and kept in the
/// registration log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Prefix, base45 or canonical decoding failed (`P|…`, `D|…`).
    #[error("{0}")]
    Decode(#[from] CodecError),
    /// A device credential shown bare instead of as a live presentation (`P|RAW`).
    #[error("a credential, not the live code")]
    NotLive,
    /// The credential's fields break a rule (`D|FLD`).
    #[error("invalid field in the credential")]
    InvalidField,
    /// The checkpoint's clock is before the trust list's signing time (`K|CLK`).
    #[error("this device's clock is behind its trust list")]
    ClockBehind,
    /// The trust list is older than allowed (`K|OLD`).
    #[error("the trust list is too old")]
    TrustListTooOld,
    /// No revocation list, or one older than allowed, where one is required (`K|REV`).
    #[error("the revocation list is missing or too old")]
    RevocationListTooOld,
    /// The issuer key id is not in the trust store (`S|KID`).
    #[error("unknown issuer")]
    UnknownIssuer,
    /// The key is listed, but not as a health authority (`S|ROL`).
    #[error("the key may not issue health codes")]
    IssuerRole,
    /// The code was issued outside the key's validity window (`S|KVA`).
    #[error("issued outside the key's validity")]
    KeyNotValid,
    /// The issuer signature does not verify (`S|SIG`): forged or altered.
    #[error("invalid issuer signature")]
    IssuerSignature,
    /// The credential id is on the revocation list (`R|REV`).
    #[error("revoked")]
    Revoked,
    /// `now` is before the credential's not-before (`V|NBF`).
    #[error("not yet valid")]
    NotYetValid,
    /// `now` is at or past the credential's expiry (`V|EXP`).
    #[error("expired")]
    Expired,
    /// The presentation is not signed by the credential's holder key (`H|SIG`).
    #[error("not signed by the holder's device")]
    HolderSignature,
    /// The presentation is older than the freshness window (`H|OLD`): a screenshot.
    #[error("presentation too old")]
    Stale,
    /// The presentation is dated after `now` + the freshness window (`H|FUT`).
    #[error("presentation dated in the future")]
    FromFuture,
    /// A pass is required here and none was shown (`A|MIS`).
    #[error("no pass for this place")]
    PassMissing,
    /// The pass is for another place (`A|PLC`).
    #[error("the pass is for another place")]
    PassPlace,
    /// The pass's issuer is not listed as a pass issuer for this place (`A|KID`).
    #[error("the pass issuer may not issue passes for this place")]
    PassIssuer,
    /// The pass's signature does not verify, or its fields break a rule (`A|SIG`).
    #[error("invalid pass signature")]
    PassSignature,
    /// The pass names another holder key (`A|HLD`).
    #[error("the pass belongs to someone else")]
    PassHolder,
    /// The pass is not valid now (`A|EXP`).
    #[error("the pass is not valid now")]
    PassExpired,
    /// The pass id is revoked (`A|REV`).
    #[error("the pass is revoked")]
    PassRevoked,
}

impl VerifyError {
    /// Stable short code, e.g. `S|SIG`.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Decode(e) => e.code(),
            VerifyError::NotLive => "P|RAW",
            VerifyError::InvalidField => "D|FLD",
            VerifyError::ClockBehind => "K|CLK",
            VerifyError::TrustListTooOld => "K|OLD",
            VerifyError::RevocationListTooOld => "K|REV",
            VerifyError::UnknownIssuer => "S|KID",
            VerifyError::IssuerRole => "S|ROL",
            VerifyError::KeyNotValid => "S|KVA",
            VerifyError::IssuerSignature => "S|SIG",
            VerifyError::Revoked => "R|REV",
            VerifyError::NotYetValid => "V|NBF",
            VerifyError::Expired => "V|EXP",
            VerifyError::HolderSignature => "H|SIG",
            VerifyError::Stale => "H|OLD",
            VerifyError::FromFuture => "H|FUT",
            VerifyError::PassMissing => "A|MIS",
            VerifyError::PassPlace => "A|PLC",
            VerifyError::PassIssuer => "A|KID",
            VerifyError::PassSignature => "A|SIG",
            VerifyError::PassHolder => "A|HLD",
            VerifyError::PassExpired => "A|EXP",
            VerifyError::PassRevoked => "A|REV",
        }
    }

    /// Bad code, or could not check.
    pub fn class(&self) -> ErrorClass {
        match self {
            VerifyError::UnknownIssuer
            | VerifyError::ClockBehind
            | VerifyError::TrustListTooOld
            | VerifyError::RevocationListTooOld
            | VerifyError::Decode(CodecError::UnsupportedVersion(_)) => ErrorClass::CannotCheck,
            _ => ErrorClass::Invalid,
        }
    }
}

/// A code that passed every stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The issuer's claims.
    pub claims: Claims,
    /// The name of the issuer in the trust list.
    pub issuer_name: String,
    /// When the holder signed the presentation, Unix seconds; `None` for a paper code.
    pub presented_at: Option<u64>,
    /// The verified pass, if one was shown.
    pub pass: Option<PassClaims>,
}

/// [`verify_in`] with the trust store, no revocation list, the default options and `now`.
pub fn verify(qr_text: &str, trust: &TrustStore, now: u64) -> Result<Verified, VerifyError> {
    verify_in(
        qr_text,
        &Context {
            trust,
            revocation: None,
            options: &VerifyOptions::default(),
            now,
        },
    )
}

/// Verifies presentation or paper-code QR text in `ctx`; see the module docs for the stages.
pub fn verify_in(qr_text: &str, ctx: &Context<'_>) -> Result<Verified, VerifyError> {
    let (credential, live) = match codec::peek_kind(qr_text) {
        Some(MessageKind::Credential) => {
            let bytes = codec::from_qr_text(qr_text, MessageKind::Credential)?;
            let credential: Credential = codec::decode_canonical(&bytes)?;
            if !credential.claims.is_paper() {
                return Err(VerifyError::NotLive);
            }
            (credential, None)
        }
        _ => {
            let p = Presentation::from_qr_text(qr_text)?;
            (p.credential, Some((p.pass, p.timestamp, p.signature)))
        }
    };
    if live.is_some() && credential.claims.is_paper() {
        // A paper code has no device key to sign presentations with.
        return Err(VerifyError::HolderSignature);
    }
    let claims = &credential.claims;
    claims.validate().map_err(|_| VerifyError::InvalidField)?;
    let now = ctx.now;
    let skew = ctx.options.clock_skew_secs;

    let (issuer, list) = ctx
        .trust
        .find(&claims.issuer)
        .ok_or(VerifyError::UnknownIssuer)?;
    if now.saturating_add(skew) < list.signed_at {
        return Err(VerifyError::ClockBehind);
    }
    if now
        > list
            .signed_at
            .saturating_add(ctx.options.max_trust_age_secs)
    {
        return Err(VerifyError::TrustListTooOld);
    }
    // The issuer's list held must be fresh; without one, only a policy that requires it
    // objects.
    if !revocation_fresh(&claims.issuer, ctx, ctx.options.require_revocation_list) {
        return Err(VerifyError::RevocationListTooOld);
    }
    if issuer.role != Role::HealthAuthority {
        return Err(VerifyError::IssuerRole);
    }
    if !issuer.valid_at(claims.issued_at) {
        return Err(VerifyError::KeyNotValid);
    }
    verify_ed25519(
        &issuer.public_key,
        &claims.signing_input(),
        &credential.signature,
    )
    .map_err(|_| VerifyError::IssuerSignature)?;

    let revoked = |issuer: &KeyId, id| ctx.revocation.is_some_and(|set| set.revokes(issuer, id));
    if revoked(&claims.issuer, &claims.id) {
        return Err(VerifyError::Revoked);
    }
    if now.saturating_add(skew) < claims.not_before {
        return Err(VerifyError::NotYetValid);
    }
    if now >= claims.expires.saturating_add(skew) {
        return Err(VerifyError::Expired);
    }

    let mut verified_pass = None;
    let mut presented_at = None;
    if let Some((pass, timestamp, signature)) = live {
        let Holder::Device(holder_key) = claims.holder else {
            return Err(VerifyError::HolderSignature);
        };
        verify_ed25519(
            &holder_key,
            &presentation::signing_input(&credential, pass.as_ref(), timestamp),
            &signature,
        )
        .map_err(|_| VerifyError::HolderSignature)?;
        let freshness = ctx.options.freshness_secs;
        if timestamp.saturating_add(freshness) < now {
            return Err(VerifyError::Stale);
        }
        if timestamp > now.saturating_add(freshness) {
            return Err(VerifyError::FromFuture);
        }
        presented_at = Some(timestamp);
        if let Some(place) = &ctx.options.require_pass_for {
            let pass = pass.ok_or(VerifyError::PassMissing)?;
            let pass_revoked = revoked(&pass.claims.issuer, &pass.claims.id);
            check_pass(&pass, place, &holder_key, ctx, pass_revoked)?;
            verified_pass = Some(pass.claims);
        }
    } else if ctx.options.require_pass_for.is_some() {
        // Paper codes carry no pass: the gate checks the paper pass by hand.
        return Err(VerifyError::PassMissing);
    }

    Ok(Verified {
        issuer_name: issuer.name.clone(),
        claims: credential.claims,
        presented_at,
        pass: verified_pass,
    })
}

/// Whether the revocation lists held from `issuer` are fresh enough to rely on: the newest
/// is at most `max_revocation_age_secs` old; with none held, whether none is `required`.
fn revocation_fresh(issuer: &KeyId, ctx: &Context<'_>, required: bool) -> bool {
    match ctx.revocation.and_then(|set| set.signer(issuer)) {
        Some(held) => {
            ctx.now
                <= held
                    .signed_at
                    .saturating_add(ctx.options.max_revocation_age_secs)
        }
        None => !required,
    }
}

fn check_pass(
    pass: &Pass,
    place: &str,
    holder_key: &[u8; 32],
    ctx: &Context<'_>,
    revoked: bool,
) -> Result<(), VerifyError> {
    let c = &pass.claims;
    if c.place != place {
        return Err(VerifyError::PassPlace);
    }
    let (issuer, _) = ctx
        .trust
        .find(&c.issuer)
        .filter(|(i, _)| i.may_issue_pass_for(place))
        .ok_or(VerifyError::PassIssuer)?;
    c.validate().map_err(|_| VerifyError::PassSignature)?;
    if !issuer.valid_at(c.not_before) {
        return Err(VerifyError::PassIssuer);
    }
    verify_ed25519(&issuer.public_key, &c.signing_input(), &pass.signature)
        .map_err(|_| VerifyError::PassSignature)?;
    if &c.holder != holder_key {
        return Err(VerifyError::PassHolder);
    }
    // Pass issuers need not publish lists; a stale one held is not trusted silently.
    if !revocation_fresh(&c.issuer, ctx, false) {
        return Err(VerifyError::RevocationListTooOld);
    }
    if revoked {
        return Err(VerifyError::PassRevoked);
    }
    let skew = ctx.options.clock_skew_secs;
    if ctx.now.saturating_add(skew) < c.not_before || ctx.now >= c.expires.saturating_add(skew) {
        return Err(VerifyError::PassExpired);
    }
    Ok(())
}
