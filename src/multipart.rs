//! Multi-part QR codes: a text too long for one QR code (a big revocation or trust list) is
//! cut into numbered parts that a scanner collects in any order and joins back.
//!
//! # Part text
//!
//! `HCM1:` + `i` + `/` + `n` + `/` + `digest` + `:` + `chunk`, where `n` is the number of parts
//! (1–99), `i` the part's number (1–`n`), `digest` the first 8 bytes of SHA-256 of the whole
//! text as 16 lowercase hex digits, and `chunk` the `i`-th piece of the text (pieces are cut
//! at character boundaries, each at most [`MAX_CHUNK`] bytes). The joined text must hash to
//! `digest`, so a part from another list or a misread part is never joined in silence. All
//! characters stay in the QR alphanumeric set when the whole text is base45 (`HCL1:…`), so
//! every part encodes compactly.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The prefix of a part.
pub const PREFIX: &str = "HCM1:";
/// Most bytes of the whole text in one part: with the header, a version-22 QR code at
/// level M (alphanumeric) holds it, still easy to scan from a screen or paper.
pub const MAX_CHUNK: usize = 1_000;
/// Most parts of one text.
pub const MAX_PARTS: usize = 99;

/// Why a part was refused or the parts did not join.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    /// Not a part (no `HCM1:` prefix or a malformed header).
    #[error("not a part of a multi-part code")]
    NotPart,
    /// A part of another text than the parts collected so far.
    #[error("a part of another list")]
    OtherText,
    /// The joined text does not match its digest (a misread or forged part).
    #[error("the parts do not join into the text they announce")]
    Digest,
    /// The text needs more than [`MAX_PARTS`] parts.
    #[error("too long for {MAX_PARTS} parts")]
    TooLong,
}

impl MultipartError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            MultipartError::NotPart => "M|PRT",
            MultipartError::OtherText => "M|OTH",
            MultipartError::Digest => "M|DIG",
            MultipartError::TooLong => "M|LEN",
        }
    }
}

fn digest(text: &str) -> String {
    crate::keys::to_hex(&Sha256::digest(text.as_bytes())[..8])
}

/// Cuts `text` into part texts (one part when it fits). Errors: [`MultipartError::TooLong`].
pub fn split(text: &str) -> Result<Vec<String>, MultipartError> {
    let mut chunks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(MAX_CHUNK);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        chunks.push(&rest[..end]);
        rest = &rest[end..];
    }
    if chunks.len() > MAX_PARTS {
        return Err(MultipartError::TooLong);
    }
    let n = chunks.len().max(1);
    let d = digest(text);
    if chunks.is_empty() {
        chunks.push("");
    }
    Ok(chunks
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{PREFIX}{}/{n}/{d}:{c}", i + 1))
        .collect())
}

/// A part's header and piece.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    index: usize,
    count: usize,
    digest: String,
    chunk: String,
}

fn parse(text: &str) -> Result<Part, MultipartError> {
    let rest = text
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(MultipartError::NotPart)?;
    let (header, chunk) = rest.split_once(':').ok_or(MultipartError::NotPart)?;
    let mut fields = header.split('/');
    let (Some(i), Some(n), Some(d), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(MultipartError::NotPart);
    };
    let index: usize = i.parse().map_err(|_| MultipartError::NotPart)?;
    let count: usize = n.parse().map_err(|_| MultipartError::NotPart)?;
    let valid_digest = d.len() == 16
        && d.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !(1..=MAX_PARTS).contains(&count) || !(1..=count).contains(&index) || !valid_digest {
        return Err(MultipartError::NotPart);
    }
    Ok(Part {
        index,
        count,
        digest: d.to_owned(),
        chunk: chunk.to_owned(),
    })
}

/// Whether `text` looks like a part (starts with [`PREFIX`]).
pub fn is_part(text: &str) -> bool {
    text.trim_start().starts_with(PREFIX)
}

/// Collects parts as they are scanned, in any order, repeats ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assembler {
    digest: Option<String>,
    count: usize,
    chunks: BTreeMap<usize, String>,
}

/// Where collecting stands after a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// `have` of `of` parts collected.
    Partial {
        /// Parts collected.
        have: usize,
        /// Parts in all.
        of: usize,
    },
    /// All parts are in: the whole text, checked against its digest.
    Complete(String),
}

