//! Issue #12, defect 6: a gate that holds its own device key rewrites its log and re-signs
//! the export. `healthcode log verify --key` alone cannot tell a re-signed rewrite from the
//! real log; these tests run the real binary on each rewrite the issue lists and check
//! which ones are now reported, with which code, and which need the head an inspector noted
//! at a visit (`--noted` with the checkpoint's head QR text, `HCH1:…`).

use ed25519_dalek::SigningKey;
use healthcode::keys::to_hex;
use healthcode::log::{export, Entry, IdHash, Log, Outcome, Scan};
use healthcode::{Colour, CredentialId, KeyId};
use std::path::PathBuf;
use std::process::Command;

const NOW: u64 = 1_800_000_000;
const PLACE: &str = "330902-0017";

fn device() -> SigningKey {
    SigningKey::from_bytes(&[41; 32])
}

/// Scan `i`: every fourth could not be checked (`S|KID`), the others green admits.
fn scan(i: u64) -> Scan {
    if i % 4 == 3 {
        return Scan {
            place: PLACE.into(),
            masked_name: None,
            id_last4: None,
            id_hash: None,
            colour: None,
            temperature: None,
            outcome: Outcome::CannotCheck,
            reasons: vec!["S|KID".into()],
        };
    }
    Scan {
        place: PLACE.into(),
        masked_name: Some("张*伟".into()),
        id_last4: Some(format!("{:03}X", i % 1000)),
        id_hash: Some(IdHash::of(PLACE, &CredentialId(i.to_le_bytes()))),
        colour: Some(Colour::Green),
        temperature: Some(365),
        outcome: Outcome::Admit,
        reasons: vec!["C|GRN".into()],
    }
}

/// `n` entries, one a minute from `NOW`.
fn chain(n: u64) -> Vec<Entry> {
    let mut log = Log::new();
    (0..n).map(|i| log.append(scan(i), NOW + i * 60)).collect()
}

/// Re-numbers and re-chains `scans` with their times: what a gate holding its key does after
/// editing its database.
fn rebuild(scans: &[(Scan, u64)]) -> Vec<Entry> {
    let mut log = Log::new();
    scans
        .iter()
        .map(|(s, t)| log.append(s.clone(), *t))
        .collect()
}

fn scans_of(entries: &[Entry]) -> Vec<(Scan, u64)> {
    entries.iter().map(|e| (e.scan.clone(), e.time)).collect()
}

