//! Trust lists: the issuer keys a checkpoint accepts, signed by a root key the checkpoint
//! pins.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! [`TrustList`] (the signed body):
//!
//! | field       | encoding                                                  |
//! |-------------|-----------------------------------------------------------|
//! | `root`      | 8 raw bytes: key id of the root key that signs the list   |
//! | `sequence`  | varint u64: increases with every list the root publishes  |
//! | `signed_at` | varint u64, Unix seconds                                  |
//! | `issuers`   | varint count, then each [`TrustedIssuer`]:                |
//! | · `key_id`     | 8 raw bytes, `KeyId::of(public_key)`                   |
//! | · `public_key` | 32 raw bytes, Ed25519                                  |
//! | · `name`       | varint length + UTF-8, at most 64 bytes                |
//! | · `role`       | varint 0 health authority; 1 pass issuer + varint count + place ids (varint length + UTF-8, 1–32 bytes each) |
//! | · `valid_from`, `valid_until` | varint u64 each: the key may sign credentials or passes issued in `[valid_from, valid_until)` |
//!
//! [`SignedTrustList`] = the body, then the root's 64-byte Ed25519 signature over
//! `b"healthcode/trust-list/v1\0"` + the body's bytes. As text (file, link or QR):
//! `HCT1:` + base45.
//!
//! A checkpoint keeps a [`TrustStore`]: the newest list of each pinned root. A list from an
//! unpinned root, with a bad signature, or older than the one held (a rollback) is refused.
//! Key rotation: the new key is listed with its `valid_from` before the old key's
//! `valid_until`; codes issued by the old key inside its window keep verifying.

use crate::codec::{self, CodecError, MessageKind};
use crate::keys::KeyId;
use crate::signature::verify_ed25519;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Domain separation for the root's signature.
pub const TRUST_LIST_CONTEXT: &[u8] = b"healthcode/trust-list/v1\0";
/// Longest issuer name, in bytes of UTF-8.
pub const MAX_ISSUER_NAME: usize = 64;

/// What a listed key may sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Health codes (credentials, paper codes) and revocation lists.
    HealthAuthority,
    /// Passes for the listed place ids only.
    PassIssuer(Vec<String>),
}

/// One trusted key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedIssuer {
    /// `KeyId::of(public_key)`.
    pub key_id: KeyId,
    /// Ed25519 public key (RFC 8032 encoding).
    pub public_key: [u8; 32],
    /// Who holds the key, e.g. "Zhoushan Health Commission".
    pub name: String,
    /// What it may sign.
    pub role: Role,
    /// Start of the key's issuing window, Unix seconds.
    pub valid_from: u64,
    /// End (exclusive) of the key's issuing window, Unix seconds.
    pub valid_until: u64,
}

impl TrustedIssuer {
    /// An entry for `key` named `name` (cut to [`MAX_ISSUER_NAME`] bytes on a character
    /// boundary) with `role`, valid for issuing in `[valid_from, valid_until)`.
    pub fn new(
        key: &VerifyingKey,
        name: &str,
        role: Role,
        valid_from: u64,
        valid_until: u64,
    ) -> TrustedIssuer {
        let mut name = name.to_owned();
        while name.len() > MAX_ISSUER_NAME {
            name.pop();
        }
        TrustedIssuer {
            key_id: KeyId::of(key),
            public_key: key.to_bytes(),
            name,
            role,
            valid_from,
            valid_until,
        }
    }

    /// Whether the key may sign something issued at `t`.
    pub fn valid_at(&self, t: u64) -> bool {
        self.valid_from <= t && t < self.valid_until
    }

    /// Whether the key may issue passes for `place`.
    pub fn may_issue_pass_for(&self, place: &str) -> bool {
        matches!(&self.role, Role::PassIssuer(places) if places.iter().any(|p| p == place))
    }
}

