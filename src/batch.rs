//! Batch issuing: one resident per row of a CSV file, turned into claims.
//!
//! The CLI (`healthcode issue --batch residents.csv`) splits the file into fields with the
//! `csv` crate and hands each row here: this module checks the fields, applies the
//! [declaration rules](crate::declaration), masks the name and builds the [`Claims`]. It does
//! no I/O; the credential id and `now` come from the caller.
//!
//! # Columns
//!
//! The first line of the file is this header, exactly, in this order ([`COLUMNS`]):
//!
//! | column | content |
//! |---|---|
//! | `name` | the full name as on the ID card, 1–64 bytes; masked before it goes into the code ([`mask_name`]) |
//! | `id_last4` | the last 4 characters of the ID number: `0-9`, or `X` as the checksum |
//! | `holder_public_key` | the resident's device public key, 64 hex characters; empty = a paper code |
//! | `fever_or_symptoms` | the declaration's answers, each `yes`/`no` (also `y`/`n`, `1`/`0`, `true`/`false`, `是`/`否`; any case). Empty is an error: a missing answer must not give a green code |
//! | `contact_with_case` | 〃 |
//! | `high_risk_travel` | 〃 |
//! | `under_quarantine` | 〃 |
//! | `colour` | empty: the colour the declaration rules suggest; `green`, `yellow` or `red`: an override |
//! | `reason` | why the colour was overridden; required with an override |

use crate::credential::{mask_name, valid_id_last4, Claims, Colour, Holder};
use crate::declaration::{self, Suggestion};
use crate::keys::{self, CredentialId, KeyId};
use crate::request::{Declaration, MAX_NAME};

/// The header of a batch file, in order.
pub const COLUMNS: [&str; 9] = [
    "name",
    "id_last4",
    "holder_public_key",
    "fever_or_symptoms",
    "contact_with_case",
    "high_risk_travel",
    "under_quarantine",
    "colour",
    "reason",
];

/// Why a row was refused. The row's other fields are not looked at after the first error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// Not [`COLUMNS`]`.len()` fields.
    #[error("expected 9 fields, found {0}")]
    FieldCount(usize),
    /// The name is empty or longer than 64 bytes.
    #[error("name must be 1 to 64 bytes")]
    Name,
    /// `id_last4` is not 4 characters of `0-9` or `X`. Holds the field when it is at most 4
    /// characters, else only its length: a full ID number put in the column is never echoed.
    #[error("id_last4 {0} is not 4 digits (or X)")]
    IdLast4(String),
    /// `holder_public_key` is neither empty nor a valid Ed25519 public key in hex.
    #[error("holder_public_key is not 64 hex characters of a valid Ed25519 public key")]
    HolderKey,
    /// A declaration answer is not one of the accepted yes/no spellings.
    #[error("{column} '{value}' is not yes or no")]
    Answer {
        /// The column's name.
        column: &'static str,
        /// What the field held.
        value: String,
    },
    /// `colour` is neither empty nor green, yellow or red.
    #[error("colour '{0}' is not green, yellow or red")]
    Colour(String),
    /// A colour override without a reason.
    #[error("colour overrides the declaration: the reason is required")]
    Reason,
}

impl RowError {
    /// Stable short code (`B|…`: a batch row).
    pub fn code(&self) -> &'static str {
        match self {
            RowError::FieldCount(_) => "B|COL",
            RowError::Name => "B|NAM",
            RowError::IdLast4(_) => "B|ID4",
            RowError::HolderKey => "B|KEY",
            RowError::Answer { .. } => "B|ANS",
            RowError::Colour(_) => "B|CLR",
            RowError::Reason => "B|RSN",
        }
    }
}

/// One checked row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The masked name (never the full name).
    pub masked_name: String,
    /// The last 4 characters of the ID number.
    pub id_last4: String,
    /// The device key, or paper.
    pub holder: Holder,
    /// The declaration's answers.
    pub declaration: Declaration,
    /// An override of the suggested colour, with its reason.
    pub colour_override: Option<(Colour, String)>,
}

/// What the issuer sets for every code of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// Administrative division code of the issuing region (6 digits).
    pub region: u32,
    /// How long codes are valid from `now`, in seconds.
    pub validity_secs: u64,
}

fn answer(column: &'static str, value: &str) -> Result<bool, RowError> {
    match value.to_lowercase().as_str() {
        "yes" | "y" | "1" | "true" | "是" => Ok(true),
        "no" | "n" | "0" | "false" | "否" => Ok(false),
        _ => Err(RowError::Answer {
            column,
            value: value.to_owned(),
        }),
    }
}

impl Row {
    /// Checks one row's fields (white space around each is ignored), in [`COLUMNS`] order.
    pub fn parse<S: AsRef<str>>(fields: &[S]) -> Result<Row, RowError> {
        let [name, last4, key, fever, contact, travel, quarantine, colour, reason] = fields else {
            return Err(RowError::FieldCount(fields.len()));
        };
        let name = name.as_ref().trim();
        if name.len() > MAX_NAME {
            return Err(RowError::Name);
        }
        let masked_name = mask_name(name).ok_or(RowError::Name)?;
        let id_last4 = last4.as_ref().trim();
        if !valid_id_last4(id_last4) {
            let shown = match id_last4.chars().count() {
                0..=4 => format!("'{id_last4}'"),
                n => format!("of {n} characters"),
            };
            return Err(RowError::IdLast4(shown));
        }
        let key = key.as_ref().trim();
        let holder = if key.is_empty() {
            Holder::Paper
        } else {
            Holder::Device(
                keys::verifying_key_from_hex(key)
                    .map_err(|_| RowError::HolderKey)?
                    .to_bytes(),
            )
        };
        let declaration = Declaration {
            fever_or_symptoms: answer(COLUMNS[3], fever.as_ref().trim())?,
            contact_with_case: answer(COLUMNS[4], contact.as_ref().trim())?,
            high_risk_travel: answer(COLUMNS[5], travel.as_ref().trim())?,
            under_quarantine: answer(COLUMNS[6], quarantine.as_ref().trim())?,
        };
        let colour = colour.as_ref().trim();
        let reason = reason.as_ref().trim();
        let colour_override = if colour.is_empty() {
            None
        } else {
            let c = Colour::parse(colour).ok_or_else(|| RowError::Colour(colour.to_owned()))?;
            if reason.is_empty() {
                return Err(RowError::Reason);
            }
            Some((c, reason.to_owned()))
        };
        Ok(Row {
            masked_name,
            id_last4: id_last4.to_owned(),
            holder,
            declaration,
            colour_override,
        })
    }