/// The checkpoint's head QR text for entry `e` of a log signed by `key`.
fn head_qr(e: &Entry, key: &SigningKey) -> String {
    format!(
        "HCH1:{}:{}:{}",
        e.seq,
        to_hex(&e.hash).to_uppercase(),
        KeyId::of(&key.verifying_key()).to_string().to_uppercase()
    )
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The gate's public key file, one per export `name` (tests run in parallel).
fn key_file(name: &str) -> PathBuf {
    temp_file(
        &format!("{name}.key.pub"),
        to_hex(device().verifying_key().as_bytes()).as_bytes(),
    )
}

/// Runs `healthcode log verify FILE --key DEVICE.pub [--noted NOTE…]` on the export of
/// `entries` signed by `key` at `exported_at`; exit code and stdout.
fn verify(
    name: &str,
    entries: &[Entry],
    key: &SigningKey,
    exported_at: u64,
    noted: &[String],
) -> (i32, String) {
    let file = temp_file(name, export(entries, key, exported_at).as_bytes());
    let key = key_file(name);
    let mut args = vec![
        "log".to_owned(),
        "verify".to_owned(),
        file.to_str().unwrap().to_owned(),
        "--key".to_owned(),
        key.to_str().unwrap().to_owned(),
    ];
    for n in noted {
        args.push(format!("--noted={n}"));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_healthcode"))
        .args(&args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn ok_line(entries: &[Entry]) -> String {
    format!(
        "ok: {} entries, head {}, signed by {}\n",
        entries.len(),
        entries.last().map(|e| to_hex(&e.hash)).unwrap_or_default(),
        KeyId::of(&device().verifying_key())
    )
}

#[test]
fn the_real_log_passes_with_the_head_noted_as_qr_text() {
    let entries = chain(13);
    let noted = vec![
        head_qr(&entries[12], &device()),
        head_qr(&entries[5], &device()),
    ];
    assert_eq!(
        verify("real.jsonl", &entries, &device(), NOW + 3_600, &noted),
        (0, ok_line(&entries))
    );
    // Typed by hand: lower case, and only the first 16 hex digits of the hash.
    let short = format!("hch1:13:{}", &to_hex(&entries[12].hash)[..16]);
    assert_eq!(
        verify(
            "real-short.jsonl",
            &entries,
            &device(),
            NOW + 3_600,
            &[short]
        ),
        (0, ok_line(&entries))
    );
    // The older SEQ:HASH form still works.
    let old = format!("13:{}", to_hex(&entries[12].hash));
    assert_eq!(
        verify("real-old.jsonl", &entries, &device(), NOW + 3_600, &[old]).0,
        0
    );
}

#[test]
fn the_last_entries_cut_and_re_signed_are_caught_only_by_a_noted_head() {
    let entries = chain(13);
    let noted = head_qr(&entries[12], &device());
    for keep in [12, 10] {
        let cut = &entries[..keep];
        // Without a noted head the cut log is a sound, signed log: undetectable.
        assert_eq!(
            verify("cut.jsonl", cut, &device(), NOW + 3_600, &[]),
            (0, ok_line(cut))
        );
        assert_eq!(
            verify(
                "cut.jsonl",
                cut,
                &device(),
                NOW + 3_600,
                std::slice::from_ref(&noted)
            ),
            (
                1,
                format!(
                    "entry 13: the log ends at entry {keep}, before the head noted earlier: \
                     entries were cut, or the log was restarted (L|CUT)\n"
                )
            )
        );
    }
}

#[test]
fn a_middle_entry_deleted_an_outcome_changed_or_an_admission_forged_breaks_a_noted_head() {
    // The inspector noted entry 10 at a visit; the gate wrote 3 more, then rewrote.
    let entries = chain(13);
    let noted = vec![head_qr(&entries[9], &device())];
    let expected = (
        1,
        "entry 10: not the entry noted earlier: the log was rebuilt since (L|NOTE)\n".to_owned(),
    );

    let mut scans = scans_of(&entries);
    scans.remove(6);
    let deleted = rebuild(&scans);
    assert_eq!(
        verify("deleted.jsonl", &deleted, &device(), NOW + 3_600, &noted),
        expected
    );

    // Entry 4 could not be checked (S|KID); rewritten as a green admit.
    assert_eq!(entries[3].scan.outcome, Outcome::CannotCheck);
    let mut scans = scans_of(&entries);
    scans[3].0 = scan(4);
    let admitted = rebuild(&scans);
    assert_eq!(
        verify("admitted.jsonl", &admitted, &device(), NOW + 3_600, &noted),
        expected
    );

    let mut scans = scans_of(&entries);
    scans.insert(5, (scan(900), NOW + 4 * 60 + 30));
    let forged = rebuild(&scans);
    assert_eq!(
        verify("forged.jsonl", &forged, &device(), NOW + 3_600, &noted),
        expected
    );
    // Without the noted head, each is a sound, signed log.
    for (name, log) in [
        ("d.jsonl", &deleted),
        ("a.jsonl", &admitted),
        ("f.jsonl", &forged),
    ] {
        assert_eq!(
            verify(name, log, &device(), NOW + 3_600, &[]).0,
            0,
            "{name}"
        );
    }
}

#[test]
fn times_running_backwards_are_reported_without_a_noted_head() {
    let entries = chain(13);
    // Every time moved back three days, and running backwards (newest entry first in time).
    let scans: Vec<(Scan, u64)> = entries
        .iter()
        .map(|e| (e.scan.clone(), NOW - 3 * 86_400 - e.seq * 60))
        .collect();
    let back = rebuild(&scans);
    assert_eq!(
        verify("backwards.jsonl", &back, &device(), NOW + 3_600, &[]),
        (
            1,
            "entry 2: dated 1 min before the entry before it; times run backwards at 12 entries (L|BACK)\n"
                .to_owned()
        )
    );
    // One time set back a day in the middle of a sound log.
    let mut scans = scans_of(&entries);
    scans[8].1 -= 86_400;
    let one = rebuild(&scans);
    assert_eq!(
        verify("one-back.jsonl", &one, &device(), NOW + 3_600, &[]),
        (
            1,
            "entry 9: dated 23 h 59 min before the entry before it; times run backwards at 1 entry (L|BACK)\n"
                .to_owned()
        )
    );
    // Moved back three days but still in order: only a noted head tells.
    let shifted = rebuild(
        &entries
            .iter()
            .map(|e| (e.scan.clone(), e.time - 3 * 86_400))
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        verify("shifted.jsonl", &shifted, &device(), NOW + 3_600, &[]),
        (0, ok_line(&shifted))
    );
    assert_eq!(
        verify(
            "shifted.jsonl",
            &shifted,
            &device(),
            NOW + 3_600,
            &[head_qr(&entries[12], &device())]
        )
        .0,
        1
    );
}

#[test]
fn an_export_dated_before_its_entries_is_reported() {
    let entries = chain(13);
    // Before its first entry.
    assert_eq!(
        verify("early.jsonl", &entries, &device(), NOW - 7_200, &[]),
        (
            1,
            "head: the export is dated 2 h 12 min before its last entry (L|EXPT)\n".to_owned()
        )
    );
    // Between its first and last entries.
    assert_eq!(
        verify("mid.jsonl", &entries, &device(), NOW + 6 * 60, &[]),
        (
            1,
            "head: the export is dated 6 min before its last entry (L|EXPT)\n".to_owned()
        )
    );
    // A few seconds of clock correction are tolerated.
    assert_eq!(
        verify("near.jsonl", &entries, &device(), NOW + 12 * 60 - 3, &[]),
        (0, ok_line(&entries))
    );
}

#[test]
fn a_log_restarted_under_a_new_key_is_reported_against_the_noted_head() {
    let entries = chain(13);
    let noted = head_qr(&entries[12], &device());
    // The database deleted: a new key, numbering from 1 again.
    let new_key = SigningKey::from_bytes(&[77; 32]);
    let restarted = chain(2);
    let file = temp_file(
        "restarted.jsonl",
        export(&restarted, &new_key, NOW + 3_600).as_bytes(),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_healthcode"))
        .args([
            "log",
            "verify",
            file.to_str().unwrap(),
            &format!("--noted={noted}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "head: signed by key {}, not the key {} noted earlier: the device key was replaced (L|REKEY)\n\
             entry 13: the log ends at entry 2, before the head noted earlier: entries were cut, or the log was restarted (L|CUT)\n",
            KeyId::of(&new_key.verifying_key()),
            KeyId::of(&device().verifying_key()),
        )
    );
    // Against the gate's registered key the new key is refused outright.
    assert_eq!(
        verify(
            "restarted-key.jsonl",
            &restarted,
            &new_key,
            NOW + 3_600,
            &[]
        ),
        (1, "head: signed by another device key (L|KEY)\n".to_owned())
    );
}

#[test]
fn without_a_noted_head_log_verify_says_what_it_cannot_detect() {
    let file = temp_file(
        "unnoted.jsonl",
        export(&chain(3), &device(), NOW + 600).as_bytes(),
    );
    let run = |extra: &[String]| {
        Command::new(env!("CARGO_BIN_EXE_healthcode"))
            .args(["log", "verify", file.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "note: no --noted head given: entries cut from the end, and a log rebuilt or restarted \
         and re-signed on the checkpoint itself, cannot be detected without one\n"
    );
    let noted = format!("--noted={}", head_qr(&chain(3)[2], &device()));
    let out = run(&[noted]);
    assert_eq!((out.status.code(), out.stderr.len()), (Some(0), 0));
}

#[test]
fn a_noted_head_that_cannot_be_read_is_an_error() {
    let entries = chain(3);
    for bad in ["HCH1:3", "HCH1:x:00", "3:abcd", "HCH1:3:zz", "HCH2:3:00"] {
        let (code, _) = verify(
            "bad-note.jsonl",
            &entries,
            &device(),
            NOW + 600,
            &[bad.into()],
        );
        assert_eq!(code, 2, "{bad}");
    }
}
