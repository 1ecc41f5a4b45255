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
//!
//! # Scope: each signer revokes only what it issued
//!
//! A list may be signed by any key of the trust store that issues something: a health
//! authority (its codes and paper codes) or a pass issuer (its passes). A checkpoint keeps a
//! [`RevocationSet`] *per signer*, and an id on signer A's list revokes a code or pass only if
//! the code's issuer key id is A ([`RevocationSet::revokes`]). So one authority's list can
//! neither revoke, nor undo (by a newer full list without the id), nor freeze (by a huge
//! sequence) another authority's revocations.
//!
//! Root keys do not sign revocation lists: a root is pinned to sign trust lists only and is
//! not itself an entry of the trust store, so a root-signed list is refused (`L|KID`). A root
//! that must stop every code of an issuer key drops that key from its next trust list (the
//! codes then fail `S|KID`). After a key rotation, the old key keeps signing the lists for
//! the codes it issued until they expire.
//!
//! # Sequences and dates, per signer
//!
//! [`RevocationSet::apply`] keeps each signer's sequence apart: a full list from A replaces
//! only A's ids, and a delta from A applies only on A's held sequence. A list is refused when
//!
//! - it is signed after the checkpoint's clock plus the clock-skew allowance (`L|FUT`): a
//!   list dated ahead would never look stale, so `K|REV` could never fire;
//! - its sequence is not above the signer's held one (`L|SEQ`, a rollback);
//! - its sequence runs more than [`MAX_SEQUENCE_STEP`] plus the seconds between the two
//!   lists' signing times past the signer's held sequence (none held: sequence 0 signed at
//!   0) (`L|JMP`). Sequences numbered by signing time (the CLI's and the desk's default)
//!   always pass, and so do counters; a list numbered `u64::MAX`, which would refuse every
//!   later list of its signer as a rollback, is refused itself;
//! - it is a delta whose base is not the signer's held sequence (`L|BAS`).
//!
//! The age that counts for `K|REV` is per signer too: a code is checked against the newest
//! list of *its* issuer ([`mod@crate::verify`]), and a checkpoint's banner shows the oldest of the
//! signers' newest lists ([`RevocationSet::oldest_signed_at`]).

use crate::codec::{self, CodecError, MessageKind};
use crate::keys::{CredentialId, KeyId};
use crate::signature::verify_ed25519;
use crate::trust::{Role, TrustStore};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;
use std::collections::BTreeMap;

/// Domain separation for the signer's signature.
pub const REVOCATION_CONTEXT: &[u8] = b"healthcode/revocation-list/v1\0";

/// How far a signer's sequence may run past the one held, beyond the seconds between the two
/// lists' signing times (see the module docs): 1,000,000.
pub const MAX_SEQUENCE_STEP: u64 = 1_000_000;

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
    /// The signer is not a key of the trust store.
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
    /// Signed after the checkpoint's clock plus the clock-skew allowance.
    #[error("dated in the future (signed at {signed_at}, this device's clock says {now})")]
    FromFuture {
        /// The list's signing time, Unix seconds.
        signed_at: u64,
        /// The checkpoint's clock, Unix seconds.
        now: u64,
    },
    /// A sequence implausibly far past the signer's held one (see [`MAX_SEQUENCE_STEP`]).
    #[error("sequence {sequence} jumps implausibly far past the sequence held ({held})")]
    SequenceJump {
        /// The list's sequence.
        sequence: u64,
        /// The signer's held sequence (0 when nothing).
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
            RevocationError::FromFuture { .. } => "L|FUT",
            RevocationError::SequenceJump { .. } => "L|JMP",
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

    /// Decodes `HCL1:` text and checks it was signed by a key of `trust` (a health authority
    /// or a pass issuer: each revokes only what it issued, see the module docs) and that its
    /// ids are strictly ascending.
    pub fn from_text(text: &str, trust: &TrustStore) -> Result<RevocationList, RevocationError> {
        let bytes = codec::from_qr_text(text.trim(), MessageKind::RevocationList)?;
        let signed: SignedRevocationList = codec::decode_canonical(&bytes)?;
        let (signer, _) = trust
            .find(&signed.list.signer)
            .filter(|(i, _)| matches!(i.role, Role::HealthAuthority | Role::PassIssuer(_)))
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

    /// The signer named by `HCL1:` text, without checking the signature: for bookkeeping
    /// (which saved list a new full list replaces), never for trust. `None` if it does not
    /// decode.
    pub fn peek_signer(text: &str) -> Option<KeyId> {
        let bytes = codec::from_qr_text(text.trim(), MessageKind::RevocationList).ok()?;
        let signed: SignedRevocationList = codec::decode_canonical(&bytes).ok()?;
        Some(signed.list.signer)
    }
}

impl SignedRevocationList {
    /// `HCL1:` + base45 of the canonical bytes.
    pub fn to_text(&self) -> String {
        codec::to_qr_text(MessageKind::RevocationList, &codec::encode(self))
    }
}

/// One signer's part of a [`RevocationSet`]: its last full list and the deltas after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignerRevocations {
    /// Sequence of the signer's last list applied.
    pub sequence: u64,
    /// When the signer's last list applied was signed, Unix seconds.
    pub signed_at: u64,
    /// Sorted, unique.
    ids: Vec<CredentialId>,
}

