//! Replay detection at one checkpoint: a presentation scanned here before, and one credential
//! admitted twice within a minute. Pure: the caller feeds each scan with `now` (seconds since
//! the Unix epoch) and gets flags back; nothing is read from a clock or storage.
//!
//! A presentation is re-signed every 30 s and verifies while its timestamp lies within
//! ± the freshness window of `now`, so one presentation can verify for 2 × freshness
//! seconds. The guard remembers a presentation for that long plus 60 s ([`ReplayGuard::keep_secs`])
//! and an admitted credential for [`TWICE_WINDOW_SECS`]; older records are dropped on every
//! call, and at most [`MAX_HELD`] of each are kept (the oldest goes first), so memory stays
//! bounded even if the clock jumps.
//!
//! Flags (stable codes, kept in the registration log's reasons):
//!
//! | code    | flag                                                                    |
//! |---------|-------------------------------------------------------------------------|
//! | `Q\|RPL` | this very presentation was scanned here `secs_ago` seconds ago          |
//! | `Q\|TWO` | this credential was admitted here `secs_ago` seconds ago (< 60 s): a shared screenshot or a second phone |
//!
//! The two are independent: a screenshot shown twice raises both.

use crate::log::{IdHash, Outcome};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Window in which a second admission of one credential is flagged, seconds.
pub const TWICE_WINDOW_SECS: u64 = 60;

/// Most records of each kind held; beyond it the oldest is dropped.
pub const MAX_HELD: usize = 4096;

/// What a scan looked like before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayFlag {
    /// The same presentation was scanned here `secs_ago` seconds ago (`Q|RPL`).
    Rescanned {
        /// Seconds since the previous scan of it.
        secs_ago: u64,
    },
    /// The same credential was admitted here `secs_ago` seconds ago, less than
    /// [`TWICE_WINDOW_SECS`] (`Q|TWO`).
    AdmittedTwice {
        /// Seconds since the previous admission.
        secs_ago: u64,
    },
}

impl ReplayFlag {
    /// Stable short code: `Q|RPL` or `Q|TWO`.
    pub fn code(&self) -> &'static str {
        match self {
            ReplayFlag::Rescanned { .. } => "Q|RPL",
            ReplayFlag::AdmittedTwice { .. } => "Q|TWO",
        }
    }
}

impl std::fmt::Display for ReplayFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayFlag::Rescanned { secs_ago } => write!(f, "scanned {secs_ago} s ago"),
            ReplayFlag::AdmittedTwice { secs_ago } => write!(
                f,
                "admitted {secs_ago} s ago: a shared screenshot or a second phone?"
            ),
        }
    }
}

/// SHA-256 of the scanned QR text: what [`ReplayGuard::check`] remembers of a presentation
/// (the text is canonical, so one presentation always gives one digest).
pub fn presentation_digest(qr_text: &str) -> [u8; 32] {
    Sha256::digest(qr_text.as_bytes()).into()
}

/// Recent scans at one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayGuard {
    keep_secs: u64,
    /// Presentation digest → when it was last scanned.
    scanned: HashMap<[u8; 32], u64>,
    /// Credential id hash → when it was last admitted.
    admitted: HashMap<IdHash, u64>,
}

impl ReplayGuard {
    /// A guard for a checkpoint whose presentations are fresh for ± `freshness_secs`.
    pub fn new(freshness_secs: u64) -> ReplayGuard {
        ReplayGuard {
            keep_secs: freshness_secs.saturating_mul(2).saturating_add(60),
            scanned: HashMap::new(),
            admitted: HashMap::new(),
        }
    }

    /// How long a presentation is remembered: 2 × freshness + 60 seconds.
    pub fn keep_secs(&self) -> u64 {
        self.keep_secs
    }

    /// Records and checks one scan: the presentation's digest ([`presentation_digest`]), the
    /// credential's id hash if the code could be read, the outcome, and `now` (Unix
    /// seconds). Returns the flags, rescan first.
    pub fn check(
        &mut self,
        presentation: &[u8; 32],
        id: Option<IdHash>,
        outcome: Outcome,
        now: u64,
    ) -> Vec<ReplayFlag> {
        let keep = self.keep_secs;
        // A record from the "future" (the clock went back) counts as just seen.
        self.scanned.retain(|_, t| now.saturating_sub(*t) <= keep);
        self.admitted
            .retain(|_, t| now.saturating_sub(*t) < TWICE_WINDOW_SECS);

        let mut flags = Vec::new();
        if let Some(t) = self.scanned.get(presentation) {
            flags.push(ReplayFlag::Rescanned {
                secs_ago: now.saturating_sub(*t),
            });
        }
        if let (Some(id), Outcome::Admit) = (id, outcome) {
            if let Some(t) = self.admitted.get(&id) {
                flags.push(ReplayFlag::AdmittedTwice {
                    secs_ago: now.saturating_sub(*t),
                });
            }
            insert_bounded(&mut self.admitted, id, now);
        }
        insert_bounded(&mut self.scanned, *presentation, now);
        flags
    }

