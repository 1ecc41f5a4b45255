//! Reading the registration log for the checkpoint's list: filters by time, colour and
//! outcome, newest first, 50 a page, without reading the whole log.
//!
//! The browser's store keeps, beside each entry, three small fields that IndexedDB indexes
//! (MDN "IDBObjectStore.createIndex", keys compared as the IndexedDB spec's "compare two
//! keys": arrays element by element): `t` the time (Unix seconds), `c` the colour code
//! ([`colour_code`]) and `o` the outcome code ([`outcome_code`]). Every filter is then one key
//! range on one index ([`LogFilter::query`]): the page is read with a cursor walking that
//! range backwards and the total with a count, both in the browser's storage engine, so
//! neither depends on how many entries the log holds. Without a filter the page is a range
//! of sequence numbers ([`newest_first_range`]). [`page`] is the same filter over entries in
//! memory (for native tools and as the reference the store's answer is tested against).

use crate::credential::Colour;
use crate::log::{Entry, Outcome};
use serde::{Deserialize, Serialize};

/// The index over `t` (time).
pub const INDEX_TIME: &str = "t";
/// The index over `[c, t]` (colour, then time).
pub const INDEX_COLOUR_TIME: &str = "c_t";
/// The index over `[o, t]` (outcome, then time).
pub const INDEX_OUTCOME_TIME: &str = "o_t";
/// The index over `[c, o, t]` (colour, outcome, then time).
pub const INDEX_COLOUR_OUTCOME_TIME: &str = "c_o_t";

/// Every index with its key path (the stored fields it orders by), for the store's schema.
pub const INDEXES: [(&str, &[&str]); 4] = [
    (INDEX_TIME, &["t"]),
    (INDEX_COLOUR_TIME, &["c", "t"]),
    (INDEX_OUTCOME_TIME, &["o", "t"]),
    (INDEX_COLOUR_OUTCOME_TIME, &["c", "o", "t"]),
];

/// The stored colour code: `0` green, `1` yellow, `2` red, `3` none (the code did not
/// verify).
pub fn colour_code(colour: Option<Colour>) -> u8 {
    match colour {
        Some(Colour::Green) => 0,
        Some(Colour::Yellow) => 1,
        Some(Colour::Red) => 2,
        None => 3,
    }
}

/// The stored outcome code: the outcome's place in [`Outcome::ALL`] (`0` admit … `4`
/// cannot-check).
pub fn outcome_code(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Admit => 0,
        Outcome::Refer => 1,
        Outcome::Deny => 2,
        Outcome::Invalid => 3,
        Outcome::CannotCheck => 4,
    }
}

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

/// How the store answers a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// No filter: every entry, paged by sequence number ([`newest_first_range`]).
    All,
    /// Nothing can match (the time range is empty).
    Nothing,
    /// The entries whose key in `index` lies in `[lower, upper)` (arrays of numbers for the
    /// compound indexes, one number for [`INDEX_TIME`]; `upper` may hold `f64::INFINITY`,
    /// a valid IndexedDB key).
    Range {
        /// One of [`INDEXES`].
        index: &'static str,
        /// Inclusive lower key.
        lower: Vec<f64>,
        /// Exclusive upper key.
        upper: Vec<f64>,
    },
}

impl LogFilter {
    /// Whether `entry` passes every filter set.
    pub fn matches(&self, entry: &Entry) -> bool {
        self.from.is_none_or(|t| entry.time >= t)
            && self.until.is_none_or(|t| entry.time < t)
            && self.colour.is_none_or(|c| entry.scan.colour == Some(c))
            && self.outcome.is_none_or(|o| entry.scan.outcome == o)
    }

    /// The index and key range that hold exactly the entries [`LogFilter::matches`] accepts.
    pub fn query(&self) -> Query {
        if *self == LogFilter::default() {
            return Query::All;
        }
        let from = self.from.unwrap_or(0);
        if self.until.is_some_and(|until| until <= from) {
            return Query::Nothing;
        }
        let lower_time = from as f64;
        let upper_time = self.until.map_or(f64::INFINITY, |t| t as f64);
        let mut prefix = Vec::with_capacity(3);
        if let Some(c) = self.colour {
            prefix.push(f64::from(colour_code(Some(c))));
        }
        if let Some(o) = self.outcome {
            prefix.push(f64::from(outcome_code(o)));
        }
        let index = match (self.colour.is_some(), self.outcome.is_some()) {
            (false, false) => INDEX_TIME,
            (true, false) => INDEX_COLOUR_TIME,
            (false, true) => INDEX_OUTCOME_TIME,
            (true, true) => INDEX_COLOUR_OUTCOME_TIME,
        };
        let mut lower = prefix.clone();
        lower.push(lower_time);
        let mut upper = prefix;
        upper.push(upper_time);
        Query::Range {
            index,
            lower,
            upper,
        }
    }
}

