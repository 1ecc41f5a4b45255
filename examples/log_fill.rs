//! Test and bench tooling, never shipped: synthetic registration-log entries for a checkpoint's
//! IndexedDB, made by the core's own [`Log::append`] so the chain is real. The e2e tests and
//! `tests/e2e/measure-log-100k.mjs` write them into a test browser's `healthcode-log`
//! database (`tests/e2e/log-fill.mjs`), in the store's own record form (see
//! `src/web/checkpoint/logstore.rs`).
//!
//! `cargo run --example log_fill -- N NOW > records.json`: `N` entries (at most 200,000)
//! spread over the 36 hours before `NOW` (Unix seconds), oldest first, place `TEST-FILL`;
//! entry `i + 1` is, by `i % 10`: yellow deny (0), red deny (1), invalid `H|OLD` (2), green
//! with a fever, denied (3), else green admit. Output (JSON):
//! `{"entries": [[seq, bytes_hex, time, colour_code, outcome_code], …],
//!   "tallies": [[quarter_hour, tally_bytes_hex], …]}`.

use healthcode::gate_index::tallies;
use healthcode::keys::to_hex;
use healthcode::log::{Log, Outcome, Scan};
use healthcode::log_view::{colour_code, outcome_code};
use healthcode::Colour;
use std::process::ExitCode;

const MAX: u64 = 200_000;

fn scan(i: u64) -> Scan {
    let (colour, outcome, reasons): (_, _, &[&str]) = match i % 10 {
        0 => (Some(Colour::Yellow), Outcome::Deny, &["C|YEL"]),
        1 => (Some(Colour::Red), Outcome::Deny, &["C|RED"]),
        2 => (None, Outcome::Invalid, &["H|OLD"]),
        3 => (Some(Colour::Green), Outcome::Deny, &["T|FEV", "C|GRN"]),
        _ => (Some(Colour::Green), Outcome::Admit, &["C|GRN"]),
    };
    Scan {
        place: "TEST-FILL".into(),
        masked_name: colour.map(|_| "张*伟".to_owned()),
        id_last4: colour.map(|_| format!("{:04}", i % 10_000)),
        id_hash: None,
        colour,
        temperature: Some(360 + (i % 20) as u16),
        outcome,
        reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
    }
}

fn main() -> ExitCode {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let [n, now] = args[..] else {
        eprintln!("usage: log_fill N NOW");
        return ExitCode::from(2);
    };
    let n = n.min(MAX);
    let mut log = Log::new();
    let entries: Vec<_> = (0..n)
        .map(|i| log.append(scan(i), now.saturating_sub((n - i) * 129_600 / n.max(1))))
        .collect();
    let mut rows = Vec::with_capacity(entries.len());
    for e in &entries {
        let Ok(bytes) = postcard::to_allocvec(e) else {
            eprintln!("entry {} does not encode", e.seq);
            return ExitCode::FAILURE;
        };
        rows.push(serde_json::json!([
            e.seq,
            to_hex(&bytes),
            e.time,
            colour_code(e.scan.colour),
            outcome_code(e.scan.outcome)
        ]));
    }
    let mut tally_rows = Vec::new();
    for (bucket, tally) in tallies(&entries) {
        let Ok(bytes) = postcard::to_allocvec(&tally) else {
            eprintln!("tally {bucket} does not encode");
            return ExitCode::FAILURE;
        };
        tally_rows.push(serde_json::json!([bucket, to_hex(&bytes)]));
    }
    println!(
        "{}",
        serde_json::json!({ "entries": rows, "tallies": tally_rows })
    );
    ExitCode::SUCCESS
}
