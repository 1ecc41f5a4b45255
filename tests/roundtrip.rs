//! Properties of the QR text codec for every message type: any valid value encodes to text
//! that decodes to the identical value and re-encodes to the identical text; and decoding
//! arbitrary bytes or text behind a valid prefix never panics.

use ed25519_dalek::SigningKey;
use healthcode::codec::{self, MessageKind};
use healthcode::credential::MAX_MASKED_NAME;
use healthcode::pass::{MAX_PLACE, MAX_PLATE};
use healthcode::request::MAX_NAME;
use healthcode::revocation::SignedRevocationList;
use healthcode::trust::MAX_ISSUER_NAME;
use healthcode::{
    verify_in, Claims, Colour, Context, Credential, CredentialId, Declaration, Holder,
    HolderRequest, KeyId, Pass, PassClaims, PassKind, Presentation, RevocationList, RevocationSet,
    Role, Scope, SignedTrustList, TrustList, TrustStore, TrustedIssuer, VerifyOptions,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

const DAY: u64 = 86_400;

fn config() -> Config {
    Config {
        // No regression files: this test writes nothing into the source tree.
        failure_persistence: None,
        ..Config::with_cases(256)
    }
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// Arbitrary Unicode of `min..=max` bytes of UTF-8 (`min` is 0 or 1), cut on a character
/// boundary.
fn utf8(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), min..=max).prop_map(move |chars| {
        let mut text = String::new();
        for c in chars {
            if text.len() + c.len_utf8() > max {
                break;
            }
            text.push(c);
        }
        text
    })
}

/// Times with every varint length: small, realistic, huge and the extremes.
fn time() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        0u64..128,
        0u64..1 << 21,
        1_500_000_000u64..2_200_000_000,
        any::<u64>(),
        Just(u64::MAX),
    ]
}

/// A non-empty window `(not_before, expires)`.
fn window() -> impl Strategy<Value = (u64, u64)> {
    (time(), time()).prop_map(|(a, b)| {
        let not_before = a.min(u64::MAX - 1);
        let length = b.max(1);
        (not_before, not_before.saturating_add(length))
    })
}

/// `(issued_at, not_before, expires)` within the credential rules: `not_before < expires`,
/// `issued_at < expires`, `issued_at + 1 day ≥ not_before`.
fn credential_times() -> impl Strategy<Value = (u64, u64, u64)> {
    (window(), 0u64..=DAY, any::<u64>(), any::<bool>()).prop_map(
        |((not_before, expires), lead, after, before)| {
            let issued_at = if before {
                not_before.saturating_sub(lead)
            } else {
                not_before + after % (expires - not_before)
            };
            (issued_at, not_before, expires)
        },
    )
}

fn id_last4() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(b"0123456789X".to_vec()), 4)
        .prop_map(|bytes| String::from_utf8(bytes).expect("ASCII"))
}

fn holder() -> impl Strategy<Value = Holder> {
    prop_oneof![
        any::<[u8; 32]>().prop_map(Holder::Device),
        Just(Holder::Paper)
    ]
}

fn colour() -> impl Strategy<Value = Colour> {
    prop_oneof![Just(Colour::Green), Just(Colour::Yellow), Just(Colour::Red)]
}

fn claims_with(holder: impl Strategy<Value = Holder>) -> impl Strategy<Value = Claims> {
    (
        (any::<[u8; 8]>(), any::<[u8; 8]>(), colour()),
        (utf8(1, MAX_MASKED_NAME), id_last4(), 100_000u32..=999_999),
        (credential_times(), time(), holder),
    )
        .prop_map(
            |((issuer, id, colour), (masked_name, id_last4, region), (times, end, holder))| {
                let (issued_at, not_before, expires) = times;
                Claims {
                    issuer: KeyId(issuer),
                    id: CredentialId(id),
                    colour,
                    masked_name,
                    id_last4,
                    region,
                    issued_at,
                    not_before,
                    expires,
                    quarantine_end: (colour != Colour::Green).then_some(end),
                    holder,
                }
            },
        )
}

fn credential() -> impl Strategy<Value = Credential> {
    (claims_with(holder()), any::<[u8; 64]>())
        .prop_map(|(claims, signature)| Credential { claims, signature })
}

fn pass_kind() -> impl Strategy<Value = PassKind> {
    prop_oneof![
        Just(PassKind::Resident),
        Just(PassKind::Employee),
        Just(PassKind::Visitor),
        utf8(1, MAX_PLATE).prop_map(PassKind::Vehicle),
    ]
}

