//! The verifiable registration-log export (issue #5): every altered byte, deleted, inserted
//! or reordered entry, cut-off tail and foreign key is detected and named; and
//! `healthcode log verify` says so with its exit code.

use ed25519_dalek::SigningKey;
use healthcode::keys::to_hex;
use healthcode::log::{
    export, verify_export, Entry, IdHash, Log, LogError, Outcome, Position, Problem, Scan,
};
use healthcode::{Colour, CredentialId, KeyId};
use proptest::prelude::*;
use std::path::PathBuf;
use std::process::Command;

const NOW: u64 = 1_800_000_000;

fn device() -> SigningKey {
    SigningKey::from_bytes(&[41; 32])
}

fn scan(i: u64) -> Scan {
    let place = "330902-0017";
    match i % 4 {
        3 => Scan {
            place: place.into(),
            masked_name: None,
            id_last4: None,
            id_hash: None,
            colour: None,
            temperature: None,
            outcome: Outcome::Invalid,
            reasons: vec!["S|SIG".into()],
        },
        k => Scan {
            place: place.into(),
            masked_name: Some(["张*伟", "李*娜", "W*** F**"][k as usize].into()),
            id_last4: Some(format!("{:03}X", i % 1000)),
            id_hash: Some(IdHash::of(place, &CredentialId(i.to_le_bytes()))),
            colour: Some([Colour::Green, Colour::Yellow, Colour::Red][k as usize]),
            temperature: (i % 2 == 0).then_some(360 + (i % 15) as u16),
            outcome: if k == 0 {
                Outcome::Admit
            } else {
                Outcome::Deny
            },
            reasons: vec![
                ["C|GRN", "C|YEL", "C|RED"][k as usize].into(),
                "Q|RPL".into(),
            ],
        },
    }
}

fn chain(n: u64) -> Vec<Entry> {
    let mut log = Log::new();
    (0..n).map(|i| log.append(scan(i), NOW + i * 11)).collect()
}

fn err(at: Position, problem: Problem) -> Result<(), LogError> {
    Err(LogError { at, problem })
}

fn check(text: &[u8]) -> Result<(), LogError> {
    verify_export(text, Some(&device().verifying_key())).map(|_| ())
}

/// The export's lines, each without its newline.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn an_export_of_1000_entries_verifies_and_reports_its_head_and_key() {
    let entries = chain(1000);
    let text = export(&entries, &device(), NOW + 20_000);
    assert_eq!(text.lines().count(), 1002);
    let verified = verify_export(text.as_bytes(), None).unwrap();
    assert_eq!(verified.entries, entries);
    assert_eq!(verified.head, entries[999].hash);
    assert_eq!(verified.key, device().verifying_key().to_bytes());
    assert_eq!(verified.key_id, KeyId::of(&device().verifying_key()));
    assert_eq!(verified.exported_at, NOW + 20_000);
}

#[test]
fn an_empty_log_exports_and_verifies() {
    let text = export(&[], &device(), NOW);
    let verified = verify_export(text.as_bytes(), None).unwrap();
    assert_eq!((verified.entries.len(), verified.head), (0, [0; 32]));
}

#[test]
fn awkward_text_in_entries_survives_the_export() {
    let mut log = Log::new();
    let odd = Scan {
        place: "门 \"north\"\\gate\n2".into(),
        masked_name: Some("Z***\u{7}\t W** 😷".into()),
        id_last4: Some("".into()),
        id_hash: None,
        colour: None,
        temperature: Some(u16::MAX),
        outcome: Outcome::CannotCheck,
        reasons: vec![],
    };
    let entries = vec![log.append(odd, u64::MAX)];
    let text = export(&entries, &device(), 0);
    assert_eq!(text.lines().count(), 3);
    assert_eq!(
        verify_export(text.as_bytes(), None).unwrap().entries,
        entries
    );
}

/// Where a change to the byte at `offset` must be reported: the line it is on, where the
/// newline ending a line belongs to that line.
fn position_of(text: &[u8], offset: usize, entries: u64) -> Position {
    let line = text[..offset].iter().filter(|&&b| b == b'\n').count() as u64;
    match line {
        0 => Position::Header,
        n if n <= entries => Position::Entry(n),
        _ => Position::Head,
    }
}

