//! Key identifiers, credential identifiers and the text form of keys.
//!
//! * A **key id** ([`KeyId`]) is the first 8 bytes of SHA-256 over the 32-byte Ed25519
//!   public key (RFC 8032 §5.1.5 encoding). It names an issuer key in credentials and trust
//!   lists without carrying the whole key.
//! * A **credential id** ([`CredentialId`]) is 8 random bytes chosen by the issuer (also used
//!   for passes). 64 bits keep the QR code and the revocation list small: among 10 million
//!   ids the chance that any two collide is about 3 in a million, and the issuer's registry
//!   refuses a duplicate anyway.
//! * Keys travel as text: 64 lowercase hexadecimal characters for the 32-byte public key or
//!   for the 32-byte secret seed (RFC 8032 §5.1.5 "private key").
//!
//! Randomness never comes from here: callers pass seeds.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// First 8 bytes of SHA-256 of an Ed25519 public key. Shown as 16 hex characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    /// The key id of `key`: `SHA-256(key.to_bytes())[0..8]`.
    pub fn of(key: &VerifyingKey) -> KeyId {
        let digest = Sha256::digest(key.as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

/// A credential's (or pass's) identifier: 8 bytes chosen at random by the issuer. Ordered
/// bytewise, as revocation lists sort them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CredentialId(pub [u8; 8]);

impl fmt::Display for CredentialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

/// Why a key's text form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyTextError {
    /// Not exactly the expected number of hexadecimal characters (64 for a key; surrounding
    /// white space is allowed).
    #[error("not the expected number of hexadecimal characters (64 for a key)")]
    NotHex,
    /// 32 bytes, but not the encoding of a point on the curve (RFC 8032 §5.1.3).
    #[error("not a valid Ed25519 public key")]
    InvalidPoint,
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Parses exactly 32 bytes from 64 hex characters (either case), ignoring white space
/// around them.
pub fn parse_hex32(text: &str) -> Result<[u8; 32], KeyTextError> {
    parse_hex::<32>(text)
}

/// Parses exactly `N` bytes from `2 N` hex characters (either case), ignoring white space
/// around them; e.g. a credential id is `parse_hex::<8>`.
pub fn parse_hex<const N: usize>(text: &str) -> Result<[u8; N], KeyTextError> {
    let text = text.trim();
    if text.len() != 2 * N || !text.is_ascii() {
        return Err(KeyTextError::NotHex);
    }
    let mut out = [0u8; N];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        let hi = hex_digit(pair[0]).ok_or(KeyTextError::NotHex)?;
        let lo = hex_digit(pair[1]).ok_or(KeyTextError::NotHex)?;
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A signing key from its 64-hex-character secret seed.
pub fn signing_key_from_hex(text: &str) -> Result<SigningKey, KeyTextError> {
    Ok(SigningKey::from_bytes(&parse_hex32(text)?))
}

/// A public key from its 64-hex-character encoding; refuses encodings that are not points.
pub fn verifying_key_from_hex(text: &str) -> Result<VerifyingKey, KeyTextError> {
    VerifyingKey::from_bytes(&parse_hex32(text)?).map_err(|_| KeyTextError::InvalidPoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_is_the_sha256_prefix_of_the_public_key() {
        // RFC 8032 §7.1 TEST 1 public key.
        let pk = verifying_key_from_hex(
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        )
        .unwrap();
        let digest = Sha256::digest(pk.as_bytes());
        assert_eq!(KeyId::of(&pk).0, digest[..8]);
        assert_eq!(KeyId::of(&pk).to_string().len(), 16);
    }

    #[test]
    fn hex_round_trips_and_refuses_bad_text() {
        let bytes: [u8; 32] = core::array::from_fn(|i| (i * 7) as u8);
        assert_eq!(parse_hex32(&to_hex(&bytes)).unwrap(), bytes);
        assert_eq!(parse_hex32("abc"), Err(KeyTextError::NotHex));
        assert_eq!(
            parse_hex::<8>(" 00ff10aB00000001 "),
            Ok([0, 255, 16, 171, 0, 0, 0, 1])
        );
        assert_eq!(parse_hex32(&"g".repeat(64)), Err(KeyTextError::NotHex));
        assert_eq!(parse_hex32(&"é".repeat(32)), Err(KeyTextError::NotHex));
    }
}