fn pass() -> impl Strategy<Value = Pass> {
    (
        (any::<[u8; 8]>(), any::<[u8; 8]>(), utf8(1, MAX_PLACE)),
        (pass_kind(), window(), any::<[u8; 32]>()),
        any::<[u8; 64]>(),
    )
        .prop_map(
            |((issuer, id, place), (kind, (not_before, expires), holder), signature)| Pass {
                claims: PassClaims {
                    issuer: KeyId(issuer),
                    id: CredentialId(id),
                    place,
                    kind,
                    not_before,
                    expires,
                    holder,
                },
                signature,
            },
        )
}

fn presentation() -> impl Strategy<Value = Presentation> {
    (
        claims_with(any::<[u8; 32]>().prop_map(Holder::Device)),
        any::<[u8; 64]>(),
        prop::option::of(pass()),
        time(),
        any::<[u8; 64]>(),
    )
        .prop_map(
            |(claims, issuer_signature, pass, timestamp, signature)| Presentation {
                credential: Credential {
                    claims,
                    signature: issuer_signature,
                },
                pass,
                timestamp,
                signature,
            },
        )
}

fn declaration() -> impl Strategy<Value = Declaration> {
    any::<[bool; 4]>().prop_map(|[a, b, c, d]| Declaration {
        fever_or_symptoms: a,
        contact_with_case: b,
        high_risk_travel: c,
        under_quarantine: d,
    })
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::HealthAuthority),
        prop::collection::vec(utf8(1, MAX_PLACE), 0..4).prop_map(Role::PassIssuer),
    ]
}

fn trusted_issuer() -> impl Strategy<Value = TrustedIssuer> {
    (
        any::<[u8; 32]>(),
        utf8(0, MAX_ISSUER_NAME),
        role(),
        window(),
    )
        .prop_map(|(seed, name, role, (valid_from, valid_until))| {
            let key = SigningKey::from_bytes(&seed).verifying_key();
            let issuer = TrustedIssuer::new(&key, &name, role, valid_from, valid_until);
            assert_eq!(issuer.name, name, "the name is within the limit");
            issuer
        })
}

// ---------------------------------------------------------------------------------------
// Round trips.

