//! "One picture, one code, one index": the authority's view per area and per gate, from what
//! was issued (the desk's [`Registry`], a batch's `registry.csv`) and from what checkpoints
//! registered (verified log exports, [`crate::log::verify_export`]).
//!
//! Pure: no file, clock or browser. The caller reads the files, verifies the exports and
//! passes `now` (seconds since the Unix epoch, UTC) and a fixed UTC offset in seconds for day
//! boundaries (`28800` for China Standard Time; no daylight saving). Charts are drawn by
//! [`svg`].
//!
//! # Areas
//!
//! An area is a **district**: the 6-digit administrative division code a code was issued in
//! ([`Record::region`], the batch's `region` column) and that begins a place id
//! (`330902-0017` is gate 17 of district 330902). A gates list ([`Gate`], `gates.csv`) may
//! place a gate in a finer **township** (a 9- or 12-digit code beginning with the district's
//! 6 digits, e.g. `330902001`) and give areas names. A code names only the 6-digit division it
//! was issued in, so residents and the control index are counted per district; gates are
//! listed with their township and rolled up into its district.
//!
//! # Current codes
//!
//! Registry records are merged and de-duplicated by credential id (a code seen twice counts
//! once; revoked if any source says so). A code is **current** at `now` when it was issued at
//! or before `now`, expires after `now`, is not revoked (by its record or by a revoked-ids
//! list) and is not replaced by a re-issue (a record naming it in `replaces`).
//!
//! # The control index (one number per district)
//!
//! With `G`, `Y`, `R` the current green, yellow and red codes of the district, `N = G + Y + R`,
//! and `Y₇`, `R₇` those yellow and red codes **issued in the last 7 days** (`now − 7 × 86 400 <
//! issued_at ≤ now`; a new red or yellow counts double):
//!
//! ```text
//! index = 100 × (R + 0.5 × Y + R₇ + 0.5 × Y₇) / N
//! ```
//!
//! from 0 (all green) to 200 (all red, all new), kept in tenths, rounded half up
//! ([`control_index_tenths`]); none when `N = 0`. Risk band ([`Band`]): **low** below 2.0,
//! **medium** from 2.0 to below 10.0, **high** from 10.0; **no data** without current codes.
//!
//! Worked example (tested): a district with 200 current codes, 180 green, 12 yellow and 8 red,
//! of which 4 yellow and 3 red were issued in the last 7 days:
//! `100 × (8 + 0.5 × 12 + 3 + 0.5 × 4) / 200 = 100 × 19 / 200 = 9.5`: **medium**. One more new
//! red code (9 red, 4 of them new, 201 codes) gives `100 × 21 / 201 = 10.4`: **high**.
//!
//! # Gates
//!
//! Log entries from any number of verified exports are merged by (device key, sequence
//! number): the same export imported twice, or a later export of the same device that repeats
//! its earlier entries, counts each scan once. Per place id: scans per local day for the last
//! 7 days (today last), admitted and turned-away scans in those 7 days (turned away = denied
//! or an invalid code; the **deny rate** is turned away ÷ scans), first and last scan, and two
//! flags for the "formalistic" gates inspectors look for: **no scans at all** (a listed gate
//! without a single entry) and **quiet** (no scan in the last `quiet_days` × 86 400 seconds).

pub mod svg;

use crate::credential::Colour;
use crate::gate_index::MAX_UTC_OFFSET_SECS;
use crate::keys::{self, CredentialId};
use crate::log::{Entry, Outcome, VerifiedExport};
use crate::registry::{Record, Registry};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One day, seconds.
pub const DAY_SECS: u64 = 86_400;
/// How far back a code counts as new for the control index: 7 days, seconds.
pub const RECENT_SECS: u64 = 7 * DAY_SECS;
/// How many local days the per-gate scan counts cover (today and the 6 before).
pub const CHART_DAYS: usize = 7;
/// Band threshold: an index (tenths) from this is medium (2.0).
pub const MEDIUM_FROM_TENTHS: u32 = 20;
/// Band threshold: an index (tenths) from this is high (10.0).
pub const HIGH_FROM_TENTHS: u32 = 100;
/// Area code used for codes and gates whose division is unknown (no region column, or a
/// place id that does not begin with 6 digits).
pub const UNKNOWN_AREA: u32 = 0;

