//! The trust list: the issuer keys a checkpoint accepts, by key id.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! A varint count, then for each entry ([`TrustedIssuer`]): the 8-byte key id, the 32-byte
//! Ed25519 public key, and the issuer's name (varint length, UTF-8, at most 64 bytes). As
//! text (a file, a link or a QR code): `HCT1:` + base45.
//!
//! Decoding checks every entry: the key must be a valid curve point and the key id must be
//! that key's id. (Signed trust lists with a pinned root key come with format v1 of the
//! credential work; this first cut is a plain list that the checkpoint operator imports.)

use crate::codec::{self, CodecError, MessageKind};
use crate::keys::KeyId;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

/// Longest issuer name, in bytes of UTF-8.
pub const MAX_ISSUER_NAME: usize = 64;

/// One trusted issuer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedIssuer {
    /// `KeyId::of(public_key)`.
    pub key_id: KeyId,
    /// Ed25519 public key (RFC 8032 encoding).
    pub public_key: [u8; 32],
    /// Who holds the key, e.g. "Zhoushan Health Commission".
    pub name: String,
}

impl TrustedIssuer {
    /// An entry for `key`, named `name` (cut to [`MAX_ISSUER_NAME`] bytes on a character
    /// boundary).
    pub fn new(key: &VerifyingKey, name: &str) -> TrustedIssuer {
        let mut name = name.to_owned();
        while name.len() > MAX_ISSUER_NAME {
            name.pop();
        }
        TrustedIssuer {
            key_id: KeyId::of(key),
            public_key: key.to_bytes(),
            name,
        }
    }

    /// The public key; errors if the bytes are not a curve point.
    pub fn verifying_key(&self) -> Result<VerifyingKey, TrustListError> {
        VerifyingKey::from_bytes(&self.public_key).map_err(|_| TrustListError::InvalidKey)
    }
}

/// Why a trust list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustListError {
    /// The text or bytes did not decode.
    #[error("{0}")]
    Codec(#[from] CodecError),
    /// An entry's public key is not a valid Ed25519 point.
    #[error("an entry's key is not a valid Ed25519 public key")]
    InvalidKey,
    /// An entry's key id is not the id of its key.
    #[error("an entry's key id does not match its key")]
    KeyIdMismatch,
    /// An issuer name is longer than [`MAX_ISSUER_NAME`].
    #[error("an issuer name is too long")]
    NameTooLong,
}

impl TrustListError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustListError::Codec(e) => e.code(),
            TrustListError::InvalidKey => "T|KEY",
            TrustListError::KeyIdMismatch => "T|KID",
            TrustListError::NameTooLong => "T|NAM",
        }
    }
}

/// Issuer keys by key id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// The entries; at most one per key id.
    pub issuers: Vec<TrustedIssuer>,
}

impl TrustList {
    /// The entry for `key_id`, if trusted.
    pub fn find(&self, key_id: &KeyId) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| &i.key_id == key_id)
    }

    /// Adds `issuer`, replacing an entry with the same key id.
    pub fn insert(&mut self, issuer: TrustedIssuer) {
        match self.issuers.iter_mut().find(|i| i.key_id == issuer.key_id) {
            Some(existing) => *existing = issuer,
            None => self.issuers.push(issuer),
        }
    }

    /// Adds every entry of `other` (see [`TrustList::insert`]).
    pub fn merge(&mut self, other: TrustList) {
        for issuer in other.issuers {
            self.insert(issuer);
        }
    }

    /// `HCT1:` + base45 of the canonical bytes.
    pub fn to_text(&self) -> String {
        codec::to_qr_text(MessageKind::TrustList, &codec::encode(self))
    }

    /// Decodes and checks `HCT1:` text (surrounding white space is ignored, so a file's
    /// trailing newline does no harm).
    pub fn from_text(text: &str) -> Result<TrustList, TrustListError> {
        let bytes = codec::from_qr_text(text.trim(), MessageKind::TrustList)?;
        let list: TrustList = codec::decode_canonical(&bytes)?;
        for issuer in &list.issuers {
            if issuer.name.len() > MAX_ISSUER_NAME {
                return Err(TrustListError::NameTooLong);
            }
            let key = issuer.verifying_key()?;
            if KeyId::of(&key) != issuer.key_id {
                return Err(TrustListError::KeyIdMismatch);
            }
        }
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    #[test]
    fn text_round_trip_and_checks() {
        let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
        let mut list = TrustList::default();
        list.insert(TrustedIssuer::new(&key, "Test issuer"));
        list.insert(TrustedIssuer::new(&key, "Renamed"));
        assert_eq!(list.issuers.len(), 1);
        let text = list.to_text();
        assert_eq!(TrustList::from_text(&format!("{text}\n")).unwrap(), list);

        let mut forged = list.clone();
        forged.issuers[0].key_id = KeyId([0; 8]);
        assert_eq!(
            TrustList::from_text(&forged.to_text()),
            Err(TrustListError::KeyIdMismatch)
        );
        assert_eq!(TrustList::from_text("hello").unwrap_err().code(), "P|PFX");
    }
}