#[test]
fn altering_any_one_byte_of_any_line_is_detected_and_names_its_entry() {
    let n = 60;
    let text = export(&chain(n), &device(), NOW + 5_000).into_bytes();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(
            text.iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i < text.len())
        .collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut tried = 0;
    for (k, &start) in line_starts.iter().enumerate() {
        let end = line_starts.get(k + 1).copied().unwrap_or(text.len());
        // The first byte, the newline, and four pseudo-random bytes in between, each altered
        // three ways: the low bit, the case bit, and a pseudo-random value.
        let mut offsets = vec![start, end - 1];
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            offsets.push(start + (seed as usize) % (end - start));
        }
        for offset in offsets {
            for mask in [0x01, 0x20, (seed as u8) | 0x40] {
                let mut altered = text.clone();
                altered[offset] ^= mask;
                let result = check(&altered);
                let expected = position_of(&text, offset, n);
                match result {
                    Err(LogError { at, .. }) if at == expected => {}
                    other => panic!(
                        "byte {offset} (line {}) ^ {mask:#04x}: expected an error at {expected}, got {other:?}",
                        k + 1
                    ),
                }
                tried += 1;
            }
        }
    }
    assert_eq!(tried, (n as usize + 2) * 6 * 3);
}

#[test]
fn deleted_inserted_and_reordered_entries_are_named() {
    let text = export(&chain(40), &device(), NOW + 5_000);
    let good = lines(&text);

    let mut deleted = good.clone();
    deleted.remove(17);
    assert_eq!(
        check(join(&deleted).as_bytes()),
        err(Position::Entry(17), Problem::Deleted)
    );

    let mut doubled = good.clone();
    doubled.insert(10, good[9].clone());
    assert_eq!(
        check(join(&doubled).as_bytes()),
        err(Position::Entry(9), Problem::Duplicated)
    );

    let mut swapped = good.clone();
    swapped.swap(25, 26);
    assert_eq!(
        check(join(&swapped).as_bytes()),
        err(Position::Entry(25), Problem::Reordered)
    );

    // A self-consistent forgery of entry 30 (right number, linked to entry 29) put in
    // before the real one: the real one is then a second entry 30.
    let mut forger = Log::resume(Some(&chain(29)[28]));
    let forged = lines(&export(&[forger.append(scan(7), NOW)], &device(), NOW))[1].clone();
    let mut inserted = good.clone();
    inserted.insert(30, forged.clone());
    assert_eq!(
        check(join(&inserted).as_bytes()),
        err(Position::Entry(30), Problem::Duplicated)
    );

    // The same forgery in place of the real entry 30: entry 31 no longer links.
    let mut replaced = good.clone();
    replaced[30] = forged;
    assert_eq!(
        check(join(&replaced).as_bytes()),
        err(Position::Entry(31), Problem::Unlinked)
    );
}

#[test]
fn a_cut_off_tail_is_detected_by_the_head() {
    let text = export(&chain(40), &device(), NOW + 5_000);
    let good = lines(&text);

    // Last three entries removed, the signed head kept.
    let mut cut = good[..38].to_vec();
    cut.push(good[41].clone());
    assert_eq!(
        check(join(&cut).as_bytes()),
        err(
            Position::Head,
            Problem::HeadMismatch {
                stated: 40,
                found: 37
            }
        )
    );

    // The file cut after entry 30: no head.
    assert_eq!(
        check(join(&good[..31]).as_bytes()),
        err(Position::Head, Problem::NoHead)
    );

    // The file cut in the middle of entry 31's line.
    let end_of_31 = join(&good[..32]).len();
    assert_eq!(
        check(&text.as_bytes()[..end_of_31 - 40]),
        err(Position::Entry(31), Problem::Unreadable)
    );

    // Only the header, even without its newline.
    assert_eq!(
        check(healthcode::log::EXPORT_HEADER.as_bytes()),
        err(Position::Head, Problem::NoHead)
    );
    assert_eq!(check(b""), err(Position::Header, Problem::Header));

    // Not an export at all.
    assert_eq!(
        check(b"seq,time\n1,2\n"),
        err(Position::Header, Problem::Header)
    );
}

