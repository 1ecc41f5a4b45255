//! The batch signer (`healthcode::batch_signer`) makes the same signatures as ed25519-dalek,
//! byte for byte, and they verify under the acceptance rule of `healthcode::signature`.
//! The RFC 8032 §7.1 vectors are checked in `tests/ed25519_vectors.rs`; here: random seeds
//! and messages (proptest), one signer reused over many messages, and credentials issued
//! through it.

use ed25519_dalek::{Signature, Signer, SigningKey};
use healthcode::batch_signer::BatchSigner;
use healthcode::credential::ClaimsError;
use healthcode::signature::verify_ed25519;
use healthcode::{Claims, Colour, Credential, CredentialId, Holder, KeyId};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any seed, any message of 0 to 400 bytes: the batch signer's signature equals dalek's,
    /// and verifies with `verify_strict` and with `verify_ed25519`.
    #[test]
    fn same_signature_as_dalek(seed in any::<[u8; 32]>(), message in proptest::collection::vec(any::<u8>(), 0..400)) {
        let key = SigningKey::from_bytes(&seed);
        let signer = BatchSigner::new(&key);
        let ours = signer.sign(&message);
        prop_assert_eq!(ours, key.sign(&message).to_bytes());
        prop_assert!(key.verifying_key().verify_strict(&message, &Signature::from_bytes(&ours)).is_ok());
        prop_assert_eq!(verify_ed25519(signer.public_key(), &message, &ours), Ok(()));
        prop_assert_eq!(*signer.public_key(), key.verifying_key().to_bytes());
        prop_assert_eq!(signer.key_id(), KeyId::of(&key.verifying_key()));
    }
}

/// One signer, 2,000 messages that differ in one counter (like the claims of a batch): every
/// signature equals dalek's and verifies; no two are equal.
#[test]
fn one_signer_many_messages() {
    let key = SigningKey::from_bytes(&[0x5a; 32]);
    let signer = BatchSigner::new(&key);
    let mut seen = std::collections::HashSet::new();
    for i in 0u32..2_000 {
        let mut message = b"healthcode/credential/v1\0".to_vec();
        message.extend_from_slice(&i.to_be_bytes());
        let ours = signer.sign(&message);
        assert_eq!(ours, key.sign(&message).to_bytes(), "message {i}");
        assert_eq!(
            verify_ed25519(key.verifying_key().as_bytes(), &message, &ours),
            Ok(()),
            "message {i}"
        );
        assert!(seen.insert(ours), "message {i}: repeated signature");
    }
    assert_eq!(seen.len(), 2_000);
}

/// A signature made for one message does not verify for another (the signer signs what it is
/// given, not a fixed message).
#[test]
fn signature_is_bound_to_the_message() {
    let key = SigningKey::from_bytes(&[3; 32]);
    let signer = BatchSigner::new(&key);
    let signature = signer.sign(b"row 1");
    assert_eq!(
        verify_ed25519(signer.public_key(), b"row 1", &signature),
        Ok(())
    );
    assert_eq!(
        verify_ed25519(signer.public_key(), b"row 2", &signature),
        Err(healthcode::signature::SignatureError::Invalid)
    );
}

fn claims(colour: Colour, holder: Holder) -> Claims {
    Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId([0x42; 8]),
        colour,
        masked_name: "张*伟".into(),
        id_last4: "903X".into(),
        region: 330900,
        issued_at: 1_800_000_000,
        not_before: 1_800_000_000,
        expires: 1_800_000_000 + 30 * 86_400,
        quarantine_end: (colour != Colour::Green).then_some(1_800_000_000 + 14 * 86_400),
        holder,
    }
}

/// `Credential::issue_with` gives the same credential, and the same `HCC1:` text, as
/// `Credential::issue`; a broken rule gives the same error.
#[test]
fn issue_with_equals_issue() {
    let issuer = SigningKey::from_bytes(&[1; 32]);
    let signer = BatchSigner::new(&issuer);
    let device = Holder::Device(SigningKey::from_bytes(&[2; 32]).verifying_key().to_bytes());
    for colour in [Colour::Green, Colour::Yellow, Colour::Red] {
        for holder in [device, Holder::Paper] {
            let slow = Credential::issue(claims(colour, holder), &issuer).expect("valid claims");
            let fast =
                Credential::issue_with(claims(colour, holder), &signer).expect("valid claims");
            assert_eq!(fast, slow, "{colour:?} {holder:?}");
            assert_eq!(fast.to_qr_text(), slow.to_qr_text());
            assert_eq!(fast.claims.issuer, KeyId::of(&issuer.verifying_key()));
            assert_eq!(
                verify_ed25519(
                    issuer.verifying_key().as_bytes(),
                    &fast.claims.signing_input(),
                    &fast.signature
                ),
                Ok(())
            );
        }
    }
    let mut bad = claims(Colour::Green, device);
    bad.quarantine_end = Some(1);
    assert_eq!(
        Credential::issue_with(bad.clone(), &signer),
        Err(ClaimsError::QuarantineEnd)
    );
    assert_eq!(
        Credential::issue(bad, &issuer),
        Err(ClaimsError::QuarantineEnd)
    );
}

/// The signer's debug form names the key id only.
#[test]
fn debug_shows_no_secret() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let signer = BatchSigner::new(&key);
    let shown = format!("{signer:?}");
    assert_eq!(
        shown,
        format!(
            "BatchSigner {{ key_id: {:?}, .. }}",
            KeyId::of(&key.verifying_key())
        )
    );
}
