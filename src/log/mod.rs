//! The registration log: one entry for every scan at a checkpoint (admit, deny, refer, a bad
//! code, a code that could not be checked), chained by SHA-256 so that an edited, deleted,
//! inserted or reordered entry is detectable, and exported as a file an inspector checks
//! with `healthcode log verify` ([`verify_export`]).
//!
//! Pure: [`Log::append`] takes `now` (seconds since the Unix epoch, UTC) and returns the entry
//! for the caller (the browser's store) to write; nothing here reads a clock or storage.
//!
//! # What an entry holds
//!
//! Sequence number (1, 2, 3, … with no gaps), time, place id, masked name, last 4 characters
//! of the ID number, an [`IdHash`] of the credential id (never the id itself), colour,
//! temperature in tenths of °C, the [`Outcome`] and the reason codes (`C|GRN`, `S|SIG`, …);
//! then `prev`, the previous entry's hash (32 zero bytes, [`GENESIS`], for entry 1), and
//! `hash`, its own.
//!
//! # The entry hash (the exact bytes)
//!
//! `hash = SHA-256(b"healthcode/log-entry/v1\0" || body)` where `body` is the postcard
//! encoding (see [`crate::codec`]) of these fields in this order:
//!
//! | field         | encoding                                                          |
//! |---------------|-------------------------------------------------------------------|
//! | `seq`         | varint u64                                                        |
//! | `time`        | varint u64, Unix seconds                                          |
//! | `place`       | varint length + UTF-8                                             |
//! | `masked_name` | option: `0`, or `1` + varint length + UTF-8                       |
//! | `id_last4`    | option: `0`, or `1` + varint length + UTF-8                       |
//! | `id_hash`     | option: `0`, or `1` + 16 raw bytes                                |
//! | `colour`      | option: `0`, or `1` + varint 0 green, 1 yellow, 2 red             |
//! | `temperature` | option: `0`, or `1` + varint u16, tenths of °C                    |
//! | `outcome`     | varint 0 admit, 1 refer, 2 deny, 3 invalid, 4 cannot-check        |
//! | `reasons`     | varint count, then each: varint length + UTF-8                    |
//! | `prev`        | 32 raw bytes                                                      |
//!
//! The hash is not keyed: anyone can recompute a chain. What binds the chain to the gate is
//! the export's head record, signed with the checkpoint's own Ed25519 device key: a chain
//! rebuilt after an edit needs a new head signature, which only that device can make. The
//! device itself can rebuild and re-sign its own log (in the browser the key is a
//! non-extractable WebCrypto key, which makes taking it away hard, not using it). So the
//! checkpoint shows its head ([`head::LogHead`]: entry number, hash, key id) as text and QR
//! for an inspector to note at every visit; a log rebuilt, cut or restarted since then is
//! found against that note ([`audit::check_head`]: `L|NOTE`, `L|CUT`, `L|REKEY`). Times
//! running backwards and an export dated before its last entry are found without a note
//! ([`audit::audit`]: `L|BACK`, `L|EXPT`). What stays undetectable is listed in
//! [`mod@audit`] and in `docs/operations.md`.
//!
//! # The verifiable export (the exact bytes)
//!
//! UTF-8 text, lines ended by `\n` (no `\r`), every line one JSON object with no white space
//! outside strings, its keys in the order shown, written by `serde_json` (strings escaped as
//! JSON requires, nothing else escaped):
//!
//! 1. the header, exactly `{"format":"healthcode-log","version":1}`;
//! 2. one line per entry, entry `n` on line `n + 1`:
//!    `{"seq":17,"time":1800000000,"place":"330902-0017","name":"张*伟","last4":"1234",`
//!    `"id":"<32 hex>","colour":"green","temp":365,"outcome":"admit","reasons":["C|GRN"],`
//!    `"prev":"<64 hex>","hash":"<64 hex>"}` (one line). `name`, `last4`, `id`, `colour`
//!    and `temp` are `null` when absent; `temp` is tenths of °C; hex is lowercase; `colour`
//!    is `green`, `yellow` or `red`; `outcome` is one of [`Outcome::as_str`];
//! 3. the head, last:
//!    `{"entries":N,"last":"<64 hex>","exported_at":T,"key":"<64 hex>","sig":"<128 hex>"}`:
//!    the number of entries, the last entry's hash ([`GENESIS`] when there is none), the
//!    export time (Unix seconds), the device's Ed25519 public key (RFC 8032 encoding) and
//!    its signature over `b"healthcode/log-head/v1\0"` followed by the postcard encoding of
//!    (`entries` varint u64, `last` 32 raw bytes, `exported_at` varint u64).
//!
//! The file ends with `\n`. Its last line is read as the head unless it begins `{"seq":`
//! (then the head is missing, `L|END`). Entry `n` is named by the line it should be on,
//! so a line that cannot be read is still named.
//!
//! A line is accepted only if writing back what was read gives the same bytes, so every
//! altered byte either breaks a line (`L|FMT`), an entry hash (`L|HASH`), a link, or the head.
//!
//! # Errors ([`LogError`], first broken place first)
//!
//! | code     | meaning                                                                   |
//! |----------|---------------------------------------------------------------------------|
//! | `L\|HDR`  | the first line is not the v1 header                                       |
//! | `L\|FMT`  | a line is unreadable or not written canonically (edited text)             |
//! | `L\|HASH` | an entry's hash does not match its content (edited entry)                 |
//! | `L\|DEL`  | the entry with this sequence number is missing (deleted)                  |
//! | `L\|ORD`  | the entry is present but out of order (reordered)                         |
//! | `L\|DUP`  | a sequence number appears again (inserted or duplicated entry)            |
//! | `L\|PREV` | the entry does not link to the one before (an entry replaced or spliced)  |
//! | `L\|END`  | no head record: the export is cut off                                     |
//! | `L\|HEAD` | the head names another count or last hash (tail cut off, or added to)     |
//! | `L\|SIG`  | the head's signature does not verify (the chain was rebuilt, or edited)   |
//! | `L\|KEY`  | the head is signed by a key other than the expected one                   |
//! | `L\|NOTE` | an entry noted earlier (number and hash) is not in the chain: rebuilt     |
//! | `L\|CUT`  | the log ends before an entry noted earlier: cut, or restarted             |
//! | `L\|REKEY`| signed by another key than the one noted earlier: the key was replaced    |
//! | `L\|BACK` | an entry is dated before the entry before it: times run backwards          |
//! | `L\|EXPT` | the export is dated before its last entry                                 |
//!
//! `L|HDR` to `L|KEY` make [`verify_export`] fail. The last five are findings about a log
//! whose chain and signature are sound ([`audit::audit`]): `L|NOTE`, `L|CUT` and `L|REKEY`
//! against a head noted earlier ([`audit::check_head`], [`VerifiedExport::check_noted`]),
//! `L|BACK` and `L|EXPT` from the log alone.