impl SignerRevocations {
    /// Whether `id` is on this signer's lists (binary search).
    pub fn contains(&self, id: &CredentialId) -> bool {
        self.ids.binary_search(id).is_ok()
    }

    /// How many ids this signer revoked.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether this signer revoked no id.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// What a checkpoint holds: per signer key id, the revoked ids after its last full list and
/// its deltas (see the module docs for the rules).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevocationSet {
    signers: BTreeMap<KeyId, SignerRevocations>,
}

impl RevocationSet {
    /// Applies a verified list (from [`RevocationList::from_text`]) to its signer's part: a
    /// full list replaces that signer's ids, a delta adds to them. `now` is the checkpoint's
    /// clock and `skew_secs` its clock-skew allowance, in seconds
    /// ([`crate::verify::VerifyOptions::clock_skew_secs`]). Errors: `L|FUT`, `L|SEQ`, `L|JMP`,
    /// `L|BAS`, in that order of checking; a refused list changes nothing.
    pub fn apply(
        &mut self,
        list: RevocationList,
        now: u64,
        skew_secs: u64,
    ) -> Result<(), RevocationError> {
        if list.signed_at > now.saturating_add(skew_secs) {
            return Err(RevocationError::FromFuture {
                signed_at: list.signed_at,
                now,
            });
        }
        let held = self.signers.get(&list.signer);
        let (held_sequence, held_at) = held.map_or((0, 0), |h| (h.sequence, h.signed_at));
        if held.is_some() && list.sequence <= held_sequence {
            return Err(RevocationError::Rollback {
                held: held_sequence,
            });
        }
        let limit = held_sequence
            .saturating_add(MAX_SEQUENCE_STEP)
            .saturating_add(list.signed_at.saturating_sub(held_at));
        if list.sequence > limit {
            return Err(RevocationError::SequenceJump {
                sequence: list.sequence,
                held: held_sequence,
            });
        }
        let ids = match (list.scope, held) {
            (Scope::Full, _) => list.revoked,
            (Scope::Delta(base), Some(h)) if base == h.sequence => {
                let mut ids = h.ids.clone();
                ids.extend(list.revoked);
                ids.sort_unstable();
                ids.dedup();
                ids
            }
            (Scope::Delta(base), _) => {
                return Err(RevocationError::DeltaBase {
                    base,
                    held: held_sequence,
                })
            }
        };
        self.signers.insert(
            list.signer,
            SignerRevocations {
                sequence: list.sequence,
                signed_at: list.signed_at,
                ids,
            },
        );
        Ok(())
    }

    /// Whether the code or pass `id` issued by the key `issuer` is revoked: only the issuer's
    /// own lists count (binary search).
    pub fn revokes(&self, issuer: &KeyId, id: &CredentialId) -> bool {
        self.signers.get(issuer).is_some_and(|s| s.contains(id))
    }

    /// The lists held from `signer`, if any.
    pub fn signer(&self, signer: &KeyId) -> Option<&SignerRevocations> {
        self.signers.get(signer)
    }

