//! The holder request: what a resident's phone shows the issuer desk to ask for a code.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! | field         | encoding                                                   |
//! |---------------|------------------------------------------------------------|
//! | `holder`      | 32 raw bytes: the phone's new holder public key            |
//! | `name`        | varint length + UTF-8, 1–64 bytes: the name as typed       |
//! | `declaration` | 4 bytes, each 0 or 1: fever or symptoms, contact with a case, travel from a high-risk area within 14 days, already under quarantine |
//! | `created_at`  | varint u64, Unix seconds                                   |
//! | `signature`   | 64 raw bytes: Ed25519 by `holder` (proof the phone holds the secret key) |
//!
//! The holder signs `b"healthcode/request/v1\0"` + the bytes before the signature. As QR
//! text: `HCR1:` + base45. The request goes to the issuer desk only (it holds the typed name);
//! it is never shown at a checkpoint.

use crate::codec::{self, CodecError, MessageKind};
use crate::signature::{verify_ed25519, SignatureError};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Domain separation for the holder's signature on a request.
pub const REQUEST_CONTEXT: &[u8] = b"healthcode/request/v1\0";
/// Longest name, in bytes.
pub const MAX_NAME: usize = 64;

/// The health declaration's answers (true = yes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// Fever (37.3 °C or more) or respiratory symptoms now.
    pub fever_or_symptoms: bool,
    /// Close contact with a confirmed or suspected case within 14 days.
    pub contact_with_case: bool,
    /// Travel from or through a high-risk area within 14 days.
    pub high_risk_travel: bool,
    /// Already under home observation or quarantine.
    pub under_quarantine: bool,
}

/// The signed part of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestBody {
    /// The holder key the credential should name.
    pub holder: [u8; 32],
    /// The name as the resident typed it (the issuer masks it for the credential).
    pub name: String,
    /// The health declaration.
    pub declaration: Declaration,
    /// When the phone made the request, Unix seconds.
    pub created_at: u64,
}

/// A request signed by the holder key it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderRequest {
    /// What is asked.
    pub body: RequestBody,
    /// Ed25519 signature by `body.holder`.
    #[serde(with = "BigArray")]
    pub signature: [u8; 64],
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Did not decode.
    #[error("{0}")]
    Codec(#[from] CodecError),
    /// Name empty or longer than [`MAX_NAME`].
    #[error("the name must be 1 to 64 bytes")]
    Name,
    /// Not signed by the key it names.
    #[error("the request is not signed by its holder key ({0})")]
    Signature(SignatureError),
}

impl RequestError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::Codec(e) => e.code(),
            RequestError::Name => "D|NAM",
            RequestError::Signature(_) => "H|SIG",
        }
    }
}

fn signing_input(body: &RequestBody) -> Vec<u8> {
    codec::signing_input(REQUEST_CONTEXT, body)
}

impl HolderRequest {
    /// Signs a request for `holder_key`'s public key.
    pub fn sign(
        holder_key: &SigningKey,
        name: &str,
        declaration: Declaration,
        now: u64,
    ) -> Result<HolderRequest, RequestError> {
        let body = RequestBody {
            holder: holder_key.verifying_key().to_bytes(),
            name: name.trim().to_owned(),
            declaration,
            created_at: now,
        };
        if body.name.is_empty() || body.name.len() > MAX_NAME {
            return Err(RequestError::Name);
        }
        let signature = holder_key.sign(&signing_input(&body)).to_bytes();
        Ok(HolderRequest { body, signature })
    }

    /// `HCR1:` + base45.
    pub fn to_qr_text(&self) -> String {
        codec::to_qr_text(MessageKind::HolderRequest, &codec::encode(self))
    }

    /// Decodes `HCR1:` text strictly and checks the name rule and the holder's signature.
    pub fn from_qr_text(text: &str) -> Result<HolderRequest, RequestError> {
        let request: HolderRequest =
            codec::decode_canonical(&codec::from_qr_text(text, MessageKind::HolderRequest)?)?;
        if request.body.name.is_empty() || request.body.name.len() > MAX_NAME {
            return Err(RequestError::Name);
        }
        verify_ed25519(
            &request.body.holder,
            &signing_input(&request.body),
            &request.signature,
        )
        .map_err(RequestError::Signature)?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_and_a_forged_one_is_refused() {
        let key = SigningKey::from_bytes(&[4; 32]);
        let declaration = Declaration {
            contact_with_case: true,
            ..Declaration::default()
        };
        let request = HolderRequest::sign(&key, " 张三伟 ", declaration, 1_800_000_000).unwrap();
        assert_eq!(request.body.name, "张三伟");
        let text = request.to_qr_text();
        assert!(text.starts_with("HCR1:"));
        assert_eq!(HolderRequest::from_qr_text(&text).unwrap(), request);

        let mut forged = request.clone();
        forged.body.declaration.contact_with_case = false;
        assert_eq!(
            HolderRequest::from_qr_text(&forged.to_qr_text())
                .unwrap_err()
                .code(),
            "H|SIG"
        );
        assert_eq!(
            HolderRequest::sign(&key, "  ", declaration, 0).unwrap_err(),
            RequestError::Name
        );
    }
}