use crate::codec;
use crate::credential::Colour;
use crate::keys::{self, to_hex, CredentialId, KeyId};
use crate::policy::{Decision, Temperature, Verdict};
use crate::signature::verify_ed25519;
use crate::verify::{ErrorClass, Verified, VerifyError};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

pub mod audit;
pub mod head;

pub use audit::{audit, check_head, TimeOrder};
pub use head::{LogHead, NotedHead, NotedHeadError};

/// Domain separation for entry hashes.
pub const ENTRY_CONTEXT: &[u8] = b"healthcode/log-entry/v1\0";
/// Domain separation for [`IdHash`].
pub const ID_HASH_CONTEXT: &[u8] = b"healthcode/log-id/v1\0";
/// Domain separation for the export head's signature.
pub const HEAD_CONTEXT: &[u8] = b"healthcode/log-head/v1\0";
/// `prev` of entry 1: 32 zero bytes.
pub const GENESIS: [u8; 32] = [0; 32];
/// The first line of a version-1 export.
pub const EXPORT_HEADER: &str = r#"{"format":"healthcode-log","version":1}"#;

/// A credential id as the log keeps it: the first 16 bytes of
/// `SHA-256(b"healthcode/log-id/v1\0" || varint length of place || place UTF-8 || 8 id bytes)`,
/// shown as 32 lowercase hex characters.
///
/// Why: the raw id would let anyone holding two gates' exports (or the issuer's registry)
/// follow a person from gate to gate. Salting with the place id gives a different value at
/// every place, while the same credential scanned twice at one place gives the same value,
/// so replays and repeated admissions are still matched there (see [`crate::replay`]). An
/// inspector who knows a credential id and the place can still compute its hash to look it
/// up. 16 bytes: collisions among a gate's entries are out of reach (about 2⁻⁹⁵ for 100,000
/// ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdHash(pub [u8; 16]);

impl IdHash {
    /// The hash of credential `id` at `place`.
    pub fn of(place: &str, id: &CredentialId) -> IdHash {
        let mut hasher = Sha256::new();
        hasher.update(ID_HASH_CONTEXT);
        hasher.update(codec::encode(&(place, id.0)));
        let digest = hasher.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        IdHash(out)
    }
}

impl fmt::Display for IdHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

/// What happened at the gate: a policy [`Decision`] for a code that verified, or the
/// [`ErrorClass`] of one that did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// Admitted ([`Decision::Admit`]).
    Admit,
    /// Checked by hand ([`Decision::Refer`]).
    Refer,
    /// Denied ([`Decision::Deny`]).
    Deny,
    /// The code is bad ([`ErrorClass::Invalid`]).
    Invalid,
    /// The code could not be checked here ([`ErrorClass::CannotCheck`]).
    CannotCheck,
}

impl Outcome {
    /// Every outcome, in encoding order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Admit,
        Outcome::Refer,
        Outcome::Deny,
        Outcome::Invalid,
        Outcome::CannotCheck,
    ];

    /// `admit`, `refer`, `deny`, `invalid` or `cannot-check`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Admit => "admit",
            Outcome::Refer => "refer",
            Outcome::Deny => "deny",
            Outcome::Invalid => "invalid",
            Outcome::CannotCheck => "cannot-check",
        }
    }

    /// The inverse of [`Outcome::as_str`] (exact spelling).
    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

impl From<Decision> for Outcome {
    fn from(d: Decision) -> Outcome {
        match d {
            Decision::Admit => Outcome::Admit,
            Decision::Refer => Outcome::Refer,
            Decision::Deny => Outcome::Deny,
        }
    }
}

impl From<ErrorClass> for Outcome {
    fn from(c: ErrorClass) -> Outcome {
        match c {
            ErrorClass::Invalid => Outcome::Invalid,
            ErrorClass::CannotCheck => Outcome::CannotCheck,
        }
    }
}

/// What one scan recorded, before it is numbered and chained. The field order is the hash
/// encoding's (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// The checkpoint's place id.
    pub place: String,
    /// The masked name (`张*伟`), if the code could be read.
    pub masked_name: Option<String>,
    /// The last 4 characters of the ID number, if the code could be read.
    pub id_last4: Option<String>,
    /// The credential id's hash at this place, if the code could be read.
    pub id_hash: Option<IdHash>,
    /// The code's colour; `None` for a code that did not verify.
    pub colour: Option<Colour>,
    /// The temperature taken, tenths of °C (`365` = 36.5 °C).
    pub temperature: Option<u16>,
    /// Admit, refer, deny, invalid or cannot-check.
    pub outcome: Outcome,
    /// Reason codes, the deciding one first (`C|YEL`, `T|FEV`, `S|SIG`, `Q|RPL`, …).
    pub reasons: Vec<String>,
}

impl Scan {
    /// The scan of a code that verified, with the verdict the policy gave.
    pub fn verified(
        place: &str,
        verified: &Verified,
        temperature: Option<Temperature>,
        verdict: &Verdict,
    ) -> Scan {
        let c = &verified.claims;
        Scan {
            place: place.to_owned(),
            masked_name: Some(c.masked_name.clone()),
            id_last4: Some(c.id_last4.clone()),
            id_hash: Some(IdHash::of(place, &c.id)),
            colour: Some(c.colour),
            temperature: temperature.map(Temperature::tenths),
            outcome: verdict.decision.into(),
            reasons: verdict.reasons.iter().map(|r| r.code.to_owned()).collect(),
        }
    }

