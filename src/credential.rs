//! The credential: the health code an issuer signs for one holder, or a paper code.
//!
//! # Byte layout (version 1, postcard; see [`crate::codec`])
//!
//! [`Claims`], in this order:
//!
//! | field            | encoding                                                     | bytes |
//! |------------------|--------------------------------------------------------------|-------|
//! | `issuer`         | raw: the issuer key id ([`KeyId`])                           | 8     |
//! | `id`             | raw: the credential id ([`CredentialId`])                    | 8     |
//! | `colour`         | varint: 0 green, 1 yellow, 2 red                             | 1     |
//! | `masked_name`    | varint length + UTF-8, 1–32 bytes                            | 2–33  |
//! | `id_last4`       | varint length + 4 ASCII characters `0-9` or `X`              | 5     |
//! | `region`         | varint u32: administrative division code, 100000–999999      | 3     |
//! | `issued_at`      | varint u64, Unix seconds                                     | 5     |
//! | `not_before`     | varint u64, Unix seconds                                     | 5     |
//! | `expires`        | varint u64, Unix seconds (not valid at or after)             | 5     |
//! | `quarantine_end` | option: `0`, or `1` + varint u64 Unix seconds                | 1 or 6|
//! | `holder`         | varint 0 + 32 raw bytes (device key), or varint 1 (paper)    | 33 or 1 |
//!
//! [`Credential`] = the claims, then 64 raw bytes: the issuer's Ed25519 signature
//! (RFC 8032) over `b"healthcode/credential/v1\0"` followed by the claims' bytes.
//! As QR text: `HCC1:` + base45 of the credential's bytes. A green credential for a device
//! with the masked name `张*伟` (7 bytes of UTF-8) is 8+8+1+8+5+3+5+5+5+1+33+64 = 146 bytes.
//!
//! Rules ([`Claims::validate`]): a green code has no quarantine end, a yellow or red code has
//! one; `not_before < expires`; `issued_at ≤ not_before + 1 day`.
//!
//! Privacy: the claims hold a masked name (`张*伟`, `Z*** W**`) and the last 4 characters of
//! the ID number only: never a full name, full ID number, phone number or address.
//!
//! A **paper code** is a credential whose holder is [`Holder::Paper`]: printed by the issuer
//! for a person without a phone, shown as its `HCC1:` QR directly, and admitted only with an
//! ID-card check where the checkpoint's policy allows it.

use crate::codec::{self, CodecError, MessageKind};
use crate::keys::{CredentialId, KeyId};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Domain separation for the issuer's signature.
pub const CREDENTIAL_CONTEXT: &[u8] = b"healthcode/credential/v1\0";

/// Longest masked name, in bytes of UTF-8.
pub const MAX_MASKED_NAME: usize = 32;

/// How far before `not_before` a credential may be issued, in seconds (1 day).
pub const MAX_ISSUE_LEAD_SECS: u64 = 24 * 3600;

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

    /// Days of quarantine the colour stands for: 0, 7 or 14.
    pub fn quarantine_days(self) -> u64 {
        match self {
            Colour::Green => 0,
            Colour::Yellow => 7,
            Colour::Red => 14,
        }
    }
}

/// Who may show the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Holder {
    /// The holder's device: presentations must be signed by this Ed25519 public key
    /// (RFC 8032 encoding).
    Device([u8; 32]),
    /// A printed paper code: no device key; checked against the holder's ID card.
    Paper,
}

/// What the issuer asserts about the holder. Times are seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Key id of the issuer key that signs this credential.
    pub issuer: KeyId,
    /// The credential's identifier (what revocation lists name).
    pub id: CredentialId,
    /// Green, yellow or red.
    pub colour: Colour,
    /// The holder's name with most characters masked, e.g. `张*伟`; 1–32 bytes.
    pub masked_name: String,
    /// The last 4 characters of the holder's ID number (digits, or `X` as the checksum).
    pub id_last4: String,
    /// Issuing region: 6-digit administrative division code, e.g. 330900 for Zhoushan.
    pub region: u32,
    /// When the issuer signed.
    pub issued_at: u64,
    /// Not valid before this time.
    pub not_before: u64,
    /// Not valid at or after this time.
    pub expires: u64,
    /// For yellow and red codes: when the observation or quarantine ends.
    pub quarantine_end: Option<u64>,
    /// The holder's device key, or paper.
    pub holder: Holder,
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
    /// `region` is not a 6-digit code.
    #[error("region must be a 6-digit division code")]
    Region,
    /// `not_before` is not before `expires`, `issued_at` is more than a day before
    /// `not_before`, or `issued_at` is not before `expires`.
    #[error("not-before must be before expiry, and issued at most a day before not-before")]
    Window,
    /// A green code with a quarantine end, or a yellow/red one without.
    #[error("yellow and red codes need a quarantine end; green codes have none")]
    QuarantineEnd,
}

