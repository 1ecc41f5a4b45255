//! The log's head as a checkpoint shows it and an inspector notes it (issue #12): the newest
//! entry's number, its hash and the device key's id, as words and as QR text an inspector
//! scans or copies at every visit and later gives to `healthcode log verify --noted`.
//!
//! # The head QR text (the exact characters)
//!
//! `HCH1:<seq>:<hash>:<key id>`: the prefix `HCH1:`, the entry number in decimal (`0` for an
//! empty log), the entry's hash as 64 upper-case hex digits ([`super::GENESIS`] for an empty
//! log), the device key's [`KeyId`] as 16 upper-case hex digits, separated by `:`. Upper
//! case keeps the whole text in the QR alphanumeric set (RFC 9285's alphabet, 5.5 bits a
//! character), so the QR stays small (93 characters for a 6-digit number: version 4).
//!
//! Not base45 like the other `HC…` messages ([`crate::codec`]): it carries nothing signed,
//! and an inspector must be able to read it and type it back. `H` is not a message letter of
//! [`crate::codec::MessageKind`], so a checkpoint that scans it says "not a health code".
//!
//! # What `--noted` accepts ([`NotedHead::parse`])
//!
//! - the QR text above, in either case;
//! - `SEQ:HASH` or `SEQ:HASH:KEYID` (the form before the QR, still accepted), with or without
//!   the `HCH1:` prefix;
//! - a HASH of 16 to 64 hex digits (an even number): the screen shows the first 16 ("short
//!   hash") for a note written by hand. 16 digits are 64 bits: a gate that wants a rebuilt
//!   log to match a hand-written note must find an entry whose hash begins with those 64
//!   bits, about 2⁶³ tries; the full hash of the QR leaves no such way.

use crate::keys::{parse_hex, to_hex, KeyId};
use std::fmt;

/// The head QR text's prefix.
pub const HEAD_PREFIX: &str = "HCH1:";
/// Hex digits of the short hash shown for a note written by hand, and the fewest
/// [`NotedHead::parse`] accepts.
pub const SHORT_HASH_DIGITS: usize = 16;

/// A log's head: the newest entry's number and hash, and the key that signs the log's
/// exports. For an empty log, `seq` is 0 and `hash` is [`super::GENESIS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogHead {
    /// The newest entry's sequence number (= the entries in the log).
    pub seq: u64,
    /// Its hash.
    pub hash: [u8; 32],
    /// The id of the device key that signs the exports ([`KeyId::of`]).
    pub key_id: KeyId,
}

impl LogHead {
    /// The head QR text, `HCH1:13:<64 HEX>:<16 HEX>` (see the module docs).
    pub fn to_qr_text(&self) -> String {
        format!(
            "{HEAD_PREFIX}{}:{}:{}",
            self.seq,
            to_hex(&self.hash).to_uppercase(),
            self.key_id.to_string().to_uppercase()
        )
    }

    /// The first [`SHORT_HASH_DIGITS`] hex digits of the hash, lower case.
    pub fn short_hash(&self) -> String {
        to_hex(&self.hash[..SHORT_HASH_DIGITS / 2])
    }

    /// The head as an inspector notes it: the whole hash and the key id.
    pub fn noted(&self) -> NotedHead {
        NotedHead {
            seq: self.seq,
            hash: self.hash.to_vec(),
            key_id: Some(self.key_id),
        }
    }
}

impl fmt::Display for LogHead {
    /// `entry 13 · 1a2b3c4d5e6f7a8b · key 0123456789abcdef`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entry {} · {} · key {}",
            self.seq,
            self.short_hash(),
            self.key_id
        )
    }
}

/// A head noted earlier (by an inspector, or by the checkpoint page itself): entry `seq`
/// had a hash beginning with `hash`, and the log was signed by `key_id` when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotedHead {
    /// The entry number noted.
    pub seq: u64,
    /// Its hash, or the first 8 to 32 bytes of it.
    pub hash: Vec<u8>,
    /// The device key id noted, if it was.
    pub key_id: Option<KeyId>,
}