    /// The scan of a code that failed verification: no claims are kept (they are not
    /// trustworthy), only the error's code and class.
    pub fn failed(place: &str, error: &VerifyError, temperature: Option<Temperature>) -> Scan {
        Scan {
            place: place.to_owned(),
            masked_name: None,
            id_last4: None,
            id_hash: None,
            colour: None,
            temperature: temperature.map(Temperature::tenths),
            outcome: error.class().into(),
            reasons: vec![error.code().to_owned()],
        }
    }
}

/// One registration-log entry: a numbered, timed, chained [`Scan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Sequence number, from 1, without gaps.
    pub seq: u64,
    /// When the scan happened, Unix seconds (the device's clock).
    pub time: u64,
    /// What was recorded.
    pub scan: Scan,
    /// The previous entry's hash; [`GENESIS`] for entry 1.
    pub prev: [u8; 32],
    /// This entry's hash ([`Entry::compute_hash`]).
    pub hash: [u8; 32],
}

#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    time: u64,
    scan: &'a Scan,
    prev: &'a [u8; 32],
}

fn entry_hash(seq: u64, time: u64, scan: &Scan, prev: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(ENTRY_CONTEXT);
    hasher.update(codec::encode(&Body {
        seq,
        time,
        scan,
        prev,
    }));
    hasher.finalize().into()
}

impl Entry {
    /// SHA-256 over the entry's canonical bytes (see the module docs), whatever `hash` says.
    pub fn compute_hash(&self) -> [u8; 32] {
        entry_hash(self.seq, self.time, &self.scan, &self.prev)
    }
}

/// The writing end of a log: the next sequence number and the hash to chain to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    next_seq: u64,
    head: [u8; 32],
}

impl Default for Log {
    fn default() -> Self {
        Log::new()
    }
}

impl Log {
    /// An empty log: the next entry is number 1 and links to [`GENESIS`].
    pub fn new() -> Log {
        Log {
            next_seq: 1,
            head: GENESIS,
        }
    }

    /// Continues after `last`, the newest stored entry (`None`: an empty log). The stored
    /// chain is trusted here; check it with [`verify_chain`] where that matters.
    pub fn resume(last: Option<&Entry>) -> Log {
        match last {
            Some(e) => Log {
                next_seq: e.seq.saturating_add(1),
                head: e.hash,
            },
            None => Log::new(),
        }
    }

    /// Numbers, times (`now`, Unix seconds) and chains `scan`; the caller stores the entry
    /// durably before showing the verdict.
    pub fn append(&mut self, scan: Scan, now: u64) -> Entry {
        let seq = self.next_seq;
        let hash = entry_hash(seq, now, &scan, &self.head);
        let entry = Entry {
            seq,
            time: now,
            scan,
            prev: self.head,
            hash,
        };
        self.next_seq = seq.saturating_add(1);
        self.head = hash;
        entry
    }

    /// Number of entries written so far.
    pub fn len(&self) -> u64 {
        self.next_seq - 1
    }

    /// Whether no entry was written.
    pub fn is_empty(&self) -> bool {
        self.next_seq == 1
    }

    /// The newest entry's hash ([`GENESIS`] when empty).
    pub fn head(&self) -> [u8; 32] {
        self.head
    }
}

/// Where a log is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The export's first line.
    Header,
    /// The entry with this sequence number (the position it should hold: entry `n` is on
    /// line `n + 1` of an export).
    Entry(u64),
    /// The export's head record (last line).
    Head,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Header => f.write_str("header"),
            Position::Entry(n) => write!(f, "entry {n}"),
            Position::Head => f.write_str("head"),
        }
    }
}

/// What is wrong there; each has a stable code (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Not the version-1 header (`L|HDR`).
    Header,
    /// Unreadable or not canonically written (`L|FMT`).
    Unreadable,
    /// The hash does not match the content (`L|HASH`).
    Edited,
    /// Missing: the next entry present has a higher number (`L|DEL`).
    Deleted,
    /// Present, but later in the file (`L|ORD`).
    Reordered,
    /// The number appears again (`L|DUP`).
    Duplicated,
    /// `prev` is not the previous entry's hash (`L|PREV`).
    Unlinked,
    /// No head record after the entries (`L|END`).
    NoHead,
    /// The head names `stated` entries (or another last hash) where `found` are present
    /// (`L|HEAD`).
    HeadMismatch {
        /// Entries the head names.
        stated: u64,
        /// Entries in the export.
        found: u64,
    },
    /// The head's signature does not verify (`L|SIG`).
    BadSignature,
    /// The head is signed by another key than the expected one (`L|KEY`).
    WrongKey,
    /// An entry noted earlier has another hash (`L|NOTE`).
    NotAsNoted,
    /// The log ends at entry `found`, before the entry noted earlier (`L|CUT`).
    Truncated {
        /// Entries in the log.
        found: u64,
    },
    /// The log is signed by key `found`, not by the key `noted` earlier (`L|REKEY`).
    KeyChanged {
        /// The key id that signed the log.
        found: KeyId,
        /// The key id noted earlier.
        noted: KeyId,
    },
    /// The entry is dated `secs` seconds before the entry before it; `count` entries in
    /// the log are (`L|BACK`).
    TimeBackwards {
        /// How far back, seconds.
        secs: u64,
        /// How many entries are dated before the one before them.
        count: u64,
    },
    /// The export is dated `secs` seconds before its last entry (`L|EXPT`).
    ExportBeforeLast {
        /// How far before, seconds.
        secs: u64,
    },
}

