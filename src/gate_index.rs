//! The gate's index: what an inspector looks at first. From registration-log entries, today's
//! scans counted by colour and by outcome, scans per local hour (24 buckets), and the most
//! frequent reasons for turning people away. Pure: the caller gives `now` (seconds since the
//! Unix epoch) and the local time zone's offset from UTC in seconds (`28800` for China
//! Standard Time).
//!
//! The counts are kept per quarter of an hour of UTC time ([`Tally`], [`bucket_of`]): the
//! browser's store updates the quarter's tally in the same transaction as each entry, and the
//! index reads the 96 quarters of today ([`today_buckets`]) instead of today's entries. Every
//! time zone in use is a whole number of quarter hours from UTC, so a local hour is exactly
//! four quarters; an offset that is not is rounded down to a quarter hour.

use crate::credential::Colour;
use crate::log::{Entry, Outcome, Scan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;

/// Largest time-zone offset accepted, seconds (±14 h); larger ones are clamped.
pub const MAX_UTC_OFFSET_SECS: i32 = 14 * 3600;

/// The length of one tally's bucket, seconds (a quarter of an hour).
pub const BUCKET_SECS: u64 = 900;

/// Scans by colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// The counts of the scans in one bucket ([`BUCKET_SECS`]); stored as postcard bytes beside
/// the log, keyed by [`bucket_of`] the entries' time. Counts saturate at `u32::MAX`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Scans.
    pub scans: u32,
    /// Scans by colour.
    pub by_colour: ColourCounts,
    /// Scans by outcome.
    pub by_outcome: OutcomeCounts,
    /// Reason codes of denied and invalid scans, with their counts.
    pub deny_reasons: BTreeMap<String, u32>,
}

impl Tally {
    /// Counts one scan.
    pub fn add(&mut self, scan: &Scan) {
        let one = |n: &mut u32| *n = n.saturating_add(1);
        one(&mut self.scans);
        let c = &mut self.by_colour;
        one(match scan.colour {
            Some(Colour::Green) => &mut c.green,
            Some(Colour::Yellow) => &mut c.yellow,
            Some(Colour::Red) => &mut c.red,
            None => &mut c.none,
        });
        let o = &mut self.by_outcome;
        one(match scan.outcome {
            Outcome::Admit => &mut o.admit,
            Outcome::Refer => &mut o.refer,
            Outcome::Deny => &mut o.deny,
            Outcome::Invalid => &mut o.invalid,
            Outcome::CannotCheck => &mut o.cannot_check,
        });
        if matches!(scan.outcome, Outcome::Deny | Outcome::Invalid) {
            for r in &scan.reasons {
                one(self.deny_reasons.entry(r.clone()).or_default());
            }
        }
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Tally) {
        fn sum(a: &mut u32, b: u32) {
            *a = a.saturating_add(b);
        }
        sum(&mut self.scans, other.scans);
        let (c, oc) = (&mut self.by_colour, &other.by_colour);
        sum(&mut c.green, oc.green);
        sum(&mut c.yellow, oc.yellow);
        sum(&mut c.red, oc.red);
        sum(&mut c.none, oc.none);
        let (o, oo) = (&mut self.by_outcome, &other.by_outcome);
        sum(&mut o.admit, oo.admit);
        sum(&mut o.refer, oo.refer);
        sum(&mut o.deny, oo.deny);
        sum(&mut o.invalid, oo.invalid);
        sum(&mut o.cannot_check, oo.cannot_check);
        for (code, n) in &other.deny_reasons {
            sum(self.deny_reasons.entry(code.clone()).or_default(), *n);
        }
    }
}

/// The bucket holding `time` (Unix seconds): `time / BUCKET_SECS`.
pub fn bucket_of(time: u64) -> u64 {
    time / BUCKET_SECS
}

