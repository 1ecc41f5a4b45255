//! Criterion benchmarks of the core: encode, sign, verify one presentation, and verify with a
//! 100,000-entry revocation list. Run: `cargo bench --bench core`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ed25519_dalek::SigningKey;
use healthcode::{
    verify_in, Claims, Colour, Context, Credential, CredentialId, Holder, KeyId, Presentation,
    RevocationList, RevocationSet, Role, Scope, TrustList, TrustStore, TrustedIssuer,
    VerifyOptions,
};

const NOW: u64 = 1_800_000_000;

fn claims(holder: &SigningKey) -> Claims {
    Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId([0xab; 8]),
        colour: Colour::Green,
        masked_name: "张*伟".into(),
        id_last4: "1234".into(),
        region: 330900,
        issued_at: NOW - 3600,
        not_before: NOW - 3600,
        expires: NOW + 86_400,
        quarantine_end: None,
        holder: Holder::Device(holder.verifying_key().to_bytes()),
    }
}

fn bench(c: &mut Criterion) {
    let issuer = SigningKey::from_bytes(&[1; 32]);
    let holder = SigningKey::from_bytes(&[2; 32]);
    let credential = Credential::issue(claims(&holder), &issuer).expect("valid claims");
    let presentation = Presentation::sign(credential.clone(), None, &holder, NOW);
    let text = presentation.to_qr_text();
    let trust = TrustStore::with(TrustList {
        root: KeyId([0; 8]),
        sequence: 1,
        signed_at: NOW - 60,
        issuers: vec![TrustedIssuer::new(
            &issuer.verifying_key(),
            "Bench issuer",
            Role::HealthAuthority,
            0,
            u64::MAX,
        )],
    });
    let options = VerifyOptions::default();

    c.bench_function("encode presentation to QR text", |b| {
        b.iter(|| black_box(&presentation).to_qr_text())
    });
    c.bench_function("issue credential (validate + sign)", |b| {
        b.iter(|| Credential::issue(black_box(claims(&holder)), &issuer))
    });
    c.bench_function("sign presentation", |b| {
        b.iter(|| Presentation::sign(black_box(credential.clone()), None, &holder, NOW))
    });
    c.bench_function("verify presentation", |b| {
        let ctx = Context {
            trust: &trust,
            revocation: None,
            options: &options,
            now: NOW,
        };
        b.iter(|| verify_in(black_box(&text), &ctx).expect("verifies"))
    });

    // Signed by the code's issuer: only its own lists are looked up.
    let issuer_id = KeyId::of(&issuer.verifying_key());
    let mut revoked = RevocationSet::default();
    revoked
        .apply(
            RevocationList {
                signer: issuer_id,
                sequence: 1,
                signed_at: NOW - 60,
                scope: Scope::Full,
                revoked: (0u64..100_000)
                    .map(|i| CredentialId((i * 7919).to_be_bytes()))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            },
            NOW,
            60,
        )
        .expect("full list applies");
    assert_eq!(revoked.len(), 100_000);
    c.bench_function("verify presentation, 100000 revoked ids", |b| {
        let ctx = Context {
            trust: &trust,
            revocation: Some(&revoked),
            options: &options,
            now: NOW,
        };
        b.iter(|| verify_in(black_box(&text), &ctx).expect("verifies"))
    });
    c.bench_function("revocation lookup in 100000 ids", |b| {
        b.iter(|| revoked.revokes(&issuer_id, black_box(&CredentialId([0xab; 8]))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
