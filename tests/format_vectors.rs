//! Runs the layered format vectors of `tests/vectors/format-v1.json` (see
//! `tests/vectors/README.md`) through the checkpoint pipeline, and checks that the file is
//! exactly what `examples/gen_vectors.rs` generates and that every outcome code has a vector.
//!
//! The vectors are read as plain JSON, the way a second implementation would read them; the
//! generator is only used to check that the file has not drifted from it.

#[path = "../examples/gen_vectors.rs"]
mod gen_vectors;

use ed25519_dalek::SigningKey;
use healthcode::codec;
use healthcode::keys::{to_hex, verifying_key_from_hex};
use healthcode::{
    decide, verify_in, Claims, Context, ErrorClass, Holder, Policy, RevocationList, RevocationSet,
    Temperature, TrustList, TrustStore, Verified, VerifyOptions,
};
use serde_json::Value;
use std::collections::BTreeSet;

/// Every outcome code reachable through the public API: the policy's reason codes and the
/// codes of `VerifyError`.
const ALL_CODES: &[&str] = &[
    // Verdicts.
    "C|GRN", "C|YEL", "C|RED", "P|PAP", "P|NOP", "T|FEV", "T|REQ",
    // Verification errors.
    "P|PFX", "P|VER", "P|TYP", "P|RAW", "P|LEN", "D|B45", "D|END", "D|ENM", "D|ENC", "D|TRL",
    "D|CAN", "D|FLD", "K|CLK", "K|OLD", "K|REV", "S|KID", "S|ROL", "S|KVA", "S|SIG", "R|REV",
    "V|NBF", "V|EXP", "H|SIG", "H|OLD", "H|FUT", "A|MIS", "A|PLC", "A|KID", "A|SIG", "A|HLD",
    "A|EXP", "A|REV",
];

fn vectors_text() -> String {
    std::fs::read_to_string(gen_vectors::VECTORS_PATH)
        .expect("tests/vectors/format-v1.json: run `cargo run --example gen_vectors`")
}

fn vectors() -> Vec<Value> {
    let value: Value = serde_json::from_str(&vectors_text()).expect("format-v1.json is JSON");
    value.as_array().expect("an array of cases").clone()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is a string in {v}"))
}

fn u64_of(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("`{key}` is an unsigned integer in {v}"))
}

fn bool_of(v: &Value, key: &str) -> bool {
    v[key]
        .as_bool()
        .unwrap_or_else(|| panic!("`{key}` is a boolean in {v}"))
}

fn from_hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd-length hex");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The checkpoint's state rebuilt from a case's context texts.
struct Checkpoint {
    trust: TrustStore,
    revocation: Option<RevocationSet>,
    options: VerifyOptions,
    policy: Policy,
    temperature: Option<Temperature>,
    now: u64,
}

fn checkpoint(context: &Value) -> Result<Checkpoint, String> {
    let root = verifying_key_from_hex(str_of(context, "root_public_key_hex"))
        .map_err(|e| format!("root key: {e}"))?;
    let list = TrustList::from_text(str_of(context, "trust_list"), &[root])
        .map_err(|e| format!("trust list: {} ({e})", e.code()))?;
    let trust = TrustStore::with(list);

    let texts = context["revocation_lists"]
        .as_array()
        .ok_or("`revocation_lists` is an array")?;
    let revocation = if texts.is_empty() {
        None
    } else {
        let mut set = RevocationSet::default();
        for (i, text) in texts.iter().enumerate() {
            let text = text.as_str().ok_or("a revocation list is a string")?;
            let list = RevocationList::from_text(text, &trust)
                .map_err(|e| format!("revocation list {i}: {} ({e})", e.code()))?;
            let (now, skew) = (
                u64_of(context, "now"),
                u64_of(&context["options"], "clock_skew_secs"),
            );
            set.apply(list, now, skew)
                .map_err(|e| format!("applying revocation list {i}: {} ({e})", e.code()))?;
        }
        Some(set)
    };

    let o = &context["options"];
    let options = VerifyOptions {
        freshness_secs: u64_of(o, "freshness_secs"),
        clock_skew_secs: u64_of(o, "clock_skew_secs"),
        max_trust_age_secs: u64_of(o, "max_trust_age_secs"),
        max_revocation_age_secs: u64_of(o, "max_revocation_age_secs"),
        require_revocation_list: bool_of(o, "require_revocation_list"),
        require_pass_for: o["require_pass_for"].as_str().map(str::to_owned),
    };
    let p = &context["policy"];
    let policy = Policy {
        admit_yellow: bool_of(p, "admit_yellow"),
        accept_paper: bool_of(p, "accept_paper"),
        temperature_required: bool_of(p, "temperature_required"),
        fever_tenths: u16::try_from(u64_of(p, "fever_tenths")).map_err(|e| e.to_string())?,
    };
    let temperature = match &context["temperature_tenths"] {
        Value::Null => None,
        t => {
            let tenths = t.as_u64().ok_or("`temperature_tenths` is a number")?;
            let tenths = u16::try_from(tenths).map_err(|e| e.to_string())?;
            Some(Temperature::from_tenths(tenths).map_err(|e| e.to_string())?)
        }
    };
    Ok(Checkpoint {
        trust,
        revocation,
        options,
        policy,
        temperature,
        now: u64_of(context, "now"),
    })
}

