//! A checkpoint's own settings (kept by the app, e.g. as JSON in storage), the [`Policy`]
//! and [`VerifyOptions`] they produce, and the banners a checkpoint shows about its lists
//! and its clock. Pure: every check takes `now` (seconds since the Unix epoch, UTC).
//!
//! Settings errors have `G|…` codes; banners reuse the verifier's `K|…` codes where the
//! verifier refuses for the same reason (`K|OLD`, `K|REV`, `K|CLK`), so staff see one code
//! for one problem.

use crate::pass::MAX_PLACE;
use crate::policy::Policy;
use crate::verify::{
    VerifyOptions, DEFAULT_FRESHNESS_SECS, DEFAULT_MAX_REVOCATION_AGE_SECS,
    DEFAULT_MAX_TRUST_AGE_SECS,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest place name, in bytes of UTF-8.
pub const MAX_PLACE_NAME: usize = 64;
/// Shortest and longest freshness window allowed, seconds.
pub const FRESHNESS_RANGE: (u64, u64) = (10, 300);
/// Longest list age a checkpoint may allow, seconds (30 days).
pub const MAX_LIST_AGE_SECS: u64 = 30 * 86_400;
/// How far the clock may step back before it is reported, seconds (time-sync corrections
/// are smaller).
pub const CLOCK_BACK_TOLERANCE_SECS: u64 = 5;

/// What one checkpoint is and what it lets through. Missing fields take their defaults when
/// read (`#[serde(default)]`), so settings saved by an older version still load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckpointSettings {
    /// The place id passes name (`330902-0017`); up to 32 bytes. Also salts the log's
    /// credential-id hashes ([`crate::log::IdHash`]). Default empty.
    pub place_id: String,
    /// The place's name for people (`Dongsha Community, north gate`); up to 64 bytes.
    pub place_name: String,
    /// Require a pass for this place ("one code, one certificate"). Default false.
    pub require_pass: bool,
    /// Admit yellow codes. Default false.
    pub admit_yellow: bool,
    /// Admit paper codes after an ID-card check; otherwise deny them. Default true.
    pub admit_paper: bool,
    /// A temperature must be taken before admitting. Default false.
    pub temperature_required: bool,
    /// A presentation must be dated within ± this many seconds of now. Default 60;
    /// 10–300.
    pub freshness_secs: u64,
    /// The trust list may be at most this old, seconds. Default 7 days; at most 30 days.
    pub max_trust_age_secs: u64,
    /// The revocation list may be at most this old, seconds. Default 2 days; at most 30 days.
    pub max_revocation_age_secs: u64,
}

impl Default for CheckpointSettings {
    fn default() -> Self {
        CheckpointSettings {
            place_id: String::new(),
            place_name: String::new(),
            require_pass: false,
            admit_yellow: false,
            admit_paper: true,
            temperature_required: false,
            freshness_secs: DEFAULT_FRESHNESS_SECS,
            max_trust_age_secs: DEFAULT_MAX_TRUST_AGE_SECS,
            max_revocation_age_secs: DEFAULT_MAX_REVOCATION_AGE_SECS,
        }
    }
}

/// Why settings were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A pass is required but there is no place id, or the place id is longer than 32 bytes
    /// or holds control characters (`G|PLC`).
    #[error("a place id of 1 to 32 characters is needed to require a pass")]
    PlaceId,
    /// The place name is longer than 64 bytes or holds control characters (`G|NAM`).
    #[error("the place name is too long (64 bytes at most)")]
    PlaceName,
    /// The freshness window is outside 10–300 seconds (`G|FRS`).
    #[error("the freshness window must be 10 to 300 seconds")]
    Freshness,
    /// A maximum list age is 0 or more than 30 days (`G|AGE`).
    #[error("a list's maximum age must be between 1 second and 30 days")]
    ListAge,
}

impl SettingsError {
    /// Stable short code, e.g. `G|FRS`.
    pub fn code(&self) -> &'static str {
        match self {
            SettingsError::PlaceId => "G|PLC",
            SettingsError::PlaceName => "G|NAM",
            SettingsError::Freshness => "G|FRS",
            SettingsError::ListAge => "G|AGE",
        }
    }
}

