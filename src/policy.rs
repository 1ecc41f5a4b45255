//! Checkpoint policy: verified claims → a verdict with a reason.
//!
//! Defaults (from the city's rules): green admits; yellow denies (7-day home observation);
//! red denies (14-day quarantine). Temperature, passes and per-checkpoint settings come with
//! checkpoint mode.

use crate::credential::Colour;
use crate::verify::Verified;

/// What the gate does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let the person through.
    Admit,
    /// Do not let the person through.
    Deny,
    /// Check by hand (e.g. a code that could not be checked here).
    Refer,
}

impl Decision {
    /// Lowercase English name: `admit`, `deny`, `refer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Admit => "admit",
            Decision::Deny => "deny",
            Decision::Refer => "refer",
        }
    }
}

/// A decision and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Admit, deny or refer.
    pub decision: Decision,
    /// Stable reason code: `C|GRN`, `C|YEL`, `C|RED`.
    pub reason: &'static str,
    /// What staff should do, in plain English.
    pub instruction: &'static str,
}

/// The default policy for a verified presentation.
pub fn decide(verified: &Verified) -> Verdict {
    match verified.claims.colour {
        Colour::Green => Verdict {
            decision: Decision::Admit,
            reason: "C|GRN",
            instruction: "Green code: free passage.",
        },
        Colour::Yellow => Verdict {
            decision: Decision::Deny,
            reason: "C|YEL",
            instruction: "Yellow code: 7-day home observation. Do not admit; direct home.",
        },
        Colour::Red => Verdict {
            decision: Decision::Deny,
            reason: "C|RED",
            instruction:
                "Red code: 14-day quarantine. Do not admit; call the community health officer.",
        },
    }
}