impl ClaimsError {
    /// Stable short code (`D|…`: the decoded claims break a rule).
    pub fn code(&self) -> &'static str {
        match self {
            ClaimsError::MaskedName => "D|NAM",
            ClaimsError::IdLast4 => "D|ID4",
            ClaimsError::Region => "D|REG",
            ClaimsError::Window => "D|WIN",
            ClaimsError::QuarantineEnd => "D|QUA",
        }
    }
}

/// Checks an ID number's last 4 characters: `0-9`, or `X` (the checksum character).
pub fn valid_id_last4(text: &str) -> bool {
    text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit() || b == b'X')
}

/// Most masking stars between the first and last character of a Chinese name.
const MAX_MIDDLE_STARS: usize = 6;
/// Most words of a Latin-script name kept (as initials) in its masked form.
const MAX_MASKED_WORDS: usize = 4;

/// Masks a name as typed for a credential's `masked_name`; `None` if nothing but white space.
///
/// * A name with any Han character (CJK ideographs, U+3400–U+4DBF, U+4E00–U+9FFF,
///   U+F900–U+FAFF, U+20000–U+323AF) is read as characters, white space dropped: the first
///   character is kept, then one `*` for each hidden character (at most 6), then the last
///   character when there are 3 or more: `张三伟` → `张*伟`, `欧阳娜娜` → `欧**娜`,
///   `张伟` → `张*`, `王` → `*`.
/// * Any other name is read as words split at white space: the first word becomes its
///   initial (upper case) and `***`, each later word its initial and `**`, at most 4 words:
///   `Wang Fang` → `W*** F**`, `zhang wei` → `Z*** W**`. Fixed-width stars do not show how
///   long each word is.
///
/// The result is always 1 to [`MAX_MASKED_NAME`] bytes.
pub fn mask_name(name: &str) -> Option<String> {
    if name.chars().any(is_han) {
        let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
        let mut out = String::new();
        match chars.as_slice() {
            [] => return None,
            [_] => out.push('*'),
            [first, _] => {
                out.push(*first);
                out.push('*');
            }
            [first, middle @ .., last] => {
                out.push(*first);
                out.extend(std::iter::repeat_n('*', middle.len().min(MAX_MIDDLE_STARS)));
                out.push(*last);
            }
        }
        return Some(out);
    }
    let mut words = Vec::new();
    for (i, word) in name.split_whitespace().take(MAX_MASKED_WORDS).enumerate() {
        let initial = word.chars().next()?;
        let mut upper = initial.to_uppercase();
        let initial = match (upper.next(), upper.next()) {
            (Some(u), None) => u,
            _ => initial,
        };
        words.push(format!("{initial}{}", if i == 0 { "***" } else { "**" }));
    }
    (!words.is_empty()).then(|| words.join(" "))
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x3_23AF)
}

impl Claims {
    /// Checks the field rules above.
    pub fn validate(&self) -> Result<(), ClaimsError> {
        if self.masked_name.is_empty() || self.masked_name.len() > MAX_MASKED_NAME {
            return Err(ClaimsError::MaskedName);
        }
        if !valid_id_last4(&self.id_last4) {
            return Err(ClaimsError::IdLast4);
        }
        if !(100_000..=999_999).contains(&self.region) {
            return Err(ClaimsError::Region);
        }
        if self.not_before >= self.expires
            || self.issued_at.saturating_add(MAX_ISSUE_LEAD_SECS) < self.not_before
            || self.issued_at >= self.expires
        {
            return Err(ClaimsError::Window);
        }
        match (self.colour, self.quarantine_end) {
            (Colour::Green, None) | (Colour::Yellow | Colour::Red, Some(_)) => Ok(()),
            _ => Err(ClaimsError::QuarantineEnd),
        }
    }

    /// The bytes the issuer signs: [`CREDENTIAL_CONTEXT`] then the claims' canonical bytes.
    pub fn signing_input(&self) -> Vec<u8> {
        codec::signing_input(CREDENTIAL_CONTEXT, self)
    }

    /// Whether this is a paper code.
    pub fn is_paper(&self) -> bool {
        self.holder == Holder::Paper
    }