/// One issued code as the index needs it: from a desk [`Record`] or a batch registry row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentCode {
    /// The credential id.
    pub id: CredentialId,
    /// The colour issued.
    pub colour: Colour,
    /// 6-digit administrative division code it was issued in; [`UNKNOWN_AREA`] if unknown.
    pub region: u32,
    /// Issued at, Unix seconds.
    pub issued_at: u64,
    /// Expires at, Unix seconds.
    pub expires: u64,
    /// Revoked at, Unix seconds (a revocation without a time: `Some(0)`).
    pub revoked_at: Option<u64>,
    /// The code this one re-issues, if any.
    pub replaces: Option<CredentialId>,
}

impl From<&Record> for ResidentCode {
    fn from(r: &Record) -> ResidentCode {
        ResidentCode {
            id: r.id,
            colour: r.colour,
            region: r.region,
            issued_at: r.issued_at,
            expires: r.expires,
            revoked_at: r.revoked.as_ref().map(|v| v.at),
            replaces: r.replaces,
        }
    }
}

/// A gate from a gates list (`gates.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// Place id, e.g. `330902-0017`.
    pub place: String,
    /// The gate's name, e.g. `东港街道 3 号门`.
    pub name: String,
    /// Division code of its area: 6 digits (district) or 9 / 12 digits (township within the
    /// district of its first 6 digits); `None`: the place id's first 6 digits.
    pub area: Option<String>,
    /// The area's name, if given.
    pub area_name: Option<String>,
}

/// A bad line in an input file; each has a stable short code (`X|…`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The header lacks a required column (`X|HDR`).
    #[error("line 1: the header has no column '{0}'")]
    MissingColumn(&'static str),
    /// A line the CSV reader cannot split (`X|CSV`).
    #[error("line {line}: unreadable CSV")]
    Csv {
        /// Line number, from 1.
        line: u64,
    },
    /// `credential_id` is not 16 hex characters (`X|CID`).
    #[error("line {line}: credential_id is not 16 hex characters")]
    Id {
        /// Line number.
        line: u64,
    },
    /// `colour` is not green, yellow or red (`X|CLR`).
    #[error("line {line}: colour '{value}' is not green, yellow or red")]
    Colour {
        /// Line number.
        line: u64,
        /// The field.
        value: String,
    },
    /// A time column is not Unix seconds (`X|TIM`).
    #[error("line {line}: {column} '{value}' is not a time in Unix seconds")]
    Time {
        /// Line number.
        line: u64,
        /// The column.
        column: &'static str,
        /// The field.
        value: String,
    },
    /// `region` is not a 6-digit division code (`X|REG`).
    #[error("line {line}: region '{value}' is not a 6-digit division code")]
    Region {
        /// Line number.
        line: u64,
        /// The field.
        value: String,
    },
    /// `place_id` is empty or longer than 64 bytes (`X|PLC`).
    #[error("line {line}: place_id must be 1 to 64 bytes")]
    Place {
        /// Line number.
        line: u64,
    },
    /// `area` is not a 6-, 9- or 12-digit code beginning with the place's district (`X|ARE`).
    #[error("line {line}: area '{value}' is not a 6-, 9- or 12-digit division code")]
    Area {
        /// Line number.
        line: u64,
        /// The field.
        value: String,
    },
}