impl CheckpointSettings {
    /// Checks the rules above; the first broken one.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let has_control = |s: &str| s.chars().any(char::is_control);
        if self.place_id.len() > MAX_PLACE
            || has_control(&self.place_id)
            || (self.require_pass && self.place_id.is_empty())
        {
            return Err(SettingsError::PlaceId);
        }
        if self.place_name.len() > MAX_PLACE_NAME || has_control(&self.place_name) {
            return Err(SettingsError::PlaceName);
        }
        if !(FRESHNESS_RANGE.0..=FRESHNESS_RANGE.1).contains(&self.freshness_secs) {
            return Err(SettingsError::Freshness);
        }
        let age_ok = |a: u64| (1..=MAX_LIST_AGE_SECS).contains(&a);
        if !age_ok(self.max_trust_age_secs) || !age_ok(self.max_revocation_age_secs) {
            return Err(SettingsError::ListAge);
        }
        Ok(())
    }

    /// The policy [`crate::policy::decide`] applies (fever threshold: the default 37.3 °C).
    pub fn policy(&self) -> Policy {
        Policy {
            admit_yellow: self.admit_yellow,
            accept_paper: self.admit_paper,
            temperature_required: self.temperature_required,
            ..Policy::default()
        }
    }

    /// The options [`crate::verify::verify_in`] applies (clock skew and the revocation-list
    /// requirement: the defaults).
    pub fn verify_options(&self) -> VerifyOptions {
        VerifyOptions {
            freshness_secs: self.freshness_secs,
            max_trust_age_secs: self.max_trust_age_secs,
            max_revocation_age_secs: self.max_revocation_age_secs,
            require_pass_for: self.require_pass.then(|| self.place_id.clone()),
            ..VerifyOptions::default()
        }
    }
}

/// A warning shown on the checkpoint screen until its cause is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Banner {
    /// No trust list: no code can be checked (`K|NTL`).
    NoTrustList,
    /// The trust list is older than the settings allow (`K|OLD`). Seconds.
    TrustListTooOld {
        /// Its age.
        age_secs: u64,
        /// The most allowed.
        max_secs: u64,
    },
    /// No revocation list: revoked codes are not recognised (`K|NRL`).
    NoRevocationList,
    /// The revocation list is older than the settings allow (`K|REV`). Seconds.
    RevocationListTooOld {
        /// Its age.
        age_secs: u64,
        /// The most allowed.
        max_secs: u64,
    },
    /// The device clock is earlier than the trust list's signing time (`K|CLK`).
    ClockBehindTrustList {
        /// By how many seconds.
        behind_secs: u64,
    },
    /// The device clock went back since the last time it was read (`K|JMP`).
    ClockJumpedBack {
        /// By how many seconds.
        back_secs: u64,
    },
}

impl Banner {
    /// Stable short code, e.g. `K|OLD`.
    pub fn code(&self) -> &'static str {
        match self {
            Banner::NoTrustList => "K|NTL",
            Banner::TrustListTooOld { .. } => "K|OLD",
            Banner::NoRevocationList => "K|NRL",
            Banner::RevocationListTooOld { .. } => "K|REV",
            Banner::ClockBehindTrustList { .. } => "K|CLK",
            Banner::ClockJumpedBack { .. } => "K|JMP",
        }
    }
}

/// `45 s`, `12 min`, `5 h`, `9 days`: the largest whole unit.
pub fn duration_words(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7_199 => format!("{} min", secs / 60),
        7_200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

impl fmt::Display for Banner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Banner::NoTrustList => {
                f.write_str("No trust list: codes cannot be checked. Import the trust list.")
            }
            Banner::TrustListTooOld { age_secs, max_secs } => write!(
                f,
                "The trust list is {} old (at most {} allowed): codes cannot be checked. Import a new one.",
                duration_words(*age_secs),
                duration_words(*max_secs)
            ),
            Banner::NoRevocationList => f.write_str(
                "No revocation list: revoked codes are not recognised. Import the revocation list.",
            ),
            Banner::RevocationListTooOld { age_secs, max_secs } => write!(
                f,
                "The revocation list is {} old (at most {} allowed). Import a new one.",
                duration_words(*age_secs),
                duration_words(*max_secs)
            ),
            Banner::ClockBehindTrustList { behind_secs } => write!(
                f,
                "This device's clock is {} behind the trust list's signing time: set the clock.",
                duration_words(*behind_secs)
            ),
            Banner::ClockJumpedBack { back_secs } => write!(
                f,
                "This device's clock went back by {}: check the clock.",
                duration_words(*back_secs)
            ),
        }
    }
}

