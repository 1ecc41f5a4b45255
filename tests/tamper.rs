//! Property: no single-byte or single-bit change to a valid presentation's QR text or bytes
//! yields a successful verification (so never an admit).

use ed25519_dalek::SigningKey;
use healthcode::codec::{self, MessageKind};
use healthcode::{
    verify, Claims, Colour, Credential, CredentialId, Holder, KeyId, Presentation, Role, TrustList,
    TrustStore, TrustedIssuer,
};
use proptest::prelude::*;

const NOW: u64 = 1_800_000_000;

fn setup() -> (String, TrustStore) {
    let issuer = SigningKey::from_bytes(&[1; 32]);
    let holder = SigningKey::from_bytes(&[2; 32]);
    let claims = Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId([3; 8]),
        colour: Colour::Green,
        masked_name: "张*伟".into(),
        id_last4: "1234".into(),
        region: 330900,
        issued_at: NOW - 100,
        not_before: NOW - 100,
        expires: NOW + 100_000,
        quarantine_end: None,
        holder: Holder::Device(holder.verifying_key().to_bytes()),
    };
    let cred = Credential::issue(claims, &issuer).unwrap();
    let text = Presentation::sign(cred, None, &holder, NOW).to_qr_text();
    let trust = TrustStore::with(TrustList {
        root: KeyId([0; 8]),
        sequence: 1,
        signed_at: NOW - 10,
        issuers: vec![TrustedIssuer::new(
            &issuer.verifying_key(),
            "Issuer",
            Role::HealthAuthority,
            0,
            u64::MAX,
        )],
    });
    assert!(verify(&text, &trust, NOW).is_ok());
    (text, trust)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn flipping_one_bit_of_the_bytes_never_verifies(index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (text, trust) = setup();
        let mut bytes = codec::from_qr_text(&text, MessageKind::Presentation).unwrap();
        let i = index.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let tampered = codec::to_qr_text(MessageKind::Presentation, &bytes);
        prop_assert!(verify(&tampered, &trust, NOW).is_err());
    }

    #[test]
    fn replacing_one_character_of_the_text_never_verifies(
        index in any::<prop::sample::Index>(),
        replacement in prop::sample::select(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".to_vec()),
    ) {
        let (text, trust) = setup();
        let mut chars = text.into_bytes();
        let i = index.index(chars.len());
        prop_assume!(chars[i] != replacement);
        chars[i] = replacement;
        let tampered = String::from_utf8(chars).unwrap();
        prop_assert!(verify(&tampered, &trust, NOW).is_err());
    }
}
