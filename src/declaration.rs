//! Declaration rules: the colour a resident's health declaration suggests, and when the
//! quarantine or home observation it calls for ends.
//!
//! A pure function of the four answers of a [`Declaration`] and `now` (seconds since the Unix
//! epoch). The issuer desk and the batch CLI show the suggestion; the officer confirms it or
//! overrides it with a reason.
//!
//! # Rule table
//!
//! Rows are tried top to bottom and the first that matches decides ("yes" = the answer is
//! true, "—" = either). Red beats yellow: a resident who declares fever *and* high-risk
//! travel gets red. The first matching row's [`Ground`] is reported with the colour.
//!
//! | row | fever or symptoms | contact with a case | high-risk travel | under quarantine | colour | quarantine end |
//! |-----|-------------------|---------------------|------------------|------------------|--------|----------------|
//! | 1   | yes               | —                   | —                | —                | red    | `now` + 14 days |
//! | 2   | no                | yes                 | —                | —                | red    | `now` + 14 days |
//! | 3   | no                | no                  | yes              | —                | yellow | `now` + 7 days  |
//! | 4   | no                | no                  | no               | yes              | yellow | `now` + 7 days  |
//! | 5   | no                | no                  | no               | no               | green  | none            |
//!
//! Day counts come from [`Colour::quarantine_days`] (red 14, yellow 7), a day being 86,400
//! seconds.

use crate::credential::Colour;
use crate::request::Declaration;

/// Which answer decided the colour (the first matching row of the rule table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ground {
    /// Row 1: fever or symptoms.
    FeverOrSymptoms,
    /// Row 2: close contact with a confirmed or suspected case.
    ContactWithCase,
    /// Row 3: travel from a high-risk area within 14 days.
    HighRiskTravel,
    /// Row 4: already under home observation or quarantine.
    UnderQuarantine,
    /// Row 5: every answer is no.
    NothingDeclared,
}

impl Ground {
    /// Short English words for the ground, e.g. `contact with a case`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ground::FeverOrSymptoms => "fever or symptoms",
            Ground::ContactWithCase => "contact with a case",
            Ground::HighRiskTravel => "high-risk travel",
            Ground::UnderQuarantine => "under quarantine",
            Ground::NothingDeclared => "nothing declared",
        }
    }
}

/// What the rules suggest for one declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion {
    /// The suggested colour.
    pub colour: Colour,
    /// For yellow and red: when the observation or quarantine ends, Unix seconds; `None` for
    /// green.
    pub quarantine_end: Option<u64>,
    /// The row that decided.
    pub ground: Ground,
}

/// The quarantine end a colour calls for when decided at `now`: `None` for green, else
/// `now` + [`Colour::quarantine_days`] days (saturating), in Unix seconds.
pub fn quarantine_end(colour: Colour, now: u64) -> Option<u64> {
    match colour {
        Colour::Green => None,
        c => Some(now.saturating_add(c.quarantine_days() * 86_400)),
    }
}

/// Applies the rule table (module docs) to `declaration` at `now` (Unix seconds).
pub fn suggest(declaration: &Declaration, now: u64) -> Suggestion {
    let (colour, ground) = if declaration.fever_or_symptoms {
        (Colour::Red, Ground::FeverOrSymptoms)
    } else if declaration.contact_with_case {
        (Colour::Red, Ground::ContactWithCase)
    } else if declaration.high_risk_travel {
        (Colour::Yellow, Ground::HighRiskTravel)
    } else if declaration.under_quarantine {
        (Colour::Yellow, Ground::UnderQuarantine)
    } else {
        (Colour::Green, Ground::NothingDeclared)
    };
    Suggestion {
        colour,
        quarantine_end: quarantine_end(colour, now),
        ground,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;
    const DAY: u64 = 86_400;

    fn declaration(fever: bool, contact: bool, travel: bool, quarantine: bool) -> Declaration {
        Declaration {
            fever_or_symptoms: fever,
            contact_with_case: contact,
            high_risk_travel: travel,
            under_quarantine: quarantine,
        }
    }

    #[test]
    fn each_row_of_the_rule_table() {
        // (answers, colour, quarantine end, ground): one case per row, in table order.
        let rows = [
            (
                declaration(true, false, false, false),
                Colour::Red,
                Some(NOW + 14 * DAY),
                Ground::FeverOrSymptoms,
            ),
            (
                declaration(false, true, false, false),
                Colour::Red,
                Some(NOW + 14 * DAY),
                Ground::ContactWithCase,
            ),
            (
                declaration(false, false, true, false),
                Colour::Yellow,
                Some(NOW + 7 * DAY),
                Ground::HighRiskTravel,
            ),
            (
                declaration(false, false, false, true),
                Colour::Yellow,
                Some(NOW + 7 * DAY),
                Ground::UnderQuarantine,
            ),
            (
                declaration(false, false, false, false),
                Colour::Green,
                None,
                Ground::NothingDeclared,
            ),
        ];
        for (d, colour, end, ground) in rows {
            assert_eq!(
                suggest(&d, NOW),
                Suggestion {
                    colour,
                    quarantine_end: end,
                    ground
                },
                "{d:?}"
            );
        }
    }

    #[test]
    fn red_beats_yellow_and_earlier_rows_beat_later_ones() {
        let s = suggest(&declaration(true, true, true, true), NOW);
        assert_eq!((s.colour, s.ground), (Colour::Red, Ground::FeverOrSymptoms));
        let s = suggest(&declaration(false, true, true, true), NOW);
        assert_eq!((s.colour, s.ground), (Colour::Red, Ground::ContactWithCase));
        let s = suggest(&declaration(false, false, true, true), NOW);
        assert_eq!(
            (s.colour, s.ground),
            (Colour::Yellow, Ground::HighRiskTravel)
        );
    }

    #[test]
    fn all_sixteen_answer_combinations_follow_the_table() {
        for bits in 0u8..16 {
            let d = declaration(bits & 1 != 0, bits & 2 != 0, bits & 4 != 0, bits & 8 != 0);
            let expected = if bits & 0b11 != 0 {
                Colour::Red
            } else if bits & 0b1100 != 0 {
                Colour::Yellow
            } else {
                Colour::Green
            };
            let s = suggest(&d, NOW);
            assert_eq!(s.colour, expected, "{d:?}");
            assert_eq!(s.quarantine_end, quarantine_end(expected, NOW));
        }
    }

    #[test]
    fn quarantine_end_saturates_at_the_end_of_time() {
        assert_eq!(quarantine_end(Colour::Red, u64::MAX - 5), Some(u64::MAX));
        assert_eq!(quarantine_end(Colour::Green, NOW), None);
    }
}