impl Problem {
    /// Stable short code, e.g. `L|HASH`.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Header => "L|HDR",
            Problem::Unreadable => "L|FMT",
            Problem::Edited => "L|HASH",
            Problem::Deleted => "L|DEL",
            Problem::Reordered => "L|ORD",
            Problem::Duplicated => "L|DUP",
            Problem::Unlinked => "L|PREV",
            Problem::NoHead => "L|END",
            Problem::HeadMismatch { .. } => "L|HEAD",
            Problem::BadSignature => "L|SIG",
            Problem::WrongKey => "L|KEY",
            Problem::NotAsNoted => "L|NOTE",
            Problem::Truncated { .. } => "L|CUT",
            Problem::KeyChanged { .. } => "L|REKEY",
            Problem::TimeBackwards { .. } => "L|BACK",
            Problem::ExportBeforeLast { .. } => "L|EXPT",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Header => f.write_str("not a healthcode log export, version 1"),
            Problem::Unreadable => f.write_str("unreadable or altered text"),
            Problem::Edited => f.write_str("edited"),
            Problem::Deleted => f.write_str("deleted"),
            Problem::Reordered => f.write_str("out of order"),
            Problem::Duplicated => f.write_str("appears twice"),
            Problem::Unlinked => f.write_str("does not link to the entry before"),
            Problem::NoHead => f.write_str("missing: the export is cut off"),
            Problem::HeadMismatch { stated, found } if stated == found => {
                f.write_str("names another last entry: the chain was rebuilt")
            }
            Problem::HeadMismatch { stated, found } => {
                write!(f, "names {stated} entries, the export holds {found}")
            }
            Problem::BadSignature => f.write_str("bad signature"),
            Problem::WrongKey => f.write_str("signed by another device key"),
            Problem::NotAsNoted => {
                f.write_str("not the entry noted earlier: the log was rebuilt since")
            }
            Problem::Truncated { found } => write!(
                f,
                "the log ends at entry {found}, before the head noted earlier: \
                 entries were cut, or the log was restarted"
            ),
            Problem::KeyChanged { found, noted } => write!(
                f,
                "signed by key {found}, not the key {noted} noted earlier: \
                 the device key was replaced"
            ),
            Problem::TimeBackwards { secs, count } => write!(
                f,
                "dated {} before the entry before it; times run backwards at {count} {}",
                audit::span(*secs),
                if *count == 1 { "entry" } else { "entries" }
            ),
            Problem::ExportBeforeLast { secs } => write!(
                f,
                "the export is dated {} before its last entry",
                audit::span(*secs)
            ),
        }
    }
}

/// The first broken place in a log and what is wrong there, shown as
/// `entry 17: edited (L|HASH)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {problem} ({})", problem.code())]
pub struct LogError {
    /// Where.
    pub at: Position,
    /// What.
    pub problem: Problem,
}

impl LogError {
    /// The problem's stable code.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
}

fn broken(at: Position, problem: Problem) -> LogError {
    LogError { at, problem }
}

/// Walks a chain entry by entry from entry 1.
#[derive(Debug, Clone)]
struct Walk {
    expected: u64,
    prev: [u8; 32],
}

impl Walk {
    fn new() -> Walk {
        Walk {
            expected: 1,
            prev: GENESIS,
        }
    }

    /// Checks `entry` at the next position; `later(n)` says whether entry `n` appears
    /// further on (asked only when the numbering jumps).
    fn step(&mut self, entry: &Entry, later: impl Fn(u64) -> bool) -> Result<(), LogError> {
        let at = self.expected;
        if entry.compute_hash() != entry.hash {
            return Err(broken(Position::Entry(at), Problem::Edited));
        }
        if entry.seq > at {
            let problem = if later(at) {
                Problem::Reordered
            } else {
                Problem::Deleted
            };
            return Err(broken(Position::Entry(at), problem));
        }
        if entry.seq < at {
            return Err(broken(Position::Entry(entry.seq), Problem::Duplicated));
        }
        if entry.prev != self.prev {
            return Err(broken(Position::Entry(at), Problem::Unlinked));
        }
        self.expected += 1;
        self.prev = entry.hash;
        Ok(())
    }
}

/// Checks a chain held in memory (e.g. the browser's store): numbered from 1 without gaps,
/// each entry's hash matching its content, each linked to the one before. Returns the first
/// broken entry.
pub fn verify_chain(entries: &[Entry]) -> Result<(), LogError> {
    ChainCheck::new().check(entries)
}

/// Checks a chain chunk by chunk, entry 1 first (a log read from storage a thousand entries
/// at a time); the same checks as [`verify_chain`]. A missing number is reported as deleted
/// (`L|DEL`) unless the entry appears later in the same chunk (`L|ORD`).
#[derive(Debug, Clone)]
pub struct ChainCheck {
    walk: Walk,
    times: TimeOrder,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck::new()
    }
}

impl ChainCheck {
    /// A check before entry 1.
    pub fn new() -> ChainCheck {
        ChainCheck {
            walk: Walk::new(),
            times: TimeOrder::new(),
        }
    }

    /// Checks the next `entries`, in order. Errors: the first broken entry.
    pub fn check(&mut self, entries: &[Entry]) -> Result<(), LogError> {
        for (i, entry) in entries.iter().enumerate() {
            self.walk
                .step(entry, |n| entries[i + 1..].iter().any(|e| e.seq == n))?;
            self.times.feed(std::slice::from_ref(entry));
        }
        Ok(())
    }

    /// The first entry checked so far that is dated before the one before it (`L|BACK`),
    /// with how many are: not a break of the chain, a finding about its times.
    pub fn times_backwards(&self) -> Option<LogError> {
        self.times.finding()
    }

    /// How many entries have been checked and found sound.
    pub fn checked(&self) -> u64 {
        self.walk.expected - 1
    }
}

