//! The pass ("one code, one certificate"): permission for one holder to enter one place,
//! signed by a key the trust list allows to issue passes for that place.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! [`PassClaims`], in this order:
//!
//! | field        | encoding                                                         | bytes |
//! |--------------|------------------------------------------------------------------|-------|
//! | `issuer`     | raw: the pass issuer's key id                                    | 8     |
//! | `id`         | raw: the pass id                                                 | 8     |
//! | `place`      | varint length + UTF-8 place id, 1–32 bytes (`330902-0017`)       | 2–33  |
//! | `kind`       | varint 0 resident, 1 employee, 2 visitor, 3 vehicle + plate (varint length + UTF-8, 1–16 bytes) | 1–18 |
//! | `not_before` | varint u64, Unix seconds                                         | 5     |
//! | `expires`    | varint u64, Unix seconds                                         | 5     |
//! | `holder`     | raw: the holder's Ed25519 public key, equal to the credential's  | 32    |
//!
//! [`Pass`] = the claims, then the 64-byte Ed25519 signature over
//! `b"healthcode/pass/v1\0"` + the claims' bytes. A pass travels inside a presentation
//! ([`crate::presentation`]); on its own (issuer desk → phone) as `HCA1:` + base45.

use crate::codec::{self, CodecError, MessageKind};
use crate::keys::{CredentialId, KeyId};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Domain separation for the pass issuer's signature.
pub const PASS_CONTEXT: &[u8] = b"healthcode/pass/v1\0";
/// Longest place id, in bytes.
pub const MAX_PLACE: usize = 32;
/// Longest vehicle plate, in bytes.
pub const MAX_PLATE: usize = 16;

/// What the pass lets its holder do at the place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassKind {
    /// Lives there (community resident pass).
    Resident,
    /// Works there (employee pass of a re-opened enterprise).
    Employee,
    /// Visits.
    Visitor,
    /// A vehicle, with its plate (e.g. `浙L·12345`).
    Vehicle(String),
}

impl PassKind {
    /// Lowercase English name: `resident`, `employee`, `visitor`, `vehicle`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PassKind::Resident => "resident",
            PassKind::Employee => "employee",
            PassKind::Visitor => "visitor",
            PassKind::Vehicle(_) => "vehicle",
        }
    }
}

/// What the pass issuer asserts. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassClaims {
    /// Key id of the pass issuer's key.
    pub issuer: KeyId,
    /// The pass id (revocable like a credential id).
    pub id: CredentialId,
    /// The place id.
    pub place: String,
    /// Resident, employee, visitor or vehicle.
    pub kind: PassKind,
    /// Not valid before.
    pub not_before: u64,
    /// Not valid at or after.
    pub expires: u64,
    /// The holder's device key (the same as in the holder's credential).
    pub holder: [u8; 32],
}

/// Why pass claims were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PassClaimsError {
    /// Place id empty or longer than [`MAX_PLACE`].
    #[error("place id must be 1 to 32 bytes")]
    Place,
    /// Vehicle plate empty or longer than [`MAX_PLATE`].
    #[error("vehicle plate must be 1 to 16 bytes")]
    Plate,
    /// `not_before` is not before `expires`.
    #[error("not-before must be before expiry")]
    Window,
}

impl PassClaims {
    /// Checks the field rules.
    pub fn validate(&self) -> Result<(), PassClaimsError> {
        if self.place.is_empty() || self.place.len() > MAX_PLACE {
            return Err(PassClaimsError::Place);
        }
        if let PassKind::Vehicle(plate) = &self.kind {
            if plate.is_empty() || plate.len() > MAX_PLATE {
                return Err(PassClaimsError::Plate);
            }
        }
        if self.not_before >= self.expires {
            return Err(PassClaimsError::Window);
        }
        Ok(())
    }

    /// The bytes the pass issuer signs.
    pub fn signing_input(&self) -> Vec<u8> {
        codec::signing_input(PASS_CONTEXT, self)
    }
}

/// Pass claims plus the pass issuer's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pass {
    /// What is asserted.
    pub claims: PassClaims,
    /// Ed25519 signature by the key named in `claims.issuer`.
    #[serde(with = "BigArray")]
    pub signature: [u8; 64],
}

impl Pass {
    /// Signs `claims` with `issuer_key`, setting `claims.issuer` to its key id.
    pub fn issue(mut claims: PassClaims, issuer_key: &SigningKey) -> Result<Pass, PassClaimsError> {
        claims.issuer = KeyId::of(&issuer_key.verifying_key());
        claims.validate()?;
        let signature = issuer_key.sign(&claims.signing_input()).to_bytes();
        Ok(Pass { claims, signature })
    }

    /// Canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// `HCA1:` + base45 of the canonical bytes.
    pub fn to_qr_text(&self) -> String {
        codec::to_qr_text(MessageKind::Pass, &self.to_bytes())
    }

    /// Decodes `HCA1:` text strictly; checks no signature.
    pub fn from_qr_text(text: &str) -> Result<Pass, CodecError> {
        codec::decode_canonical(&codec::from_qr_text(text, MessageKind::Pass)?)
    }
}