impl InputError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::MissingColumn(_) => "X|HDR",
            InputError::Csv { .. } => "X|CSV",
            InputError::Id { .. } => "X|CID",
            InputError::Colour { .. } => "X|CLR",
            InputError::Time { .. } => "X|TIM",
            InputError::Region { .. } => "X|REG",
            InputError::Place { .. } => "X|PLC",
            InputError::Area { .. } => "X|ARE",
        }
    }
}

/// Rows read from a CSV file: the good ones, and one error per bad line (the others still
/// count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows<T> {
    /// The rows that were read.
    pub rows: Vec<T>,
    /// The lines that were not.
    pub errors: Vec<InputError>,
}

type CsvHeader = HashMap<String, usize>;

fn csv_reader(bytes: &[u8]) -> Result<(csv::Reader<&[u8]>, CsvHeader), InputError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|_| InputError::Csv { line: 1 })?
        .iter()
        .enumerate()
        .map(|(i, name)| (name.trim().to_owned(), i))
        .collect();
    Ok((reader, header))
}

fn column(header: &CsvHeader, name: &'static str) -> Result<usize, InputError> {
    header
        .get(name)
        .copied()
        .ok_or(InputError::MissingColumn(name))
}

fn is_district(code: u32) -> bool {
    (100_000..=999_999).contains(&code)
}