// ---- export ----

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryLine {
    seq: u64,
    time: u64,
    place: String,
    name: Option<String>,
    last4: Option<String>,
    id: Option<String>,
    colour: Option<String>,
    temp: Option<u16>,
    outcome: String,
    reasons: Vec<String>,
    prev: String,
    hash: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadLine {
    entries: u64,
    last: String,
    exported_at: u64,
    key: String,
    sig: String,
}

impl EntryLine {
    fn of(e: &Entry) -> EntryLine {
        let s = &e.scan;
        EntryLine {
            seq: e.seq,
            time: e.time,
            place: s.place.clone(),
            name: s.masked_name.clone(),
            last4: s.id_last4.clone(),
            id: s.id_hash.map(|h| h.to_string()),
            colour: s.colour.map(|c| c.as_str().to_owned()),
            temp: s.temperature,
            outcome: s.outcome.as_str().to_owned(),
            reasons: s.reasons.clone(),
            prev: to_hex(&e.prev),
            hash: to_hex(&e.hash),
        }
    }

    fn into_entry(self) -> Option<Entry> {
        let colour = match &self.colour {
            Some(c) => Some(Colour::parse(c)?),
            None => None,
        };
        let id_hash = match &self.id {
            Some(h) => Some(IdHash(hex_exact::<16>(h)?)),
            None => None,
        };
        Some(Entry {
            seq: self.seq,
            time: self.time,
            prev: hex_exact::<32>(&self.prev)?,
            hash: hex_exact::<32>(&self.hash)?,
            scan: Scan {
                place: self.place,
                masked_name: self.name,
                id_last4: self.last4,
                id_hash,
                colour,
                temperature: self.temp,
                outcome: Outcome::parse(&self.outcome)?,
                reasons: self.reasons,
            },
        })
    }
}

/// Lowercase hex of exactly `N` bytes, nothing else (a second spelling is refused).
fn hex_exact<const N: usize>(text: &str) -> Option<[u8; N]> {
    keys::parse_hex::<N>(text)
        .ok()
        .filter(|bytes| to_hex(bytes) == text)
}

fn json_line<T: Serialize>(value: &T) -> Vec<u8> {
    // Our line structures hold strings, integers and options only: serde_json cannot fail
    // on them (it fails only on non-string map keys and failing Serialize impls).
    serde_json::to_vec(value).expect("log lines serialise to JSON")
}

fn head_signing_input(entries: u64, last: &[u8; 32], exported_at: u64) -> Vec<u8> {
    codec::signing_input(HEAD_CONTEXT, &(entries, last, exported_at))
}

/// The verifiable export of `entries` (the whole chain, entry 1 first), with a head record
/// signed by `device_key` at `now` (Unix seconds). See the module docs for the bytes. The
/// entries are written as they are: a broken chain stays detectable in the file. The same
/// bytes can be written piece by piece ([`ExportWriter`]).
pub fn export(entries: &[Entry], device_key: &SigningKey, now: u64) -> String {
    let mut writer = ExportWriter::new();
    let mut out = writer.start();
    out.extend_from_slice(&writer.entries(entries));
    out.extend_from_slice(&writer.finish(device_key, now));
    // Only UTF-8 strings and ASCII went in.
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the verifiable export ([`export`]) in pieces, for a log read chunk by chunk: the
/// bytes of [`ExportWriter::start`], then of each [`ExportWriter::entries`] call (entry 1
/// first, in order), then of [`ExportWriter::finish`], joined, are the export's bytes.
#[derive(Debug, Clone)]
pub struct ExportWriter {
    count: u64,
    last: [u8; 32],
}

impl Default for ExportWriter {
    fn default() -> Self {
        ExportWriter::new()
    }
}

impl ExportWriter {
    /// A writer before any entry.
    pub fn new() -> ExportWriter {
        ExportWriter {
            count: 0,
            last: GENESIS,
        }
    }

    /// The header line.
    pub fn start(&self) -> Vec<u8> {
        let mut out = EXPORT_HEADER.as_bytes().to_vec();
        out.push(b'\n');
        out
    }

    /// The lines of the next `entries`.
    pub fn entries(&mut self, entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::with_capacity(entries.len() * 360);
        for e in entries {
            out.extend_from_slice(&json_line(&EntryLine::of(e)));
            out.push(b'\n');
            self.count += 1;
            self.last = e.hash;
        }
        out
    }

    /// The head line, signed by `device_key` at `now` (Unix seconds), over the entries
    /// written.
    pub fn finish(&self, device_key: &SigningKey, now: u64) -> Vec<u8> {
        let signature = device_key.sign(&self.head_signing_input(now));
        self.finish_signed(
            device_key.verifying_key().as_bytes(),
            &signature.to_bytes(),
            now,
        )
    }

    /// The bytes the head's signature covers for an export made at `now` (Unix seconds):
    /// for a key that signs elsewhere (a WebCrypto key in the browser, RFC 8032 Ed25519).
    pub fn head_signing_input(&self, now: u64) -> Vec<u8> {
        head_signing_input(self.count, &self.last, now)
    }

    /// The head line with `signature` (64 bytes, RFC 8032) over
    /// [`ExportWriter::head_signing_input`]`(now)` by the Ed25519 key `public_key` (32 bytes).
    pub fn finish_signed(&self, public_key: &[u8; 32], signature: &[u8; 64], now: u64) -> Vec<u8> {
        let mut out = json_line(&HeadLine {
            entries: self.count,
            last: to_hex(&self.last),
            exported_at: now,
            key: to_hex(public_key),
            sig: to_hex(signature),
        });
        out.push(b'\n');
        out
    }

    /// The last entry's hash written so far ([`GENESIS`] before any).
    pub fn last(&self) -> [u8; 32] {
        self.last
    }
}

/// A verified export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedExport {
    /// Every entry, entry 1 first.
    pub entries: Vec<Entry>,
    /// The last entry's hash ([`GENESIS`] for an empty log).
    pub head: [u8; 32],
    /// The device key that signed the head (RFC 8032 encoding).
    pub key: [u8; 32],
    /// Its key id.
    pub key_id: KeyId,
    /// When the export was made, Unix seconds.
    pub exported_at: u64,
}

impl VerifiedExport {
    /// Checks that entry `seq` is still the one noted earlier with hash `hash` (an
    /// inspector's note of a head at a visit): a log rebuilt since, even one re-signed by
    /// the device itself, fails here (`L|NOTE`); one that ends before `seq`, cut or
    /// restarted, fails with `L|CUT`. [`audit::audit`] does this for a whole [`NotedHead`]
    /// and adds the checks that need no note.
    pub fn check_noted(&self, seq: u64, hash: &[u8; 32]) -> Result<(), LogError> {
        if seq > self.entries.len() as u64 {
            return Err(broken(
                Position::Entry(seq),
                Problem::Truncated {
                    found: self.entries.len() as u64,
                },
            ));
        }
        let noted = usize::try_from(seq)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.entries.get(i));
        match noted {
            Some(e) if e.seq == seq && &e.hash == hash => Ok(()),
            _ => Err(broken(Position::Entry(seq), Problem::NotAsNoted)),
        }
    }

    /// The log's head: the last entry's number and hash, and the signing key's id.
    pub fn log_head(&self) -> LogHead {
        LogHead {
            seq: self.entries.len() as u64,
            hash: self.head,
            key_id: self.key_id,
        }
    }
}

