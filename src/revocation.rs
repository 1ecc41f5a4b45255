//! Revocation (deny) lists: credential and pass ids that must no longer pass, signed by a
//! health-authority key of the trust list.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! [`RevocationList`] (the signed body):
//!
//! | field       | encoding                                                          |
//! |-------------|-------------------------------------------------------------------|
//! | `signer`    | 8 raw bytes: key id of the signing health-authority key           |
//! | `sequence`  | varint u64: increases with every list the signer publishes        |
//! | `signed_at` | varint u64, Unix seconds                                          |
//! | `scope`     | varint 0 full; 1 delta + varint u64 base sequence it applies to   |
//! | `revoked`   | varint count, then 8 raw bytes an id, strictly ascending          |
//!
//! [`SignedRevocationList`] = the body, then 64 bytes: the signer's Ed25519 signature over
//! `b"healthcode/revocation-list/v1\0"` + the body's bytes. As text: `HCL1:` + base45.
//!
//! Size: a full list of 100,000 ids is 8 × 100,000 + 23 bytes ≈ 800 KB, 1.2 MB as text: it
//! travels as a file or a link (the URL fragment), not as a QR code. A delta adds the ids
//! revoked since the list named by its base: a day's few hundred ids are a few KB, a handful
//! of QR codes. Ids are only removed by the next full list (when codes expire). The ids
//! are sorted so that lookup is a binary search and the encoding is canonical.

use crate::codec::{self, CodecError, MessageKind};
use crate::keys::{CredentialId, KeyId};
use crate::signature::verify_ed25519;
use crate::trust::{Role, TrustStore};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Domain separation for the signer's signature.
pub const REVOCATION_CONTEXT: &[u8] = b"healthcode/revocation-list/v1\0";

/// Whether a list replaces what is held, or adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Every revoked id still worth listing.
    Full,
    /// Ids revoked since the list with sequence `base`.
    Delta(u64),
}

/// The signed body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationList {
    /// Key id of the signing health-authority key.
    pub signer: KeyId,
    /// Increases with every list the signer publishes.
    pub sequence: u64,
    /// When signed, Unix seconds.
    pub signed_at: u64,
    /// Full or delta.
    pub scope: Scope,
    /// Revoked ids, strictly ascending.
    pub revoked: Vec<CredentialId>,
}

/// A revocation list with its signature: what travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRevocationList {
    /// The list.
    pub list: RevocationList,
    /// Ed25519 signature by `list.signer`.
    #[serde(with = "BigArray")]
    pub signature: [u8; 64],
}

/// Why a revocation list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    /// Did not decode.
    #[error("{0}")]
    Codec(#[from] CodecError),
    /// The signer is not a health-authority key of the trust store.
    #[error("signed by a key that may not sign revocation lists")]
    UnknownSigner,
    /// The signature does not verify.
    #[error("the signature is invalid")]
    Signature,
    /// Ids not strictly ascending (unsorted or repeated).
    #[error("ids are not strictly ascending")]
    Unsorted,
    /// Not newer than the list held.
    #[error("not newer than the revocation list held (sequence {held})")]
    Rollback {
        /// The sequence held.
        held: u64,
    },
    /// A delta whose base is not the list held.
    #[error("a delta for list {base}, but list {held} is held: load the full list")]
    DeltaBase {
        /// What the delta applies to.
        base: u64,
        /// What is held (0 when nothing).
        held: u64,
    },
}

impl RevocationError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            RevocationError::Codec(e) => e.code(),
            RevocationError::UnknownSigner => "L|KID",
            RevocationError::Signature => "L|SIG",
            RevocationError::Unsorted => "L|ORD",
            RevocationError::Rollback { .. } => "L|SEQ",
            RevocationError::DeltaBase { .. } => "L|BAS",
        }
    }
}

fn signing_input(list: &RevocationList) -> Vec<u8> {
    codec::signing_input(REVOCATION_CONTEXT, list)
}