/// Reads a batch registry (`registry.csv`, written by `healthcode issue --batch`): UTF-8 CSV
/// whose header names at least `credential_id`, `colour`, `issued_at` and `expires`, and
/// optionally `region` (6 digits; without it, or empty, a code's area is [`UNKNOWN_AREA`]),
/// `revoked_at` (Unix seconds, empty = not revoked) and `replaces` (a credential id); other
/// columns are ignored, in any order. Errors: [`InputError::MissingColumn`] for the header;
/// per line [`InputError::Csv`], [`InputError::Id`], [`InputError::Colour`],
/// [`InputError::Time`], [`InputError::Region`].
pub fn read_registry_csv(bytes: &[u8]) -> Result<Rows<ResidentCode>, InputError> {
    let (mut reader, header) = csv_reader(bytes)?;
    let id_col = column(&header, "credential_id")?;
    let colour_col = column(&header, "colour")?;
    let issued_col = column(&header, "issued_at")?;
    let expires_col = column(&header, "expires")?;
    let region_col = header.get("region").copied();
    let revoked_col = header.get("revoked_at").copied();
    let replaces_col = header.get("replaces").copied();
    let mut out = Rows {
        rows: Vec::new(),
        errors: Vec::new(),
    };
    for (i, result) in reader.records().enumerate() {
        let fallback = i as u64 + 2;
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(fallback, |p| p.line());
                out.errors.push(InputError::Csv { line });
                continue;
            }
        };
        let line = record.position().map_or(fallback, |p| p.line());
        let field = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("").trim();
        let parse = || -> Result<ResidentCode, InputError> {
            let id =
                keys::parse_hex::<8>(field(Some(id_col))).map_err(|_| InputError::Id { line })?;
            let colour_text = field(Some(colour_col));
            let colour = Colour::parse(colour_text).ok_or_else(|| InputError::Colour {
                line,
                value: colour_text.to_owned(),
            })?;
            let time = |col: usize, column: &'static str| {
                let text = field(Some(col));
                text.parse::<u64>().map_err(|_| InputError::Time {
                    line,
                    column,
                    value: text.to_owned(),
                })
            };
            let issued_at = time(issued_col, "issued_at")?;
            let expires = time(expires_col, "expires")?;
            let region_text = field(region_col);
            let region = if region_text.is_empty() {
                UNKNOWN_AREA
            } else {
                region_text
                    .parse::<u32>()
                    .ok()
                    .filter(|r| is_district(*r) && region_text.len() == 6)
                    .ok_or_else(|| InputError::Region {
                        line,
                        value: region_text.to_owned(),
                    })?
            };
            let revoked_at = match revoked_col {
                Some(col) if !field(Some(col)).is_empty() => Some(time(col, "revoked_at")?),
                _ => None,
            };
            let replaces_text = field(replaces_col);
            let replaces = if replaces_text.is_empty() {
                None
            } else {
                Some(CredentialId(
                    keys::parse_hex::<8>(replaces_text).map_err(|_| InputError::Id { line })?,
                ))
            };
            Ok(ResidentCode {
                id: CredentialId(id),
                colour,
                region,
                issued_at,
                expires,
                revoked_at,
                replaces,
            })
        };
        match parse() {
            Ok(code) => out.rows.push(code),
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

/// The division code a gates-list `area` names: `(district, area text)`. Errors: `None`.
fn parse_area(text: &str) -> Option<u32> {
    if !matches!(text.len(), 6 | 9 | 12) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.get(..6)?
        .parse::<u32>()
        .ok()
        .filter(|d| is_district(*d))
}

/// The district a place id begins with: `330902-0017` → 330902. `None` unless the part before
/// the first `-` (or the whole id) is 6 digits.
pub fn district_of(place: &str) -> Option<u32> {
    let head = place.split('-').next().unwrap_or(place);
    if head.len() != 6 || !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    head.parse::<u32>().ok().filter(|d| is_district(*d))
}

/// Reads a gates list (`gates.csv`): UTF-8 CSV whose header names `place_id` and `name`, and
/// optionally `area` (6-, 9- or 12-digit division code; empty = the place id's district) and
/// `area_name`; other columns are ignored. Errors: [`InputError::MissingColumn`]; per line
/// [`InputError::Csv`], [`InputError::Place`], [`InputError::Area`].
pub fn read_gates_csv(bytes: &[u8]) -> Result<Rows<Gate>, InputError> {
    let (mut reader, header) = csv_reader(bytes)?;
    let place_col = column(&header, "place_id")?;
    let name_col = column(&header, "name")?;
    let area_col = header.get("area").copied();
    let area_name_col = header.get("area_name").copied();
    let mut out = Rows {
        rows: Vec::new(),
        errors: Vec::new(),
    };
    for (i, result) in reader.records().enumerate() {
        let fallback = i as u64 + 2;
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(fallback, |p| p.line());
                out.errors.push(InputError::Csv { line });
                continue;
            }
        };
        let line = record.position().map_or(fallback, |p| p.line());
        let field = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("").trim();
        let place = field(Some(place_col));
        if place.is_empty() || place.len() > 64 {
            out.errors.push(InputError::Place { line });
            continue;
        }
        let area = field(area_col);
        let area = if area.is_empty() {
            None
        } else if parse_area(area).is_some() {
            Some(area.to_owned())
        } else {
            out.errors.push(InputError::Area {
                line,
                value: area.to_owned(),
            });
            continue;
        };
        let area_name = Some(field(area_name_col).to_owned()).filter(|n| !n.is_empty());
        out.rows.push(Gate {
            place: place.to_owned(),
            name: field(Some(name_col)).to_owned(),
            area,
            area_name,
        });
    }
    Ok(out)
}

/// What adding one export changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    /// Entries not seen before.
    pub new: u32,
    /// Entries already held (same device key, sequence number and hash).
    pub duplicates: u32,
    /// Entries with a sequence number already held for the device but another hash (the
    /// device's log was rebuilt between exports); the first one seen is kept.
    pub conflicts: u32,
}

/// Everything the index is computed from, merged and de-duplicated as it is added.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    codes: BTreeMap<CredentialId, ResidentCode>,
    revoked: HashSet<CredentialId>,
    entries: BTreeMap<([u8; 32], u64), Entry>,
    gates: BTreeMap<String, Gate>,
    totals: Added,
}

impl Inputs {
    /// Nothing yet.
    pub fn new() -> Inputs {
        Inputs::default()
    }