/// The sequence numbers of one unfiltered page, newest first: entries `skip + 1` to
/// `skip + limit` counted back from entry `total`, as the inclusive range `(first, last)`
/// (oldest, newest), or `None` past the end. The store numbers entries 1, 2, 3, … without
/// gaps ([`crate::log::Log::append`]), so entry `n` is at key `n`.
pub fn newest_first_range(total: u64, skip: u64, limit: u64) -> Option<(u64, u64)> {
    if limit == 0 || skip >= total {
        return None;
    }
    let last = total - skip;
    let first = last.saturating_sub(limit - 1).max(1);
    Some((first, last))
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
/// `limit`, from entries held in memory in log order (oldest first). Newest first means by
/// time, ties by sequence number: the order the store's time indexes give.
pub fn page<'a>(entries: &'a [Entry], filter: &LogFilter, skip: usize, limit: usize) -> Page<'a> {
    let mut matching: Vec<&Entry> = entries.iter().filter(|e| filter.matches(e)).collect();
    if filter.query() == Query::All {
        matching.reverse();
    } else {
        matching.sort_by_key(|e| std::cmp::Reverse((e.time, e.seq)));
    }
    let total = matching.len();
    Page {
        total,
        entries: matching.into_iter().skip(skip).take(limit).collect(),
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

    #[test]
    fn unfiltered_pages_are_ranges_of_sequence_numbers() {
        assert_eq!(newest_first_range(100_000, 0, 50), Some((99_951, 100_000)));
        assert_eq!(newest_first_range(100_000, 50, 50), Some((99_901, 99_950)));
        assert_eq!(newest_first_range(120, 100, 50), Some((1, 20)));
        assert_eq!(newest_first_range(4, 0, 50), Some((1, 4)));
        assert_eq!(newest_first_range(4, 4, 50), None);
        assert_eq!(newest_first_range(0, 0, 50), None);
        assert_eq!(newest_first_range(10, 0, 0), None);
    }

    #[test]
    fn each_filter_is_one_range_on_one_index() {
        assert_eq!(LogFilter::default().query(), Query::All);
        let time = LogFilter {
            from: Some(100),
            until: Some(200),
            ..LogFilter::default()
        };
        assert_eq!(
            time.query(),
            Query::Range {
                index: INDEX_TIME,
                lower: vec![100.0],
                upper: vec![200.0]
            }
        );
        let red_denied = LogFilter {
            colour: Some(Colour::Red),
            outcome: Some(Outcome::Deny),
            ..LogFilter::default()
        };
        assert_eq!(
            red_denied.query(),
            Query::Range {
                index: INDEX_COLOUR_OUTCOME_TIME,
                lower: vec![2.0, 2.0, 0.0],
                upper: vec![2.0, 2.0, f64::INFINITY]
            }
        );
        let invalid_since = LogFilter {
            from: Some(5),
            outcome: Some(Outcome::Invalid),
            ..LogFilter::default()
        };
        assert_eq!(
            invalid_since.query(),
            Query::Range {
                index: INDEX_OUTCOME_TIME,
                lower: vec![3.0, 5.0],
                upper: vec![3.0, f64::INFINITY]
            }
        );
        let yellow = LogFilter {
            colour: Some(Colour::Yellow),
            ..LogFilter::default()
        };
        assert!(matches!(
            yellow.query(),
            Query::Range {
                index: INDEX_COLOUR_TIME,
                ..
            }
        ));
        let backwards = LogFilter {
            from: Some(200),
            until: Some(200),
            ..LogFilter::default()
        };
        assert_eq!(backwards.query(), Query::Nothing);
    }

    #[test]
    fn codes_follow_the_encoding_order() {
        let outcomes: Vec<u8> = Outcome::ALL.into_iter().map(outcome_code).collect();
        assert_eq!(outcomes, [0, 1, 2, 3, 4]);
        assert_eq!(colour_code(None), 3);
        for (name, path) in INDEXES {
            assert_eq!(path.last(), Some(&"t"), "{name} ends with the time");
        }
    }

    #[test]
    fn a_clock_set_back_orders_filtered_pages_by_time() {
        let mut all = entries();
        // Entry 28 (green) written with a clock 8 minutes behind: it sorts after entry 22.
        all[27].time = 1_000 + 19 * 60;
        let green = LogFilter {
            colour: Some(Colour::Green),
            ..LogFilter::default()
        };
        let p = page(&all, &green, 0, 4);
        assert_eq!(seqs(&p), [25, 22, 28, 19]);
        assert_eq!(seqs(&page(&all, &LogFilter::default(), 0, 2)), [30, 29]);
    }
}