impl RevocationList {
    /// Sorts and de-duplicates the ids, sets `signer`, and signs.
    pub fn sign(mut self, signer: &SigningKey) -> SignedRevocationList {
        self.revoked.sort_unstable();
        self.revoked.dedup();
        self.signer = KeyId::of(&signer.verifying_key());
        let signature = signer.sign(&signing_input(&self)).to_bytes();
        SignedRevocationList {
            list: self,
            signature,
        }
    }

    /// Decodes `HCL1:` text and checks it was signed by a health-authority key of `trust`
    /// and that its ids are strictly ascending.
    pub fn from_text(text: &str, trust: &TrustStore) -> Result<RevocationList, RevocationError> {
        let bytes = codec::from_qr_text(text.trim(), MessageKind::RevocationList)?;
        let signed: SignedRevocationList = codec::decode_canonical(&bytes)?;
        let (signer, _) = trust
            .find(&signed.list.signer)
            .filter(|(i, _)| i.role == Role::HealthAuthority)
            .ok_or(RevocationError::UnknownSigner)?;
        verify_ed25519(
            &signer.public_key,
            &signing_input(&signed.list),
            &signed.signature,
        )
        .map_err(|_| RevocationError::Signature)?;
        if signed.list.revoked.windows(2).any(|w| w[0] >= w[1]) {
            return Err(RevocationError::Unsorted);
        }
        Ok(signed.list)
    }
}

impl SignedRevocationList {
    /// `HCL1:` + base45 of the canonical bytes.
    pub fn to_text(&self) -> String {
        codec::to_qr_text(MessageKind::RevocationList, &codec::encode(self))
    }
}

/// What a checkpoint holds: the revoked ids after the last full list and its deltas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevocationSet {
    /// Sequence of the last list applied (0: none).
    pub sequence: u64,
    /// When the last list applied was signed, Unix seconds (0: none).
    pub signed_at: u64,
    /// Sorted, unique.
    ids: Vec<CredentialId>,
}

impl RevocationSet {
    /// Applies a verified list: a full list replaces the set, a delta adds to it.
    pub fn apply(&mut self, list: RevocationList) -> Result<(), RevocationError> {
        if self.sequence != 0 && list.sequence <= self.sequence {
            return Err(RevocationError::Rollback {
                held: self.sequence,
            });
        }
        match list.scope {
            Scope::Full => self.ids = list.revoked,
            Scope::Delta(base) => {
                if base != self.sequence || self.sequence == 0 {
                    return Err(RevocationError::DeltaBase {
                        base,
                        held: self.sequence,
                    });
                }
                self.ids.extend(list.revoked);
                self.ids.sort_unstable();
                self.ids.dedup();
            }
        }
        self.sequence = list.sequence;
        self.signed_at = list.signed_at;
        Ok(())
    }

    /// Whether `id` is revoked (binary search).
    pub fn contains(&self, id: &CredentialId) -> bool {
        self.ids.binary_search(id).is_ok()
    }

    /// How many ids are revoked.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no id is revoked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::{TrustList, TrustedIssuer};

    fn setup() -> (SigningKey, TrustStore) {
        let signer = SigningKey::from_bytes(&[5; 32]);
        let list = TrustList {
            root: KeyId([0; 8]),
            sequence: 1,
            signed_at: 0,
            issuers: vec![TrustedIssuer::new(
                &signer.verifying_key(),
                "Authority",
                Role::HealthAuthority,
                0,
                u64::MAX,
            )],
        };
        (signer, TrustStore::with(list))
    }

    fn ids(n: &[u8]) -> Vec<CredentialId> {
        n.iter().map(|&b| CredentialId([b; 8])).collect()
    }