    /// The claims for this row at `now` (Unix seconds), with the rules' suggestion: the
    /// override's colour if any, else the suggested one; quarantine end `now` + 7 or 14 days
    /// for yellow or red; valid from `now` - 60 s for `terms.validity_secs`. The issuer field
    /// is left zero ([`crate::Credential::issue`] sets it).
    pub fn claims(&self, id: CredentialId, terms: &Terms, now: u64) -> (Claims, Suggestion) {
        let suggestion = declaration::suggest(&self.declaration, now);
        let colour = self
            .colour_override
            .as_ref()
            .map_or(suggestion.colour, |(c, _)| *c);
        let not_before = now.saturating_sub(60);
        let claims = Claims {
            issuer: KeyId([0; 8]),
            id,
            colour,
            masked_name: self.masked_name.clone(),
            id_last4: self.id_last4.clone(),
            region: terms.region,
            issued_at: not_before,
            not_before,
            expires: now.saturating_add(terms.validity_secs),
            quarantine_end: declaration::quarantine_end(colour, now),
            holder: self.holder,
        };
        (claims, suggestion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declaration::Ground;
    use ed25519_dalek::SigningKey;

    const NOW: u64 = 1_800_000_000;
    const TERMS: Terms = Terms {
        region: 330900,
        validity_secs: 30 * 86_400,
    };

    fn holder_hex() -> String {
        keys::to_hex(SigningKey::from_bytes(&[3; 32]).verifying_key().as_bytes())
    }

    #[test]
    fn a_good_row_becomes_claims_with_the_suggested_colour() {
        let key = holder_hex();
        let row = Row::parse(&["张三伟", "123X", &key, "no", "Yes", "n", "0", "", ""]).unwrap();
        assert_eq!(row.masked_name, "张*伟");
        let (claims, suggestion) = row.claims(CredentialId([5; 8]), &TERMS, NOW);
        assert_eq!(suggestion.ground, Ground::ContactWithCase);
        assert_eq!(claims.colour, Colour::Red);
        assert_eq!(claims.quarantine_end, Some(NOW + 14 * 86_400));
        assert_eq!(
            (claims.not_before, claims.expires),
            (NOW - 60, NOW + 30 * 86_400)
        );
        assert_eq!(claims.id, CredentialId([5; 8]));
        assert_eq!(claims.validate(), Ok(()));
        let Holder::Device(bytes) = claims.holder else {
            panic!("a device code")
        };
        assert_eq!(keys::to_hex(&bytes), key);
    }

    #[test]
    fn an_empty_key_is_a_paper_code_and_an_override_needs_a_reason() {
        let row = Row::parse(&[
            " Wang Fang ",
            "0001",
            "",
            "是",
            "否",
            "否",
            "否",
            "Green",
            "fever from a vaccination, checked",
        ])
        .unwrap();
        assert_eq!(row.holder, Holder::Paper);
        assert_eq!(row.masked_name, "W*** F**");
        let (claims, suggestion) = row.claims(CredentialId([1; 8]), &TERMS, NOW);
        assert_eq!(suggestion.colour, Colour::Red);
        assert_eq!(
            (claims.colour, claims.quarantine_end),
            (Colour::Green, None)
        );
    }

    #[test]
    fn each_bad_field_has_its_error() {
        let key = holder_hex();
        let good = ["张伟", "1234", key.as_str(), "no", "no", "no", "no", "", ""];
        let long_name = "x".repeat(65);
        let short_key = &key[..62];
        let cases: Vec<(usize, &str, RowError)> = vec![
            (0, "  ", RowError::Name),
            (0, &long_name, RowError::Name),
            (
                1,
                "330902199001011234",
                RowError::IdLast4("of 18 characters".into()),
            ),
            (1, "12x4", RowError::IdLast4("'12x4'".into())),
            (2, short_key, RowError::HolderKey),
            (
                3,
                "",
                RowError::Answer {
                    column: "fever_or_symptoms",
                    value: String::new(),
                },
            ),
            (
                6,
                "maybe",
                RowError::Answer {
                    column: "under_quarantine",
                    value: "maybe".into(),
                },
            ),
            (7, "blue", RowError::Colour("blue".into())),
            (7, "red", RowError::Reason),
        ];
        assert!(Row::parse(&good).is_ok());
        for (field, value, expected) in cases {
            let mut fields = good;
            fields[field] = value;
            assert_eq!(
                Row::parse(&fields),
                Err(expected),
                "field {field} = {value:?}"
            );
        }
        assert_eq!(Row::parse(&good[..8]), Err(RowError::FieldCount(8)));
        assert_eq!(RowError::FieldCount(8).code(), "B|COL");
    }
}
