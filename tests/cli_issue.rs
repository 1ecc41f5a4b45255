//! The `healthcode` binary run for real in a temporary directory: issuing from a holder
//! request (issue #6), and key files.

use ed25519_dalek::SigningKey;
use healthcode::request::Declaration;
use healthcode::{Colour, Credential, Holder, HolderRequest, KeyId};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

/// A fresh, empty directory under the system's temporary directory, removed when dropped.
struct WorkDir(PathBuf);

impl std::ops::Deref for WorkDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn work_dir(label: &str) -> WorkDir {
    let dir = std::env::temp_dir().join(format!(
        "healthcode-cli-test-{label}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    WorkDir(dir)
}

fn healthcode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healthcode"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn keygen(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    let o = healthcode(&["keygen", "--out", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    path.to_str().unwrap().to_owned()
}

/// A request from a test holder key (seed 7) named "张三伟" with `declaration`, written to a
/// file; returns the file and the holder's public key.
fn request_file(dir: &Path, declaration: Declaration) -> (String, [u8; 32]) {
    let holder = SigningKey::from_bytes(&[7; 32]);
    let request = HolderRequest::sign(&holder, "张三伟", declaration, NOW - 30).unwrap();
    let path = dir.join("request.hcr");
    std::fs::write(&path, request.to_qr_text()).unwrap();
    (
        path.to_str().unwrap().to_owned(),
        holder.verifying_key().to_bytes(),
    )
}

fn issue_from_request(issuer_key: &str, request: &str, extra: &[&str]) -> Output {
    let now = NOW.to_string();
    let mut args = vec![
        "issue",
        "--issuer-key",
        issuer_key,
        "--request",
        request,
        "--id-last4",
        "123X",
        "--now",
        &now,
    ];
    args.extend_from_slice(extra);
    healthcode(&args)
}

#[test]
fn issue_from_a_request_takes_holder_masked_name_and_colour_from_it() {
    let dir = work_dir("issue-request");
    let issuer_key = keygen(&dir, "issuer.key");
    let declaration = Declaration {
        contact_with_case: true,
        ..Declaration::default()
    };
    let (request, holder) = request_file(&dir, declaration);

    let o = issue_from_request(&issuer_key, &request, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let credential = Credential::from_qr_text(stdout(&o).trim()).unwrap();
    let c = &credential.claims;
    assert_eq!(c.holder, Holder::Device(holder));
    assert_eq!(c.masked_name, "张*伟");
    assert_eq!(c.id_last4, "123X");
    assert_eq!(c.colour, Colour::Red);
    assert_eq!(c.quarantine_end, Some(NOW + 14 * DAY));
    let issuer_pub = std::fs::read_to_string(format!("{issuer_key}.pub")).unwrap();
    let issuer_pub = healthcode::keys::verifying_key_from_hex(&issuer_pub).unwrap();
    assert_eq!(c.issuer, KeyId::of(&issuer_pub));
    assert!(
        stderr(&o).contains("declaration: contact with a case — suggested red"),
        "{}",
        stderr(&o)
    );

    // The request as text on the command line works as well as a file.
    let text = std::fs::read_to_string(&request).unwrap();
    let o = issue_from_request(&issuer_key, &text, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again = Credential::from_qr_text(stdout(&o).trim()).unwrap();
    assert_eq!(again.claims.masked_name, "张*伟");
    assert_ne!(
        again.claims.id, c.id,
        "every credential gets its own random id"
    );
}

#[test]
fn a_green_declaration_gives_a_green_code_without_quarantine() {
    let dir = work_dir("issue-green");
    let issuer_key = keygen(&dir, "issuer.key");
    let (request, _) = request_file(&dir, Declaration::default());
    let o = issue_from_request(&issuer_key, &request, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = Credential::from_qr_text(stdout(&o).trim()).unwrap().claims;
    assert_eq!((c.colour, c.quarantine_end), (Colour::Green, None));
}

#[test]
fn overriding_the_suggested_colour_needs_a_reason_and_prints_it() {
    let dir = work_dir("issue-override");
    let issuer_key = keygen(&dir, "issuer.key");
    let declaration = Declaration {
        high_risk_travel: true,
        ..Declaration::default()
    };
    let (request, _) = request_file(&dir, declaration);

    let o = issue_from_request(&issuer_key, &request, &["--colour", "green"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("give the --reason"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());

    let o = issue_from_request(
        &issuer_key,
        &request,
        &[
            "--colour",
            "green",
            "--reason",
            "travel was through the area's airport only",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = Credential::from_qr_text(stdout(&o).trim()).unwrap().claims;
    assert_eq!((c.colour, c.quarantine_end), (Colour::Green, None));
    assert!(
        stderr(&o).contains(
            "override: green instead of the suggested yellow — reason: travel was through the \
             area's airport only"
        ),
        "{}",
        stderr(&o)
    );

    // An override to red gets the 14-day quarantine end.
    let o = issue_from_request(
        &issuer_key,
        &request,
        &["--colour", "red", "--reason", "confirmed contact"],
    );
    let c = Credential::from_qr_text(stdout(&o).trim()).unwrap().claims;
    assert_eq!(
        (c.colour, c.quarantine_end),
        (Colour::Red, Some(NOW + 14 * DAY))
    );
}

#[test]
fn a_request_with_a_bad_signature_is_refused_with_its_code() {
    let dir = work_dir("issue-forged");
    let issuer_key = keygen(&dir, "issuer.key");
    let holder = SigningKey::from_bytes(&[7; 32]);
    let declaration = Declaration {
        fever_or_symptoms: true,
        ..Declaration::default()
    };
    let mut forged = HolderRequest::sign(&holder, "Wang Fang", declaration, NOW).unwrap();
    forged.body.declaration.fever_or_symptoms = false;
    let o = issue_from_request(&issuer_key, &forged.to_qr_text(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("not signed by its holder key") && stderr(&o).contains("(H|SIG)"),
        "{}",
        stderr(&o)
    );

    let o = issue_from_request(&issuer_key, "HCR1:NOT-BASE45!", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("request:"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn keygen_writes_the_secret_key_mode_0600_and_never_prints_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = work_dir("keygen");
    let path = dir.join("issuer.key");
    let o = healthcode(&["keygen", "--out", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let secret = std::fs::read_to_string(&path).unwrap();
    assert_eq!(secret.trim().len(), 64);
    assert!(!stdout(&o).contains(secret.trim()) && !stderr(&o).contains(secret.trim()));
    // A second keygen to the same file refuses to overwrite it.
    let o = healthcode(&["keygen", "--out", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), secret);
}

/// Reads a CSV file written by the CLI into its header and rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn batch_issues_good_rows_and_reports_bad_ones_by_line() {
    let dir = work_dir("batch");
    let issuer_key = keygen(&dir, "issuer.key");
    let holder = SigningKey::from_bytes(&[9; 32]).verifying_key();
    let holder_hex = healthcode::keys::to_hex(holder.as_bytes());
    let csv = format!(
        "name,id_last4,holder_public_key,fever_or_symptoms,contact_with_case,high_risk_travel,under_quarantine,colour,reason\n\
         张三伟,1234,{holder_hex},no,no,no,no,,\n\
         Wang Fang,903X,,no,no,yes,no,,\n\
         李小娜,330902199001011234,,no,no,no,no,,\n\
         \"Zhao, Lei\",5678,{holder_hex},yes,no,no,no,green,\"fever from a vaccine, checked\"\n\
         周<b>,0001,,no,yes,no,no,,\n\
         钱七,0002,,no,maybe,no,no,,\n\
         孙八,0003,,no,no,no,no,red,\n"
    );
    let file = dir.join("residents.csv");
    std::fs::write(&file, csv).unwrap();
    let out = dir.join("out");
    let now = NOW.to_string();
    let args = [
        "issue",
        "--issuer-key",
        &issuer_key,
        "--batch",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--now",
        &now,
    ];
    let o = healthcode(&args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "a row failed: exit 1\n{err}");
    assert!(
        stdout(&o).contains("issued 4 code(s) (2 green, 1 yellow, 1 red; 2 paper)")
            && stdout(&o).contains("3 row(s) failed"),
        "{}",
        stdout(&o)
    );
    let name = file.display();
    for expected in [
        format!("{name}:4: id_last4 of 18 characters is not 4 digits (or X) (B|ID4)"),
        format!("{name}:7: contact_with_case 'maybe' is not yes or no (B|ANS)"),
        format!("{name}:8: colour overrides the declaration: the reason is required (B|RSN)"),
        format!(
            "{name}:5: override: green instead of the suggested red — reason: fever from a \
             vaccine, checked"
        ),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in\n{err}");
    }
    assert!(
        !err.contains("330902199001011234"),
        "a full ID number is never echoed"
    );

    let (header, registry) = read_csv(&out.join("registry.csv"));
    assert_eq!(
        header[..4],
        ["credential_id", "masked_name", "id_last4", "colour"]
    );
    let summary: Vec<(&str, &str, &str, &str, &str)> = registry
        .iter()
        .map(|r| {
            (
                r[1].as_str(),
                r[2].as_str(),
                r[3].as_str(),
                r[8].as_str(),
                r[9].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("张*伟", "1234", "green", "device", "2"),
            ("W*** F**", "903X", "yellow", "paper", "3"),
            ("Z*** L**", "5678", "green", "device", "5"),
            ("周**>", "0001", "red", "paper", "6"),
        ]
    );
    assert_eq!(
        registry[1][4],
        (NOW + 7 * DAY).to_string(),
        "yellow ends in 7 days"
    );
    assert_eq!(
        registry[3][4],
        (NOW + 14 * DAY).to_string(),
        "red ends in 14 days"
    );
    assert_eq!(
        (registry[2][10].as_str(), registry[2][11].as_str()),
        ("red", "fever from a vaccine, checked")
    );
    // The issuing region, last, for the area index (default --region 330900).
    assert_eq!(header[12], "region");
    assert!(registry.iter().all(|r| r[12] == "330900"), "{registry:?}");

    // One PNG per issued code, named line-id, that scans back to the code in links.csv.
    let (_, links) = read_csv(&out.join("links.csv"));
    assert_eq!(links.len(), 4);
    for (link, reg) in links.iter().zip(&registry) {
        assert_eq!((&link[0], &link[1]), (&reg[9], &reg[0]));
        let text =
            healthcode::wallet::parse_import_fragment(&link[4][link[4].find('#').unwrap()..])
                .unwrap();
        let credential = Credential::from_qr_text(&text).unwrap();
        assert_eq!(credential.claims.id.to_string(), reg[0]);
        assert_eq!(credential.claims.masked_name, reg[1]);
        let png = out.join(format!("{}-{}.png", reg[9], reg[0]));
        let scanned = healthcode(&["inspect", png.to_str().unwrap()]);
        assert!(stdout(&scanned).contains(&reg[0]), "{}", stdout(&scanned));
    }
    let device = Credential::from_qr_text(
        &healthcode::wallet::parse_import_fragment(&links[0][4][links[0][4].find('#').unwrap()..])
            .unwrap(),
    )
    .unwrap();
    assert_eq!(device.claims.holder, Holder::Device(holder.to_bytes()));

    // The paper sheet holds the two paper codes, escaped, with inline SVG only.
    let html = std::fs::read_to_string(out.join("paper.html")).unwrap();
    assert_eq!(html.matches("<section class=\"card\">").count(), 2);
    assert!(html.contains("W*** F**") && html.contains("ID ****903X"));
    assert!(html.contains("周**&gt;") && !html.contains("周**>"));
    assert!(html.contains("黄码 YELLOW") && html.contains("红码 RED"));
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(!html.contains("src=") && !html.contains("href="));
    assert!(
        !html.contains("张三伟") && !html.contains("Wang Fang"),
        "no full names"
    );

    // A second run into the same directory is refused: the registry is never overwritten.
    let o = healthcode(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("registry.csv exists"), "{}", stderr(&o));
}

#[test]
fn batch_with_a_wrong_header_issues_nothing() {
    let dir = work_dir("batch-header");
    let issuer_key = keygen(&dir, "issuer.key");
    let file = dir.join("residents.csv");
    std::fs::write(&file, "name,last4\n张三伟,1234\n").unwrap();
    let out = dir.join("out");
    let o = healthcode(&[
        "issue",
        "--issuer-key",
        &issuer_key,
        "--batch",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the first line must be the header name,id_last4,holder_public_key"),
        "{}",
        stderr(&o)
    );
    assert!(!out.join("registry.csv").exists());
}

#[test]
fn a_revoked_batch_code_is_denied_after_the_list_is_signed_from_the_ids_file() {
    let dir = work_dir("revoke");
    let root_key = keygen(&dir, "root.key");
    let issuer_key = keygen(&dir, "issuer.key");
    let holder_key = keygen(&dir, "holder.key");
    let holder_hex = std::fs::read_to_string(format!("{holder_key}.pub")).unwrap();
    let file = dir.join("residents.csv");
    std::fs::write(
        &file,
        format!(
            "name,id_last4,holder_public_key,fever_or_symptoms,contact_with_case,high_risk_travel,under_quarantine,colour,reason\n\
             张三伟,1234,{},no,no,no,no,,\n\
             张四伟,1234,,no,no,no,no,,\n\
             Wang Fang,5678,,no,no,no,no,,\n",
            holder_hex.trim()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let now = NOW.to_string();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let o = healthcode(&[
        "issue",
        "--issuer-key",
        &issuer_key,
        "--batch",
        &p("residents.csv"),
        "--out",
        out.to_str().unwrap(),
        "--now",
        &now,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, registry) = read_csv(&out.join("registry.csv"));
    let registry_path = out.join("registry.csv").to_str().unwrap().to_owned();
    let ids_file = p("revoked.txt");
    let revoke = |extra: &[&str]| {
        let mut args = vec![
            "revoke",
            "--registry",
            &registry_path,
            "--ids-file",
            &ids_file,
            "--reason",
            "re-issued as red",
            "--now",
            &now,
        ];
        args.extend_from_slice(extra);
        healthcode(&args)
    };

    // Two codes share the masked name and last 4: by name it is ambiguous.
    let o = revoke(&["--name", "张*伟", "--id-last4", "1234"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2 codes match"), "{}", stderr(&o));
    assert!(!Path::new(&ids_file).exists());
    // By id it is not; by name and last 4 when unique.
    let o = revoke(&["--id", &registry[0][0]]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = revoke(&["--name", "W*** F**", "--id-last4", "5678"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = revoke(&["--id", &registry[0][0]]);
    assert!(stdout(&o).contains("already revoked"), "{}", stdout(&o));
    let o = revoke(&["--id", "0000000000000000"]);
    assert_eq!(o.status.code(), Some(2));
    let ids: Vec<String> = std::fs::read_to_string(&ids_file)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec![registry[0][0].clone(), registry[2][0].clone()]);

    // The signed list from the ids file makes a checkpoint deny the device code.
    let o = healthcode(&[
        "trust-list",
        "--root-key",
        &root_key,
        "--issuer",
        &format!("Test issuer={issuer_key}.pub"),
        "--out",
        &p("trust.hct"),
        "--now",
        &now,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = healthcode(&[
        "revocation-list",
        "--signer-key",
        &issuer_key,
        "--ids-file",
        &ids_file,
        "--out",
        &p("rev.hcl"),
        "--now",
        &now,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("of 2 id(s)"), "{}", stdout(&o));
    let (_, links) = read_csv(&out.join("links.csv"));
    std::fs::write(
        p("cred.hcc"),
        healthcode::wallet::parse_import_fragment(&links[0][4][links[0][4].find('#').unwrap()..])
            .unwrap(),
    )
    .unwrap();
    let live_at = (NOW + 10).to_string();
    let o = healthcode(&[
        "present",
        "--credential",
        &p("cred.hcc"),
        "--holder-key",
        &holder_key,
        "--out",
        &p("live.hcp"),
        "--now",
        &live_at,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let root_pub = format!("{root_key}.pub");
    let verify = |revocation: bool| {
        let mut args = vec![
            "verify",
            &p("live.hcp"),
            "--trust",
            &p("trust.hct"),
            "--root",
            &root_pub,
            "--now",
            &live_at,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        if revocation {
            args.extend(["--revocation".to_owned(), p("rev.hcl")]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        healthcode(&args)
    };
    let o = verify(false);
    assert_eq!(o.status.code(), Some(0), "admitted before: {}", stdout(&o));
    let o = verify(true);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("[R|REV]"), "{}", stdout(&o));
}

#[test]
fn trust_list_gives_each_issuer_its_own_window_for_key_rotation() {
    let dir = work_dir("rotation");
    let p = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let root_key = keygen(&dir, "root.key");
    let old_key = keygen(&dir, "old.key");
    let new_key = keygen(&dir, "new.key");
    let holder_key = keygen(&dir, "holder.key");
    let t = NOW;
    let o = healthcode(&[
        "trust-list",
        "--root-key",
        &root_key,
        "--issuer",
        &format!("Old key={old_key}.pub=..{t}"),
        "--issuer",
        &format!("New key={new_key}.pub={}..", t - 7 * DAY),
        "--out",
        &p("trust.hct"),
        "--now",
        &(t - 8 * DAY).to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list = std::fs::read_to_string(p("trust.hct")).unwrap();
    let root_pub = std::fs::read_to_string(format!("{root_key}.pub")).unwrap();
    let root_pub = healthcode::keys::verifying_key_from_hex(&root_pub).unwrap();
    let list = healthcode::TrustList::from_text(list.trim(), &[root_pub]).unwrap();
    let windows: Vec<(&str, u64, u64)> = list
        .issuers
        .iter()
        .map(|i| (i.name.as_str(), i.valid_from, i.valid_until))
        .collect();
    assert_eq!(
        windows,
        vec![
            ("Old key", t - 9 * DAY, t),
            ("New key", t - 7 * DAY, t - 8 * DAY + 365 * DAY)
        ],
        "an empty side takes the default (now - 1 day, now + 365 days)"
    );

    // Issued by the old key a day before T: admitted at T + 1 day. Issued after T: S|KVA.
    let holder_pub = format!("{holder_key}.pub");
    for (name, issued_at, expected_code, expected) in [
        ("early", t - DAY, 0, "Old key"),
        ("late", t + 3600, 1, "[S|KVA]"),
    ] {
        let o = healthcode(&[
            "issue",
            "--issuer-key",
            &old_key,
            "--holder",
            &holder_pub,
            "--colour",
            "green",
            "--name",
            "张*伟",
            "--id-last4",
            "1234",
            "--out",
            &p(name),
            "--now",
            &issued_at.to_string(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let at = (t + DAY).to_string();
        let live = p(&format!("{name}.hcp"));
        let o = healthcode(&[
            "present",
            "--credential",
            &p(name),
            "--holder-key",
            &holder_key,
            "--out",
            &live,
            "--now",
            &at,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        // The list was signed at T - 8 days: sign a fresh one for the check at T + 1 day.
        let o = healthcode(&[
            "trust-list",
            "--root-key",
            &root_key,
            "--issuer",
            &format!("Old key={old_key}.pub={}..{t}", t - 365 * DAY),
            "--issuer",
            &format!("New key={new_key}.pub={}..{}", t - 7 * DAY, t + 365 * DAY),
            "--out",
            &p("fresh.hct"),
            "--now",
            &at,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let o = healthcode(&[
            "verify",
            &live,
            "--trust",
            &p("fresh.hct"),
            "--root",
            &format!("{root_key}.pub"),
            "--now",
            &at,
        ]);
        assert_eq!(
            o.status.code(),
            Some(expected_code),
            "{name}: {}",
            stdout(&o)
        );
        assert!(stdout(&o).contains(expected), "{name}: {}", stdout(&o));
    }

    for bad in [
        format!("X={new_key}.pub=5..5"),
        format!("X={new_key}.pub=soon"),
    ] {
        let o = healthcode(&[
            "trust-list",
            "--root-key",
            &root_key,
            "--issuer",
            &bad,
            "--out",
            &p("bad.hct"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains("--issuer"), "{}", stderr(&o));
    }
}

#[test]
fn a_secret_key_file_given_as_a_public_key_is_refused_and_not_published() {
    let dir = work_dir("secret-as-public");
    let issuer_key = keygen(&dir, "issuer.key");
    let holder_key = keygen(&dir, "holder.key");
    let secret = std::fs::read_to_string(&holder_key).unwrap();
    let o = healthcode(&[
        "issue",
        "--issuer-key",
        &issuer_key,
        "--holder",
        &holder_key,
        "--colour",
        "green",
        "--name",
        "张*伟",
        "--id-last4",
        "1234",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("is a secret key file: give its public key"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains(secret.trim()));
}

#[test]
fn a_request_made_by_the_cli_is_issued_from_with_the_suggested_colour() {
    let dir = work_dir("request-cli");
    let issuer_key = keygen(&dir, "issuer.key");
    let holder_key = keygen(&dir, "holder.key");
    let request = dir.join("request.hcr").to_str().unwrap().to_owned();
    let o = healthcode(&[
        "request",
        "--holder-key",
        &holder_key,
        "--name",
        "Wang Fang",
        "--under-quarantine",
        "--out",
        &request,
        "--now",
        &NOW.to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&request).unwrap();
    let parsed = HolderRequest::from_qr_text(text.trim()).unwrap();
    assert_eq!(parsed.body.name, "Wang Fang");
    assert_eq!(parsed.body.created_at, NOW);
    assert_eq!(
        parsed.body.declaration,
        Declaration {
            under_quarantine: true,
            ..Declaration::default()
        }
    );

    let o = issue_from_request(&issuer_key, &request, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = Credential::from_qr_text(stdout(&o).trim()).unwrap().claims;
    assert_eq!(
        (c.colour, c.quarantine_end, c.masked_name.as_str()),
        (Colour::Yellow, Some(NOW + 7 * DAY), "W*** F**")
    );
    let holder_pub = std::fs::read_to_string(format!("{holder_key}.pub")).unwrap();
    let holder_pub = healthcode::keys::verifying_key_from_hex(&holder_pub).unwrap();
    assert_eq!(c.holder, Holder::Device(holder_pub.to_bytes()));
}

/// Issue 12: `verify` on a text file that begins with a byte-order mark, or on a binary that is
/// no image, said "cannot read image"; it must say what the input is not: a health code.
#[test]
fn verify_names_a_bom_text_file_or_a_binary_as_not_a_health_code() {
    let dir = work_dir("verify-input");
    let root_key = keygen(&dir, "root.key");
    let issuer_key = keygen(&dir, "issuer.key");
    let p = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let now = NOW.to_string();
    let o = healthcode(&[
        "trust-list",
        "--root-key",
        &root_key,
        "--issuer",
        &format!("Test issuer={issuer_key}.pub"),
        "--out",
        &p("trust.hct"),
        "--now",
        &now,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(p("bom.txt"), "\u{feff}https://example.com/a-green-code\n").unwrap();
    std::fs::write(p("bom-code.txt"), "\u{feff}HCP1:a\n").unwrap();
    std::fs::write(p("binary.bin"), [0u8, 159, 146, 150, 255, 1, 2, 3, 0, 0, 7]).unwrap();
    for (file, code) in [
        ("bom.txt", "P|PFX"),
        ("binary.bin", "P|PFX"),
        ("bom-code.txt", "D|B45"),
    ] {
        let o = healthcode(&[
            "verify",
            &p(file),
            "--trust",
            &p("trust.hct"),
            "--root",
            &format!("{root_key}.pub"),
            "--now",
            &now,
        ]);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "{file}: {all}");
        assert!(all.contains(code), "{file}: {code} expected in {all}");
        assert!(!all.contains("cannot read image"), "{file}: {all}");
    }
}
