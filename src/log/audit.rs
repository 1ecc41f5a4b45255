//! Checks beyond the chain (issue #12): a log whose chain is sound and whose head is
//! signed by the gate's own key can still have been rewritten by the gate, which holds that
//! key. What the data can show is checked here, each with its own code; the rest needs a head
//! noted earlier ([`NotedHead`]).
//!
//! | code      | finding                                                          | needs a noted head |
//! |-----------|------------------------------------------------------------------|--------------------|
//! | `L\|BACK`  | an entry dated before the entry before it (times run backwards)   | no                 |
//! | `L\|EXPT`  | the export dated before its last entry                            | no                 |
//! | `L\|CUT`   | fewer entries than the noted head's number: cut, or restarted     | yes                |
//! | `L\|NOTE`  | the noted entry has another hash: the log was rebuilt since        | yes                |
//! | `L\|REKEY` | signed by another key than the one noted: the key was replaced     | yes                |
//!
//! A step back of up to [`TIME_TOLERANCE_SECS`] is not reported (time-sync corrections, as
//! for the clock banner `K|JMP`).
//!
//! What no check here can see, with or without a noted head: entries appended after the
//! newest noted head and then cut, edited, reordered or forged before the next note, as long
//! as their times stay in order; a log whose times were all moved by the same amount after
//! the newest noted head; a log restarted and never noted. Pure: no clock is read; the
//! export's own date is the only "now".

use super::head::NotedHead;
use super::{Entry, LogError, Position, Problem, VerifiedExport};
use crate::keys::KeyId;
use crate::settings::CLOCK_BACK_TOLERANCE_SECS;

/// How far, in seconds, an entry may be dated before the entry before it (or an export
/// before its last entry) without a finding.
pub const TIME_TOLERANCE_SECS: u64 = CLOCK_BACK_TOLERANCE_SECS;

/// Walks entry times in order, entry 1 first, chunk by chunk, and keeps the first entry
/// dated more than [`TIME_TOLERANCE_SECS`] before the one before it and how many such
/// entries there are (`L|BACK`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeOrder {
    last: Option<u64>,
    first: Option<(u64, u64)>,
    count: u64,
}

impl TimeOrder {
    /// Before entry 1.
    pub fn new() -> TimeOrder {
        TimeOrder::default()
    }

    /// Takes the next `entries`, in order.
    pub fn feed(&mut self, entries: &[Entry]) {
        for e in entries {
            if let Some(prev) = self.last {
                if e.time.saturating_add(TIME_TOLERANCE_SECS) < prev {
                    self.count += 1;
                    if self.first.is_none() {
                        self.first = Some((e.seq, prev - e.time));
                    }
                }
            }
            self.last = Some(e.time);
        }
    }

    /// The first entry dated before the one before it, and how many there are; `None`
    /// when times never run backwards.
    pub fn finding(&self) -> Option<LogError> {
        let (seq, secs) = self.first?;
        Some(LogError {
            at: Position::Entry(seq),
            problem: Problem::TimeBackwards {
                secs,
                count: self.count,
            },
        })
    }
}

/// Compares a log with a head noted earlier: the log now holds `count` entries and is signed
/// by `key_id`, and `hash_at_noted` is the hash of its entry `noted.seq` (`None` when it has
/// no such entry). Findings, in this order: `L|REKEY` (the noted key id differs), `L|CUT`
/// (`count` is below the noted number), `L|NOTE` (the entry is there with another hash).
/// A noted head of entry 0 (an empty log) only checks the key.
pub fn check_head(
    noted: &NotedHead,
    count: u64,
    key_id: KeyId,
    hash_at_noted: Option<&[u8; 32]>,
) -> Vec<LogError> {
    let mut found = Vec::new();
    if let Some(noted_key) = noted.key_id {
        if noted_key != key_id {
            found.push(LogError {
                at: Position::Head,
                problem: Problem::KeyChanged {
                    found: key_id,
                    noted: noted_key,
                },
            });
        }
    }
    if noted.seq == 0 {
        return found;
    }
    if count < noted.seq {
        found.push(LogError {
            at: Position::Entry(noted.seq),
            problem: Problem::Truncated { found: count },
        });
    } else if !hash_at_noted.is_some_and(|h| noted.matches(h)) {
        found.push(LogError {
            at: Position::Entry(noted.seq),
            problem: Problem::NotAsNoted,
        });
    }
    found
}

/// `L|EXPT` when an export made at `exported_at` (Unix seconds) is dated more than
/// [`TIME_TOLERANCE_SECS`] before its last entry's time `last_time`.
pub fn export_date(exported_at: u64, last_time: Option<u64>) -> Option<LogError> {
    let last = last_time?;
    (exported_at.saturating_add(TIME_TOLERANCE_SECS) < last).then(|| LogError {
        at: Position::Head,
        problem: Problem::ExportBeforeLast {
            secs: last - exported_at,
        },
    })
}