/// Why a noted head could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("expected HCH1:SEQ:HASH:KEYID (the checkpoint's head QR) or SEQ:HASH, HASH of 16 to 64 hex digits")]
pub struct NotedHeadError;

impl NotedHead {
    /// Reads a noted head in any form of the module docs. Errors: anything else.
    pub fn parse(text: &str) -> Result<NotedHead, NotedHeadError> {
        let text = text.trim();
        let body = match text.get(..HEAD_PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(HEAD_PREFIX) => &text[HEAD_PREFIX.len()..],
            _ => text,
        };
        let mut parts = body.split(':');
        let (Some(seq), Some(hash), key, None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(NotedHeadError);
        };
        if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotedHeadError);
        }
        let seq: u64 = seq.parse().map_err(|_| NotedHeadError)?;
        let hash = hex_prefix(hash).ok_or(NotedHeadError)?;
        let key_id = match key {
            Some(k) => Some(KeyId(parse_hex::<8>(k).map_err(|_| NotedHeadError)?)),
            None => None,
        };
        Ok(NotedHead { seq, hash, key_id })
    }

    /// Whether `hash` is the one noted (begins with the noted bytes).
    pub fn matches(&self, hash: &[u8; 32]) -> bool {
        hash.starts_with(&self.hash)
    }
}

/// 8 to 32 bytes from 16 to 64 hex digits (either case), an even number of them.
fn hex_prefix(text: &str) -> Option<Vec<u8>> {
    if !(SHORT_HASH_DIGITS..=64).contains(&text.len()) || text.len() % 2 != 0 {
        return None;
    }
    let full = format!("{text:0<64}");
    let bytes = parse_hex::<32>(&full).ok()?;
    Some(bytes[..text.len() / 2].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> LogHead {
        let mut hash = [0u8; 32];
        for (i, b) in hash.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(0xa5);
        }
        LogHead {
            seq: 513,
            hash,
            key_id: KeyId([0xf3, 0x1f, 0x5d, 0x96, 0x71, 0x97, 0xf8, 0x85]),
        }
    }

    #[test]
    fn the_qr_text_is_upper_case_alphanumeric_and_reads_back() {
        let h = head();
        let text = h.to_qr_text();
        assert_eq!(text.len(), 5 + 3 + 1 + 64 + 1 + 16);
        assert!(text.starts_with("HCH1:513:A5CAEF"), "{text}");
        assert!(text.ends_with(":F31F5D967197F885"), "{text}");
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b':'));
        assert_eq!(NotedHead::parse(&text), Ok(h.noted()));
        assert_eq!(NotedHead::parse(&text.to_lowercase()), Ok(h.noted()));
        assert_eq!(
            h.to_string(),
            "entry 513 · a5caef14395e83a8 · key f31f5d967197f885"
        );
    }

    #[test]
    fn a_hand_written_note_may_carry_the_short_hash_only() {
        let h = head();
        let note = NotedHead::parse(&format!("513:{}", h.short_hash())).expect("short form");
        assert_eq!((note.seq, note.hash.len(), note.key_id), (513, 8, None));
        assert!(note.matches(&h.hash));
        let mut other = h.hash;
        other[7] ^= 1;
        assert!(!note.matches(&other));
        // A later byte is not part of the note.
        other = h.hash;
        other[8] ^= 1;
        assert!(note.matches(&other));
    }

    #[test]
    fn malformed_notes_are_refused() {
        for bad in [
            "",
            "HCH1:",
            "HCH1:13",
            "13:",
            "x:a5caef14395e83a8",
            "-1:a5caef14395e83a8",
            "13:a5caef14395e83a",       // 15 digits
            "13:a5caef14395e83a8:f31f", // short key id
            "13:a5caef14395e83a8:f31f5d967197f885:1",
            "HCH2:13:a5caef14395e83a8",
            "13:g5caef14395e83a8",
            "99999999999999999999:a5caef14395e83a8",
        ] {
            assert_eq!(NotedHead::parse(bad), Err(NotedHeadError), "{bad}");
        }
        assert_eq!(
            NotedHead::parse("13:a5caef14395e83a81"),
            Err(NotedHeadError),
            "odd digits"
        );
    }
}