    /// Adds issued codes. A credential id already held is merged: revoked if either says so
    /// (the earlier revocation time), `replaces` kept if either names one.
    pub fn add_codes(&mut self, codes: impl IntoIterator<Item = ResidentCode>) {
        for code in codes {
            match self.codes.get_mut(&code.id) {
                Some(held) => {
                    held.revoked_at = match (held.revoked_at, code.revoked_at) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    held.replaces = held.replaces.or(code.replaces);
                    if held.region == UNKNOWN_AREA {
                        held.region = code.region;
                    }
                }
                None => {
                    self.codes.insert(code.id, code);
                }
            }
        }
    }

    /// Adds every record of a desk registry.
    pub fn add_registry(&mut self, registry: &Registry) {
        self.add_codes(registry.records.iter().map(ResidentCode::from));
    }

    /// Marks credential ids revoked (a revoked-ids file, a revocation list).
    pub fn add_revoked(&mut self, ids: impl IntoIterator<Item = CredentialId>) {
        self.revoked.extend(ids);
    }

    /// Adds the entries of a verified export, keyed by (its device key, sequence number).
    pub fn add_export(&mut self, export: &VerifiedExport) -> Added {
        let mut added = Added::default();
        for entry in &export.entries {
            match self.entries.get(&(export.key, entry.seq)) {
                Some(held) if held.hash == entry.hash => added.duplicates += 1,
                Some(_) => added.conflicts += 1,
                None => {
                    self.entries.insert((export.key, entry.seq), entry.clone());
                    added.new += 1;
                }
            }
        }
        self.totals.new += added.new;
        self.totals.duplicates += added.duplicates;
        self.totals.conflicts += added.conflicts;
        added
    }

    /// Adds gates (a later gate with the same place id replaces an earlier one).
    pub fn add_gates(&mut self, gates: impl IntoIterator<Item = Gate>) {
        for gate in gates {
            self.gates.insert(gate.place.clone(), gate);
        }
    }

    /// Distinct codes held.
    pub fn code_count(&self) -> usize {
        self.codes.len()
    }

    /// Distinct log entries held, and the duplicates and conflicts skipped so far.
    pub fn entry_totals(&self) -> Added {
        self.totals
    }
}

/// Codes (or scans) by colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColourCount {
    /// Green.
    pub green: u32,
    /// Yellow.
    pub yellow: u32,
    /// Red.
    pub red: u32,
}

impl ColourCount {
    /// Green + yellow + red.
    pub fn total(&self) -> u32 {
        self.green + self.yellow + self.red
    }

    fn add(&mut self, colour: Colour) {
        *match colour {
            Colour::Green => &mut self.green,
            Colour::Yellow => &mut self.yellow,
            Colour::Red => &mut self.red,
        } += 1;
    }
}

/// An area's risk band from its control index (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    /// No current codes: nothing to say.
    NoData,
    /// Index below 2.0.
    Low,
    /// Index from 2.0 to below 10.0.
    Medium,
    /// Index from 10.0.
    High,
}

impl Band {
    /// The band of an index in tenths (`None`: no data).
    pub fn of(index_tenths: Option<u32>) -> Band {
        match index_tenths {
            None => Band::NoData,
            Some(t) if t >= HIGH_FROM_TENTHS => Band::High,
            Some(t) if t >= MEDIUM_FROM_TENTHS => Band::Medium,
            Some(_) => Band::Low,
        }
    }

    /// `no-data`, `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::NoData => "no-data",
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
        }
    }
}

/// The control index in tenths (95 = 9.5) of `current` codes of which `recent` (yellow and red
/// only are used) were issued in the last 7 days: `100 × (R + Y/2 + R₇ + Y₇/2) / N`, rounded
/// half up; `None` when there are no current codes. See the module docs.
pub fn control_index_tenths(current: &ColourCount, recent: &ColourCount) -> Option<u32> {
    let n = u64::from(current.total());
    if n == 0 {
        return None;
    }
    // Half-points: red 2, yellow 1, and again for each new one.
    let points = 2 * u64::from(current.red)
        + u64::from(current.yellow)
        + 2 * u64::from(recent.red)
        + u64::from(recent.yellow);
    // 10 × 100 × (points / 2) / n, rounded half up.
    let tenths = (1000 * points + n) / (2 * n);
    Some(u32::try_from(tenths).unwrap_or(u32::MAX))
}

