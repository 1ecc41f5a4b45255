//! Ed25519 signing for batch issuing: the same signatures as `ed25519-dalek`, made faster by
//! expanding the secret key once per batch and by a larger table for the fixed-base
//! multiplication.
//!
//! # What it computes
//!
//! RFC 8032 §5.1.6 (PureEdDSA, Ed25519), with the secret key expanded once (§5.1.5):
//!
//! 1. `h = SHA-512(seed)`; `s` = the first 32 bytes of `h`, clamped (bits 0–2 and 255 cleared,
//!    bit 254 set), as a scalar; `prefix` = the last 32 bytes of `h`; `A` = the public key
//!    (taken from the `ed25519_dalek::SigningKey`, which stores it).
//! 2. Per message `M`: `r = SHA-512(prefix ‖ M) mod ℓ`; `R = r·B`; `k = SHA-512(R ‖ A ‖ M) mod ℓ`;
//!    `S = r + k·s mod ℓ`; the signature is `R ‖ S` (64 bytes).
//!
//! This is exactly what `ed25519_dalek::SigningKey::sign` does (`ExpandedSecretKey::raw_sign`
//! in ed25519-dalek 2.2), except that dalek repeats step 1 on every signature and multiplies by
//! the basepoint with its radix-16 table (64 additions); here `r·B` uses a radix-32 table
//! ([`EdwardsBasepointTableRadix32`], 52 additions, 60 KB), built once per process. (Larger
//! tables are slower: each lookup scans its whole row in constant time; measured in the
//! README's "Batch issuing".) The table
//! lookups are constant-time like dalek's, so the signer leaks no more timing than dalek.
//! Deterministic signing makes the output byte-identical to dalek's, which
//! `tests/batch_signer.rs` checks on the RFC 8032 §7.1 vectors and on random seeds and
//! messages (and every signature verifies with `verify_strict`).
//!
//! # Secret material
//!
//! The expanded key (`s` and `prefix`) is zeroized when the signer is dropped, as dalek does
//! for its `ExpandedSecretKey`; the seed copy and the SHA-512 output used to derive it are
//! zeroized at once.

use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsBasepointTableRadix32;
use curve25519_dalek::scalar::{clamp_integer, Scalar};
use curve25519_dalek::traits::BasepointTable;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::keys::KeyId;

/// The basepoint table, built on first use (about a millisecond) and kept for the process.
fn basepoint_table() -> &'static EdwardsBasepointTableRadix32 {
    static TABLE: OnceLock<Box<EdwardsBasepointTableRadix32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        Box::new(EdwardsBasepointTableRadix32::create(
            &ED25519_BASEPOINT_POINT,
        ))
    })
}

/// An issuer key expanded for signing many messages (RFC 8032 §5.1.6); signatures are
/// byte-identical to `ed25519_dalek::SigningKey::sign`. Zeroizes its secret on drop.
pub struct BatchSigner {
    /// The clamped secret scalar `s`, reduced mod ℓ.
    scalar: Scalar,
    /// The second half of `SHA-512(seed)`: hashed before each message to derive `r`.
    prefix: [u8; 32],
    /// The public key `A` (RFC 8032 encoding).
    public: [u8; 32],
    /// The key id of `A` ([`KeyId::of`]), for the credentials' `issuer` field.
    key_id: KeyId,
}

impl BatchSigner {
    /// Expands `key` once (RFC 8032 §5.1.5) and makes sure the basepoint table exists.
    pub fn new(key: &SigningKey) -> BatchSigner {
        let seed = Zeroizing::new(key.to_bytes());
        let mut hash: Zeroizing<[u8; 64]> = Zeroizing::new(Sha512::digest(*seed).into());
        let mut lower = Zeroizing::new([0u8; 32]);
        lower.copy_from_slice(&hash[..32]);
        let mut prefix = [0u8; 32];
        prefix.copy_from_slice(&hash[32..]);
        hash.zeroize();
        let scalar = Scalar::from_bytes_mod_order(clamp_integer(*lower));
        basepoint_table();
        let verifying_key = key.verifying_key();
        BatchSigner {
            scalar,
            prefix,
            public: verifying_key.to_bytes(),
            key_id: KeyId::of(&verifying_key),
        }
    }

    /// The public key `A`, 32 bytes (RFC 8032 §5.1.2 encoding).
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public
    }

    /// The key id of the public key ([`KeyId::of`]).
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// Signs `message`: the 64-byte Ed25519 signature `R ‖ S` (RFC 8032 §5.1.6).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut r = Scalar::from_hash(
            Sha512::new()
                .chain_update(self.prefix)
                .chain_update(message),
        );
        let big_r = (&r * basepoint_table()).compress();
        let k = Scalar::from_hash(
            Sha512::new()
                .chain_update(big_r.as_bytes())
                .chain_update(self.public)
                .chain_update(message),
        );
        let s = k * self.scalar + r;
        r.zeroize();
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(big_r.as_bytes());
        signature[32..].copy_from_slice(s.as_bytes());
        signature
    }
}

impl Drop for BatchSigner {
    fn drop(&mut self) {
        self.scalar.zeroize();
        self.prefix.zeroize();
    }
}

impl ZeroizeOnDrop for BatchSigner {}

impl std::fmt::Debug for BatchSigner {
    /// Shows the key id only, never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}
