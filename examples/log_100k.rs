//! Times the registration log at 100,000 entries: appending, the verifiable export, checking
//! it, the CSV export and the gate's index. Run optimised:
//! `cargo run --profile bench --no-default-features --example log_100k`.

use ed25519_dalek::SigningKey;
use healthcode::gate_index::gate_index;
use healthcode::log::{export, to_csv, verify_export, IdHash, Log, Outcome, Scan};
use healthcode::{Colour, CredentialId};
use std::time::Instant;

const ENTRIES: u64 = 100_000;
const START: u64 = 1_800_000_000;

fn scan(i: u64) -> Scan {
    let place = "330902-0017";
    let (colour, outcome, reason) = match i % 10 {
        0 => (Some(Colour::Yellow), Outcome::Deny, "C|YEL"),
        1 => (Some(Colour::Red), Outcome::Deny, "C|RED"),
        2 => (None, Outcome::Invalid, "H|OLD"),
        _ => (Some(Colour::Green), Outcome::Admit, "C|GRN"),
    };
    Scan {
        place: place.into(),
        masked_name: colour.map(|_| "张*伟".to_owned()),
        id_last4: colour.map(|_| format!("{:04}", i % 10_000)),
        id_hash: colour.map(|_| IdHash::of(place, &CredentialId(i.to_be_bytes()))),
        colour,
        temperature: Some(360 + (i % 12) as u16),
        outcome,
        reasons: vec![reason.to_owned()],
    }
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!("{what:<40} {:>9.1} ms", t.elapsed().as_secs_f64() * 1e3);
    out
}

fn main() {
    let key = SigningKey::from_bytes(&[7; 32]);
    // 100,000 scans over about 12 days, one every 10 s.
    let entries = timed("append 100,000 entries", || {
        let mut log = Log::new();
        (0..ENTRIES)
            .map(|i| log.append(scan(i), START + i * 10))
            .collect::<Vec<_>>()
    });
    let text = timed("verifiable export (JSON lines, signed)", || {
        export(&entries, &key, START + ENTRIES * 10)
    });
    println!("{:<40} {:>9.1} MB", "export size", text.len() as f64 / 1e6);
    let verified = timed("verify the export", || {
        verify_export(text.as_bytes(), Some(&key.verifying_key()))
    });
    match verified {
        Ok(v) => println!("  ok: {} entries", v.entries.len()),
        Err(e) => println!("  BROKEN: {e}"),
    }
    timed("verify_chain in memory", || {
        healthcode::log::verify_chain(&entries)
    })
    .unwrap_or_else(|e| println!("  BROKEN: {e}"));
    let csv = timed("CSV export", || to_csv(&entries));
    println!("{:<40} {:>9.1} MB", "CSV size", csv.len() as f64 / 1e6);
    let now = START + ENTRIES * 10;
    let filter = healthcode::log_view::LogFilter {
        colour: Some(Colour::Yellow),
        ..Default::default()
    };
    let page = timed("list page (yellow, 50 from 5,000)", || {
        healthcode::log_view::page(&entries, &filter, 5_000, 50)
    });
    println!(
        "  {} yellow, first shown {:?}",
        page.total,
        page.entries.first().map(|e| e.seq)
    );
    let index = timed("gate index (one day of 100,000)", || {
        gate_index(&entries, now, 8 * 3600, 5)
    });
    println!("  today: {} scans, {:?}", index.scans, index.by_outcome);
    // The same 100,000 entries all on one day: the index's worst case.
    let midnight = START - START % 86_400;
    let one_day: Vec<_> = {
        let mut log = Log::new();
        (0..ENTRIES)
            .map(|i| log.append(scan(i), midnight + i % 86_400))
            .collect()
    };
    let index = timed("gate index (100,000 today)", || {
        gate_index(&one_day, midnight + 86_399, 0, 5)
    });
    println!(
        "  today: {} scans, top {:?}",
        index.scans, index.deny_reasons
    );
}