    /// Records held: (presentations, admitted credentials).
    pub fn held(&self) -> (usize, usize) {
        (self.scanned.len(), self.admitted.len())
    }
}

fn insert_bounded<K: std::hash::Hash + Eq + Copy>(map: &mut HashMap<K, u64>, key: K, now: u64) {
    if map.len() >= MAX_HELD && !map.contains_key(&key) {
        if let Some(oldest) = map.iter().min_by_key(|(_, t)| **t).map(|(k, _)| *k) {
            map.remove(&oldest);
        }
    }
    map.insert(key, now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::CredentialId;

    const T: u64 = 1_800_000_000;

    fn id(n: u8) -> Option<IdHash> {
        Some(IdHash::of("330902-0017", &CredentialId([n; 8])))
    }

    #[test]
    fn a_presentation_scanned_again_is_flagged_with_its_age() {
        let mut guard = ReplayGuard::new(60);
        let p = presentation_digest("HCP1:ABC");
        assert_eq!(guard.check(&p, id(1), Outcome::Deny, T), []);
        assert_eq!(
            guard.check(&p, id(1), Outcome::Deny, T + 12),
            [ReplayFlag::Rescanned { secs_ago: 12 }]
        );
        // Measured from the latest scan.
        assert_eq!(
            guard.check(&p, id(1), Outcome::Deny, T + 20),
            [ReplayFlag::Rescanned { secs_ago: 8 }]
        );
        assert_eq!(
            ReplayFlag::Rescanned { secs_ago: 12 }.to_string(),
            "scanned 12 s ago"
        );
        let other = presentation_digest("HCP1:ABD");
        assert_eq!(guard.check(&other, id(2), Outcome::Deny, T + 21), []);
    }

    #[test]
    fn one_credential_admitted_twice_within_a_minute_is_flagged() {
        let mut guard = ReplayGuard::new(60);
        let (a, b, c) = (
            presentation_digest("HCP1:A"),
            presentation_digest("HCP1:B"),
            presentation_digest("HCP1:C"),
        );
        assert_eq!(guard.check(&a, id(7), Outcome::Admit, T), []);
        let second = guard.check(&b, id(7), Outcome::Admit, T + 59);
        assert_eq!(second, [ReplayFlag::AdmittedTwice { secs_ago: 59 }]);
        assert_eq!(second[0].code(), "Q|TWO");
        // 60 s after the last admission: no longer flagged.
        assert_eq!(guard.check(&c, id(7), Outcome::Admit, T + 119), []);
        // A denied scan is not an admission and does not count as one.
        assert_eq!(
            guard.check(&presentation_digest("D"), id(8), Outcome::Deny, T + 120),
            []
        );
        assert_eq!(
            guard.check(&presentation_digest("E"), id(8), Outcome::Admit, T + 121),
            []
        );
    }

    #[test]
    fn a_screenshot_admitted_twice_raises_both_flags() {
        let mut guard = ReplayGuard::new(60);
        let p = presentation_digest("HCP1:SHOT");
        guard.check(&p, id(3), Outcome::Admit, T);
        assert_eq!(
            guard.check(&p, id(3), Outcome::Admit, T + 5),
            [
                ReplayFlag::Rescanned { secs_ago: 5 },
                ReplayFlag::AdmittedTwice { secs_ago: 5 }
            ]
        );
    }

    #[test]
    fn old_records_are_dropped_and_memory_is_bounded() {
        let mut guard = ReplayGuard::new(30);
        assert_eq!(guard.keep_secs(), 120);
        let p = presentation_digest("HCP1:OLD");
        guard.check(&p, id(1), Outcome::Admit, T);
        assert_eq!(
            guard.check(&p, None, Outcome::Invalid, T + 120),
            [ReplayFlag::Rescanned { secs_ago: 120 }]
        );
        assert_eq!(guard.check(&p, None, Outcome::Invalid, T + 241), []);
        assert_eq!(guard.held(), (1, 0));

        for i in 0..(MAX_HELD as u64 + 10) {
            let d = presentation_digest(&format!("HCP1:{i}"));
            let credential = Some(IdHash::of("P", &CredentialId(i.to_be_bytes())));
            guard.check(&d, credential, Outcome::Admit, T + 300);
        }
        assert_eq!(guard.held(), (MAX_HELD, MAX_HELD));
        // Everything is forgotten once the window has passed.
        guard.check(&p, None, Outcome::Invalid, T + 1_000);
        assert_eq!(guard.held(), (1, 0));
    }

    #[test]
    fn a_clock_that_went_back_does_not_forget_or_underflow() {
        let mut guard = ReplayGuard::new(60);
        let p = presentation_digest("HCP1:X");
        guard.check(&p, id(1), Outcome::Admit, T + 500);
        assert_eq!(
            guard.check(&p, id(1), Outcome::Admit, T),
            [
                ReplayFlag::Rescanned { secs_ago: 0 },
                ReplayFlag::AdmittedTwice { secs_ago: 0 }
            ]
        );
    }
}
