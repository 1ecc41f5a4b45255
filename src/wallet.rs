//! The resident's wallet: the people whose codes this phone holds (up to [`MAX_PEOPLE`]),
//! each with their own holder key, and the checks a credential passes before it is kept.
//!
//! A person is added with a name and a health declaration; the phone makes a holder key
//! and a signed [`HolderRequest`] for the issuer desk. The credential the issuer returns
//! (by QR, import link, pasted text or file) is accepted only if it is a well-formed `HCC1:`
//! credential for one of this phone's holder keys and has not expired. The phone does not
//! check the issuer's signature (it holds no trust list); every checkpoint does.
//!
//! A pass (`HCA1:`, "one code, one certificate") for one of this phone's holder keys is kept
//! with that person, one per place (a newer pass for the same place replaces the older).
//!
//! Import links carry the credential in the URL fragment (`#import=…`), which browsers
//! never send to a server (RFC 3986 §3.5).

use crate::codec::{self, CodecError, MessageKind};
use crate::credential::{Credential, Holder};
use crate::pass::Pass;
use crate::request::{Declaration, HolderRequest, RequestError};
use ed25519_dalek::SigningKey;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Most people one phone holds codes for.
pub const MAX_PEOPLE: usize = 10;

/// The fragment key of an import link: `#import=<percent-encoded HCC1 text>`.
pub const IMPORT_FRAGMENT_KEY: &str = "import=";

/// Bytes left unescaped in an import link's fragment: letters, digits and `-._~:` (RFC 3986
/// unreserved characters plus `:`). Base45's space, `%`, `$`, `*`, `+` and `/` are escaped.
const FRAGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// One person on this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Seed of this person's holder (device) key, Ed25519 (RFC 8032).
    pub holder_seed: [u8; 32],
    /// The name as typed (or, for demo residents, the masked name).
    pub name: String,
    /// The health declaration sent with the request.
    pub declaration: Declaration,
    /// When the request was made, Unix seconds.
    pub requested_at: u64,
    /// The issuer's credential, once received.
    pub credential: Option<Credential>,
    /// Passes for places, at most one per place.
    pub passes: Vec<Pass>,
}

impl Person {
    /// The holder's public key bytes.
    pub fn holder_key(&self) -> [u8; 32] {
        SigningKey::from_bytes(&self.holder_seed)
            .verifying_key()
            .to_bytes()
    }

    /// The signed request to show the issuer desk (`HCR1:` text). Errors: the name rule
    /// (1–64 bytes).
    pub fn request(&self) -> Result<HolderRequest, RequestError> {
        HolderRequest::sign(
            &SigningKey::from_bytes(&self.holder_seed),
            &self.name,
            self.declaration,
            self.requested_at,
        )
    }

    /// The name to show: the credential's masked name once issued, else the typed name.
    pub fn display_name(&self) -> &str {
        self.credential
            .as_ref()
            .map_or(self.name.as_str(), |c| c.claims.masked_name.as_str())
    }
}

/// Why a person could not be added or a credential was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// Already [`MAX_PEOPLE`] people on this phone.
    #[error("this phone already holds {MAX_PEOPLE} people's codes")]
    Full,
    /// The name is empty or longer than 64 bytes.
    #[error("the name must be 1 to 64 bytes")]
    Name,
    /// Not a health code at all (a URL, another app's QR).
    #[error("this is not a health code")]
    Foreign,
    /// A healthcode message, but not a credential (a presentation, a pass, a list…).
    #[error("this is a healthcode message but not a health code for a phone")]
    WrongKind,
    /// Starts like a credential but does not decode.
    #[error("the code is damaged ({0})")]
    Damaged(CodecError),
    /// A paper code: it is checked against the ID card, not kept on a phone.
    #[error("this is a paper code; keep it on paper")]
    Paper,
    /// For a holder key this phone does not have.
    #[error("this code was issued for another phone")]
    OtherHolder,
    /// Expired at `now`.
    #[error("this code has expired")]
    Expired,
}