impl Assembler {
    /// Adds one scanned part. A part of another text starts over only through
    /// [`Assembler::reset`]; until then it is refused with [`MultipartError::OtherText`].
    /// When the last part arrives the text is joined and checked; a mismatch empties the
    /// assembler and returns [`MultipartError::Digest`].
    pub fn add(&mut self, text: &str) -> Result<Progress, MultipartError> {
        let part = parse(text)?;
        match &self.digest {
            Some(d) if *d != part.digest || self.count != part.count => {
                return Err(MultipartError::OtherText)
            }
            Some(_) => {}
            None => {
                self.digest = Some(part.digest.clone());
                self.count = part.count;
            }
        }
        self.chunks.entry(part.index).or_insert(part.chunk);
        if self.chunks.len() < self.count {
            return Ok(Progress::Partial {
                have: self.chunks.len(),
                of: self.count,
            });
        }
        let whole: String = self.chunks.values().map(String::as_str).collect();
        let expected = self.digest.clone().unwrap_or_default();
        self.reset();
        if digest(&whole) == expected {
            Ok(Progress::Complete(whole))
        } else {
            Err(MultipartError::Digest)
        }
    }

    /// Forgets the parts collected so far.
    pub fn reset(&mut self) {
        *self = Assembler::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_splits_and_joins_in_any_order() {
        let text = format!("HCL1:{}", "0123456789ABCDEF $%*+-./:".repeat(130));
        let parts = split(&text).unwrap();
        assert_eq!(parts.len(), 4);
        assert!(parts.iter().all(|p| p.len() <= MAX_CHUNK + 30));
        assert!(parts[0].starts_with("HCM1:1/4/"));
        // A full part of a base45 list is a version-22 QR code (105 modules + quiet zone).
        let m = crate::render::matrix(&parts[0]).unwrap();
        assert_eq!(m.size, 105 + 8);
        let mut a = Assembler::default();
        assert_eq!(a.add(&parts[2]), Ok(Progress::Partial { have: 1, of: 4 }));
        assert_eq!(a.add(&parts[2]), Ok(Progress::Partial { have: 1, of: 4 }));
        assert_eq!(a.add(&parts[0]), Ok(Progress::Partial { have: 2, of: 4 }));
        assert_eq!(a.add(&parts[3]), Ok(Progress::Partial { have: 3, of: 4 }));
        assert_eq!(a.add(&parts[1]), Ok(Progress::Complete(text.clone())));
        assert_eq!(a, Assembler::default());
    }

    #[test]
    fn short_text_is_one_part_and_cjk_is_cut_at_characters() {
        assert_eq!(split("HCL1:AB").unwrap().len(), 1);
        let text = "张".repeat(700);
        let parts = split(&text).unwrap();
        assert_eq!(parts.len(), 3);
        let mut a = Assembler::default();
        let mut last = None;
        for p in &parts {
            last = Some(a.add(p).unwrap());
        }
        assert_eq!(last, Some(Progress::Complete(text)));
    }

    #[test]
    fn foreign_misread_and_malformed_parts_are_refused() {
        let one = split(&"A".repeat(2500)).unwrap();
        let other = split(&"B".repeat(2500)).unwrap();
        let mut a = Assembler::default();
        a.add(&one[0]).unwrap();
        assert_eq!(a.add(&other[1]), Err(MultipartError::OtherText));
        // A misread chunk: the joined text does not hash to the digest.
        let misread = one[2].replace("AAAA", "AAAB");
        a.add(&one[1]).unwrap();
        assert_eq!(a.add(&misread).map_err(|e| e.code()), Err("M|DIG"));
        for bad in [
            "HCL1:AB",
            "HCM1:",
            "HCM1:0/3/0011223344556677:x",
            "HCM1:4/3/0011223344556677:x",
            "HCM1:1/3/00112233:x",
            "HCM1:1/3:x",
            "HCM1:1/3/0011223344556677/9:x",
        ] {
            assert_eq!(
                Assembler::default().add(bad),
                Err(MultipartError::NotPart),
                "{bad}"
            );
        }
        assert_eq!(
            split(&"A".repeat(MAX_CHUNK * MAX_PARTS + 1)),
            Err(MultipartError::TooLong)
        );
    }
}