/// Why a trust list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustListError {
    /// The text or bytes did not decode.
    #[error("{0}")]
    Codec(#[from] CodecError),
    /// Signed by a root this checkpoint has not pinned.
    #[error("signed by an unknown root key")]
    UnknownRoot,
    /// The root's signature does not verify.
    #[error("the root signature is invalid")]
    Signature,
    /// An entry's public key is not a valid Ed25519 point.
    #[error("an entry's key is not a valid Ed25519 public key")]
    InvalidKey,
    /// An entry's key id is not the id of its key.
    #[error("an entry's key id does not match its key")]
    KeyIdMismatch,
    /// An issuer name or place id is too long or empty, or a window is empty.
    #[error("an entry breaks a field rule")]
    Field,
    /// Older than (or the same sequence as, but different from) the list already held.
    #[error("older than the trust list already held (sequence {held})")]
    Rollback {
        /// The sequence number held.
        held: u64,
    },
}

impl TrustListError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustListError::Codec(e) => e.code(),
            TrustListError::UnknownRoot => "T|ROOT",
            TrustListError::Signature => "T|SIG",
            TrustListError::InvalidKey => "T|KEY",
            TrustListError::KeyIdMismatch => "T|KID",
            TrustListError::Field => "T|FLD",
            TrustListError::Rollback { .. } => "T|SEQ",
        }
    }
}

/// The body of a trust list: what the root signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// Key id of the signing root.
    pub root: KeyId,
    /// Increases with every list the root publishes.
    pub sequence: u64,
    /// When the root signed, Unix seconds.
    pub signed_at: u64,
    /// The entries; at most one per key id.
    pub issuers: Vec<TrustedIssuer>,
}

/// A trust list with the root's signature: what travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTrustList {
    /// The list.
    pub list: TrustList,
    /// Ed25519 signature by the root key named in `list.root`.
    #[serde(with = "BigArray")]
    pub signature: [u8; 64],
}

fn signing_input(list: &TrustList) -> Vec<u8> {
    codec::signing_input(TRUST_LIST_CONTEXT, list)
}

impl TrustList {
    /// The entry for `key_id`, if listed.
    pub fn find(&self, key_id: &KeyId) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| &i.key_id == key_id)
    }

    /// Signs the list with `root` (setting `self.root`); [`SignedTrustList::to_text`] gives
    /// its `HCT1:` text.
    pub fn sign(mut self, root: &SigningKey) -> SignedTrustList {
        self.root = KeyId::of(&root.verifying_key());
        let signature = root.sign(&signing_input(&self)).to_bytes();
        SignedTrustList {
            list: self,
            signature,
        }
    }

    /// Decodes `HCT1:` text (surrounding white space ignored), checks the signature against
    /// the pinned root keys and every entry's rules.
    pub fn from_text(
        text: &str,
        pinned_roots: &[VerifyingKey],
    ) -> Result<TrustList, TrustListError> {
        let bytes = codec::from_qr_text(text.trim(), MessageKind::TrustList)?;
        let signed: SignedTrustList = codec::decode_canonical(&bytes)?;
        let root = pinned_roots
            .iter()
            .find(|k| KeyId::of(k) == signed.list.root)
            .ok_or(TrustListError::UnknownRoot)?;
        verify_ed25519(
            root.as_bytes(),
            &signing_input(&signed.list),
            &signed.signature,
        )
        .map_err(|_| TrustListError::Signature)?;
        for issuer in &signed.list.issuers {
            if issuer.name.len() > MAX_ISSUER_NAME || issuer.valid_from >= issuer.valid_until {
                return Err(TrustListError::Field);
            }
            if let Role::PassIssuer(places) = &issuer.role {
                if places
                    .iter()
                    .any(|p| p.is_empty() || p.len() > crate::pass::MAX_PLACE)
                {
                    return Err(TrustListError::Field);
                }
            }
            let key = VerifyingKey::from_bytes(&issuer.public_key)
                .map_err(|_| TrustListError::InvalidKey)?;
            if KeyId::of(&key) != issuer.key_id {
                return Err(TrustListError::KeyIdMismatch);
            }
        }
        Ok(signed.list)
    }
}

