//! QR text codec: prefix, base45 and strict canonical binary decoding.
//!
//! Every message travels as `HC` + kind letter + version digits + `:` + base45 (RFC 9285)
//! of its canonical bytes. Base45's alphabet is the QR alphanumeric set, so the whole text
//! fits QR alphanumeric mode (5.5 bits a character).
//!
//! | prefix  | message                              | module              |
//! |---------|--------------------------------------|---------------------|
//! | `HCC1:` | credential (issuer-signed); paper code | [`crate::credential`] |
//! | `HCP1:` | presentation (holder-signed, live)   | [`crate::presentation`] |
//! | `HCA1:` | pass (place permission)              | [`crate::pass`]     |
//! | `HCR1:` | holder request (resident → issuer)   | [`crate::request`]  |
//! | `HCT1:` | trust list (root-signed)             | [`crate::trust`]    |
//! | `HCL1:` | revocation list (full or delta)      | [`crate::revocation`] |
//!
//! The canonical bytes are the [postcard](https://postcard.jamesmunns.com/wire-format) wire
//! format of the message structure: fixed-size byte arrays as raw bytes, `u64` as LEB128
//! varints, strings as a varint length then UTF-8, enums as a varint variant index. Decoding
//! is strict: the bytes must be consumed exactly, and re-encoding the decoded value must
//! give the same bytes back (which rejects over-long varints and any other second spelling).

use serde::{de::DeserializeOwned, Serialize};

/// Longest QR text accepted, in characters, checked before any decoding. A version-40 QR
/// holds at most 4,296 alphanumeric characters; a presentation is far smaller.
pub const MAX_QR_TEXT: usize = 4296;

/// Longest list text accepted (trust and revocation lists travel as files and links too):
/// 4 MiB of characters, enough for a full revocation list of 200,000 ids.
pub const MAX_LIST_TEXT: usize = 4 << 20;

/// The kinds of message that travel as QR text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// An issuer-signed credential (`HCC`), carried from the issuer to the holder.
    Credential,
    /// A holder-signed presentation (`HCP`), shown to a checkpoint.
    Presentation,
    /// A pass for a place (`HCA`).
    Pass,
    /// A holder's request for a credential (`HCR`), shown to the issuer desk.
    HolderRequest,
    /// A root-signed trust list of issuer keys (`HCT`), loaded by a checkpoint.
    TrustList,
    /// A signed revocation list (`HCL`), loaded by a checkpoint.
    RevocationList,
}

impl MessageKind {
    fn letter(self) -> char {
        match self {
            MessageKind::Credential => 'C',
            MessageKind::Presentation => 'P',
            MessageKind::Pass => 'A',
            MessageKind::HolderRequest => 'R',
            MessageKind::TrustList => 'T',
            MessageKind::RevocationList => 'L',
        }
    }

    fn from_letter(c: char) -> Option<MessageKind> {
        match c {
            'C' => Some(MessageKind::Credential),
            'P' => Some(MessageKind::Presentation),
            'A' => Some(MessageKind::Pass),
            'R' => Some(MessageKind::HolderRequest),
            'T' => Some(MessageKind::TrustList),
            'L' => Some(MessageKind::RevocationList),
            _ => None,
        }
    }

    /// The version this build writes and reads.
    pub const fn version(self) -> u32 {
        1
    }

    /// The prefix, e.g. `HCP1:`.
    pub fn prefix(self) -> String {
        format!("HC{}{}:", self.letter(), self.version())
    }
}

/// Why QR text or bytes could not be decoded. Each has a stable short code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The text does not start with a healthcode prefix: some other QR code.
    #[error("not a health code")]
    NotHealthCode,
    /// A healthcode prefix with a version this build does not know.
    #[error("unsupported version {0}")]
    UnsupportedVersion(String),
    /// A valid healthcode message, but not the kind expected here.
    #[error("wrong kind of message")]
    WrongKind,
    /// Longer than [`MAX_QR_TEXT`].
    #[error("too large")]
    TooLarge,
    /// The payload is not valid base45 (RFC 9285 §4.2).
    #[error("invalid base45")]
    Base45,
    /// The bytes end before the message does (a cut-off code).
    #[error("truncated")]
    Truncated,
    /// A value outside its type: an unknown enum variant (e.g. colour 3), an option tag or
    /// boolean other than 0 or 1.
    #[error("unknown value")]
    UnknownValue,
    /// Any other invalid encoding: an over-long or overflowing varint, invalid UTF-8.
    #[error("malformed bytes")]
    Malformed,
    /// Bytes left after the message.
    #[error("trailing bytes")]
    TrailingBytes,
    /// A second spelling of a value (e.g. an over-long varint).
    #[error("non-canonical encoding")]
    NonCanonical,
}

impl CodecError {
    /// The stable short code (`P|…` prefix stage, `D|…` decoding stage).
    pub fn code(&self) -> &'static str {
        match self {
            CodecError::NotHealthCode => "P|PFX",
            CodecError::UnsupportedVersion(_) => "P|VER",
            CodecError::WrongKind => "P|TYP",
            CodecError::TooLarge => "P|LEN",
            CodecError::Base45 => "D|B45",
            CodecError::Truncated => "D|END",
            CodecError::UnknownValue => "D|ENM",
            CodecError::Malformed => "D|ENC",
            CodecError::TrailingBytes => "D|TRL",
            CodecError::NonCanonical => "D|CAN",
        }
    }
}

/// Canonical bytes of `value` (postcard).
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own structures into a growable vector cannot fail: postcard only fails
    // on a full fixed buffer or on sequences of unknown length, neither of which we use.
    postcard::to_allocvec(value).expect("postcard encoding into a Vec is infallible")
}

