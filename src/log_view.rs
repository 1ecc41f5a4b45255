//! Reading the registration log for the checkpoint's list: filters by time, colour and
//! outcome, and pages newest first. Pure; one pass over the entries per page (about a
//! millisecond for 100,000 entries natively, see `examples/log_100k.rs`).

use crate::credential::Colour;
use crate::log::{Entry, Outcome};
use serde::{Deserialize, Serialize};

/// Which entries to show; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogFilter {
    /// Entries at or after this time, Unix seconds.
    pub from: Option<u64>,
    /// Entries before this time, Unix seconds.
    pub until: Option<u64>,
    /// Entries of this colour only (codes that did not verify have none).
    pub colour: Option<Colour>,
    /// Entries with this outcome only.
    pub outcome: Option<Outcome>,
}

impl LogFilter {
    /// Whether `entry` passes every filter set.
    pub fn matches(&self, entry: &Entry) -> bool {
        self.from.is_none_or(|t| entry.time >= t)
            && self.until.is_none_or(|t| entry.time < t)
            && self.colour.is_none_or(|c| entry.scan.colour == Some(c))
            && self.outcome.is_none_or(|o| entry.scan.outcome == o)
    }
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<'a> {
    /// How many entries match the filter in all.
    pub total: usize,
    /// The page's entries, newest first.
    pub entries: Vec<&'a Entry>,
}

/// Entries matching `filter`, newest first, skipping the first `skip` and keeping at most
/// `limit`. `entries` are in log order (oldest first), as the log writes them.
pub fn page<'a>(entries: &'a [Entry], filter: &LogFilter, skip: usize, limit: usize) -> Page<'a> {
    let mut total = 0;
    let mut shown = Vec::with_capacity(limit.min(1_000));
    for entry in entries.iter().rev().filter(|e| filter.matches(e)) {
        if total >= skip && shown.len() < limit {
            shown.push(entry);
        }
        total += 1;
    }
    Page {
        total,
        entries: shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Log, Scan};

    fn entries() -> Vec<Entry> {
        let mut log = Log::new();
        (0..30u64)
            .map(|i| {
                let colour = [Some(Colour::Green), Some(Colour::Yellow), None][(i % 3) as usize];
                let scan = Scan {
                    place: "P".into(),
                    masked_name: None,
                    id_last4: None,
                    id_hash: None,
                    colour,
                    temperature: None,
                    outcome: match colour {
                        Some(Colour::Green) => Outcome::Admit,
                        Some(_) => Outcome::Deny,
                        None => Outcome::Invalid,
                    },
                    reasons: Vec::new(),
                };
                log.append(scan, 1_000 + i * 60)
            })
            .collect()
    }

    fn seqs(page: &Page<'_>) -> Vec<u64> {
        page.entries.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn pages_run_newest_first_with_the_total() {
        let all = entries();
        let first = page(&all, &LogFilter::default(), 0, 4);
        assert_eq!((first.total, seqs(&first)), (30, vec![30, 29, 28, 27]));
        let last = page(&all, &LogFilter::default(), 28, 4);
        assert_eq!(seqs(&last), [2, 1]);
        assert_eq!(page(&all, &LogFilter::default(), 40, 4).entries.len(), 0);
    }

    #[test]
    fn filters_by_time_colour_and_outcome_combine() {
        let all = entries();
        let yellow = LogFilter {
            colour: Some(Colour::Yellow),
            ..LogFilter::default()
        };
        let p = page(&all, &yellow, 0, 3);
        assert_eq!((p.total, seqs(&p)), (10, vec![29, 26, 23]));
        // Entries 11 to 19 are at 1600 to 2080 (until is exclusive).
        let window = LogFilter {
            from: Some(1_600),
            until: Some(2_140),
            outcome: Some(Outcome::Invalid),
            ..LogFilter::default()
        };
        let p = page(&all, &window, 0, 10);
        assert_eq!((p.total, seqs(&p)), (3, vec![18, 15, 12]));
        let none = LogFilter {
            colour: Some(Colour::Red),
            ..LogFilter::default()
        };
        assert_eq!(page(&all, &none, 0, 10).total, 0);
    }
}
