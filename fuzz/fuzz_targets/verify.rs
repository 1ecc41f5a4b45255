//! Fuzz target: QR text → verification → policy verdict, on the crate's public API.
//!
//! Invariants checked:
//! * nothing panics (libFuzzer reports any panic as a crash);
//! * a code that verifies successfully was signed by the one trusted fixture issuer: the
//!   verified claims' issuer key id is that issuer's key id.
//!
//! The crate's other text decoders run on the same input; their results are ignored (only
//! panics matter).
//!
//! Everything that touches the crate's API is in `mod api` below (the fixture, the
//! verification, the other decoders): adapt only that module when the API changes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Seed of the one trusted fixture issuer key (fixed, so runs are reproducible).
const ISSUER_SEED: [u8; 32] = [0x5a; 32];
/// Seed of the fixture's trust-list root key.
const ROOT_SEED: [u8; 32] = [0x7e; 32];
/// The checkpoint's clock for every verification, Unix seconds (2027-01-15).
const NOW: u64 = 1_800_000_000;

mod api {
    use super::{ISSUER_SEED, NOW, ROOT_SEED};
    use ed25519_dalek::{SigningKey, VerifyingKey};
    use healthcode::{
        decide, verify_in, Context, Credential, HolderRequest, KeyId, Pass, Policy, Presentation,
        RevocationList, Role, Temperature, TrustList, TrustStore, TrustedIssuer, VerifyOptions,
    };

    /// What every input is checked against.
    pub struct Fixture {
        pinned_roots: Vec<VerifyingKey>,
        trust: TrustStore,
        options: VerifyOptions,
        policy: Policy,
        /// Key id of the one trusted issuer.
        pub issuer_key_id: [u8; 8],
    }

    /// A trust store holding one health-authority issuer made from [`ISSUER_SEED`], loaded
    /// the way a checkpoint loads it: a root-signed list, decoded under the pinned root.
    pub fn fixture() -> Fixture {
        let root = SigningKey::from_bytes(&ROOT_SEED);
        let issuer = SigningKey::from_bytes(&ISSUER_SEED).verifying_key();
        let list = TrustList {
            root: KeyId([0; 8]),
            sequence: 1,
            signed_at: NOW,
            issuers: vec![TrustedIssuer::new(
                &issuer,
                "Fuzz fixture issuer",
                Role::HealthAuthority,
                0,
                u64::MAX,
            )],
        };
        let pinned_roots = vec![root.verifying_key()];
        let list = TrustList::from_text(&list.sign(&root).to_text(), &pinned_roots)
            .expect("the fixture trust list decodes under its root");
        let mut trust = TrustStore::default();
        trust
            .import(list)
            .expect("an empty store takes the fixture list");
        Fixture {
            pinned_roots,
            trust,
            options: VerifyOptions::default(),
            policy: Policy::default(),
            issuer_key_id: KeyId::of(&issuer).0,
        }
    }

    /// Verifies `text` at [`NOW`] and, if it verifies, runs the default policy (with no
    /// temperature, and with a fever). Returns the verified claims' issuer key id, or
    /// `None` if verification refused the code.
    pub fn verify_to_verdict(text: &str, fx: &Fixture) -> Option<[u8; 8]> {
        let ctx = Context {
            trust: &fx.trust,
            revocation: None,
            options: &fx.options,
            now: NOW,
        };
        match verify_in(text, &ctx) {
            Ok(verified) => {
                let fever = Temperature::from_tenths(390).ok();
                for temperature in [None, fever] {
                    let verdict = decide(&verified, temperature, &fx.policy);
                    std::hint::black_box((verdict.decision.as_str(), verdict.code()));
                }
                Some(verified.claims.issuer.0)
            }
            Err(err) => {
                // The error's reporting paths too (codes shown to staff).
                std::hint::black_box((err.code(), err.class(), err.to_string()));
                None
            }
        }
    }

    /// The crate's other decoders of text, results ignored.
    pub fn decode_other_messages(text: &str, fx: &Fixture) {
        use std::hint::black_box;
        let _ = black_box(TrustList::from_text(text, &fx.pinned_roots));
        let _ = black_box(RevocationList::from_text(text, &fx.trust));
        let _ = black_box(Credential::from_qr_text(text));
        let _ = black_box(Presentation::from_qr_text(text));
        let _ = black_box(Pass::from_qr_text(text));
        let _ = black_box(HolderRequest::from_qr_text(text));
        let _ = black_box(Temperature::parse(text));
        let _ = black_box(healthcode::keys::parse_hex32(text));
    }
}

fn fixture() -> &'static api::Fixture {
    static FIXTURE: OnceLock<api::Fixture> = OnceLock::new();
    FIXTURE.get_or_init(api::fixture)
}

fuzz_target!(|data: &[u8]| {
    // QR text is text: skip input that is not UTF-8 (no lossy conversion).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fx = fixture();

    if let Some(issuer) = api::verify_to_verdict(text, fx) {
        assert_eq!(
            issuer, fx.issuer_key_id,
            "verified a code whose issuer is not the trusted fixture issuer"
        );
    }

    api::decode_other_messages(text, fx);
});