/// What a signer signs: `context` (a domain-separation string such as
/// `b"healthcode/credential/v1\0"`) followed by the canonical bytes of `value`.
pub fn signing_input<T: Serialize>(context: &[u8], value: &T) -> Vec<u8> {
    let mut input = context.to_vec();
    input.extend_from_slice(&encode(value));
    input
}

/// Decodes `bytes` strictly: everything consumed, and the canonical re-encoding equal to
/// the input.
pub fn decode_canonical<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, rest) = postcard::take_from_bytes::<T>(bytes).map_err(|e| match e {
        postcard::Error::DeserializeUnexpectedEnd => CodecError::Truncated,
        // Serde's derived enums report an unknown variant index as a custom error.
        postcard::Error::DeserializeBadEnum
        | postcard::Error::DeserializeBadOption
        | postcard::Error::DeserializeBadBool
        | postcard::Error::SerdeDeCustom => CodecError::UnknownValue,
        _ => CodecError::Malformed,
    })?;
    if !rest.is_empty() {
        return Err(CodecError::TrailingBytes);
    }
    if encode(&value) != bytes {
        return Err(CodecError::NonCanonical);
    }
    Ok(value)
}

/// QR text for `bytes` of a message of `kind`: prefix then base45.
pub fn to_qr_text(kind: MessageKind, bytes: &[u8]) -> String {
    let mut text = kind.prefix();
    text.push_str(&base45::encode(bytes));
    text
}

/// The kind of message `text` claims to be by its prefix (version and payload unchecked).
pub fn peek_kind(text: &str) -> Option<MessageKind> {
    let head = text.get(..3)?;
    head.strip_prefix("HC")?
        .chars()
        .next()
        .and_then(MessageKind::from_letter)
}

/// Splits QR text into its kind and payload bytes, checking prefix, version, size limit
/// ([`MAX_QR_TEXT`] for codes, [`MAX_LIST_TEXT`] for lists) and base45, in that order.
pub fn from_qr_text(text: &str, expected: MessageKind) -> Result<Vec<u8>, CodecError> {
    let (head, payload) = text.split_once(':').ok_or(CodecError::NotHealthCode)?;
    let rest = head.strip_prefix("HC").ok_or(CodecError::NotHealthCode)?;
    let mut chars = rest.chars();
    let kind = chars
        .next()
        .and_then(MessageKind::from_letter)
        .ok_or(CodecError::NotHealthCode)?;
    let version = chars.as_str();
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodecError::NotHealthCode);
    }
    if version != kind.version().to_string() {
        return Err(CodecError::UnsupportedVersion(
            version.chars().take(8).collect(),
        ));
    }
    if kind != expected {
        return Err(CodecError::WrongKind);
    }
    let limit = match kind {
        MessageKind::TrustList | MessageKind::RevocationList => MAX_LIST_TEXT,
        _ => MAX_QR_TEXT,
    };
    if text.len() > limit {
        return Err(CodecError::TooLarge);
    }
    base45::decode(payload).map_err(|_| CodecError::Base45)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_stage_names_each_failure() {
        let k = MessageKind::Presentation;
        assert_eq!(
            from_qr_text("https://example.org/", k),
            Err(CodecError::NotHealthCode)
        );
        assert_eq!(from_qr_text("HC1:NCF", k), Err(CodecError::NotHealthCode));
        assert_eq!(from_qr_text("HCX1:AB", k), Err(CodecError::NotHealthCode));
        assert_eq!(peek_kind("HCL1:AB"), Some(MessageKind::RevocationList));
        assert_eq!(peek_kind("HC"), None);
        assert_eq!(
            from_qr_text("HCP2:AB", k),
            Err(CodecError::UnsupportedVersion("2".into()))
        );
        assert_eq!(from_qr_text("HCC1:AB", k), Err(CodecError::WrongKind));
        let long = format!("HCP1:{}", "0".repeat(MAX_QR_TEXT));
        assert_eq!(from_qr_text(&long, k), Err(CodecError::TooLarge));
        assert_eq!(from_qr_text("HCP1:a", k), Err(CodecError::Base45));
        assert_eq!(
            from_qr_text("HCP1:%69 VD92EX0", k).unwrap(),
            b"Hello!!".to_vec()
        );
    }

    #[test]
    fn decoding_is_strict() {
        let bytes = encode(&(300u64, 7u8));
        assert_eq!(bytes, vec![0xac, 0x02, 7]);
        assert_eq!(decode_canonical::<(u64, u8)>(&bytes), Ok((300, 7)));
        assert_eq!(
            decode_canonical::<(u64, u8)>(&bytes[..2]),
            Err(CodecError::Truncated)
        );
        assert_eq!(
            decode_canonical::<(Option<u8>, bool)>(&[2, 0]),
            Err(CodecError::UnknownValue)
        );
        assert_eq!(
            decode_canonical::<(Option<u8>, bool)>(&[0, 2]),
            Err(CodecError::UnknownValue)
        );
        assert_eq!(
            decode_canonical::<String>(&[1, 0xff]),
            Err(CodecError::Malformed)
        );
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            decode_canonical::<(u64, u8)>(&long),
            Err(CodecError::TrailingBytes)
        );
        // 300 with an over-long varint: 0xac 0x82 0x00.
        let overlong = vec![0xac, 0x82, 0x00, 7];
        assert_eq!(
            decode_canonical::<(u64, u8)>(&overlong),
            Err(CodecError::NonCanonical)
        );
    }
}