impl WalletError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            WalletError::Full => "W|FUL",
            WalletError::Name => "W|NAM",
            WalletError::Foreign => "W|FOR",
            WalletError::WrongKind => "W|KND",
            WalletError::Damaged(_) => "W|BAD",
            WalletError::Paper => "W|PAP",
            WalletError::OtherHolder => "W|HLD",
            WalletError::Expired => "W|EXP",
        }
    }
}

/// What an accepted text was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// A credential, now the code of person `0`.
    Credential(usize),
    /// A pass for place `1`, kept with person `0`.
    Pass(usize, String),
}

/// The people on one phone, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wallet {
    /// At most [`MAX_PEOPLE`].
    pub people: Vec<Person>,
}

impl Wallet {
    /// Adds a person with a new holder key made from `seed` (caller's randomness) and returns
    /// their index. Errors: [`WalletError::Full`], [`WalletError::Name`].
    pub fn add(
        &mut self,
        seed: [u8; 32],
        name: &str,
        declaration: Declaration,
        now: u64,
    ) -> Result<usize, WalletError> {
        if self.people.len() >= MAX_PEOPLE {
            return Err(WalletError::Full);
        }
        let person = Person {
            holder_seed: seed,
            name: name.trim().to_owned(),
            declaration,
            requested_at: now,
            credential: None,
            passes: Vec::new(),
        };
        person.request().map_err(|_| WalletError::Name)?;
        self.people.push(person);
        Ok(self.people.len() - 1)
    }

    /// Checks `text` (a QR text, or a whole import link) and stores the credential with the
    /// person whose holder key it names, replacing an earlier one (a re-issue); a pass
    /// (`HCA1:`) is kept with its holder, replacing an earlier pass for the same place.
    /// Errors, in order of checking: [`WalletError::Foreign`], [`WalletError::WrongKind`],
    /// [`WalletError::Damaged`], [`WalletError::Paper`], [`WalletError::OtherHolder`],
    /// [`WalletError::Expired`].
    pub fn accept(&mut self, text: &str, now: u64) -> Result<Accepted, WalletError> {
        let text = unwrap_link(text)?;
        if codec::peek_kind(&text) == Some(MessageKind::Pass) {
            let pass = Pass::from_qr_text(&text).map_err(WalletError::Damaged)?;
            let index = self.holder_index(&pass.claims.holder)?;
            if now >= pass.claims.expires {
                return Err(WalletError::Expired);
            }
            let place = pass.claims.place.clone();
            let passes = &mut self.people[index].passes;
            passes.retain(|p| p.claims.place != place);
            passes.push(pass);
            return Ok(Accepted::Pass(index, place));
        }
        let credential = parse_credential(&text)?;
        let Holder::Device(key) = credential.claims.holder else {
            return Err(WalletError::Paper);
        };
        let index = self.holder_index(&key)?;
        if now >= credential.claims.expires {
            return Err(WalletError::Expired);
        }
        self.people[index].credential = Some(credential);
        Ok(Accepted::Credential(index))
    }

    fn holder_index(&self, key: &[u8; 32]) -> Result<usize, WalletError> {
        self.people
            .iter()
            .position(|p| p.holder_key() == *key)
            .ok_or(WalletError::OtherHolder)
    }

    /// Removes the person at `index` (their key is forgotten); out of range does nothing.
    pub fn remove(&mut self, index: usize) {
        if index < self.people.len() {
            self.people.remove(index);
        }
    }
}

/// The QR text in `text`: itself (trimmed), or the payload of an import link.
fn unwrap_link(text: &str) -> Result<String, WalletError> {
    match text.find('#') {
        Some(at) => parse_import_fragment(&text[at..]).ok_or(WalletError::Foreign),
        None => Ok(text.trim().to_owned()),
    }
}

