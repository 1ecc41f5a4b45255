//! Ed25519 signature verification (RFC 8032 §5.1.7) with one acceptance rule for every
//! signature in the system: issuer, holder, trust-list root and revocation-list signers.
//!
//! # Acceptance rule
//!
//! We use `ed25519-dalek`'s `VerifyingKey::verify_strict`, which on top of RFC 8032:
//!
//! * rejects a public key `A` that does not decode ([`SignatureError::InvalidKey`]), and any
//!   `A` of small order, in any encoding ([`SignatureError::Invalid`]: the small-order check
//!   is part of `verify_strict`, not of key decoding): such keys would "verify" signatures
//!   their holder never made;
//! * rejects a signature whose `R` is of small order;
//! * rejects a non-canonical scalar `S` (`S ≥ L`), so signatures are not malleable;
//! * checks the cofactorless equation `[S]B = R + [k]A`: a signature whose mixed-order `R`/`A`
//!   torsion parts do not cancel is rejected even though a cofactored verifier (RFC 8032's
//!   equation, ZIP-215, ed25519-dalek's `verify_batch`) would accept it. We never use batch
//!   verification.
//!
//! ed25519-dalek decodes points more leniently than RFC 8032 §5.1.3: it accepts `y ≥ p` and
//! `x = 0` with the sign bit set. For `R` this is harmless: the signature's `R` bytes must equal
//! the canonical encoding of `[S]B − [k]A`, so any non-canonical `R` is rejected. For `A`,
//! non-canonical encodings of small-order points are rejected by the small-order check;
//! non-canonical encodings of the ten mixed-order points with y ∈ {3, 4, 5, 6, 9, 10, 14, 15,
//! 16, 18} decode and are hashed as given, but nobody knows a secret key for them.
//!
//! The outcome of every edge case is pinned by `tests/ed25519_vectors.rs`: Wycheproof (151
//! cases: 88 valid accepted, 63 invalid rejected, no deviation), the 12 "Taming the many
//! EdDSAs" speccheck cases (only case 3 accepted) and RFC 8032 §7.1; see
//! `tests/vectors/ed25519-acceptance.md`.

use ed25519_dalek::{Signature, VerifyingKey};

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key is not a valid curve point encoding. (Small-order keys decode and are
    /// reported as `Invalid`.)
    #[error("invalid public key")]
    InvalidKey,
    /// The signature does not verify under the acceptance rule above.
    #[error("invalid signature")]
    Invalid,
}

/// Verifies `signature` (64 bytes, `R || S`) on `message` under `public_key` (32 bytes), with
/// the acceptance rule of this module.
pub fn verify_ed25519(
    public_key: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), SignatureError> {
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| SignatureError::InvalidKey)?;
    key.verify_strict(message, &Signature::from_bytes(signature))
        .map_err(|_| SignatureError::Invalid)
}
