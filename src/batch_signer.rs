//! Ed25519 signing for batch issuing: the issuer key expanded once for a whole batch.
//!
//! RFC 8032 §5.1.6 signing starts from the expanded secret key (§5.1.5): `h = SHA-512(seed)`,
//! the clamped scalar `s` from its first half and the nonce prefix from its second half.
//! `ed25519_dalek::SigningKey::sign` (ed25519-dalek 2.2) recomputes that expansion on every
//! signature; a batch of a million codes needs it once. [`BatchSigner`] keeps dalek's own
//! `hazmat::ExpandedSecretKey` and signs with dalek's `hazmat::raw_sign` (the same code that
//! `SigningKey::sign` runs after expanding), always with the public key of the same
//! `SigningKey`: `raw_sign` is only unsafe with a mismatched key pair, which this type cannot
//! be built with. Signatures are therefore byte-identical to `SigningKey::sign`;
//! `tests/batch_signer.rs` and `tests/ed25519_vectors.rs` (RFC 8032 §7.1) check it.
//!
//! The key id ([`KeyId::of`], a SHA-256 of the public key) is also computed once.
//!
//! Secret material: dalek's `ExpandedSecretKey` zeroizes itself when dropped; the seed copy it
//! is derived from is zeroized at once.

use ed25519_dalek::hazmat::{raw_sign, ExpandedSecretKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::Sha512;
use zeroize::Zeroizing;

use crate::keys::KeyId;

/// An issuer key expanded for signing many messages (RFC 8032 §5.1.6); signatures are
/// byte-identical to `ed25519_dalek::SigningKey::sign`. Its secret is zeroized on drop.
pub struct BatchSigner {
    /// `SHA-512(seed)` split into the clamped scalar and the nonce prefix (zeroized on drop).
    expanded: ExpandedSecretKey,
    /// The public key of the same signing key.
    verifying_key: VerifyingKey,
    /// The key id of `verifying_key`, for the credentials' `issuer` field.
    key_id: KeyId,
}

impl BatchSigner {
    /// Expands `key` once (RFC 8032 §5.1.5).
    pub fn new(key: &SigningKey) -> BatchSigner {
        let seed = Zeroizing::new(key.to_bytes());
        let verifying_key = key.verifying_key();
        BatchSigner {
            expanded: ExpandedSecretKey::from(&*seed),
            verifying_key,
            key_id: KeyId::of(&verifying_key),
        }
    }

    /// The public key (32 bytes, RFC 8032 §5.1.2 encoding).
    pub fn public_key(&self) -> &[u8; 32] {
        self.verifying_key.as_bytes()
    }

    /// The key id of the public key ([`KeyId::of`]).
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// Signs `message`: the 64-byte Ed25519 signature `R ‖ S` (RFC 8032 §5.1.6).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        raw_sign::<Sha512>(&self.expanded, message, &self.verifying_key).to_bytes()
    }
}

impl std::fmt::Debug for BatchSigner {
    /// Shows the key id only, never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}
