//! Checkpoint policy: verified claims and a temperature → a verdict with reasons.
//!
//! Defaults (the city's rules): green admits; yellow denies (7-day home observation); red
//! denies (14-day quarantine); a temperature of 37.3 °C or more denies and refers to a fever
//! clinic; a paper code is referred to an ID-card check. Every rule that applies adds a
//! reason; the decision is the strictest (deny over refer over admit).

use crate::credential::Colour;
use crate::verify::Verified;

/// What the gate does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    /// Let the person through.
    Admit,
    /// Check by hand before admitting (ID card, temperature, a code that could not be
    /// checked).
    Refer,
    /// Do not let the person through.
    Deny,
}

impl Decision {
    /// Lowercase English name: `admit`, `refer`, `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Admit => "admit",
            Decision::Deny => "deny",
            Decision::Refer => "refer",
        }
    }
}

/// A body temperature in tenths of a degree Celsius (`373` = 37.3 °C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Temperature(u16);

/// Why a temperature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TemperatureError {
    /// Not a number with at most one decimal.
    #[error("type a temperature such as 36.5")]
    NotANumber,
    /// Outside 34.0–43.0 °C: a misreading, not a person.
    #[error("a body temperature is between 34.0 and 43.0 °C: measure again")]
    Impossible,
}

impl Temperature {
    /// Lowest accepted reading, tenths of °C.
    pub const MIN_TENTHS: u16 = 340;
    /// Highest accepted reading, tenths of °C.
    pub const MAX_TENTHS: u16 = 430;

    /// From tenths of °C; refuses readings outside 34.0–43.0 °C.
    pub fn from_tenths(tenths: u16) -> Result<Temperature, TemperatureError> {
        if (Self::MIN_TENTHS..=Self::MAX_TENTHS).contains(&tenths) {
            Ok(Temperature(tenths))
        } else {
            Err(TemperatureError::Impossible)
        }
    }

    /// Parses `36.5`, `37`, `36,5` (°C, at most one decimal).
    pub fn parse(text: &str) -> Result<Temperature, TemperatureError> {
        let text = text.trim().replace(',', ".");
        let (whole, tenth) = match text.split_once('.') {
            Some((w, t)) if t.len() == 1 => (w, t),
            Some(_) => return Err(TemperatureError::NotANumber),
            None => (text.as_str(), "0"),
        };
        if whole.is_empty() || whole.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TemperatureError::NotANumber);
        }
        let tenth = tenth
            .parse::<u16>()
            .map_err(|_| TemperatureError::NotANumber)?;
        let whole = whole
            .parse::<u16>()
            .map_err(|_| TemperatureError::NotANumber)?;
        Temperature::from_tenths(whole * 10 + tenth)
    }

    /// Tenths of °C.
    pub fn tenths(self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for Temperature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{} °C", self.0 / 10, self.0 % 10)
    }
}

/// A checkpoint's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Admit yellow codes (default false).
    pub admit_yellow: bool,
    /// Accept paper codes with an ID-card check (default true); otherwise deny them.
    pub accept_paper: bool,
    /// A temperature must be taken before admitting (default false).
    pub temperature_required: bool,
    /// Fever threshold in tenths of °C (default 373: 37.3 °C or more is fever).
    pub fever_tenths: u16,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            admit_yellow: false,
            accept_paper: true,
            temperature_required: false,
            fever_tenths: 373,
        }
    }
}

/// One reason for a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    /// Stable code: `C|GRN`, `C|YEL`, `C|RED`, `T|FEV`, `T|REQ`, `P|PAP`, `P|NOP`.
    pub code: &'static str,
    /// What staff should do, in plain English.
    pub instruction: &'static str,
    /// What this reason alone decides.
    pub decision: Decision,
}

/// A decision and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The strictest decision of the reasons.
    pub decision: Decision,
    /// Every reason that applies, the deciding one first.
    pub reasons: Vec<Reason>,
}

impl Verdict {
    /// The deciding reason's code.
    pub fn code(&self) -> &'static str {
        self.reasons.first().map(|r| r.code).unwrap_or("C|GRN")
    }
}

const GREEN: Reason = Reason {
    code: "C|GRN",
    instruction: "Green code: free passage.",
    decision: Decision::Admit,
};

/// The verdict for a verified code under `policy`, with the temperature if one was taken.
pub fn decide(verified: &Verified, temperature: Option<Temperature>, policy: &Policy) -> Verdict {
    let mut reasons = Vec::new();
    match verified.claims.colour {
        Colour::Green => reasons.push(GREEN),
        Colour::Yellow => reasons.push(Reason {
            code: "C|YEL",
            instruction: "Yellow code: 7-day home observation. Do not admit; direct home.",
            decision: if policy.admit_yellow {
                Decision::Admit
            } else {
                Decision::Deny
            },
        }),
        Colour::Red => reasons.push(Reason {
            code: "C|RED",
            instruction:
                "Red code: 14-day quarantine. Do not admit; call the community health officer.",
            decision: Decision::Deny,
        }),
    }
    if verified.claims.is_paper() {
        reasons.push(if policy.accept_paper {
            Reason {
                code: "P|PAP",
                instruction: "Paper code: check the ID card's last 4 characters before admitting.",
                decision: Decision::Refer,
            }
        } else {
            Reason {
                code: "P|NOP",
                instruction: "Paper codes are not accepted here.",
                decision: Decision::Deny,
            }
        });
    }
    match temperature {
        Some(t) if t.tenths() >= policy.fever_tenths => reasons.push(Reason {
            code: "T|FEV",
            instruction: "Fever: do not admit; send to the fever clinic.",
            decision: Decision::Deny,
        }),
        None if policy.temperature_required => reasons.push(Reason {
            code: "T|REQ",
            instruction: "Take the temperature before admitting.",
            decision: Decision::Refer,
        }),
        _ => {}
    }
    // Strictest first; the colour stays first among equals.
    reasons.sort_by_key(|r| std::cmp::Reverse(r.decision));
    Verdict {
        decision: reasons
            .first()
            .map(|r| r.decision)
            .unwrap_or(Decision::Admit),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperatures_parse_and_impossible_ones_are_refused() {
        assert_eq!(Temperature::parse("36.5").unwrap().tenths(), 365);
        assert_eq!(Temperature::parse("37").unwrap().tenths(), 370);
        assert_eq!(Temperature::parse("37,3").unwrap().tenths(), 373);
        assert_eq!(
            Temperature::parse("3.65"),
            Err(TemperatureError::NotANumber)
        );
        assert_eq!(
            Temperature::parse("36.55"),
            Err(TemperatureError::NotANumber)
        );
        assert_eq!(Temperature::parse("abc"), Err(TemperatureError::NotANumber));
        assert_eq!(Temperature::parse("-36"), Err(TemperatureError::NotANumber));
        assert_eq!(
            Temperature::parse("25.0"),
            Err(TemperatureError::Impossible)
        );
        assert_eq!(Temperature::parse("45"), Err(TemperatureError::Impossible));
        assert_eq!(Temperature::parse("37.3").unwrap().to_string(), "37.3 °C");
    }
}