    #[test]
    fn full_then_delta_then_rollback_and_wrong_base() {
        let (signer, trust) = setup();
        let full = RevocationList {
            signer: KeyId([0; 8]),
            sequence: 10,
            signed_at: 100,
            scope: Scope::Full,
            revoked: ids(&[3, 1, 2, 2]),
        }
        .sign(&signer)
        .to_text();
        let mut set = RevocationSet::default();
        set.apply(RevocationList::from_text(&full, &trust).unwrap())
            .unwrap();
        assert_eq!(set.len(), 3);
        assert!(set.contains(&CredentialId([2; 8])));
        assert!(!set.contains(&CredentialId([4; 8])));

        let delta = |base, seq| RevocationList {
            signer: KeyId([0; 8]),
            sequence: seq,
            signed_at: 200,
            scope: Scope::Delta(base),
            revoked: ids(&[4]),
        };
        assert_eq!(
            set.clone().apply(delta(9, 11)),
            Err(RevocationError::DeltaBase { base: 9, held: 10 })
        );
        set.apply(delta(10, 11)).unwrap();
        assert!(set.contains(&CredentialId([4; 8])));
        assert_eq!(set.sequence, 11);
        assert_eq!(
            set.apply(delta(11, 11)),
            Err(RevocationError::Rollback { held: 11 })
        );
    }

    #[test]
    fn unsorted_ids_and_foreign_signers_are_refused() {
        let (signer, trust) = setup();
        let mut signed = RevocationList {
            signer: KeyId([0; 8]),
            sequence: 1,
            signed_at: 1,
            scope: Scope::Full,
            revoked: ids(&[1, 2]),
        }
        .sign(&signer);
        signed.list.revoked.reverse();
        // Re-sign by hand so only the order is wrong.
        signed.signature = signer.sign(&signing_input(&signed.list)).to_bytes();
        assert_eq!(
            RevocationList::from_text(&signed.to_text(), &trust),
            Err(RevocationError::Unsorted)
        );
        let stranger = SigningKey::from_bytes(&[6; 32]);
        let foreign = RevocationList {
            signer: KeyId([0; 8]),
            sequence: 1,
            signed_at: 1,
            scope: Scope::Full,
            revoked: vec![],
        }
        .sign(&stranger)
        .to_text();
        assert_eq!(
            RevocationList::from_text(&foreign, &trust),
            Err(RevocationError::UnknownSigner)
        );
    }

    fn list(
        signer: u8,
        sequence: u64,
        signed_at: u64,
        scope: Scope,
        revoked: &[u8],
    ) -> RevocationList {
        RevocationList {
            signer: KeyId([signer; 8]),
            sequence,
            signed_at,
            scope,
            revoked: ids(revoked),
        }
    }

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn another_signers_full_list_does_not_undo_a_revocation() {
        let mut set = RevocationSet::default();
        set.apply(list(1, 10, NOW - 600, Scope::Full, &[7]))
            .unwrap();
        set.apply(list(2, 20, NOW - 300, Scope::Full, &[])).unwrap();
        assert!(set.contains(&CredentialId([7; 8])));
    }

    #[test]
    fn a_max_sequence_list_is_refused_and_the_next_list_applies() {
        let mut set = RevocationSet::default();
        assert!(set
            .apply(list(2, u64::MAX, NOW - 900, Scope::Full, &[]))
            .is_err());
        set.apply(list(2, NOW - 600, NOW - 600, Scope::Full, &[7]))
            .unwrap();
    }

    #[test]
    fn a_list_dated_after_now_and_skew_is_refused() {
        let mut set = RevocationSet::default();
        assert!(set
            .apply(list(1, 1, NOW + 365 * 86_400, Scope::Full, &[]))
            .is_err());
    }

    #[test]
    fn a_sequence_jump_past_the_bound_is_refused() {
        let mut set = RevocationSet::default();
        set.apply(list(1, 5, NOW - 600, Scope::Full, &[])).unwrap();
        assert!(set
            .apply(list(1, 5 + 1_000_001, NOW - 600, Scope::Full, &[]))
            .is_err());
    }

    #[test]
    fn a_city_sized_full_list_is_about_800_kb() {
        let (signer, _) = setup();
        let revoked = (0u64..100_000)
            .map(|i| CredentialId(i.to_be_bytes()))
            .collect();
        let signed = RevocationList {
            signer: KeyId([0; 8]),
            sequence: 1,
            signed_at: 1_800_000_000,
            scope: Scope::Full,
            revoked,
        }
        .sign(&signer);
        let bytes = codec::encode(&signed).len();
        assert_eq!(bytes, 8 + 1 + 5 + 1 + 3 + 800_000 + 64);
        assert!(signed.to_text().len() < 1_300_000);
    }
}