fn parse_entry_line(line: &[u8]) -> Option<Entry> {
    let parsed: EntryLine = serde_json::from_slice(line).ok()?;
    let entry = parsed.into_entry()?;
    (json_line(&EntryLine::of(&entry)) == line).then_some(entry)
}

fn parse_head_line(line: &[u8]) -> Option<HeadLine> {
    let head: HeadLine = serde_json::from_slice(line).ok()?;
    (json_line(&head) == line).then_some(head)
}

/// Checks a verifiable export (the file's bytes, which need not be UTF-8) and returns its
/// entries, or the first broken place. With `expected_key`, the head must be signed by that
/// device key (`L|KEY`); without, the caller shows [`VerifiedExport::key_id`] for the
/// inspector to compare with the gate's registered key.
pub fn verify_export(
    bytes: &[u8],
    expected_key: Option<&VerifyingKey>,
) -> Result<VerifiedExport, LogError> {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // The file ends with a newline: the last piece is empty. Anything else is an altered
    // last line.
    let ends_cleanly = lines.last().is_some_and(|l| l.is_empty());
    if ends_cleanly {
        lines.pop();
    }
    if lines.first().copied() != Some(EXPORT_HEADER.as_bytes()) {
        return Err(broken(Position::Header, Problem::Header));
    }
    let body = &lines[1..];
    // The head is the last line unless that line is (or was) an entry: then it is missing.
    let (entry_lines, head_line) = match body.split_last() {
        Some((last, rest)) if !last.starts_with(b"{\"seq\":") => (rest, Some(*last)),
        _ => (body, None),
    };
    // Without the final newline, the last line is cut off or altered, whatever it holds.
    let cut_entry = match (ends_cleanly, head_line) {
        (false, None) => entry_lines.len().checked_sub(1),
        _ => None,
    };
    let parsed: Vec<Option<Entry>> = entry_lines
        .iter()
        .enumerate()
        .map(|(i, line)| match cut_entry {
            Some(cut) if cut == i => None,
            _ => parse_entry_line(line),
        })
        .collect();
    let mut walk = Walk::new();
    for (i, entry) in parsed.iter().enumerate() {
        let Some(entry) = entry else {
            return Err(broken(Position::Entry(walk.expected), Problem::Unreadable));
        };
        walk.step(entry, |n| {
            parsed[i + 1..]
                .iter()
                .any(|e| e.as_ref().is_some_and(|e| e.seq == n))
        })?;
    }
    let head_line = head_line.ok_or(broken(Position::Head, Problem::NoHead))?;
    let head = parse_head_line(head_line)
        .filter(|_| ends_cleanly)
        .ok_or(broken(Position::Head, Problem::Unreadable))?;
    let (Some(last), Some(key), Some(sig)) = (
        hex_exact::<32>(&head.last),
        hex_exact::<32>(&head.key),
        hex_exact::<64>(&head.sig),
    ) else {
        return Err(broken(Position::Head, Problem::Unreadable));
    };
    verify_ed25519(
        &key,
        &head_signing_input(head.entries, &last, head.exported_at),
        &sig,
    )
    .map_err(|_| broken(Position::Head, Problem::BadSignature))?;
    if let Some(expected) = expected_key {
        if expected.as_bytes() != &key {
            return Err(broken(Position::Head, Problem::WrongKey));
        }
    }
    let found = parsed.len() as u64;
    if head.entries != found || last != walk.prev {
        return Err(broken(
            Position::Head,
            Problem::HeadMismatch {
                stated: head.entries,
                found,
            },
        ));
    }
    let key_id = VerifyingKey::from_bytes(&key)
        .map(|k| KeyId::of(&k))
        .map_err(|_| broken(Position::Head, Problem::BadSignature))?;
    Ok(VerifiedExport {
        entries: parsed.into_iter().flatten().collect(),
        head: last,
        key,
        key_id,
        exported_at: head.exported_at,
    })
}

// ---- CSV ----

/// The CSV header row of [`to_csv`].
pub const CSV_COLUMNS: [&str; 11] = [
    "seq",
    "time_utc",
    "time_unix",
    "place",
    "masked_name",
    "id_last4",
    "id_hash",
    "colour",
    "temperature_c",
    "decision",
    "reasons",
];

/// The entries as CSV (RFC 4180, `\n` line ends, fields quoted only where needed), for
/// spreadsheets; pure, so it runs in the browser. One header row ([`CSV_COLUMNS`]) then one
/// row per entry:
///
/// | column          | content                                                       |
/// |-----------------|---------------------------------------------------------------|
/// | `seq`           | sequence number                                               |
/// | `time_utc`      | ISO 8601 UTC, `2027-01-15T08:00:00Z`                          |
/// | `time_unix`     | seconds since the Unix epoch                                  |
/// | `place`         | place id                                                      |
/// | `masked_name`   | masked name, empty when unknown                               |
/// | `id_last4`      | last 4 of the ID number, empty when unknown                   |
/// | `id_hash`       | [`IdHash`], 32 hex characters, empty when unknown             |
/// | `colour`        | `green`, `yellow`, `red`, or empty                            |
/// | `temperature_c` | °C with one decimal (`36.5`), empty when not taken            |
/// | `decision`      | [`Outcome::as_str`]                                           |
/// | `reasons`       | reason codes separated by one space (`C\|YEL T\|FEV`)           |
///
/// A text field (place, masked name) that begins with `=`, `+`, `-`, `@`, tab or carriage
/// return gets a leading `'` so that a spreadsheet does not run it as a formula (OWASP
/// "CSV injection"). Not verifiable: the verifiable file is [`export`].
pub fn to_csv(entries: &[Entry]) -> String {
    let mut out = csv_rows(&[], true);
    out.extend_from_slice(&csv_rows(entries, false));
    String::from_utf8(out).unwrap_or_default()
}

/// The CSV rows of `entries` as UTF-8 bytes, with the header row first when `header`: the
/// pieces of [`to_csv`] for a log read chunk by chunk (the header, then each chunk's rows).
pub fn csv_rows(entries: &[Entry], header: bool) -> Vec<u8> {
    // Writing into a Vec cannot fail: the csv crate fails only on the writer's I/O errors.
    write_csv(entries, header).unwrap_or_default()
}

