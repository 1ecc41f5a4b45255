//! The presentation: what the resident's QR shows, re-made every 30 seconds.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! | field        | encoding                                              |
//! |--------------|-------------------------------------------------------|
//! | `credential` | the credential's bytes ([`crate::credential`])       |
//! | `pass`       | option: `0`, or `1` + the pass's bytes ([`crate::pass`]) |
//! | `timestamp`  | varint u64: when the holder signed, Unix seconds      |
//! | `signature`  | 64 raw bytes: Ed25519 by the credential's holder key  |
//!
//! The holder signs `b"healthcode/presentation/v1\0"` + credential bytes + pass option +
//! timestamp varint (the presentation's bytes without the signature). A presentation of a
//! 146-byte credential and no pass is 146 + 1 + 5 + 64 = 216 bytes: 329 characters of QR
//! text (see `tests/qr_size.rs` for the QR versions). As QR text: `HCP1:` + base45 of the presentation's bytes. A checkpoint accepts
//! the presentation only within its freshness window around `timestamp` (default ±60 s), so a
//! screenshot stops working within a minute.

use crate::codec::{self, CodecError, MessageKind};
use crate::credential::Credential;
use crate::pass::Pass;
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Domain separation for the holder's signature.
pub const PRESENTATION_CONTEXT: &[u8] = b"healthcode/presentation/v1\0";

/// How often the resident's app re-signs its presentation, in seconds.
pub const REFRESH_SECS: u64 = 30;

/// A credential with a fresh timestamp, signed by the holder's device key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presentation {
    /// The issuer-signed credential.
    pub credential: Credential,
    /// A pass for the place being entered, if the holder has one ("one code, one
    /// certificate").
    pub pass: Option<Pass>,
    /// When the holder signed, seconds since the Unix epoch.
    pub timestamp: u64,
    /// Ed25519 signature by the holder key named in the credential.
    #[serde(with = "BigArray")]
    pub signature: [u8; 64],
}

/// The bytes the holder signs for `credential` and `pass` at `timestamp`.
pub fn signing_input(credential: &Credential, pass: Option<&Pass>, timestamp: u64) -> Vec<u8> {
    codec::signing_input(PRESENTATION_CONTEXT, &(credential, pass, timestamp))
}

impl Presentation {
    /// Signs `credential` (and `pass`) at `now` (Unix seconds) with the holder's key. The
    /// key should be the one named in the credential; a checkpoint refuses any other.
    pub fn sign(
        credential: Credential,
        pass: Option<Pass>,
        holder_key: &SigningKey,
        now: u64,
    ) -> Presentation {
        let signature = holder_key
            .sign(&signing_input(&credential, pass.as_ref(), now))
            .to_bytes();
        Presentation {
            credential,
            pass,
            timestamp: now,
            signature,
        }
    }

    /// Canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// `HCP1:` + base45 of the canonical bytes.
    pub fn to_qr_text(&self) -> String {
        codec::to_qr_text(MessageKind::Presentation, &self.to_bytes())
    }

    /// Decodes `HCP1:` text strictly; checks no signature.
    pub fn from_qr_text(text: &str) -> Result<Presentation, CodecError> {
        let bytes = codec::from_qr_text(text, MessageKind::Presentation)?;
        codec::decode_canonical(&bytes)
    }
}