/// One district's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRow {
    /// 6-digit division code ([`UNKNOWN_AREA`] for codes and gates without one).
    pub code: u32,
    /// Its name from the gates list, if any.
    pub name: Option<String>,
    /// Current codes by colour.
    pub residents: ColourCount,
    /// Of those, issued in the last 7 days.
    pub recent: ColourCount,
    /// The control index in tenths; `None` without current codes.
    pub index_tenths: Option<u32>,
    /// Its band.
    pub band: Band,
    /// Gates in the district (listed or seen in the logs).
    pub gates: u32,
    /// Of those, flagged (no scans at all, or quiet).
    pub flagged_gates: u32,
    /// Scans at its gates in the last 7 local days.
    pub scans_7d: u32,
}

/// One gate's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRow {
    /// Place id.
    pub place: String,
    /// Name from the gates list (empty if not listed).
    pub name: String,
    /// Its area code as text: the gates list's township or district, else the place id's
    /// district (`000000` if unknown).
    pub area: String,
    /// The area's name from the gates list, if any.
    pub area_name: Option<String>,
    /// The district it rolls up into.
    pub district: u32,
    /// Whether it is in the gates list.
    pub listed: bool,
    /// Scans per local day, oldest first; the last is today (see [`Report::day_starts`]).
    pub per_day: [u32; CHART_DAYS],
    /// Turned-away scans (deny or invalid) per local day.
    pub turned_away_per_day: [u32; CHART_DAYS],
    /// Scans in the last 7 local days.
    pub scans_7d: u32,
    /// Admitted in the last 7 local days.
    pub admits_7d: u32,
    /// Denied or invalid in the last 7 local days.
    pub turned_away_7d: u32,
    /// Turned away ÷ scans in the last 7 days, in tenths of a percent (125 = 12.5 %); `None`
    /// without scans.
    pub deny_rate_permille: Option<u32>,
    /// All scans in the exports, whenever.
    pub total_scans: u32,
    /// First scan, Unix seconds.
    pub first_scan: Option<u64>,
    /// Last scan, Unix seconds.
    pub last_scan: Option<u64>,
    /// A listed gate without a single entry.
    pub no_scans_at_all: bool,
    /// No scan in the last `quiet_days` days (and not [`GateRow::no_scans_at_all`]).
    pub quiet: bool,
}

impl GateRow {
    /// Whether inspectors should look at it: no scans at all, or quiet.
    pub fn flagged(&self) -> bool {
        self.no_scans_at_all || self.quiet
    }
}

/// How the index is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Now, Unix seconds.
    pub now: u64,
    /// The local zone's fixed offset east of UTC, seconds (clamped to ±14 h).
    pub utc_offset_secs: i32,
    /// A gate without a scan in this many days (× 86 400 s before `now`) is quiet.
    pub quiet_days: u32,
}

/// The whole view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The options it was made with.
    pub options: Options,
    /// Local midnights (as Unix seconds) starting each of the [`CHART_DAYS`] days, oldest
    /// first; the last is today's.
    pub day_starts: [u64; CHART_DAYS],
    /// One row per district, by code.
    pub areas: Vec<AreaRow>,
    /// One row per gate: flagged first, then by place id.
    pub gates: Vec<GateRow>,
    /// Current codes everywhere.
    pub residents: ColourCount,
    /// Distinct codes read (current or not).
    pub codes_read: u32,
    /// Distinct log entries counted, and the duplicates and conflicts skipped.
    pub entries: Added,
}

