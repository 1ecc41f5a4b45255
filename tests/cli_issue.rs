//! The `healthcode` binary run for real in a temporary directory: issuing from a holder
//! request (issue #6), and key files.

use ed25519_dalek::SigningKey;
use healthcode::request::Declaration;
use healthcode::{Colour, Credential, Holder, HolderRequest, KeyId};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

/// A fresh, empty directory under the system's temporary directory.
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