impl SignedTrustList {
    /// `HCT1:` + base45 of the canonical bytes.
    pub fn to_text(&self) -> String {
        codec::to_qr_text(MessageKind::TrustList, &codec::encode(self))
    }
}

/// A checkpoint's trusted keys: the newest verified list of each root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustStore {
    /// One list per root key id.
    pub lists: Vec<TrustList>,
}

impl TrustStore {
    /// A store holding `list` alone.
    pub fn with(list: TrustList) -> TrustStore {
        TrustStore { lists: vec![list] }
    }

    /// The entry for `key_id` and the list it comes from.
    pub fn find(&self, key_id: &KeyId) -> Option<(&TrustedIssuer, &TrustList)> {
        self.lists
            .iter()
            .find_map(|l| l.find(key_id).map(|i| (i, l)))
    }

    /// Adds a verified list, replacing the same root's list if this one is newer. Errors:
    /// an older sequence (a rollback), or the same sequence with other contents.
    pub fn import(&mut self, list: TrustList) -> Result<(), TrustListError> {
        match self.lists.iter_mut().find(|l| l.root == list.root) {
            Some(held)
                if list.sequence < held.sequence
                    || (list.sequence == held.sequence && *held != list) =>
            {
                Err(TrustListError::Rollback {
                    held: held.sequence,
                })
            }
            Some(held) => {
                *held = list;
                Ok(())
            }
            None => {
                self.lists.push(list);
                Ok(())
            }
        }
    }

    /// Every listed key, across roots.
    pub fn issuers(&self) -> impl Iterator<Item = &TrustedIssuer> {
        self.lists.iter().flat_map(|l| l.issuers.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(sequence: u64) -> TrustList {
        let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
        TrustList {
            root: KeyId([0; 8]),
            sequence,
            signed_at: 1_800_000_000,
            issuers: vec![TrustedIssuer::new(
                &key,
                "Test issuer",
                Role::HealthAuthority,
                0,
                u64::MAX,
            )],
        }
    }

    #[test]
    fn a_signed_list_round_trips_only_under_its_pinned_root() {
        let root = SigningKey::from_bytes(&[9; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let text = list(1).sign(&root).to_text();
        let decoded = TrustList::from_text(&format!("{text}\n"), &[root.verifying_key()]).unwrap();
        assert_eq!(decoded.issuers, list(1).issuers);
        assert_eq!(decoded.root, KeyId::of(&root.verifying_key()));
        assert_eq!(
            TrustList::from_text(&text, &[other.verifying_key()]),
            Err(TrustListError::UnknownRoot)
        );
        assert_eq!(
            TrustList::from_text("hello", &[]).unwrap_err().code(),
            "P|PFX"
        );
    }

    #[test]
    fn a_forged_entry_or_signature_is_refused() {
        let root = SigningKey::from_bytes(&[9; 32]);
        let mut signed = list(1).sign(&root);
        signed.list.issuers[0].name = "Forged".into();
        assert_eq!(
            TrustList::from_text(&signed.to_text(), &[root.verifying_key()]),
            Err(TrustListError::Signature)
        );
        let mut bad = list(1);
        bad.issuers[0].key_id = KeyId([1; 8]);
        assert_eq!(
            TrustList::from_text(&bad.sign(&root).to_text(), &[root.verifying_key()]),
            Err(TrustListError::KeyIdMismatch)
        );
    }

    #[test]
    fn the_store_refuses_rollbacks() {
        let mut store = TrustStore::default();
        store.import(list(5)).unwrap();
        store.import(list(6)).unwrap();
        assert_eq!(store.lists.len(), 1);
        assert_eq!(store.lists[0].sequence, 6);
        assert_eq!(
            store.import(list(5)),
            Err(TrustListError::Rollback { held: 6 })
        );
        assert_eq!(store.import(list(6)), Ok(()));
    }
}
