//! The gate's index: what an inspector looks at first. From registration-log entries, today's
//! scans counted by colour and by outcome, scans per local hour (24 buckets), and the most
//! frequent reasons for turning people away. Pure: the caller gives `now` (seconds since the
//! Unix epoch) and the local time zone's offset from UTC in seconds (`28800` for China
//! Standard Time); one pass over the entries.

use crate::credential::Colour;
use crate::log::{Entry, Outcome};
use std::collections::HashMap;

/// Largest time-zone offset accepted, seconds (±14 h); larger ones are clamped.
pub const MAX_UTC_OFFSET_SECS: i32 = 14 * 3600;

/// Scans by colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColourCounts {
    /// Green codes.
    pub green: u32,
    /// Yellow codes.
    pub yellow: u32,
    /// Red codes.
    pub red: u32,
    /// Scans without a colour (the code did not verify).
    pub none: u32,
}

/// Scans by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Admitted.
    pub admit: u32,
    /// Checked by hand.
    pub refer: u32,
    /// Denied.
    pub deny: u32,
    /// Bad codes.
    pub invalid: u32,
    /// Codes that could not be checked.
    pub cannot_check: u32,
}

/// Today's figures at one gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateIndex {
    /// Local midnight starting today, as Unix seconds (UTC).
    pub day_start: u64,
    /// Scans today.
    pub scans: u32,
    /// Today's scans by colour.
    pub by_colour: ColourCounts,
    /// Today's scans by outcome.
    pub by_outcome: OutcomeCounts,
    /// Today's scans per local hour: `per_hour[9]` counts 09:00–09:59.
    pub per_hour: [u32; 24],
    /// Reason codes of today's denied and invalid scans with their counts, most frequent
    /// first (ties by code), at most `top` of them.
    pub deny_reasons: Vec<(String, u32)>,
}