/// Text → bytes → value checks shared by every message: the canonical bytes decode to `value`.
fn assert_bytes_round_trip<T>(value: &T, text: &str, kind: MessageKind) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    prop_assert!(text.starts_with(&kind.prefix()));
    let bytes = codec::from_qr_text(text, kind).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&bytes, &codec::encode(value));
    let decoded: T =
        codec::decode_canonical(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&decoded, value);
    prop_assert_eq!(codec::to_qr_text(kind, &codec::encode(&decoded)), text);
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn credentials_round_trip(credential in credential()) {
        prop_assert_eq!(credential.claims.validate(), Ok(()));
        let text = credential.to_qr_text();
        let decoded = Credential::from_qr_text(&text).unwrap();
        prop_assert_eq!(&decoded, &credential);
        prop_assert_eq!(decoded.to_qr_text(), text.clone());
        assert_bytes_round_trip(&credential, &text, MessageKind::Credential)?;
    }

    #[test]
    fn issued_credentials_round_trip(claims in claims_with(holder()), seed in any::<[u8; 32]>()) {
        let key = SigningKey::from_bytes(&seed);
        let credential = Credential::issue(claims, &key).unwrap();
        let text = credential.to_qr_text();
        let decoded = Credential::from_qr_text(&text).unwrap();
        prop_assert_eq!(decoded.to_qr_text(), text);
        prop_assert_eq!(decoded, credential);
    }

    #[test]
    fn passes_round_trip(pass in pass()) {
        prop_assert_eq!(pass.claims.validate(), Ok(()));
        let text = pass.to_qr_text();
        let decoded = Pass::from_qr_text(&text).unwrap();
        prop_assert_eq!(&decoded, &pass);
        prop_assert_eq!(decoded.to_qr_text(), text.clone());
        assert_bytes_round_trip(&pass, &text, MessageKind::Pass)?;
    }

    #[test]
    fn presentations_round_trip(presentation in presentation()) {
        let text = presentation.to_qr_text();
        let decoded = Presentation::from_qr_text(&text).unwrap();
        prop_assert_eq!(&decoded, &presentation);
        prop_assert_eq!(decoded.to_qr_text(), text.clone());
        assert_bytes_round_trip(&presentation, &text, MessageKind::Presentation)?;
    }

    #[test]
    fn signed_presentations_round_trip(
        claims in claims_with(holder()),
        pass in prop::option::of(pass()),
        seeds in any::<[[u8; 32]; 2]>(),
        at in time(),
    ) {
        let holder = SigningKey::from_bytes(&seeds[1]);
        let claims = Claims { holder: Holder::Device(holder.verifying_key().to_bytes()), ..claims };
        let credential = Credential::issue(claims, &SigningKey::from_bytes(&seeds[0])).unwrap();
        let presentation = Presentation::sign(credential, pass, &holder, at);
        let text = presentation.to_qr_text();
        let decoded = Presentation::from_qr_text(&text).unwrap();
        prop_assert_eq!(decoded.to_qr_text(), text);
        prop_assert_eq!(decoded, presentation);
    }

    #[test]
    fn holder_requests_round_trip(
        seed in any::<[u8; 32]>(),
        name in utf8(1, MAX_NAME),
        declaration in declaration(),
        at in time(),
    ) {
        let key = SigningKey::from_bytes(&seed);
        // `sign` trims the name; a name of white space alone is refused.
        prop_assume!(!name.trim().is_empty());
        let request = HolderRequest::sign(&key, &name, declaration, at).unwrap();
        prop_assert_eq!(request.body.name.as_str(), name.trim());
        let text = request.to_qr_text();
        let decoded = HolderRequest::from_qr_text(&text).unwrap();
        prop_assert_eq!(&decoded, &request);
        prop_assert_eq!(decoded.to_qr_text(), text.clone());
        assert_bytes_round_trip(&request, &text, MessageKind::HolderRequest)?;
    }

    #[test]
    fn trust_lists_round_trip(
        root_seed in any::<[u8; 32]>(),
        sequence in time(),
        signed_at in time(),
        issuers in prop::collection::vec(trusted_issuer(), 0..4),
    ) {
        let root = SigningKey::from_bytes(&root_seed);
        let signed: SignedTrustList = TrustList {
            root: KeyId([0; 8]),
            sequence,
            signed_at,
            issuers,
        }
        .sign(&root);
        let text = signed.to_text();
        let list = TrustList::from_text(&text, &[root.verifying_key()]).unwrap();
        prop_assert_eq!(&list, &signed.list);
        let decoded: SignedTrustList =
            codec::decode_canonical(&codec::from_qr_text(&text, MessageKind::TrustList).unwrap())
                .unwrap();
        prop_assert_eq!(&decoded, &signed);
        prop_assert_eq!(decoded.to_text(), text.clone());
        assert_bytes_round_trip(&signed, &text, MessageKind::TrustList)?;
    }

    #[test]
    fn revocation_lists_round_trip(
        seed in any::<[u8; 32]>(),
        sequence in time(),
        signed_at in time(),
        scope in prop_oneof![Just(Scope::Full), time().prop_map(Scope::Delta)],
        ids in prop::collection::vec(any::<[u8; 8]>(), 0..40),
    ) {
        let signer = SigningKey::from_bytes(&seed);
        let trust = TrustStore::with(TrustList {
            root: KeyId([0; 8]),
            sequence: 1,
            signed_at: 0,
            issuers: vec![TrustedIssuer::new(
                &signer.verifying_key(),
                "Authority",
                Role::HealthAuthority,
                0,
                u64::MAX,
            )],
        });
        let signed: SignedRevocationList = RevocationList {
            signer: KeyId([0; 8]),
            sequence,
            signed_at,
            scope,
            revoked: ids.into_iter().map(CredentialId).collect(),
        }
        .sign(&signer);
        prop_assert!(signed.list.revoked.windows(2).all(|w| w[0] < w[1]));
        let text = signed.to_text();
        let list = RevocationList::from_text(&text, &trust).unwrap();
        prop_assert_eq!(&list, &signed.list);
        let decoded: SignedRevocationList = codec::decode_canonical(
            &codec::from_qr_text(&text, MessageKind::RevocationList).unwrap(),
        )
        .unwrap();
        prop_assert_eq!(&decoded, &signed);
        prop_assert_eq!(decoded.to_text(), text.clone());
        assert_bytes_round_trip(&signed, &text, MessageKind::RevocationList)?;
    }
}

// ---------------------------------------------------------------------------------------
// Decoding never panics.

const KINDS: [MessageKind; 6] = [
    MessageKind::Credential,
    MessageKind::Presentation,
    MessageKind::Pass,
    MessageKind::HolderRequest,
    MessageKind::TrustList,
    MessageKind::RevocationList,
];