/// Every finding about a verified export: each noted head's ([`check_head`]), then times
/// running backwards ([`TimeOrder`]), then the export's date ([`export_date`]). Empty when
/// nothing is found; that does not prove the log was not rewritten after the newest
/// noted head (see the module docs).
pub fn audit(export: &VerifiedExport, noted: &[NotedHead]) -> Vec<LogError> {
    let count = export.entries.len() as u64;
    let mut found = Vec::new();
    for note in noted {
        let at = usize::try_from(note.seq)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| export.entries.get(i))
            .map(|e| &e.hash);
        found.extend(check_head(note, count, export.key_id, at));
    }
    let mut order = TimeOrder::new();
    order.feed(&export.entries);
    found.extend(order.finding());
    found.extend(export_date(
        export.exported_at,
        export.entries.last().map(|e| e.time),
    ));
    found
}

/// A span of seconds in words: `12 s`, `6 min`, `1 min 5 s`, `2 h 12 min`, `3 d`, `3 d 4 h`.
pub fn span(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    let pair = |a: u64, ua: &str, b: u64, ub: &str| {
        if b == 0 {
            format!("{a} {ua}")
        } else {
            format!("{a} {ua} {b} {ub}")
        }
    };
    if d > 0 {
        pair(d, "d", h, "h")
    } else if h > 0 {
        pair(h, "h", m, "min")
    } else if m > 0 {
        pair(m, "min", s, "s")
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Log, Outcome, Scan};
    use super::*;

    fn scan() -> Scan {
        Scan {
            place: "P".into(),
            masked_name: None,
            id_last4: None,
            id_hash: None,
            colour: None,
            temperature: None,
            outcome: Outcome::CannotCheck,
            reasons: vec!["S|KID".into()],
        }
    }

    fn at(times: &[u64]) -> Vec<Entry> {
        let mut log = Log::new();
        times.iter().map(|t| log.append(scan(), *t)).collect()
    }

    #[test]
    fn times_in_order_or_within_the_tolerance_are_no_finding() {
        let mut order = TimeOrder::new();
        order.feed(&at(&[100, 100, 200, 195, 300]));
        assert_eq!(order.finding(), None);
    }

    #[test]
    fn the_first_backward_step_and_the_count_are_reported_across_chunks() {
        let entries = at(&[1_000, 2_000, 1_994, 5_000, 4_000, 4_100, 3_000]);
        let mut order = TimeOrder::new();
        order.feed(&entries[..4]);
        order.feed(&entries[4..]);
        let found = order.finding().expect("backwards");
        assert_eq!(found.at, Position::Entry(3));
        assert_eq!(found.problem, Problem::TimeBackwards { secs: 6, count: 3 });
        assert_eq!(
            found.to_string(),
            "entry 3: dated 6 s before the entry before it; times run backwards at 3 entries (L|BACK)"
        );
    }

    #[test]
    fn a_noted_head_is_compared_by_key_count_and_hash() {
        let entries = at(&[10, 20, 30, 40]);
        let key = KeyId([1; 8]);
        let note = super::super::head::LogHead {
            seq: 3,
            hash: entries[2].hash,
            key_id: key,
        }
        .noted();
        assert_eq!(check_head(&note, 4, key, Some(&entries[2].hash)), []);
        // Grown since: still fine. Cut to two: L|CUT.
        let cut = check_head(&note, 2, key, None);
        assert_eq!(
            cut.iter().map(LogError::code).collect::<Vec<_>>(),
            ["L|CUT"]
        );
        assert_eq!(cut[0].problem, Problem::Truncated { found: 2 });
        // Rebuilt: L|NOTE. Restarted under a new key with one entry: L|REKEY and L|CUT.
        let rebuilt = check_head(&note, 4, key, Some(&entries[1].hash));
        assert_eq!(rebuilt[0].code(), "L|NOTE");
        let restarted = check_head(&note, 1, KeyId([2; 8]), None);
        assert_eq!(
            restarted.iter().map(LogError::code).collect::<Vec<_>>(),
            ["L|REKEY", "L|CUT"]
        );
        assert_eq!(
            restarted[0].to_string(),
            "head: signed by key 0202020202020202, not the key 0101010101010101 noted earlier: \
             the device key was replaced (L|REKEY)"
        );
        // A note of the empty log checks the key only.
        let empty = NotedHead {
            seq: 0,
            hash: vec![0; 32],
            key_id: Some(key),
        };
        assert_eq!(check_head(&empty, 0, key, None), []);
        assert_eq!(check_head(&empty, 5, KeyId([3; 8]), None).len(), 1);
    }

    #[test]
    fn an_export_dated_before_its_last_entry_is_reported() {
        assert_eq!(export_date(1_000, None), None);
        assert_eq!(export_date(1_000, Some(1_005)), None);
        assert_eq!(export_date(u64::MAX, Some(0)), None);
        assert_eq!(
            export_date(0, Some(u64::MAX)).map(|e| e.code()),
            Some("L|EXPT")
        );
        let found = export_date(1_000, Some(1_000 + 3 * 86_400)).expect("early");
        assert_eq!(
            (found.at, found.problem),
            (
                Position::Head,
                Problem::ExportBeforeLast { secs: 3 * 86_400 }
            )
        );
        assert_eq!(
            found.to_string(),
            "head: the export is dated 3 d before its last entry (L|EXPT)"
        );
    }

    #[test]
    fn spans_read_as_words() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(59), "59 s");
        assert_eq!(span(65), "1 min 5 s");
        assert_eq!(span(7_920), "2 h 12 min");
        assert_eq!(span(86_340), "23 h 59 min");
        assert_eq!(span(3 * 86_400 + 4 * 3_600 + 5), "3 d 4 h");
    }
}