fn write_csv(entries: &[Entry], header: bool) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::with_capacity(64 + entries.len() * 160));
    if header {
        w.write_record(CSV_COLUMNS)?;
    }
    for e in entries {
        let s = &e.scan;
        w.write_record([
            e.seq.to_string().as_str(),
            &iso8601_utc(e.time),
            &e.time.to_string(),
            &spreadsheet_safe(&s.place),
            &spreadsheet_safe(s.masked_name.as_deref().unwrap_or("")),
            s.id_last4.as_deref().unwrap_or(""),
            &s.id_hash.map(|h| h.to_string()).unwrap_or_default(),
            s.colour.map(|c| c.as_str()).unwrap_or(""),
            &s.temperature
                .map(|t| format!("{}.{}", t / 10, t % 10))
                .unwrap_or_default(),
            s.outcome.as_str(),
            &s.reasons.join(" "),
        ])?;
    }
    Ok(w.into_inner().map_err(|e| e.to_string())?)
}

fn spreadsheet_safe(text: &str) -> String {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// `2027-01-15T08:00:00Z` for Unix seconds `t` (proleptic Gregorian calendar, UTC; the
/// days-to-civil algorithm of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
pub fn iso8601_utc(t: u64) -> String {
    let days = t / 86_400;
    let secs = t % 86_400;
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a 400-year era.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn scan(i: u64) -> Scan {
        let colour = [Colour::Green, Colour::Yellow, Colour::Red][(i % 3) as usize];
        Scan {
            place: "330902-0017".into(),
            masked_name: Some("张*伟".into()),
            id_last4: Some(format!("{:04}", i % 10_000)),
            id_hash: Some(IdHash::of("330902-0017", &CredentialId(i.to_be_bytes()))),
            colour: Some(colour),
            temperature: Some(360 + (i % 20) as u16),
            outcome: if colour == Colour::Green {
                Outcome::Admit
            } else {
                Outcome::Deny
            },
            reasons: vec![match colour {
                Colour::Green => "C|GRN".into(),
                Colour::Yellow => "C|YEL".into(),
                Colour::Red => "C|RED".into(),
            }],
        }
    }

    fn chain(n: u64) -> Vec<Entry> {
        let mut log = Log::new();
        (0..n).map(|i| log.append(scan(i), NOW + i * 7)).collect()
    }

    #[test]
    fn entries_are_numbered_timed_and_chained() {
        let entries = chain(3);
        assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(entries[0].prev, GENESIS);
        assert_eq!(entries[1].prev, entries[0].hash);
        assert_eq!(entries[2].time, NOW + 14);
        let log = Log::resume(entries.last());
        assert_eq!((log.len(), log.head()), (3, entries[2].hash));
    }

    #[test]
    fn the_entry_hash_is_sha256_over_the_documented_bytes() {
        let entry = Log::new().append(
            Scan {
                place: "P1".into(),
                masked_name: None,
                id_last4: Some("123X".into()),
                id_hash: None,
                colour: Some(Colour::Red),
                temperature: Some(373),
                outcome: Outcome::CannotCheck,
                reasons: vec!["S|KID".into()],
            },
            300,
        );
        let mut bytes = ENTRY_CONTEXT.to_vec();
        bytes.extend_from_slice(&[1, 0xac, 0x02, 2, b'P', b'1', 0, 1, 4]);
        bytes.extend_from_slice(b"123X");
        bytes.extend_from_slice(&[0, 1, 2, 1, 0xf5, 0x02, 4, 1, 5]);
        bytes.extend_from_slice(b"S|KID");
        bytes.extend_from_slice(&[0; 32]);
        assert_eq!(entry.hash, <[u8; 32]>::from(Sha256::digest(&bytes)));
    }

    #[test]
    fn id_hashes_match_at_one_place_and_differ_between_places() {
        let id = CredentialId([7; 8]);
        assert_eq!(IdHash::of("A-1", &id), IdHash::of("A-1", &id));
        assert_ne!(IdHash::of("A-1", &id), IdHash::of("A-2", &id));
        assert_ne!(
            IdHash::of("A-1", &id),
            IdHash::of("A-1", &CredentialId([8; 8]))
        );
        let mut input = ID_HASH_CONTEXT.to_vec();
        input.extend_from_slice(&[3, b'A', b'-', b'1', 7, 7, 7, 7, 7, 7, 7, 7]);
        assert_eq!(IdHash::of("A-1", &id).0, Sha256::digest(&input)[..16]);
    }

    #[test]
    fn a_chain_of_1000_entries_verifies() {
        assert_eq!(verify_chain(&chain(1000)), Ok(()));
        assert_eq!(verify_chain(&[]), Ok(()));
    }

    #[test]
    fn chain_breaks_are_named_by_entry() {
        let good = chain(20);
        let at = |n, problem| Err(broken(Position::Entry(n), problem));

        let mut edited = good.clone();
        edited[6].scan.colour = Some(Colour::Red);
        assert_eq!(verify_chain(&edited), at(7, Problem::Edited));

        let mut deleted = good.clone();
        deleted.remove(9);
        assert_eq!(verify_chain(&deleted), at(10, Problem::Deleted));

        let mut swapped = good.clone();
        swapped.swap(4, 5);
        assert_eq!(verify_chain(&swapped), at(5, Problem::Reordered));

        let mut doubled = good.clone();
        doubled.insert(12, good[11].clone());
        assert_eq!(verify_chain(&doubled), at(12, Problem::Duplicated));

        // Entry 8 replaced by a self-consistent forgery: detected at the next link.
        let mut replaced = good.clone();
        let mut forger = Log::resume(Some(&good[6]));
        replaced[7] = forger.append(scan(99), NOW);
        assert_eq!(verify_chain(&replaced), at(9, Problem::Unlinked));

        let mut first_gone = good.clone();
        first_gone.remove(0);
        assert_eq!(verify_chain(&first_gone), at(1, Problem::Deleted));
    }

    #[test]
    fn outcomes_follow_decisions_and_error_classes() {
        assert_eq!(Outcome::from(Decision::Refer), Outcome::Refer);
        assert_eq!(Outcome::from(ErrorClass::CannotCheck), Outcome::CannotCheck);
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(Outcome::parse("Admit"), None);
        let failed = Scan::failed("P", &VerifyError::Expired, None);
        assert_eq!(
            (failed.outcome, failed.reasons),
            (Outcome::Invalid, vec!["V|EXP".to_owned()])
        );
    }

    #[test]
    fn a_verified_scan_keeps_the_claims_the_gate_needs_and_the_verdict() {
        use crate::credential::{Claims, Holder};
        use crate::policy::{decide, Policy};
        let verified = Verified {
            claims: Claims {
                issuer: KeyId([1; 8]),
                id: CredentialId([9; 8]),
                colour: Colour::Yellow,
                masked_name: "李*娜".into(),
                id_last4: "002X".into(),
                region: 330900,
                issued_at: NOW,
                not_before: NOW,
                expires: NOW + 86_400,
                quarantine_end: Some(NOW + 7 * 86_400),
                holder: Holder::Paper,
            },
            issuer_name: "District office".into(),
            presented_at: None,
            pass: None,
        };
        let fever = Temperature::from_tenths(380).ok();
        let verdict = decide(&verified, fever, &Policy::default());
        let scan = Scan::verified("330902-0017", &verified, fever, &verdict);
        assert_eq!(
            scan,
            Scan {
                place: "330902-0017".into(),
                masked_name: Some("李*娜".into()),
                id_last4: Some("002X".into()),
                id_hash: Some(IdHash::of("330902-0017", &CredentialId([9; 8]))),
                colour: Some(Colour::Yellow),
                temperature: Some(380),
                outcome: Outcome::Deny,
                reasons: vec!["C|YEL".into(), "T|FEV".into(), "P|PAP".into()],
            }
        );
    }

    #[test]
    fn iso_times_are_utc_calendar_dates() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_utc(1_800_000_000), "2027-01-15T08:00:00Z");
        assert_eq!(iso8601_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601_utc(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn csv_has_the_documented_columns_and_one_row_per_entry() {
        let mut entries = chain(2);
        entries[1].scan.masked_name = Some("=HYPERLINK(\"x\")".into());
        entries[1].scan.reasons.push("T|FEV".into());
        let text = to_csv(&entries);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_COLUMNS.join(",").as_str()));
        let id0 = IdHash::of("330902-0017", &CredentialId(0u64.to_be_bytes()));
        assert_eq!(
            lines.next().map(str::to_owned),
            Some(format!(
                "1,2027-01-15T08:00:00Z,1800000000,330902-0017,张*伟,0000,{id0},green,36.0,admit,C|GRN"
            ))
        );
        let row2 = lines.next().unwrap_or_default();
        assert!(row2.contains(",\"'=HYPERLINK(\"\"x\"\")\",0001,"), "{row2}");
        assert!(row2.ends_with(",yellow,36.1,deny,C|YEL T|FEV"), "{row2}");
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn a_head_signed_elsewhere_gives_the_same_line_as_finish() {
        let entries = chain(3);
        let key = SigningKey::from_bytes(&[9; 32]);
        let mut writer = ExportWriter::new();
        writer.entries(&entries);
        let signature = key.sign(&writer.head_signing_input(NOW + 60));
        assert_eq!(
            writer.finish_signed(
                key.verifying_key().as_bytes(),
                &signature.to_bytes(),
                NOW + 60
            ),
            writer.finish(&key, NOW + 60)
        );
        assert_eq!(writer.last(), entries[2].hash);
    }

    #[test]
    fn the_chain_check_reports_times_running_backwards_without_breaking() {
        let mut log = Log::new();
        let entries: Vec<Entry> = [NOW, NOW + 60, NOW - 3 * 86_400, NOW + 120]
            .into_iter()
            .map(|t| log.append(scan(1), t))
            .collect();
        let mut check = ChainCheck::new();
        assert_eq!(check.check(&entries), Ok(()));
        let found = check.times_backwards().expect("entry 3 runs backwards");
        assert_eq!((found.at, found.code()), (Position::Entry(3), "L|BACK"));
        assert_eq!(ChainCheck::new().times_backwards(), None);
    }

    #[test]
    fn chunked_exports_and_checks_match_the_whole() {
        let entries = chain(2_500);
        let key = SigningKey::from_bytes(&[9; 32]);
        let mut writer = ExportWriter::new();
        let mut bytes = writer.start();
        let mut csv = csv_rows(&[], true);
        let mut check = ChainCheck::new();
        for chunk in entries.chunks(1_000) {
            bytes.extend_from_slice(&writer.entries(chunk));
            csv.extend_from_slice(&csv_rows(chunk, false));
            check.check(chunk).expect("a sound chain");
        }
        bytes.extend_from_slice(&writer.finish(&key, NOW + 99_999));
        assert_eq!(check.checked(), 2_500);
        assert_eq!(
            String::from_utf8(bytes).expect("UTF-8"),
            export(&entries, &key, NOW + 99_999)
        );
        assert_eq!(String::from_utf8(csv).expect("UTF-8"), to_csv(&entries));

        // An entry edited in the second chunk is named there, the first chunk passing.
        let mut edited = entries.clone();
        edited[1_500].time += 1;
        let mut check = ChainCheck::new();
        let mut chunks = edited.chunks(1_000);
        check
            .check(chunks.next().expect("chunk 1"))
            .expect("chunk 1 is sound");
        let err = check
            .check(chunks.next().expect("chunk 2"))
            .expect_err("entry 1501 edited");
        assert_eq!((err.at, err.code()), (Position::Entry(1_501), "L|HASH"));
        assert_eq!(check.checked(), 1_500);
        // An entry missing at a chunk's border is deleted, not reordered.
        let mut gap = entries[..1_000].to_vec();
        gap.extend_from_slice(&entries[1_001..1_500]);
        let mut check = ChainCheck::new();
        check.check(&gap[..1_000]).expect("sound up to 1000");
        let err = check.check(&gap[1_000..]).expect_err("entry 1001 missing");
        assert_eq!((err.at, err.code()), (Position::Entry(1_001), "L|DEL"));
    }
}