/// A trust store and revocation set with real keys, so that decoded values can get deep
/// into the pipeline.
fn scene() -> (SigningKey, SigningKey, TrustStore, RevocationSet) {
    let root = SigningKey::from_bytes(&[1; 32]);
    let issuer = SigningKey::from_bytes(&[2; 32]);
    let list = TrustList {
        root: KeyId([0; 8]),
        sequence: 1,
        signed_at: 1_800_000_000 - DAY,
        issuers: vec![
            TrustedIssuer::new(
                &issuer.verifying_key(),
                "Authority",
                Role::HealthAuthority,
                0,
                u64::MAX,
            ),
            TrustedIssuer::new(
                &SigningKey::from_bytes(&[3; 32]).verifying_key(),
                "Office",
                Role::PassIssuer(vec!["330902-0017".into()]),
                0,
                u64::MAX,
            ),
        ],
    }
    .sign(&root)
    .list;
    let mut set = RevocationSet::default();
    set.apply(
        RevocationList {
            signer: KeyId::of(&issuer.verifying_key()),
            sequence: 1,
            signed_at: 1_800_000_000 - 60,
            scope: Scope::Full,
            revoked: vec![CredentialId([9; 8])],
        },
        1_800_000_000,
        60,
    )
    .expect("a first full list applies");
    (root, issuer, TrustStore::with(list), set)
}

/// Runs `text` through every decoder and the checkpoint pipeline; only a panic fails.
fn decode_everything(text: &str) {
    let (root, _, trust, set) = scene();
    let _ = Credential::from_qr_text(text);
    let _ = Presentation::from_qr_text(text);
    let _ = Pass::from_qr_text(text);
    let _ = HolderRequest::from_qr_text(text);
    let _ = TrustList::from_text(text, &[root.verifying_key()]);
    let _ = RevocationList::from_text(text, &trust);
    for pass_place in [None, Some("330902-0017".to_owned())] {
        let options = VerifyOptions {
            require_pass_for: pass_place,
            ..VerifyOptions::default()
        };
        for revocation in [None, Some(&set)] {
            let _ = verify_in(
                text,
                &Context {
                    trust: &trust,
                    revocation,
                    options: &options,
                    now: 1_800_000_000,
                },
            );
        }
    }
}

/// A valid presentation's bytes (with a pass), to mutate.
fn valid_presentation_bytes() -> Vec<u8> {
    let (_, issuer, _, _) = scene();
    let holder = SigningKey::from_bytes(&[4; 32]);
    let claims = Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId([7; 8]),
        colour: Colour::Yellow,
        masked_name: "张*伟".into(),
        id_last4: "123X".into(),
        region: 330900,
        issued_at: 1_800_000_000 - 3600,
        not_before: 1_800_000_000 - 3600,
        expires: 1_800_000_000 + 3600,
        quarantine_end: Some(1_800_000_000 + 5 * DAY),
        holder: Holder::Device(holder.verifying_key().to_bytes()),
    };
    let pass = Pass::issue(
        PassClaims {
            issuer: KeyId([0; 8]),
            id: CredentialId([8; 8]),
            place: "330902-0017".into(),
            kind: PassKind::Vehicle("浙L·12345".into()),
            not_before: 0,
            expires: u64::MAX,
            holder: holder.verifying_key().to_bytes(),
        },
        &SigningKey::from_bytes(&[3; 32]),
    )
    .expect("valid pass");
    let credential = Credential::issue(claims, &issuer).expect("valid claims");
    codec::encode(&Presentation::sign(
        credential,
        Some(pass),
        &holder,
        1_800_000_000,
    ))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_behind_a_valid_prefix_never_panic(
        kind in prop::sample::select(KINDS.to_vec()),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        decode_everything(&codec::to_qr_text(kind, &bytes));
    }

    #[test]
    fn arbitrary_text_behind_a_valid_prefix_never_panics(
        kind in prop::sample::select(KINDS.to_vec()),
        tail in ".{0,300}",
    ) {
        decode_everything(&format!("{}{tail}", kind.prefix()));
    }

    #[test]
    fn mutated_presentation_bytes_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut bytes = valid_presentation_bytes();
        for (index, byte, op) in edits {
            let i = index.index(bytes.len() + 1);
            match op {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => bytes.truncate(i),
            }
            if bytes.is_empty() {
                bytes.push(byte);
            }
        }
        decode_everything(&codec::to_qr_text(MessageKind::Presentation, &bytes));
    }
}