/// Local midnight starting the day that holds `now`, as Unix seconds.
pub fn day_start(now: u64, utc_offset_secs: i32) -> u64 {
    let offset = i64::from(utc_offset_secs.clamp(-MAX_UTC_OFFSET_SECS, MAX_UTC_OFFSET_SECS));
    let local = i64::try_from(now).unwrap_or(i64::MAX - 2 * 86_400) + offset;
    u64::try_from(local.div_euclid(86_400) * 86_400 - offset).unwrap_or(0)
}

/// `(year, month, day)` of the local calendar day holding `unix` (proleptic Gregorian; H.
/// Hinnant's civil-from-days algorithm).
pub fn local_date(unix: u64, utc_offset_secs: i32) -> (i64, u32, u32) {
    let offset = i64::from(utc_offset_secs.clamp(-MAX_UTC_OFFSET_SECS, MAX_UTC_OFFSET_SECS));
    let local = i64::try_from(unix).unwrap_or(i64::MAX / 2) + offset;
    let days = local.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD HH:MM` local time of `unix`.
pub fn local_time_text(unix: u64, utc_offset_secs: i32) -> String {
    let (y, m, d) = local_date(unix, utc_offset_secs);
    let secs = unix.saturating_sub(day_start(unix, utc_offset_secs));
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
}

fn is_current(code: &ResidentCode, revoked: &HashSet<CredentialId>, now: u64) -> bool {
    code.issued_at <= now
        && code.expires > now
        && code.revoked_at.is_none_or(|at| at > now)
        && !revoked.contains(&code.id)
}

#[derive(Default)]
struct GateAcc {
    per_day: [u32; CHART_DAYS],
    turned_away_per_day: [u32; CHART_DAYS],
    admits_7d: u32,
    total: u32,
    first: Option<u64>,
    last: Option<u64>,
}

/// Computes the view from `inputs` (see the module docs for every definition).
pub fn area_index(inputs: &Inputs, options: Options) -> Report {
    let now = options.now;
    let today = day_start(now, options.utc_offset_secs);
    let mut day_starts = [0u64; CHART_DAYS];
    for (i, start) in day_starts.iter_mut().enumerate() {
        *start = today.saturating_sub((CHART_DAYS - 1 - i) as u64 * DAY_SECS);
    }
    let window_start = day_starts[0];
    let window_end = today + DAY_SECS;

    // Residents. A re-issue replaces the old code once the new one is issued.
    let mut replaced: HashMap<CredentialId, u64> = HashMap::new();
    for c in inputs.codes.values() {
        if let Some(old) = c.replaces {
            let at = replaced.entry(old).or_insert(c.issued_at);
            *at = (*at).min(c.issued_at);
        }
    }
    let mut areas: BTreeMap<u32, AreaRow> = BTreeMap::new();
    let new_area = |code: u32| AreaRow {
        code,
        name: None,
        residents: ColourCount::default(),
        recent: ColourCount::default(),
        index_tenths: None,
        band: Band::NoData,
        gates: 0,
        flagged_gates: 0,
        scans_7d: 0,
    };
    let mut residents = ColourCount::default();
    for code in inputs.codes.values() {
        if replaced.get(&code.id).is_some_and(|at| *at <= now) {
            continue;
        }
        if !is_current(code, &inputs.revoked, now) {
            continue;
        }
        let area = areas
            .entry(code.region)
            .or_insert_with(|| new_area(code.region));
        area.residents.add(code.colour);
        residents.add(code.colour);
        if code.issued_at + RECENT_SECS > now {
            area.recent.add(code.colour);
        }
    }

    // Gates.
    let mut accs: BTreeMap<&str, GateAcc> = BTreeMap::new();
    for gate in inputs.gates.keys() {
        accs.entry(gate.as_str()).or_default();
    }
    for entry in inputs.entries.values() {
        let acc = accs.entry(entry.scan.place.as_str()).or_default();
        acc.total += 1;
        acc.first = Some(acc.first.map_or(entry.time, |f| f.min(entry.time)));
        acc.last = Some(acc.last.map_or(entry.time, |l| l.max(entry.time)));
        if (window_start..window_end).contains(&entry.time) {
            let day = ((entry.time - window_start) / DAY_SECS) as usize;
            acc.per_day[day] += 1;
            match entry.scan.outcome {
                Outcome::Admit => acc.admits_7d += 1,
                Outcome::Deny | Outcome::Invalid => acc.turned_away_per_day[day] += 1,
                Outcome::Refer | Outcome::CannotCheck => {}
            }
        }
    }
    let quiet_since = now.saturating_sub(u64::from(options.quiet_days) * DAY_SECS);
    let mut gates = Vec::with_capacity(accs.len());
    for (place, acc) in accs {
        let listed = inputs.gates.get(place);
        let district_of_place = district_of(place);
        let (area, district) = match listed.and_then(|g| g.area.as_deref()) {
            Some(area) => (area.to_owned(), parse_area(area).unwrap_or(UNKNOWN_AREA)),
            None => match district_of_place {
                Some(d) => (format!("{d:06}"), d),
                None => (format!("{UNKNOWN_AREA:06}"), UNKNOWN_AREA),
            },
        };
        let scans_7d: u32 = acc.per_day.iter().sum();
        let turned_away_7d: u32 = acc.turned_away_per_day.iter().sum();
        let no_scans_at_all = acc.total == 0;
        let quiet = !no_scans_at_all && acc.last.is_none_or(|l| l < quiet_since);
        let row = GateRow {
            place: place.to_owned(),
            name: listed.map(|g| g.name.clone()).unwrap_or_default(),
            area,
            area_name: listed.and_then(|g| g.area_name.clone()),
            district,
            listed: listed.is_some(),
            per_day: acc.per_day,
            turned_away_per_day: acc.turned_away_per_day,
            scans_7d,
            admits_7d: acc.admits_7d,
            turned_away_7d,
            deny_rate_permille: (scans_7d > 0).then(|| {
                let rate = (u64::from(turned_away_7d) * 2000 + u64::from(scans_7d))
                    / (2 * u64::from(scans_7d));
                u32::try_from(rate).unwrap_or(1000)
            }),
            total_scans: acc.total,
            first_scan: acc.first,
            last_scan: acc.last,
            no_scans_at_all,
            quiet,
        };
        let area = areas.entry(district).or_insert_with(|| new_area(district));
        area.gates += 1;
        area.flagged_gates += u32::from(row.flagged());
        area.scans_7d += scans_7d;
        gates.push(row);
    }
    gates.sort_by(|a, b| b.flagged().cmp(&a.flagged()).then(a.place.cmp(&b.place)));

    // Names and the index.
    for gate in inputs.gates.values() {
        let (Some(area), Some(name)) = (gate.area.as_deref(), gate.area_name.as_ref()) else {
            continue;
        };
        if area.len() == 6 {
            if let Some(row) = parse_area(area).and_then(|d| areas.get_mut(&d)) {
                row.name = Some(name.clone());
            }
        }
    }
    let mut areas: Vec<AreaRow> = areas.into_values().collect();
    for area in &mut areas {
        area.index_tenths = control_index_tenths(&area.residents, &area.recent);
        area.band = Band::of(area.index_tenths);
    }

    Report {
        options,
        day_starts,
        areas,
        gates,
        residents,
        codes_read: u32::try_from(inputs.codes.len()).unwrap_or(u32::MAX),
        entries: Added {
            new: u32::try_from(inputs.entries.len()).unwrap_or(u32::MAX),
            ..inputs.totals
        },
    }
}

/// `9.5` from 95 tenths; `—` for none.
pub fn tenths_text(tenths: Option<u32>) -> String {
    match tenths {
        Some(t) => format!("{}.{}", t / 10, t % 10),
        None => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests;