    /// Whole days from `now` until the quarantine ends, rounded up; 0 when none or over.
    pub fn quarantine_days_left(&self, now: u64) -> u64 {
        self.quarantine_end
            .map(|end| end.saturating_sub(now).div_ceil(86_400))
            .unwrap_or(0)
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
    /// [`crate::verify`](mod@crate::verify)).
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
            id: CredentialId([9; 8]),
            colour: Colour::Green,
            masked_name: "张*伟".into(),
            id_last4: "123X".into(),
            region: 330900,
            issued_at: 1_700_000_000,
            not_before: 1_700_000_000,
            expires: 1_700_086_400,
            quarantine_end: None,
            holder: Holder::Device([7; 32]),
        }
    }

    #[test]
    fn issue_sets_the_key_id_and_round_trips_through_qr_text() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let cred = Credential::issue(claims(), &key).unwrap();
        assert_eq!(cred.claims.issuer, KeyId::of(&key.verifying_key()));
        assert_eq!(cred.to_bytes().len(), 146);
        let text = cred.to_qr_text();
        assert!(text.starts_with("HCC1:"));
        assert_eq!(Credential::from_qr_text(&text).unwrap(), cred);
    }

    #[test]
    fn field_rules_are_enforced() {
        let key = SigningKey::from_bytes(&[1; 32]);
        type Edit = fn(&mut Claims);
        let cases: Vec<(Edit, ClaimsError)> = vec![
            (|c| c.id_last4 = "12a4".into(), ClaimsError::IdLast4),
            (|c| c.masked_name = "x".repeat(33), ClaimsError::MaskedName),
            (|c| c.masked_name.clear(), ClaimsError::MaskedName),
            (|c| c.expires = c.not_before, ClaimsError::Window),
            (|c| c.issued_at = c.not_before - 86_401, ClaimsError::Window),
            (|c| c.region = 33090, ClaimsError::Region),
            (|c| c.quarantine_end = Some(1), ClaimsError::QuarantineEnd),
            (|c| c.colour = Colour::Red, ClaimsError::QuarantineEnd),
        ];
        for (edit, expected) in cases {
            let mut c = claims();
            edit(&mut c);
            assert_eq!(Credential::issue(c, &key), Err(expected));
        }
    }

    #[test]
    fn quarantine_days_round_up() {
        let mut c = claims();
        c.colour = Colour::Red;
        c.quarantine_end = Some(1_000_000 + 12 * 86_400 - 5);
        assert_eq!(c.quarantine_days_left(1_000_000), 12);
        assert_eq!(c.quarantine_days_left(1_000_000 + 12 * 86_400), 0);
        assert_eq!(Colour::Red.quarantine_days(), 14);
    }

    #[test]
    fn chinese_names_keep_the_first_and_last_character() {
        let cases = [
            ("张三伟", "张*伟"),
            (" 李 小娜 ", "李*娜"),
            ("张伟", "张*"),
            ("王", "*"),
            ("欧阳娜娜", "欧**娜"),
            ("阿依古丽·买买提", "阿******提"),
            ("爱新觉罗溥仪溥杰之弟", "爱******弟"),
        ];
        for (name, masked) in cases {
            assert_eq!(mask_name(name).as_deref(), Some(masked), "{name}");
        }
    }

    #[test]
    fn latin_names_keep_initials_with_fixed_width_stars() {
        let cases = [
            ("Wang Fang", "W*** F**"),
            ("zhang  wei", "Z*** W**"),
            ("Madonna", "M***"),
            ("José María de la Cruz", "J*** M** D** L**"),
            ("ǉubica ŉ", "Ǉ*** ŉ**"),
        ];
        for (name, masked) in cases {
            assert_eq!(mask_name(name).as_deref(), Some(masked), "{name}");
        }
        assert_eq!(mask_name("  \t "), None);
        assert_eq!(mask_name(""), None);
    }

    #[test]
    fn masked_names_always_fit_the_claims() {
        for name in [
            "ŉ".repeat(32),
            "ŉ ".repeat(21),
            "𠀀".repeat(16),
            "a𠀀".repeat(12),
        ] {
            let masked = mask_name(&name).unwrap();
            assert!(
                !masked.is_empty() && masked.len() <= MAX_MASKED_NAME,
                "{masked}"
            );
        }
    }

    #[test]
    fn colour_names_parse() {
        for c in [Colour::Green, Colour::Yellow, Colour::Red] {
            assert_eq!(Colour::parse(c.as_str()), Some(c));
        }
        assert_eq!(Colour::parse("blue"), None);
    }
}