/// `(outcome, code)` for `qr_text` at `checkpoint`, and the verified claims if any.
fn run(qr_text: &str, cp: &Checkpoint) -> ((String, String), Option<Verified>) {
    let ctx = Context {
        trust: &cp.trust,
        revocation: cp.revocation.as_ref(),
        options: &cp.options,
        now: cp.now,
    };
    match verify_in(qr_text, &ctx) {
        Ok(verified) => {
            let verdict = decide(&verified, cp.temperature, &cp.policy);
            let outcome = verdict.decision.as_str().to_owned();
            ((outcome, verdict.code().to_owned()), Some(verified))
        }
        Err(e) => {
            let outcome = match e.class() {
                ErrorClass::Invalid => "invalid",
                ErrorClass::CannotCheck => "cannot-check",
            };
            ((outcome.to_owned(), e.code().to_owned()), None)
        }
    }
}

/// Differences between verified claims and the case's `claims.credential`.
fn claims_mismatches(claims: &Claims, json: &Value) -> Vec<String> {
    let holder = match claims.holder {
        Holder::Device(key) => format!("device:{}", to_hex(&key)),
        Holder::Paper => "paper".into(),
    };
    let quarantine_end = claims.quarantine_end.map_or(Value::Null, Value::from);
    let fields: [(&str, Value); 11] = [
        ("issuer", to_hex(&claims.issuer.0).into()),
        ("id", to_hex(&claims.id.0).into()),
        ("colour", claims.colour.as_str().into()),
        ("masked_name", claims.masked_name.clone().into()),
        ("id_last4", claims.id_last4.clone().into()),
        ("region", claims.region.into()),
        ("issued_at", claims.issued_at.into()),
        ("not_before", claims.not_before.into()),
        ("expires", claims.expires.into()),
        ("quarantine_end", quarantine_end),
        ("holder", holder.into()),
    ];
    fields
        .into_iter()
        .filter(|(key, value)| &json[*key] != value)
        .map(|(key, value)| {
            format!(
                "claims.credential.{key}: verified {value}, file {}",
                json[key]
            )
        })
        .collect()
}

/// Everything wrong with one case (empty: the case passes).
fn check_case(case: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let qr_text = str_of(case, "qr_text");

    // The seeds reproduce the pinned root.
    let root_seed = from_hex(str_of(&case["seeds"], "root"));
    let root_seed: [u8; 32] = root_seed.try_into().expect("a 32-byte root seed");
    let root_public = to_hex(
        SigningKey::from_bytes(&root_seed)
            .verifying_key()
            .as_bytes(),
    );
    if root_public != str_of(&case["context"], "root_public_key_hex") {
        problems.push("the root seed does not give the pinned root key".into());
    }

    // The bytes: the payload where the text decodes, else the text itself.
    let decoded =
        codec::peek_kind(qr_text).and_then(|kind| codec::from_qr_text(qr_text, kind).ok());
    let bytes = decoded.unwrap_or_else(|| qr_text.as_bytes().to_vec());
    if to_hex(&bytes) != str_of(case, "bytes_hex") {
        problems.push(format!(
            "bytes_hex is not the bytes of qr_text (which are {})",
            to_hex(&bytes)
        ));
    }

    let cp = match checkpoint(&case["context"]) {
        Ok(cp) => cp,
        Err(e) => {
            problems.push(format!("context: {e}"));
            return problems;
        }
    };
    let ((outcome, code), verified) = run(qr_text, &cp);
    let expected = &case["expected"];
    let (want_outcome, want_code) = (str_of(expected, "outcome"), str_of(expected, "code"));
    if (outcome.as_str(), code.as_str()) != (want_outcome, want_code) {
        problems.push(format!(
            "expected {want_outcome} {want_code}, got {outcome} {code}"
        ));
    }
    if let Some(verified) = verified {
        problems.extend(claims_mismatches(
            &verified.claims,
            &case["claims"]["credential"],
        ));
        let timestamp = case["claims"]["presentation_timestamp"].as_u64();
        if verified.presented_at != timestamp {
            problems.push(format!(
                "presented at {:?}, file says {timestamp:?}",
                verified.presented_at
            ));
        }
        if let Some(pass) = verified.pass {
            let json = &case["claims"]["pass"];
            if str_of(json, "place") != pass.place || str_of(json, "id") != to_hex(&pass.id.0) {
                problems.push("the verified pass is not the file's pass".into());
            }
        }
    }
    problems
}

#[test]
fn every_vector_reaches_its_expected_outcome_and_code() {
    let cases = vectors();
    assert!(!cases.is_empty());
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        let name = str_of(case, "name");
        assert!(names.insert(name.to_owned()), "duplicate case name: {name}");
        for problem in check_case(case) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

#[test]
fn every_outcome_code_has_a_vector() {
    let covered: BTreeSet<String> = vectors()
        .iter()
        .map(|case| str_of(&case["expected"], "code").to_owned())
        .collect();
    let all: BTreeSet<String> = ALL_CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(all.len(), ALL_CODES.len(), "ALL_CODES has a duplicate");
    let missing: Vec<_> = all.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&all).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "codes without a vector: {missing:?}; codes not in ALL_CODES: {unknown:?}"
    );
}

#[test]
fn the_checked_in_vectors_are_what_the_generator_produces() {
    let text = vectors_text();
    assert!(
        text == gen_vectors::render(),
        "tests/vectors/format-v1.json differs from the generator's output: run \
         `cargo run --example gen_vectors` and review the diff"
    );
    let parsed: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(parsed, gen_vectors::cases());
    let readme = std::fs::read_to_string(gen_vectors::README_PATH).expect("the README");
    assert!(
        readme == gen_vectors::readme_with_table(&readme),
        "the case table of tests/vectors/README.md is out of date: run \
         `cargo run --example gen_vectors`"
    );
}
