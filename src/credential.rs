//! The credential: the health code an issuer signs for one holder.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! [`Claims`], in this order:
//!
//! | field         | encoding                                   |
//! |---------------|--------------------------------------------|
//! | `issuer`      | 8 raw bytes: the issuer key id ([`KeyId`]) |
//! | `id`          | 16 raw bytes ([`CredentialId`])            |
//! | `colour`      | varint: 0 green, 1 yellow, 2 red           |
//! | `masked_name` | varint length, UTF-8, at most 32 bytes     |
//! | `id_last4`    | varint length, UTF-8: 4 ASCII digits or `X`|
//! | `not_before`  | varint u64, seconds since the Unix epoch   |
//! | `expires`     | varint u64, seconds since the Unix epoch   |
//! | `holder`      | 32 raw bytes: the holder's Ed25519 public key |
//!
//! [`Credential`] = the claims, then 64 raw bytes: the issuer's Ed25519 signature
//! (RFC 8032 §5.1.6) over `b"healthcode/credential/v1\0"` followed by the claims' bytes.
//! As QR text: `HCC1:` + base45 of the credential's bytes.
//!
//! Privacy: the claims hold a masked name (`张*伟`, `Z*** W**`) and the last 4 characters of
//! the ID number only: never a full name, full ID number, phone number or address.

use crate::codec::{self, CodecError, MessageKind};
use crate::keys::{CredentialId, KeyId};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Domain separation for the issuer's signature.
pub const CREDENTIAL_CONTEXT: &[u8] = b"healthcode/credential/v1\0";

/// Longest masked name, in bytes of UTF-8.
pub const MAX_MASKED_NAME: usize = 32;

/// The code's colour: green passes, yellow means 7 days of home observation, red 14 days of
/// quarantine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Colour {
    /// Free passage.
    Green,
    /// 7-day home observation.
    Yellow,
    /// 14-day quarantine.
    Red,
}

impl Colour {
    /// Lowercase English name: `green`, `yellow`, `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
        }
    }

    /// Parses `green`, `yellow` or `red` (any case).
    pub fn parse(text: &str) -> Option<Colour> {
        match text.to_ascii_lowercase().as_str() {
            "green" => Some(Colour::Green),
            "yellow" => Some(Colour::Yellow),
            "red" => Some(Colour::Red),
            _ => None,
        }
    }
}

/// What the issuer asserts about the holder. Times are seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Key id of the issuer key that signs this credential.
    pub issuer: KeyId,
    /// The credential's identifier.
    pub id: CredentialId,
    /// Green, yellow or red.
    pub colour: Colour,
    /// The holder's name with most characters masked, e.g. `张*伟`; at most 32 bytes.
    pub masked_name: String,
    /// The last 4 characters of the holder's ID number (digits, or `X` as the checksum).
    pub id_last4: String,
    /// Not valid before this time.
    pub not_before: u64,
    /// Not valid at or after this time.
    pub expires: u64,
    /// The holder's Ed25519 public key (RFC 8032 encoding): presentations must be signed by
    /// its secret half.
    pub holder: [u8; 32],
}

/// Why claims were refused (at issue time, or when a decoded credential carries them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    /// Masked name empty or longer than [`MAX_MASKED_NAME`] bytes.
    #[error("masked name must be 1 to 32 bytes")]
    MaskedName,
    /// `id_last4` is not 4 characters of `0-9` or `X`.
    #[error("ID last 4 must be 4 digits (or X)")]
    IdLast4,
    /// `not_before` is not before `expires`.
    #[error("not-before must be before expiry")]
    Window,
}

impl Claims {
    /// Checks the field rules above.
    pub fn validate(&self) -> Result<(), ClaimsError> {
        if self.masked_name.is_empty() || self.masked_name.len() > MAX_MASKED_NAME {
            return Err(ClaimsError::MaskedName);
        }
        if self.id_last4.len() != 4
            || !self
                .id_last4
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'X')
        {
            return Err(ClaimsError::IdLast4);
        }
        if self.not_before >= self.expires {
            return Err(ClaimsError::Window);
        }
        Ok(())
    }

    /// The bytes the issuer signs: [`CREDENTIAL_CONTEXT`] then the claims' canonical bytes.
    pub fn signing_input(&self) -> Vec<u8> {
        let mut input = CREDENTIAL_CONTEXT.to_vec();
        input.extend_from_slice(&codec::encode(self));
        input
    }
}

/// Claims plus the issuer's Ed25519 signature over them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// What is asserted.
    pub claims: Claims,
    /// Ed25519 signature by the key named in `claims.issuer`.
    #[serde(with = "BigArray")]
    pub signature: [u8; 64],
}

impl Credential {
    /// Signs `claims` with `issuer_key`. The claims' `issuer` field is set to the key id of
    /// `issuer_key`. Errors: the claims break a field rule.
    pub fn issue(mut claims: Claims, issuer_key: &SigningKey) -> Result<Credential, ClaimsError> {
        claims.issuer = KeyId::of(&issuer_key.verifying_key());
        claims.validate()?;
        let signature = issuer_key.sign(&claims.signing_input()).to_bytes();
        Ok(Credential { claims, signature })
    }

    /// Canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// `HCC1:` + base45 of the canonical bytes.
    pub fn to_qr_text(&self) -> String {
        codec::to_qr_text(MessageKind::Credential, &self.to_bytes())
    }

    /// Decodes `HCC1:` text strictly. Does not check the signature (see
    /// [`crate::verify`]).
    pub fn from_qr_text(text: &str) -> Result<Credential, CodecError> {
        let bytes = codec::from_qr_text(text, MessageKind::Credential)?;
        codec::decode_canonical(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            issuer: KeyId([0; 8]),
            id: CredentialId([9; 16]),
            colour: Colour::Green,
            masked_name: "张*伟".into(),
            id_last4: "123X".into(),
            not_before: 1_700_000_000,
            expires: 1_700_086_400,
            holder: [7; 32],
        }
    }

    #[test]
    fn issue_sets_the_key_id_and_round_trips_through_qr_text() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let cred = Credential::issue(claims(), &key).unwrap();
        assert_eq!(cred.claims.issuer, KeyId::of(&key.verifying_key()));
        let text = cred.to_qr_text();
        assert!(text.starts_with("HCC1:"));
        assert_eq!(Credential::from_qr_text(&text).unwrap(), cred);
    }

    #[test]
    fn field_rules_are_enforced() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let mut c = claims();
        c.id_last4 = "12a4".into();
        assert_eq!(Credential::issue(c, &key), Err(ClaimsError::IdLast4));
        let mut c = claims();
        c.masked_name = "x".repeat(33);
        assert_eq!(Credential::issue(c, &key), Err(ClaimsError::MaskedName));
        let mut c = claims();
        c.expires = c.not_before;
        assert_eq!(Credential::issue(c, &key), Err(ClaimsError::Window));
    }

    #[test]
    fn colour_names_parse() {
        for c in [Colour::Green, Colour::Yellow, Colour::Red] {
            assert_eq!(Colour::parse(c.as_str()), Some(c));
        }
        assert_eq!(Colour::parse("blue"), None);
    }
}