/// Banners about the lists' ages under `settings`, given when each list was signed (Unix
/// seconds; `None`: no list loaded) and `now`. A list is too old when `now` is more than the
/// allowed age after its signing time (the verifier's rule, `K|OLD` / `K|REV`).
pub fn list_age_warnings(
    settings: &CheckpointSettings,
    trust_signed_at: Option<u64>,
    revocation_signed_at: Option<u64>,
    now: u64,
) -> Vec<Banner> {
    let mut banners = Vec::new();
    match trust_signed_at {
        None => banners.push(Banner::NoTrustList),
        Some(t) if now > t.saturating_add(settings.max_trust_age_secs) => {
            banners.push(Banner::TrustListTooOld {
                age_secs: now - t,
                max_secs: settings.max_trust_age_secs,
            })
        }
        Some(_) => {}
    }
    match revocation_signed_at {
        None => banners.push(Banner::NoRevocationList),
        Some(t) if now > t.saturating_add(settings.max_revocation_age_secs) => {
            banners.push(Banner::RevocationListTooOld {
                age_secs: now - t,
                max_secs: settings.max_revocation_age_secs,
            })
        }
        Some(_) => {}
    }
    banners
}

/// Banners about the device clock: `now` earlier than the trust list's signing time
/// (`K|CLK`; the verifier refuses only beyond its clock-skew allowance, the banner comes
/// first), or more than [`CLOCK_BACK_TOLERANCE_SECS`] earlier than `last_seen`, the latest
/// `now` the app saw before (`K|JMP`). The caller keeps `max(last_seen, now)` for next time.
pub fn clock_warnings(
    trust_signed_at: Option<u64>,
    last_seen: Option<u64>,
    now: u64,
) -> Vec<Banner> {
    let mut banners = Vec::new();
    if let Some(t) = trust_signed_at.filter(|&t| now < t) {
        banners.push(Banner::ClockBehindTrustList {
            behind_secs: t - now,
        });
    }
    if let Some(last) = last_seen.filter(|&l| now.saturating_add(CLOCK_BACK_TOLERANCE_SECS) < l) {
        banners.push(Banner::ClockJumpedBack {
            back_secs: last - now,
        });
    }
    banners
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;
    const DAY: u64 = 86_400;

    #[test]
    fn defaults_follow_the_city_rules_and_the_verifier_defaults() {
        let s = CheckpointSettings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.policy(), Policy::default());
        assert_eq!(s.verify_options(), VerifyOptions::default());
        // Settings saved before a field existed still load, with its default.
        let old: CheckpointSettings =
            serde_json::from_str(r#"{"place_id":"330902-0017","admit_yellow":true}"#).unwrap();
        assert_eq!(
            old,
            CheckpointSettings {
                place_id: "330902-0017".into(),
                admit_yellow: true,
                ..CheckpointSettings::default()
            }
        );
    }

    #[test]
    fn settings_produce_the_policy_and_options_the_core_uses() {
        let s = CheckpointSettings {
            place_id: "330902-0017".into(),
            place_name: "Dongsha north gate".into(),
            require_pass: true,
            admit_yellow: true,
            admit_paper: false,
            temperature_required: true,
            freshness_secs: 30,
            max_trust_age_secs: 3 * DAY,
            max_revocation_age_secs: DAY,
        };
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(
            s.policy(),
            Policy {
                admit_yellow: true,
                accept_paper: false,
                temperature_required: true,
                fever_tenths: 373,
            }
        );
        let o = s.verify_options();
        assert_eq!(
            (
                o.freshness_secs,
                o.max_trust_age_secs,
                o.max_revocation_age_secs
            ),
            (30, 3 * DAY, DAY)
        );
        assert_eq!(o.require_pass_for.as_deref(), Some("330902-0017"));
        assert_eq!(o.clock_skew_secs, 60);
    }

    #[test]
    fn bad_settings_are_refused_with_codes() {
        let ok = CheckpointSettings::default();
        let refused = |s: CheckpointSettings| s.validate().map_err(|e| e.code());
        assert_eq!(
            refused(CheckpointSettings {
                require_pass: true,
                ..ok.clone()
            }),
            Err("G|PLC")
        );
        assert_eq!(
            refused(CheckpointSettings {
                place_id: "x".repeat(33),
                ..ok.clone()
            }),
            Err("G|PLC")
        );
        assert_eq!(
            refused(CheckpointSettings {
                place_name: "门".repeat(22),
                ..ok.clone()
            }),
            Err("G|NAM")
        );
        assert_eq!(
            refused(CheckpointSettings {
                place_name: "a\nb".into(),
                ..ok.clone()
            }),
            Err("G|NAM")
        );
        for f in [0, 9, 301] {
            assert_eq!(
                refused(CheckpointSettings {
                    freshness_secs: f,
                    ..ok.clone()
                }),
                Err("G|FRS")
            );
        }
        assert_eq!(
            refused(CheckpointSettings {
                max_trust_age_secs: 0,
                ..ok.clone()
            }),
            Err("G|AGE")
        );
        assert_eq!(
            refused(CheckpointSettings {
                max_revocation_age_secs: 31 * DAY,
                ..ok.clone()
            }),
            Err("G|AGE")
        );
        assert_eq!(
            refused(CheckpointSettings {
                freshness_secs: 300,
                max_trust_age_secs: 30 * DAY,
                ..ok
            }),
            Ok(())
        );
    }

    #[test]
    fn list_banners_appear_when_a_list_is_missing_or_older_than_allowed() {
        let s = CheckpointSettings::default();
        assert_eq!(
            list_age_warnings(&s, None, None, NOW),
            [Banner::NoTrustList, Banner::NoRevocationList]
        );
        // Exactly at the allowed age: still fine (the verifier's rule).
        assert_eq!(
            list_age_warnings(&s, Some(NOW - 7 * DAY), Some(NOW - 2 * DAY), NOW),
            []
        );
        let banners = list_age_warnings(&s, Some(NOW - 9 * DAY), Some(NOW - 2 * DAY - 1), NOW);
        assert_eq!(
            banners,
            [
                Banner::TrustListTooOld {
                    age_secs: 9 * DAY,
                    max_secs: 7 * DAY
                },
                Banner::RevocationListTooOld {
                    age_secs: 2 * DAY + 1,
                    max_secs: 2 * DAY
                }
            ]
        );
        assert_eq!(
            banners.iter().map(Banner::code).collect::<Vec<_>>(),
            ["K|OLD", "K|REV"]
        );
        assert_eq!(
            banners[0].to_string(),
            "The trust list is 9 days old (at most 7 days allowed): codes cannot be checked. Import a new one."
        );
        // A list signed "in the future" is not too old (the clock banner covers it).
        assert_eq!(
            list_age_warnings(&s, Some(NOW + 100), Some(NOW + 100), NOW),
            []
        );
    }

    #[test]
    fn clock_banners_catch_a_clock_behind_the_trust_list_or_going_back() {
        assert_eq!(clock_warnings(Some(NOW - 10), Some(NOW - 1), NOW), []);
        assert_eq!(
            clock_warnings(Some(NOW + 3_600), None, NOW),
            [Banner::ClockBehindTrustList { behind_secs: 3_600 }]
        );
        // Small time-sync corrections pass; a real step back does not.
        assert_eq!(clock_warnings(None, Some(NOW + 5), NOW), []);
        let back = clock_warnings(None, Some(NOW + 600), NOW);
        assert_eq!(back, [Banner::ClockJumpedBack { back_secs: 600 }]);
        assert_eq!(back[0].code(), "K|JMP");
        assert_eq!(
            back[0].to_string(),
            "This device's clock went back by 10 min: check the clock."
        );
        assert_eq!(
            clock_warnings(Some(NOW + 1), Some(NOW + 100), NOW)
                .iter()
                .map(Banner::code)
                .collect::<Vec<_>>(),
            ["K|CLK", "K|JMP"]
        );
    }

    #[test]
    fn durations_read_in_the_largest_whole_unit() {
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(750), "12 min");
        assert_eq!(duration_words(5 * 3600 + 10), "5 h");
        assert_eq!(duration_words(9 * DAY), "9 days");
    }
}
