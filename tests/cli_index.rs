//! `healthcode index` run for real (issue #6, "one picture, one code, one index"): on
//! registries written by `healthcode issue --batch`, a revoked-ids file written by
//! `healthcode revoke`, checkpoint log exports written by the library (one imported twice,
//! one tampered with) and a gates list.

use ed25519_dalek::SigningKey;
use healthcode::log::{self, Entry, Log, Outcome, Scan};
use healthcode::Colour;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: u64 = 1_800_000_000;

fn work_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("healthcode-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn healthcode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healthcode"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Issues a batch of `rows` (after the header) for `region` into `dir/name`; returns the
/// registry path.
fn batch(dir: &Path, issuer_key: &str, name: &str, region: &str, rows: &str) -> PathBuf {
    let csv = dir.join(format!("{name}.csv"));
    std::fs::write(
        &csv,
        format!(
            "name,id_last4,holder_public_key,fever_or_symptoms,contact_with_case,high_risk_travel,under_quarantine,colour,reason\n{rows}"
        ),
    )
    .unwrap();
    let out = dir.join(name);
    let now = NOW.to_string();
    let o = healthcode(&[
        "issue",
        "--issuer-key",
        issuer_key,
        "--batch",
        path(&csv),
        "--out",
        path(&out),
        "--region",
        region,
        "--now",
        &now,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    out.join("registry.csv")
}

fn export(seed: u8, scans: &[(u64, &str, Colour, Outcome)]) -> String {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let mut log = Log::new();
    let entries: Vec<Entry> = scans
        .iter()
        .map(|(t, place, colour, outcome)| {
            log.append(
                Scan {
                    place: (*place).into(),
                    masked_name: Some("张*伟".into()),
                    id_last4: Some("1234".into()),
                    id_hash: None,
                    colour: Some(*colour),
                    temperature: Some(365),
                    outcome: *outcome,
                    reasons: vec![],
                },
                *t,
            )
        })
        .collect();
    log::export(&entries, &key, NOW + 3000)
}

#[test]
fn index_report_from_batch_registries_and_log_exports() {
    let dir = work_dir("index");
    let key = dir.join("issuer.key");
    let o = healthcode(&["keygen", "--out", path(&key)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let key = path(&key).to_owned();
    // 330902: two green, one yellow (travel), one red (contact), one more green revoked below.
    let dinghai = batch(
        &dir,
        &key,
        "dinghai",
        "330902",
        "张三伟,1234,,no,no,no,no,,\n\
         李四,2345,,no,no,no,no,,\n\
         Wang Fang,903X,,no,no,yes,no,,\n\
         赵五,4567,,no,yes,no,no,,\n\
         钱六,5678,,no,no,no,no,,\n",
    );
    // 330903: all green.
    let putuo = batch(
        &dir,
        &key,
        "putuo",
        "330903",
        "孙七,0001,,no,no,no,no,,\n周八,0002,,no,no,no,no,,\n",
    );
    let revoked = dir.join("revoked.txt");
    let now = NOW.to_string();
    let o = healthcode(&[
        "revoke",
        "--registry",
        path(&dinghai),
        "--ids-file",
        path(&revoked),
        "--name",
        "钱*",
        "--id-last4",
        "5678",
        "--reason",
        "moved away",
        "--now",
        &now,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // Gate 17 of 330902: two admitted, one denied, today; exported, and the same file again.
    let a = export(
        1,
        &[
            (NOW + 60, "330902-0017", Colour::Green, Outcome::Admit),
            (NOW + 120, "330902-0017", Colour::Red, Outcome::Deny),
            (NOW + 180, "330902-0017", Colour::Green, Outcome::Admit),
        ],
    );
    let a_path = dir.join("gate17.jsonl");
    let a_again = dir.join("gate17-copy.jsonl");
    std::fs::write(&a_path, &a).unwrap();
    std::fs::write(&a_again, &a).unwrap();
    // Gate 1 of 330903, and a tampered copy of its export (a temperature changed).
    let b = export(
        2,
        &[(NOW + 60, "330903-0001", Colour::Green, Outcome::Admit)],
    );
    let b_path = dir.join("putuo1.jsonl");
    std::fs::write(&b_path, &b).unwrap();
    let tampered = dir.join("tampered.jsonl");
    assert!(b.contains("\"temp\":365"));
    std::fs::write(&tampered, b.replace("\"temp\":365", "\"temp\":385")).unwrap();

    let gates = dir.join("gates.csv");
    std::fs::write(
        &gates,
        "place_id,name,area,area_name\n\
         330902-0017,东港<b>&门,330902001,东港街道\n\
         330902-0018,Market street,,\n\
         330903-0001,普陀 1 号门,330903,普陀区\n",
    )
    .unwrap();

    let report = dir.join("report.html");
    let later = (NOW + 3600).to_string();
    let o = healthcode(&[
        "index",
        "--registry",
        path(&dinghai),
        "--registry",
        path(&putuo),
        "--revoked",
        path(&revoked),
        "--log",
        path(&a_path),
        "--log",
        path(&a_again),
        "--log",
        path(&tampered),
        "--log",
        path(&b_path),
        "--gates",
        path(&gates),
        "--now",
        &later,
        "--utc-offset",
        "28800",
        "--out",
        path(&report),
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(
        o.status.code(),
        Some(1),
        "a log failed: exit 1\n{out}\n{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: entry 1: edited (L|HASH) — left out",
            path(&tampered)
        )),
        "{err}"
    );
    // 330902: 2 green + 1 yellow + 1 red (one green revoked), all new:
    // 100 × (1 + 0.5 + 1 + 0.5) / 4 = 75.0, high. 330903: 0.0, low.
    assert!(
        out.contains(
            "6 current codes (4 green, 1 yellow, 1 red) in 2 area(s); 4 log entries \
             (3 duplicates skipped); 3 gate(s), 1 flagged; high risk: 330902 (75.0)"
        ),
        "{out}"
    );

    let html = std::fs::read_to_string(&report).unwrap();
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    assert!(!html.contains("<link"));
    assert!(!html.contains("<b>&"), "names are escaped");
    assert!(html.contains("东港&lt;b&gt;&amp;门"));
    assert!(html.contains(
        "<tr><td>330902</td><td class=\"l\"></td><td>2</td><td>1</td><td>1</td><td>4</td>\
         <td>1</td><td>1</td><td>75.0</td><td class=\"band-high\">high</td>"
    ));
    assert!(html.contains(
        "<tr><td>330903</td><td class=\"l\">普陀区</td><td>2</td><td>0</td><td>0</td><td>2</td>\
         <td>0</td><td>0</td><td>0.0</td><td class=\"band-low\">low</td>"
    ));
    // The gate without a single scan is flagged, first; gate 17 counts its 3 scans once.
    assert!(
        html.contains("<tr class=\"flag\"><td>330902-0018</td><td class=\"l\">Market street</td>")
    );
    assert!(html.contains("NO SCANS AT ALL"));
    assert!(html.contains(
        "<td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td>\
         <td>3</td><td>2</td><td>1</td><td>33.3 %</td>"
    ));
    assert!(html.contains("entry 1: edited (L|HASH)"));

    // A desk registry (JSON, as the app keeps it) with one red code: every log verified, exit 0.
    let desk = healthcode::registry::Registry {
        records: vec![healthcode::registry::Record {
            id: healthcode::keys::CredentialId([9; 8]),
            issuer: healthcode::KeyId([0; 8]),
            masked_name: "吴*".into(),
            id_last4: "0009".into(),
            colour: Colour::Red,
            region: 330903,
            issued_at: NOW - 10 * 86_400,
            expires: NOW + 20 * 86_400,
            holder: healthcode::Holder::Paper,
            override_reason: None,
            replaces: None,
            revoked: None,
            text: String::new(),
        }],
    };
    let desk_path = dir.join("desk.json");
    std::fs::write(&desk_path, serde_json::to_vec(&desk).unwrap()).unwrap();
    let o = healthcode(&[
        "index",
        "--registry",
        path(&desk_path),
        "--registry",
        path(&putuo),
        "--log",
        path(&b_path),
        "--now",
        &later,
        "--out",
        path(&report),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // 330903: 100 × 1 / 3 = 33.3 (the red code is not new), high.
    assert!(
        text(&o.stdout).contains(
            "3 current codes (2 green, 0 yellow, 1 red) in 1 area(s); 1 log entries \
             (0 duplicates skipped); 1 gate(s), 0 flagged; high risk: 330903 (33.3)"
        ),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn index_refuses_a_file_that_is_no_registry() {
    let dir = work_dir("index-bad");
    let bad = dir.join("registry.csv");
    std::fs::write(&bad, "name,colour\nx,green\n").unwrap();
    let o = healthcode(&[
        "index",
        "--registry",
        path(&bad),
        "--now",
        "1800000000",
        "--out",
        path(&dir.join("r.html")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("line 1: the header has no column 'credential_id' (X|HDR)"),
        "{}",
        text(&o.stderr)
    );
}