/// The tallies of `entries`, by bucket.
pub fn tallies<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> BTreeMap<u64, Tally> {
    let mut out: BTreeMap<u64, Tally> = BTreeMap::new();
    for e in entries {
        out.entry(bucket_of(e.time)).or_default().add(&e.scan);
    }
    out
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

/// Local midnight starting the day that holds `now`, as Unix seconds, for a zone
/// `utc_offset_secs` east of UTC (clamped to ±[`MAX_UTC_OFFSET_SECS`], rounded down to a
/// quarter hour; a fixed offset: on a daylight-saving switch day one hour's bucket is off by
/// an hour).
pub fn day_start(now: u64, utc_offset_secs: i32) -> u64 {
    let offset = i64::from(utc_offset_secs.clamp(-MAX_UTC_OFFSET_SECS, MAX_UTC_OFFSET_SECS))
        .div_euclid(BUCKET_SECS as i64)
        * BUCKET_SECS as i64;
    let local_now = i64::try_from(now).unwrap_or(i64::MAX - 86_400) + offset;
    u64::try_from(local_now.div_euclid(86_400) * 86_400 - offset).unwrap_or(0)
}

/// The buckets of today (see [`day_start`]): 96 of them.
pub fn today_buckets(now: u64, utc_offset_secs: i32) -> Range<u64> {
    let start = bucket_of(day_start(now, utc_offset_secs));
    start..start + 86_400 / BUCKET_SECS
}

/// Today's index from the tallies of some buckets (any order; buckets of other days are
/// skipped). "Today" as in [`day_start`].
pub fn gate_index_from_tallies<'a>(
    buckets: impl IntoIterator<Item = (u64, &'a Tally)>,
    now: u64,
    utc_offset_secs: i32,
    top: usize,
) -> GateIndex {
    let day_start = day_start(now, utc_offset_secs);
    let today = today_buckets(now, utc_offset_secs);
    let mut total = Tally::default();
    let mut per_hour = [0u32; 24];
    for (bucket, tally) in buckets {
        if !today.contains(&bucket) {
            continue;
        }
        total.merge(tally);
        let hour = ((bucket * BUCKET_SECS - day_start) / 3600) as usize;
        per_hour[hour] = per_hour[hour].saturating_add(tally.scans);
    }
    let mut ranked: Vec<(String, u32)> = total.deny_reasons.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(top);
    GateIndex {
        day_start,
        scans: total.scans,
        by_colour: total.by_colour,
        by_outcome: total.by_outcome,
        per_hour,
        deny_reasons: ranked,
    }
}

/// Today's index from `entries` (any order; entries of other days are skipped): the same as
/// [`gate_index_from_tallies`] over [`tallies`] of the entries.
pub fn gate_index<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    now: u64,
    utc_offset_secs: i32,
    top: usize,
) -> GateIndex {
    let today = today_buckets(now, utc_offset_secs);
    let buckets = tallies(
        entries
            .into_iter()
            .filter(|e| today.contains(&bucket_of(e.time))),
    );
    gate_index_from_tallies(
        buckets.iter().map(|(b, t)| (*b, t)),
        now,
        utc_offset_secs,
        top,
    )
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

    #[test]
    fn tallies_merge_to_the_same_index_as_the_entries() {
        let mut log = Log::new();
        let entries: Vec<Entry> = (0..500u64)
            .map(|i| {
                let s = match i % 4 {
                    0 => scan(Some(Colour::Green), Outcome::Admit, &["C|GRN"]),
                    1 => scan(Some(Colour::Yellow), Outcome::Deny, &["C|YEL"]),
                    2 => scan(None, Outcome::Invalid, &["H|OLD", "S|SIG"]),
                    _ => scan(Some(Colour::Red), Outcome::Refer, &["P|PAP"]),
                };
                log.append(s, MIDNIGHT - 3600 + i * 211)
            })
            .collect();
        // Tallied in two halves and merged, as the store does batch by batch.
        let mut merged = tallies(&entries[..200]);
        for (b, t) in tallies(&entries[200..]) {
            merged.entry(b).or_default().merge(&t);
        }
        assert_eq!(merged, tallies(&entries));
        let from_tallies =
            gate_index_from_tallies(merged.iter().map(|(b, t)| (*b, t)), NOW, CST, 3);
        // Entries from midnight to the next midnight (they run on into tomorrow).
        let today: Vec<&Entry> = entries
            .iter()
            .filter(|e| (MIDNIGHT..MIDNIGHT + 86_400).contains(&e.time))
            .collect();
        assert!(today.len() > 300 && today.len() < 500);
        assert_eq!(from_tallies.scans as usize, today.len());
        assert_eq!(from_tallies, gate_index(&entries, NOW, CST, 3));
        let reason = |code: &str| {
            from_tallies
                .deny_reasons
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, n)| *n)
        };
        let count = |rest: u64| today.iter().filter(|e| e.seq % 4 == rest).count() as u32;
        assert_eq!(reason("C|YEL"), Some(count(2)));
        assert_eq!(reason("H|OLD"), Some(count(3)));
        assert_eq!(reason("S|SIG"), Some(count(3)));
        assert_eq!(reason("P|PAP"), None, "a referral is not a denial");
        // Hour 0 holds 00:00–00:59: the entries of that hour, counted one by one.
        let hour0 = today.iter().filter(|e| e.time < MIDNIGHT + 3600).count() as u32;
        assert_eq!(from_tallies.per_hour[0], hour0);
        assert_eq!(today_buckets(NOW, CST), MIDNIGHT / 900..MIDNIGHT / 900 + 96);
    }

    #[test]
    fn a_tally_survives_its_stored_bytes() {
        let mut t = Tally::default();
        t.add(&scan(
            Some(Colour::Green),
            Outcome::Deny,
            &["T|FEV", "C|GRN"],
        ));
        t.add(&scan(Some(Colour::Green), Outcome::Admit, &["C|GRN"]));
        let bytes = postcard::to_allocvec(&t).expect("a tally encodes");
        let back: Tally = postcard::from_bytes(&bytes).expect("and decodes");
        assert_eq!(back, t);
        assert_eq!(
            (back.scans, back.by_outcome.deny, back.deny_reasons.len()),
            (2, 1, 2)
        );
    }

    #[test]
    fn a_half_hour_zone_is_rounded_down_to_the_quarter() {
        // India, UTC+5:30, is whole quarters: unchanged.
        assert_eq!(day_start(NOW, 19_800) % 900, 0);
        assert_eq!(day_start(NOW, 19_800), day_start(NOW, 19_800 + 899));
    }
}