    /// Every signer with the lists held from it, by key id.
    pub fn signers(&self) -> impl Iterator<Item = (&KeyId, &SignerRevocations)> {
        self.signers.iter()
    }

    /// The signer whose newest list is the oldest, with its lists: what the `K|REV` banner
    /// shows. `None` when no list is held.
    pub fn oldest(&self) -> Option<(&KeyId, &SignerRevocations)> {
        self.signers.iter().min_by_key(|(_, s)| s.signed_at)
    }

    /// When the oldest of the signers' newest lists was signed, Unix seconds; `None` when no
    /// list is held.
    pub fn oldest_signed_at(&self) -> Option<u64> {
        self.oldest().map(|(_, s)| s.signed_at)
    }

    /// How many ids are revoked, over all signers.
    pub fn len(&self) -> usize {
        self.signers.values().map(SignerRevocations::len).sum()
    }

    /// Whether no id is revoked (lists may still be held: see [`Self::oldest`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    const NOW: u64 = 1_800_000_000;
    const SKEW: u64 = 60;

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

    fn id(b: u8) -> CredentialId {
        CredentialId([b; 8])
    }

    #[test]
    fn full_then_delta_then_rollback_and_wrong_base() {
        let (signer, trust) = setup();
        let key = KeyId::of(&signer.verifying_key());
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
        set.apply(RevocationList::from_text(&full, &trust).unwrap(), NOW, SKEW)
            .unwrap();
        assert_eq!(set.len(), 3);
        assert!(set.revokes(&key, &id(2)));
        assert!(!set.revokes(&key, &id(4)));

        let delta = |base, seq| RevocationList {
            signer: key,
            sequence: seq,
            signed_at: 200,
            scope: Scope::Delta(base),
            revoked: ids(&[4]),
        };
        assert_eq!(
            set.clone().apply(delta(9, 11), NOW, SKEW),
            Err(RevocationError::DeltaBase { base: 9, held: 10 })
        );
        set.apply(delta(10, 11), NOW, SKEW).unwrap();
        assert!(set.revokes(&key, &id(4)));
        assert_eq!(
            set.signer(&key).map(|s| (s.sequence, s.len())),
            Some((11, 4))
        );
        assert_eq!(
            set.apply(delta(11, 11), NOW, SKEW),
            Err(RevocationError::Rollback { held: 11 })
        );
        // A delta from a signer with nothing held has no base.
        assert_eq!(
            set.apply(list(9, 2, 200, Scope::Delta(1), &[5]), NOW, SKEW),
            Err(RevocationError::DeltaBase { base: 1, held: 0 })
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
        assert_eq!(
            RevocationList::peek_signer(&foreign),
            Some(KeyId::of(&stranger.verifying_key()))
        );
        assert_eq!(RevocationList::peek_signer("HCL1:XYZ"), None);
    }

    #[test]
    fn another_signers_full_list_does_not_undo_a_revocation() {
        let mut set = RevocationSet::default();
        set.apply(list(1, 10, NOW - 600, Scope::Full, &[7]), NOW, SKEW)
            .unwrap();
        set.apply(list(2, 20, NOW - 300, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        assert!(set.revokes(&KeyId([1; 8]), &id(7)));
        // Signer 2 replacing its own list leaves signer 1's alone, and its delta chains on
        // its own sequence.
        set.apply(list(2, 21, NOW - 200, Scope::Full, &[8]), NOW, SKEW)
            .unwrap();
        set.apply(list(2, 22, NOW - 100, Scope::Delta(21), &[9]), NOW, SKEW)
            .unwrap();
        assert!(set.revokes(&KeyId([1; 8]), &id(7)));
        assert!(set.revokes(&KeyId([2; 8]), &id(9)));
        assert_eq!(set.len(), 3);
        // Signer 1's own newer full list does undo it.
        set.apply(list(1, 11, NOW - 60, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        assert!(!set.revokes(&KeyId([1; 8]), &id(7)));
    }

    #[test]
    fn a_signers_list_revokes_only_what_that_signer_issued() {
        let mut set = RevocationSet::default();
        set.apply(list(2, 1, NOW - 600, Scope::Full, &[7]), NOW, SKEW)
            .unwrap();
        assert!(set.revokes(&KeyId([2; 8]), &id(7)));
        assert!(!set.revokes(&KeyId([1; 8]), &id(7)));
    }

    #[test]
    fn a_max_sequence_list_is_refused_and_the_next_list_applies() {
        let mut set = RevocationSet::default();
        assert_eq!(
            set.apply(list(2, u64::MAX, NOW - 900, Scope::Full, &[]), NOW, SKEW),
            Err(RevocationError::SequenceJump {
                sequence: u64::MAX,
                held: 0
            })
        );
        set.apply(list(2, NOW - 600, NOW - 600, Scope::Full, &[7]), NOW, SKEW)
            .unwrap();
        // Also when a list is already held.
        assert_eq!(
            set.apply(list(2, u64::MAX, NOW - 300, Scope::Full, &[]), NOW, SKEW)
                .map_err(|e| e.code()),
            Err("L|JMP")
        );
        set.apply(list(2, NOW - 60, NOW - 60, Scope::Full, &[8]), NOW, SKEW)
            .unwrap();
        assert!(set.revokes(&KeyId([2; 8]), &id(8)));
    }

    #[test]
    fn a_list_dated_after_now_and_skew_is_refused() {
        let mut set = RevocationSet::default();
        let year_ahead = list(1, 1, NOW + 365 * 86_400, Scope::Full, &[]);
        assert_eq!(
            set.apply(year_ahead, NOW, SKEW).map_err(|e| e.code()),
            Err("L|FUT")
        );
        assert_eq!(
            set.apply(list(1, 1, NOW + SKEW + 1, Scope::Full, &[]), NOW, SKEW),
            Err(RevocationError::FromFuture {
                signed_at: NOW + SKEW + 1,
                now: NOW
            })
        );
        assert_eq!(set, RevocationSet::default());
        set.apply(list(1, 1, NOW + SKEW, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        assert_eq!(set.oldest_signed_at(), Some(NOW + SKEW));
    }

    #[test]
    fn a_sequence_jump_past_the_bound_is_refused() {
        let mut set = RevocationSet::default();
        set.apply(list(1, 5, NOW - 600, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        // Signed at the same time: at most MAX_SEQUENCE_STEP further.
        assert_eq!(
            set.clone().apply(
                list(1, 5 + MAX_SEQUENCE_STEP + 1, NOW - 600, Scope::Full, &[]),
                NOW,
                SKEW
            ),
            Err(RevocationError::SequenceJump {
                sequence: 5 + MAX_SEQUENCE_STEP + 1,
                held: 5
            })
        );
        // 500 s later: 500 more.
        assert_eq!(
            set.clone()
                .apply(
                    list(1, 5 + MAX_SEQUENCE_STEP + 501, NOW - 100, Scope::Full, &[]),
                    NOW,
                    SKEW
                )
                .map_err(|e| e.code()),
            Err("L|JMP")
        );
        set.apply(
            list(1, 5 + MAX_SEQUENCE_STEP + 500, NOW - 100, Scope::Full, &[]),
            NOW,
            SKEW,
        )
        .unwrap();
        // A first list: from sequence 0 signed at 0, so numbering by signing time passes.
        let mut fresh = RevocationSet::default();
        fresh
            .apply(list(3, NOW, NOW, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        assert_eq!(
            fresh
                .apply(
                    list(4, NOW + MAX_SEQUENCE_STEP + 1, NOW, Scope::Full, &[]),
                    NOW,
                    SKEW
                )
                .map_err(|e| e.code()),
            Err("L|JMP")
        );
    }

    #[test]
    fn the_banner_age_is_the_oldest_signers_newest_list() {
        let mut set = RevocationSet::default();
        assert_eq!(set.oldest_signed_at(), None);
        set.apply(list(1, 1, NOW - 3 * 86_400, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        set.apply(list(2, 1, NOW - 600, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        assert_eq!(set.oldest_signed_at(), Some(NOW - 3 * 86_400));
        assert_eq!(set.oldest().map(|(k, _)| *k), Some(KeyId([1; 8])));
        set.apply(list(1, 2, NOW - 60, Scope::Full, &[]), NOW, SKEW)
            .unwrap();
        assert_eq!(set.oldest_signed_at(), Some(NOW - 600));
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