/// Today's index from `entries` (any order; entries of other days are skipped). "Today" is
/// the local calendar day holding `now`, for a zone `utc_offset_secs` east of UTC (a fixed
/// offset: on a daylight-saving switch day one hour's bucket is off by an hour).
pub fn gate_index<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    now: u64,
    utc_offset_secs: i32,
    top: usize,
) -> GateIndex {
    let offset = i64::from(utc_offset_secs.clamp(-MAX_UTC_OFFSET_SECS, MAX_UTC_OFFSET_SECS));
    let local_now = i64::try_from(now).unwrap_or(i64::MAX - 86_400) + offset;
    let day_start = u64::try_from(local_now.div_euclid(86_400) * 86_400 - offset).unwrap_or(0);
    let day_end = day_start + 86_400;

    let mut index = GateIndex {
        day_start,
        scans: 0,
        by_colour: ColourCounts::default(),
        by_outcome: OutcomeCounts::default(),
        per_hour: [0; 24],
        deny_reasons: Vec::new(),
    };
    let mut reasons: HashMap<&'a str, u32> = HashMap::new();
    for entry in entries {
        if !(day_start..day_end).contains(&entry.time) {
            continue;
        }
        let scan = &entry.scan;
        index.scans += 1;
        index.per_hour[((entry.time - day_start) / 3600) as usize] += 1;
        let c = &mut index.by_colour;
        *match scan.colour {
            Some(Colour::Green) => &mut c.green,
            Some(Colour::Yellow) => &mut c.yellow,
            Some(Colour::Red) => &mut c.red,
            None => &mut c.none,
        } += 1;
        let o = &mut index.by_outcome;
        *match scan.outcome {
            Outcome::Admit => &mut o.admit,
            Outcome::Refer => &mut o.refer,
            Outcome::Deny => &mut o.deny,
            Outcome::Invalid => &mut o.invalid,
            Outcome::CannotCheck => &mut o.cannot_check,
        } += 1;
        if matches!(scan.outcome, Outcome::Deny | Outcome::Invalid) {
            for r in &scan.reasons {
                *reasons.entry(r.as_str()).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(&str, u32)> = reasons.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    index.deny_reasons = ranked
        .into_iter()
        .take(top)
        .map(|(code, n)| (code.to_owned(), n))
        .collect();
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Log, Scan};

    /// 2027-01-15 16:00 China Standard Time (08:00 UTC).
    const NOW: u64 = 1_800_000_000;
    const CST: i32 = 8 * 3600;
    /// 2027-01-15 00:00 CST.
    const MIDNIGHT: u64 = NOW - 16 * 3600;

    fn scan(colour: Option<Colour>, outcome: Outcome, reasons: &[&str]) -> Scan {
        Scan {
            place: "330902-0017".into(),
            masked_name: None,
            id_last4: None,
            id_hash: None,
            colour,
            temperature: None,
            outcome,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn counts_todays_scans_by_colour_outcome_hour_and_deny_reason() {
        let mut log = Log::new();
        let green = || scan(Some(Colour::Green), Outcome::Admit, &["C|GRN"]);
        let entries = vec![
            log.append(green(), MIDNIGHT - 1), // yesterday 23:59:59
            log.append(green(), MIDNIGHT),     // 00:00
            log.append(
                scan(Some(Colour::Yellow), Outcome::Deny, &["C|YEL"]),
                MIDNIGHT + 9 * 3600 + 5,
            ),
            log.append(
                scan(Some(Colour::Green), Outcome::Deny, &["T|FEV", "C|GRN"]),
                MIDNIGHT + 9 * 3600 + 3599,
            ),
            log.append(scan(None, Outcome::Invalid, &["H|OLD"]), NOW),
            log.append(scan(None, Outcome::Invalid, &["H|OLD"]), NOW + 10),
            log.append(scan(Some(Colour::Red), Outcome::Deny, &["C|RED"]), NOW + 20),
            log.append(scan(None, Outcome::CannotCheck, &["S|KID"]), NOW + 30),
            log.append(
                scan(Some(Colour::Green), Outcome::Refer, &["P|PAP"]),
                MIDNIGHT + 86_399,
            ),
            log.append(green(), MIDNIGHT + 86_400), // tomorrow
        ];
        let index = gate_index(&entries, NOW, CST, 3);
        assert_eq!(index.day_start, MIDNIGHT);
        assert_eq!(index.scans, 8);
        assert_eq!(
            index.by_colour,
            ColourCounts {
                green: 3,
                yellow: 1,
                red: 1,
                none: 3
            }
        );
        assert_eq!(
            index.by_outcome,
            OutcomeCounts {
                admit: 1,
                refer: 1,
                deny: 3,
                invalid: 2,
                cannot_check: 1
            }
        );
        let mut hours = [0; 24];
        hours[0] = 1;
        hours[9] = 2;
        hours[16] = 4;
        hours[23] = 1;
        assert_eq!(index.per_hour, hours);
        assert_eq!(
            index.deny_reasons,
            [
                ("H|OLD".to_owned(), 2),
                ("C|GRN".to_owned(), 1),
                ("C|RED".to_owned(), 1)
            ]
        );
    }

    #[test]
    fn the_day_follows_the_local_offset() {
        let mut log = Log::new();
        // 2027-01-15 07:30 UTC: the 15th in UTC and in China, still the 14th in New York.
        let e = log.append(scan(None, Outcome::Invalid, &["S|SIG"]), NOW - 1800);
        let utc = gate_index([&e], NOW, 0, 5);
        assert_eq!((utc.day_start, utc.per_hour[7]), (NOW - 8 * 3600, 1));
        let cst = gate_index([&e], NOW, CST, 5);
        assert_eq!(cst.per_hour[15], 1);
        // New York (UTC-5) at 03:00 on the 15th: the entry (02:30) is today, hour 2.
        let ny = gate_index([&e], NOW, -5 * 3600, 5);
        assert_eq!((ny.day_start, ny.per_hour[2]), (NOW - 3 * 3600, 1));
        // An absurd offset is clamped to 14 h, not trusted.
        assert_eq!(
            gate_index([&e], NOW, i32::MAX, 5).day_start,
            gate_index([&e], NOW, 14 * 3600, 5).day_start
        );
        let none = gate_index(std::iter::empty(), NOW, CST, 5);
        assert_eq!((none.scans, none.deny_reasons.len()), (0, 0));
    }
}