/// Decodes a credential from QR text or an import link, with the wallet's error codes.
pub fn parse_credential(text: &str) -> Result<Credential, WalletError> {
    let text = unwrap_link(text)?;
    match codec::peek_kind(&text) {
        Some(MessageKind::Credential) => {}
        Some(_) => return Err(WalletError::WrongKind),
        None => return Err(WalletError::Foreign),
    }
    Credential::from_qr_text(&text).map_err(|e| match e {
        CodecError::NotHealthCode => WalletError::Foreign,
        other => WalletError::Damaged(other),
    })
}

/// An import link: `base` (e.g. `https://example.org/`) + `#import=` + the percent-encoded
/// text.
pub fn import_link(base: &str, text: &str) -> String {
    let base = base.split('#').next().unwrap_or(base);
    format!("{base}#{IMPORT_FRAGMENT_KEY}{}", fragment_encode(text))
}

/// `text` (trimmed) percent-encoded for a URL fragment: letters, digits and `-._~:` stay,
/// every other byte becomes `%XX`.
pub fn fragment_encode(text: &str) -> String {
    utf8_percent_encode(text.trim(), FRAGMENT).to_string()
}

/// The text of an import link's fragment (`#import=…`, with or without `#`), percent-decoded;
/// `None` when the fragment is not an import or does not decode to UTF-8.
pub fn parse_import_fragment(fragment: &str) -> Option<String> {
    let encoded = fragment
        .trim_start_matches('#')
        .strip_prefix(IMPORT_FRAGMENT_KEY)?;
    percent_decode_str(encoded)
        .decode_utf8()
        .ok()
        .map(|t| t.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Claims, Colour};
    use crate::keys::{CredentialId, KeyId};

    const NOW: u64 = 1_800_000_000;

    fn credential_for(holder: Holder, expires: u64) -> Credential {
        let claims = Claims {
            issuer: KeyId([0; 8]),
            id: CredentialId([7; 8]),
            colour: Colour::Yellow,
            masked_name: "李*娜".into(),
            id_last4: "5678".into(),
            region: 330900,
            issued_at: NOW,
            not_before: NOW - 60,
            expires,
            quarantine_end: Some(NOW + 7 * 86_400),
            holder,
        };
        Credential::issue(claims, &SigningKey::from_bytes(&[9; 32])).unwrap()
    }

    fn wallet_with_two() -> Wallet {
        let mut w = Wallet::default();
        assert_eq!(w.add([1; 32], " 李娜 ", Declaration::default(), NOW), Ok(0));
        assert_eq!(
            w.add([2; 32], "Wang Fang", Declaration::default(), NOW),
            Ok(1)
        );
        w
    }

    #[test]
    fn a_credential_goes_to_the_person_whose_key_it_names() {
        let mut w = wallet_with_two();
        assert_eq!(w.people[0].name, "李娜");
        let holder = Holder::Device(w.people[1].holder_key());
        let text = credential_for(holder, NOW + 86_400).to_qr_text();
        assert_eq!(w.accept(&text, NOW), Ok(Accepted::Credential(1)));
        assert_eq!(w.people[1].display_name(), "李*娜");
        assert_eq!(w.people[0].credential, None);
        // By import link too, and a re-issue replaces it.
        let link = import_link("http://127.0.0.1:8080/#resident", &text);
        assert!(link.starts_with("http://127.0.0.1:8080/#import=HCC1:"));
        assert!(!link[link.find('#').unwrap()..].contains(' '));
        assert_eq!(w.accept(&link, NOW), Ok(Accepted::Credential(1)));
    }

    #[test]
    fn refusals_say_why() {
        let mut w = wallet_with_two();
        let other = Holder::Device(SigningKey::from_bytes(&[3; 32]).verifying_key().to_bytes());
        let cases = [
            ("https://example.org/".to_owned(), "W|FOR"),
            ("#import=%FF%FE".to_owned(), "W|FOR"),
            ("HCT1:ABC".to_owned(), "W|KND"),
            ("HCA1:ABC".to_owned(), "W|BAD"),
            ("HCC1:%%%".to_owned(), "W|BAD"),
            (
                credential_for(Holder::Paper, NOW + 10).to_qr_text(),
                "W|PAP",
            ),
            (credential_for(other, NOW + 10).to_qr_text(), "W|HLD"),
        ];
        for (text, code) in cases {
            assert_eq!(w.accept(&text, NOW).unwrap_err().code(), code, "{text}");
        }
        let mine = credential_for(Holder::Device(w.people[0].holder_key()), NOW + 10);
        assert_eq!(
            w.accept(&mine.to_qr_text(), NOW + 10),
            Err(WalletError::Expired)
        );
        assert!(w.people.iter().all(|p| p.credential.is_none()));
    }

    #[test]
    fn a_pass_is_kept_with_its_holder_one_per_place() {
        use crate::pass::{PassClaims, PassKind};
        let mut w = wallet_with_two();
        let key = SigningKey::from_bytes(&[8; 32]);
        let pass = |place: &str, expires: u64, holder: [u8; 32]| {
            Pass::issue(
                PassClaims {
                    issuer: KeyId([0; 8]),
                    id: CredentialId([4; 8]),
                    place: place.into(),
                    kind: PassKind::Resident,
                    not_before: NOW - 60,
                    expires,
                    holder,
                },
                &key,
            )
            .unwrap()
            .to_qr_text()
        };
        let holder = w.people[0].holder_key();
        let a = pass("330902-0001", NOW + 100, holder);
        assert_eq!(
            w.accept(&a, NOW),
            Ok(Accepted::Pass(0, "330902-0001".into()))
        );
        assert_eq!(
            w.accept(&pass("330902-0001", NOW + 200, holder), NOW),
            Ok(Accepted::Pass(0, "330902-0001".into()))
        );
        w.accept(&pass("330902-0002", NOW + 100, holder), NOW)
            .unwrap();
        let places: Vec<(&str, u64)> = w.people[0]
            .passes
            .iter()
            .map(|p| (p.claims.place.as_str(), p.claims.expires))
            .collect();
        assert_eq!(
            places,
            vec![("330902-0001", NOW + 200), ("330902-0002", NOW + 100)]
        );
        assert_eq!(
            w.accept(&pass("330902-0003", NOW + 100, [3; 32]), NOW),
            Err(WalletError::OtherHolder)
        );
        assert_eq!(w.accept(&a, NOW + 100), Err(WalletError::Expired));
    }

    #[test]
    fn at_most_ten_people_and_names_are_checked() {
        let mut w = Wallet::default();
        for i in 0..MAX_PEOPLE {
            assert_eq!(
                w.add([i as u8; 32], "张伟", Declaration::default(), NOW),
                Ok(i)
            );
        }
        assert_eq!(
            w.add([99; 32], "张伟", Declaration::default(), NOW),
            Err(WalletError::Full)
        );
        w.remove(3);
        assert_eq!(w.people.len(), 9);
        assert_eq!(
            w.add([99; 32], "  ", Declaration::default(), NOW),
            Err(WalletError::Name)
        );
        assert_eq!(
            w.add([99; 32], &"长".repeat(22), Declaration::default(), NOW),
            Err(WalletError::Name)
        );
    }

    #[test]
    fn the_request_is_signed_by_the_persons_key() {
        let w = wallet_with_two();
        let text = w.people[1].request().unwrap().to_qr_text();
        let back = HolderRequest::from_qr_text(&text).unwrap();
        assert_eq!(back.body.holder, w.people[1].holder_key());
        assert_eq!(back.body.name, "Wang Fang");
    }

    #[test]
    fn fragments_round_trip() {
        let text = "HCC1:6BF $%*+-./:0Z";
        let link = import_link("https://x.example/app/", text);
        let fragment = &link[link.find('#').unwrap()..];
        assert_eq!(parse_import_fragment(fragment).as_deref(), Some(text));
        assert_eq!(parse_import_fragment("#resident"), None);
    }
}
