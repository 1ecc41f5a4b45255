//! Revocation lists scoped to their signer, run through the real `healthcode` binary in a
//! temporary directory (issue #12, defect 3): one authority's list cannot undo, freeze or
//! stand in for another's, a list dated in the future is refused, and so is an implausible
//! sequence jump.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

/// A fresh, empty directory under the system's temporary directory, removed when dropped.
struct WorkDir(PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn healthcode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healthcode"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(args: &[&str]) -> Output {
    let o = healthcode(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
    o
}

/// Two health authorities under one root, and a green live code issued by the first.
struct Scene {
    dir: WorkDir,
    /// The first authority's credential id (16 hex characters).
    code_id: String,
}

impl Scene {
    fn new(label: &str) -> Scene {
        let dir = std::env::temp_dir().join(format!(
            "healthcode-cli-revocation-{label}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let scene = Scene {
            dir: WorkDir(dir),
            code_id: String::new(),
        };
        for key in ["root", "issuer1", "issuer2", "holder"] {
            ok(&["keygen", "--out", &scene.p(&format!("{key}.key"))]);
        }
        ok(&[
            "trust-list",
            "--root-key",
            &scene.p("root.key"),
            "--issuer",
            &format!("Authority one={}", scene.p("issuer1.key.pub")),
            "--issuer",
            &format!("Authority two={}", scene.p("issuer2.key.pub")),
            "--out",
            &scene.p("trust.hct"),
            "--now",
            &(NOW - DAY).to_string(),
        ]);
        let issued = ok(&[
            "issue",
            "--issuer-key",
            &scene.p("issuer1.key"),
            "--holder",
            &scene.p("holder.key.pub"),
            "--colour",
            "green",
            "--name",
            "Z*** W**",
            "--id-last4",
            "1234",
            "--now",
            &(NOW - 3600).to_string(),
            "--out",
            &scene.p("green.hcc"),
        ]);
        let out = text(&issued);
        let code_id = out
            .split("credential id ")
            .nth(1)
            .map(|s| s.chars().take(16).collect::<String>())
            .unwrap_or_else(|| panic!("no credential id in: {out}"));
        ok(&[
            "present",
            "--credential",
            &scene.p("green.hcc"),
            "--holder-key",
            &scene.p("holder.key"),
            "--out",
            &scene.p("green.hcp"),
            "--now",
            &NOW.to_string(),
        ]);
        Scene { code_id, ..scene }
    }

    fn p(&self, name: &str) -> String {
        let path: &Path = &self.dir.0;
        path.join(name).to_str().unwrap().to_owned()
    }

    /// Writes `name`: a full list by `signer` naming `ids`, signed at `at`, with `extra`
    /// arguments (e.g. `--sequence`).
    fn list(&self, name: &str, signer: &str, ids: &[&str], at: u64, extra: &[&str]) -> String {
        let key = self.p(&format!("{signer}.key"));
        let out = self.p(name);
        let at = at.to_string();
        let mut args = vec![
            "revocation-list",
            "--signer-key",
            &key,
            "--out",
            &out,
            "--now",
            &at,
        ];
        for id in ids {
            args.extend(["--id", id]);
        }
        args.extend(extra);
        ok(&args);
        out
    }

    /// `healthcode verify green.hcp` at `now` with the revocation list files, in order.
    fn verify(&self, lists: &[&str], now: u64) -> Output {
        let (hcp, trust, root, now) = (
            self.p("green.hcp"),
            self.p("trust.hct"),
            self.p("root.key.pub"),
            now.to_string(),
        );
        let mut args = vec![
            "verify", &hcp, "--trust", &trust, "--root", &root, "--now", &now,
        ];
        for list in lists {
            args.extend(["--revocation", list]);
        }
        healthcode(&args)
    }
}

fn assert_outcome(o: &Output, exit: i32, needle: &str) {
    assert_eq!(o.status.code(), Some(exit), "{}", text(o));
    assert!(
        text(o).contains(needle),
        "expected {needle:?} in: {}",
        text(o)
    );
}

#[test]
fn another_authoritys_full_list_does_not_undo_a_revocation() {
    let s = Scene::new("undo");
    let rev1 = s.list(
        "rev-by-issuer1.hcl",
        "issuer1",
        &[&s.code_id],
        NOW - 600,
        &[],
    );
    let empty2 = s.list("empty-full-by-issuer2.hcl", "issuer2", &[], NOW - 300, &[]);
    assert_outcome(&s.verify(&[], NOW), 0, "ADMIT green");
    assert_outcome(&s.verify(&[&rev1], NOW), 1, "[R|REV]");
    // The repro: issuer 2's empty full list, applied after, used to replace issuer
    // 1's list and admit the revoked code.
    assert_outcome(&s.verify(&[&rev1, &empty2], NOW), 1, "[R|REV]");
    assert_outcome(&s.verify(&[&empty2, &rev1], NOW), 1, "[R|REV]");
}

#[test]
fn an_authority_cannot_revoke_another_authoritys_code() {
    let s = Scene::new("foreign");
    let by2 = s.list(
        "rev-by-issuer2.hcl",
        "issuer2",
        &[&s.code_id],
        NOW - 600,
        &[],
    );
    assert_outcome(&s.verify(&[&by2], NOW), 0, "ADMIT green");
}

#[test]
fn a_max_sequence_list_is_refused_and_cannot_freeze_later_lists() {
    let s = Scene::new("freeze");
    let max = u64::MAX.to_string();
    let frozen = s.list("max.hcl", "issuer1", &[], NOW - 900, &["--sequence", &max]);
    let rev1 = s.list(
        "rev-by-issuer1.hcl",
        "issuer1",
        &[&s.code_id],
        NOW - 600,
        &[],
    );
    // Refused with its own code...
    assert_outcome(&s.verify(&[&frozen], NOW), 2, "(L|JMP)");
    assert_outcome(&s.verify(&[&frozen, &rev1], NOW), 2, "max.hcl");
    // ...so the authority's next list still applies (it used to fail `L|SEQ`).
    assert_outcome(&s.verify(&[&rev1], NOW), 1, "[R|REV]");
    // Another authority's list never touches issuer 1's sequence.
    let frozen2 = s.list("max2.hcl", "issuer2", &[], NOW - 900, &["--sequence", &max]);
    assert_outcome(&s.verify(&[&frozen2], NOW), 2, "(L|JMP)");
}

#[test]
fn a_sequence_jump_past_the_bound_is_refused_and_one_at_the_bound_applies() {
    let s = Scene::new("jump");
    // Sequences as the CLI makes them by default (the signing time), then a jump of
    // 1,000,000 plus the 300 seconds between the two lists: the most allowed.
    let first = s.list("first.hcl", "issuer1", &[], NOW - 600, &[]);
    let limit = (NOW - 600 + 1_000_000 + 300).to_string();
    let at_limit = s.list(
        "at-limit.hcl",
        "issuer1",
        &[&s.code_id],
        NOW - 300,
        &["--sequence", &limit],
    );
    assert_outcome(&s.verify(&[&first, &at_limit], NOW), 1, "[R|REV]");
    let past = (NOW - 600 + 1_000_000 + 301).to_string();
    let past = s.list(
        "past.hcl",
        "issuer1",
        &[&s.code_id],
        NOW - 300,
        &["--sequence", &past],
    );
    assert_outcome(&s.verify(&[&first, &past], NOW), 2, "(L|JMP)");
    // Lists published daily for a month, each numbered by its signing time, all apply.
    let month = s.list("month.hcl", "issuer1", &[&s.code_id], NOW - 60, &[]);
    let old = s.list("old.hcl", "issuer1", &[], NOW - 30 * DAY, &[]);
    assert_outcome(&s.verify(&[&old, &month], NOW), 1, "[R|REV]");
}

#[test]
fn a_list_dated_in_the_future_is_refused() {
    let s = Scene::new("future");
    let ahead = s.list("ahead.hcl", "issuer1", &[], NOW + 365 * DAY, &[]);
    assert_outcome(&s.verify(&[&ahead], NOW), 2, "(L|FUT)");
    // Within the 60 s clock skew it is accepted.
    let skewed = s.list("skewed.hcl", "issuer1", &[], NOW + 60, &[]);
    assert_outcome(&s.verify(&[&skewed], NOW), 0, "ADMIT green");
    let beyond = s.list("beyond.hcl", "issuer1", &[], NOW + 61, &[]);
    assert_outcome(&s.verify(&[&beyond], NOW), 2, "(L|FUT)");
}

#[test]
fn the_code_issuers_stale_list_is_not_hidden_by_anothers_fresh_list() {
    let s = Scene::new("stale");
    let stale1 = s.list("stale1.hcl", "issuer1", &[], NOW - 3 * DAY, &[]);
    let fresh2 = s.list("fresh2.hcl", "issuer2", &[], NOW - 300, &[]);
    assert_outcome(&s.verify(&[&stale1], NOW), 2, "[K|REV]");
    assert_outcome(&s.verify(&[&stale1, &fresh2], NOW), 2, "[K|REV]");
    // A fresh list of issuer 1 is enough for issuer 1's code, whatever issuer 2 holds.
    let fresh1 = s.list("fresh1.hcl", "issuer1", &[], NOW - 300, &[]);
    let stale2 = s.list("stale2.hcl", "issuer2", &[], NOW - 3 * DAY, &[]);
    assert_outcome(&s.verify(&[&stale2, &fresh1], NOW), 0, "ADMIT green");
}