#[test]
fn a_rebuilt_chain_needs_the_device_key() {
    let mut entries = chain(40);
    let original = export(&entries, &device(), NOW + 5_000);

    // Entry 12's colour changed and every hash after it recomputed.
    entries[11].scan.colour = Some(Colour::Green);
    entries[11].scan.outcome = Outcome::Admit;
    let mut log = Log::new();
    let rebuilt: Vec<Entry> = entries
        .iter()
        .map(|e| log.append(e.scan.clone(), e.time))
        .collect();

    // With the original head: the head no longer matches the chain.
    let mut with_old_head = lines(&export(&rebuilt, &device(), NOW + 5_000));
    with_old_head[41] = lines(&original)[41].clone();
    let rebuilt_error = check(join(&with_old_head).as_bytes()).unwrap_err();
    assert_eq!(
        rebuilt_error.problem,
        Problem::HeadMismatch {
            stated: 40,
            found: 40
        }
    );
    assert_eq!(
        rebuilt_error.to_string(),
        "head: names another last entry: the chain was rebuilt (L|HEAD)"
    );

    // Re-signed by another key: the signature is good but the key is not the gate's.
    let intruder = SigningKey::from_bytes(&[66; 32]);
    let resigned = export(&rebuilt, &intruder, NOW + 5_000);
    assert_eq!(
        check(resigned.as_bytes()),
        err(Position::Head, Problem::WrongKey)
    );
    let unpinned = verify_export(resigned.as_bytes(), None).unwrap();
    assert_eq!(unpinned.key_id, KeyId::of(&intruder.verifying_key()));
    assert_ne!(unpinned.key_id, KeyId::of(&device().verifying_key()));

    // Re-signed by the gate's own device: only an entry noted before the edit tells.
    let by_device =
        verify_export(export(&rebuilt, &device(), NOW + 6_000).as_bytes(), None).unwrap();
    assert_eq!(by_device.check_noted(11, &entries[10].hash), Ok(()));
    assert_eq!(
        by_device.check_noted(40, &chain(40)[39].hash),
        err(Position::Entry(40), Problem::NotAsNoted)
    );
    assert_eq!(
        by_device.check_noted(41, &[0; 32]),
        err(Position::Entry(41), Problem::Truncated { found: 40 })
    );
    assert_eq!(
        by_device.check_noted(0, &[0; 32]),
        err(Position::Entry(0), Problem::NotAsNoted)
    );

    // The gate's public key written into a head signed by another key.
    let mut swapped_key = lines(&resigned);
    swapped_key[41] = swapped_key[41].replace(
        &to_hex(intruder.verifying_key().as_bytes()),
        &to_hex(device().verifying_key().as_bytes()),
    );
    assert_eq!(
        check(join(&swapped_key).as_bytes()),
        err(Position::Head, Problem::BadSignature)
    );
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_healthcode"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn healthcode_log_verify_accepts_an_export_and_names_an_altered_entry() {
    let entries = chain(50);
    let text = export(&entries, &device(), NOW + 5_000);
    let good = temp_file("log-good.jsonl", text.as_bytes());
    let key = temp_file(
        "log-device.key.pub",
        to_hex(device().verifying_key().as_bytes()).as_bytes(),
    );
    let ok = format!(
        "ok: 50 entries, head {}, signed by {}\n",
        to_hex(&entries[49].hash),
        KeyId::of(&device().verifying_key())
    );
    assert_eq!(
        run(&["log", "verify", good.to_str().unwrap()]),
        (0, ok.clone())
    );
    assert_eq!(
        run(&[
            "log",
            "verify",
            good.to_str().unwrap(),
            "--key",
            key.to_str().unwrap()
        ]),
        (0, ok.clone())
    );

    // The last digit of entry 17's time flipped (line 18).
    let mut altered = text.into_bytes();
    let line_18 = altered
        .split(|&b| b == b'\n')
        .take(17)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let time_at = line_18
        + altered[line_18..]
            .windows(7)
            .position(|w| w == b"\"time\":")
            .unwrap();
    let comma_after_time = time_at + altered[time_at..].iter().position(|&b| b == b',').unwrap();
    altered[comma_after_time - 1] ^= 0x01;
    let bad = temp_file("log-altered.jsonl", &altered);
    assert_eq!(
        run(&["log", "verify", bad.to_str().unwrap()]),
        (1, "entry 17: edited (L|HASH)\n".to_owned())
    );

    // An entry noted at an earlier visit: still there, or not.
    let noted = format!("--noted=30:{}", to_hex(&entries[29].hash));
    assert_eq!(run(&["log", "verify", good.to_str().unwrap(), &noted]).0, 0);
    let wrong = format!("--noted=31:{}", to_hex(&entries[29].hash));
    assert_eq!(
        run(&["log", "verify", good.to_str().unwrap(), &wrong]),
        (
            1,
            "entry 31: not the entry noted earlier: the log was rebuilt since (L|NOTE)\n"
                .to_owned()
        )
    );
    assert_eq!(
        run(&["log", "verify", good.to_str().unwrap(), "--noted=x"]).0,
        2
    );

    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-export.jsonl");
    assert_eq!(run(&["log", "verify", missing.to_str().unwrap()]).0, 2);

    let csv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("log.csv");
    assert_eq!(
        run(&[
            "log",
            "csv",
            good.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap()
        ]),
        (0, format!("{ok}50 entries written to {}\n", csv.display()))
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 51);
}

proptest! {
    /// Whatever follows a valid header, the checker answers without panicking, and random
    /// bytes never pass for a log.
    #[test]
    fn arbitrary_bytes_after_the_header_are_refused(
        tail in proptest::collection::vec(any::<u8>(), 0..600),
        seq_prefix in any::<bool>(),
    ) {
        let mut bytes = format!("{}\n", healthcode::log::EXPORT_HEADER).into_bytes();
        if seq_prefix {
            bytes.extend_from_slice(b"{\"seq\":1,");
        }
        bytes.extend_from_slice(&tail);
        prop_assert!(verify_export(&bytes, None).is_err());
    }
}
