//! Each stage of the verification pipeline, produced by its own bad input, with the exact
//! error variant and code; plus the happy path and the policy's verdicts.

use ed25519_dalek::SigningKey;
use healthcode::codec::{self, CodecError, MessageKind};
use healthcode::{
    decide, verify, Claims, Colour, Credential, CredentialId, Decision, ErrorClass, KeyId,
    Presentation, TrustList, TrustedIssuer, VerifyError,
};

const NOW: u64 = 1_800_000_000;

struct Fixture {
    issuer: SigningKey,
    holder: SigningKey,
    trust: TrustList,
}

fn fixture() -> Fixture {
    let issuer = SigningKey::from_bytes(&[11; 32]);
    let holder = SigningKey::from_bytes(&[22; 32]);
    let mut trust = TrustList::default();
    trust.insert(TrustedIssuer::new(&issuer.verifying_key(), "Test issuer"));
    Fixture {
        issuer,
        holder,
        trust,
    }
}

fn claims(f: &Fixture, colour: Colour, not_before: u64, expires: u64) -> Claims {
    Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId([5; 16]),
        colour,
        masked_name: "Z*** W**".into(),
        id_last4: "1234".into(),
        not_before,
        expires,
        holder: f.holder.verifying_key().to_bytes(),
    }
}

fn presentation(f: &Fixture, colour: Colour, signed_at: u64) -> Presentation {
    let cred = Credential::issue(claims(f, colour, NOW - 3600, NOW + 3600), &f.issuer).unwrap();
    Presentation::sign(cred, &f.holder, signed_at)
}

fn qr(f: &Fixture) -> String {
    presentation(f, Colour::Green, NOW).to_qr_text()
}

/// Re-encodes the presentation bytes as QR text after `edit`.
fn edit_bytes(text: &str, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = codec::from_qr_text(text, MessageKind::Presentation).unwrap();
    edit(&mut bytes);
    codec::to_qr_text(MessageKind::Presentation, &bytes)
}

#[test]
fn a_fresh_green_presentation_verifies_and_admits() {
    let f = fixture();
    let verified = verify(&qr(&f), &f.trust, NOW + 5).unwrap();
    assert_eq!(verified.claims.colour, Colour::Green);
    assert_eq!(verified.claims.masked_name, "Z*** W**");
    assert_eq!(verified.issuer_name, "Test issuer");
    assert_eq!(verified.presented_at, NOW);
    let verdict = decide(&verified);
    assert_eq!(verdict.decision, Decision::Admit);
    assert_eq!(verdict.reason, "C|GRN");
}

#[test]
fn yellow_and_red_are_denied_with_their_reasons() {
    let f = fixture();
    for (colour, reason) in [(Colour::Yellow, "C|YEL"), (Colour::Red, "C|RED")] {
        let text = presentation(&f, colour, NOW).to_qr_text();
        let verdict = decide(&verify(&text, &f.trust, NOW).unwrap());
        assert_eq!(verdict.decision, Decision::Deny);
        assert_eq!(verdict.reason, reason);
    }
}

#[test]
fn bad_prefix_is_not_a_health_code() {
    let f = fixture();
    let err = verify("https://example.org/green.png", &f.trust, NOW).unwrap_err();
    assert_eq!(err, VerifyError::Decode(CodecError::NotHealthCode));
    assert_eq!(err.code(), "P|PFX");
    assert_eq!(err.class(), ErrorClass::Invalid);
}

#[test]
fn unknown_version_is_named() {
    let f = fixture();
    let text = qr(&f).replacen("HCP1:", "HCP9:", 1);
    let err = verify(&text, &f.trust, NOW).unwrap_err();
    assert_eq!(
        err,
        VerifyError::Decode(CodecError::UnsupportedVersion("9".into()))
    );
    assert_eq!(err.code(), "P|VER");
}

#[test]
fn a_credential_shown_instead_of_a_presentation_is_the_wrong_kind() {
    let f = fixture();
    let cred = presentation(&f, Colour::Green, NOW).credential.to_qr_text();
    assert_eq!(verify(&cred, &f.trust, NOW).unwrap_err().code(), "P|TYP");
}

#[test]
fn bad_base45_is_refused() {
    let f = fixture();
    // Lowercase is outside the base45 alphabet (RFC 9285 §4).
    let text = format!("{}a", qr(&f));
    let err = verify(&text, &f.trust, NOW).unwrap_err();
    assert_eq!(err, VerifyError::Decode(CodecError::Base45));
    assert_eq!(err.code(), "D|B45");
}

#[test]
fn truncated_bytes_are_malformed() {
    let f = fixture();
    let text = edit_bytes(&qr(&f), |b| b.truncate(b.len() - 10));
    let err = verify(&text, &f.trust, NOW).unwrap_err();
    assert_eq!(err, VerifyError::Decode(CodecError::Malformed));
    assert_eq!(err.code(), "D|ENC");
}

#[test]
fn trailing_bytes_are_refused() {
    let f = fixture();
    let text = edit_bytes(&qr(&f), |b| b.push(0));
    assert_eq!(
        verify(&text, &f.trust, NOW).unwrap_err(),
        VerifyError::Decode(CodecError::TrailingBytes)
    );
}

#[test]
fn a_flipped_byte_in_the_claims_breaks_the_issuer_signature() {
    let f = fixture();
    // Byte 30 lies in the masked name ("Z*** W**"), after key id (8), credential id (16),
    // colour (1) and the name's length (1).
    let text = edit_bytes(&qr(&f), |b| b[30] ^= 0x01);
    let err = verify(&text, &f.trust, NOW).unwrap_err();
    assert_eq!(err, VerifyError::IssuerSignature);
    assert_eq!(err.code(), "S|SIG");
    assert_eq!(err.class(), ErrorClass::Invalid);
}

#[test]
fn a_flipped_byte_in_the_issuer_signature_is_refused() {
    let f = fixture();
    let cred_len = presentation(&f, Colour::Green, NOW)
        .credential
        .to_bytes()
        .len();
    let text = edit_bytes(&qr(&f), |b| b[cred_len - 5] ^= 0x80);
    assert_eq!(
        verify(&text, &f.trust, NOW).unwrap_err(),
        VerifyError::IssuerSignature
    );
}

#[test]
fn an_unknown_key_id_cannot_be_checked() {
    let f = fixture();
    let err = verify(&qr(&f), &TrustList::default(), NOW).unwrap_err();
    assert_eq!(err, VerifyError::UnknownIssuer);
    assert_eq!(err.code(), "S|KID");
    assert_eq!(err.class(), ErrorClass::CannotCheck);
}

#[test]
fn a_code_signed_by_an_untrusted_key_under_a_trusted_key_id_is_forged() {
    let f = fixture();
    let forger = SigningKey::from_bytes(&[99; 32]);
    let mut cred =
        Credential::issue(claims(&f, Colour::Green, NOW - 10, NOW + 10), &forger).unwrap();
    cred.claims.issuer = KeyId::of(&f.issuer.verifying_key());
    let text = Presentation::sign(cred, &f.holder, NOW).to_qr_text();
    assert_eq!(
        verify(&text, &f.trust, NOW).unwrap_err(),
        VerifyError::IssuerSignature
    );
}

#[test]
fn expired_and_not_yet_valid_codes_are_refused_outside_the_skew() {
    let f = fixture();
    let cred = Credential::issue(claims(&f, Colour::Green, NOW, NOW + 1000), &f.issuer).unwrap();
    let at = |t: u64| {
        let text = Presentation::sign(cred.clone(), &f.holder, t).to_qr_text();
        verify(&text, &f.trust, t)
    };
    // Inside the 60-second allowance on either side.
    assert!(at(NOW - 60).is_ok());
    assert!(at(NOW + 1000 + 59).is_ok());
    let early = at(NOW - 61).unwrap_err();
    assert_eq!(early, VerifyError::NotYetValid);
    assert_eq!(early.code(), "V|NBF");
    let late = at(NOW + 1000 + 60).unwrap_err();
    assert_eq!(late, VerifyError::Expired);
    assert_eq!(late.code(), "V|EXP");
}

#[test]
fn a_presentation_signed_by_another_key_is_refused() {
    let f = fixture();
    let cred = presentation(&f, Colour::Green, NOW).credential;
    let thief = SigningKey::from_bytes(&[33; 32]);
    let text = Presentation::sign(cred, &thief, NOW).to_qr_text();
    let err = verify(&text, &f.trust, NOW).unwrap_err();
    assert_eq!(err, VerifyError::HolderSignature);
    assert_eq!(err.code(), "H|SIG");
}

#[test]
fn a_changed_timestamp_breaks_the_holder_signature() {
    let f = fixture();
    let mut p = presentation(&f, Colour::Green, NOW);
    p.timestamp += 1;
    assert_eq!(
        verify(&p.to_qr_text(), &f.trust, NOW).unwrap_err(),
        VerifyError::HolderSignature
    );
}

#[test]
fn stale_and_future_presentations_are_refused_outside_sixty_seconds() {
    let f = fixture();
    let text = qr(&f);
    assert!(verify(&text, &f.trust, NOW + 60).is_ok());
    assert!(verify(&text, &f.trust, NOW - 60).is_ok());
    let stale = verify(&text, &f.trust, NOW + 61).unwrap_err();
    assert_eq!(stale, VerifyError::Stale);
    assert_eq!(stale.code(), "H|OLD");
    let future = verify(&text, &f.trust, NOW - 61).unwrap_err();
    assert_eq!(future, VerifyError::FromFuture);
    assert_eq!(future.code(), "H|FUT");
}

#[test]
fn claims_that_break_a_field_rule_are_refused_even_when_signed() {
    let f = fixture();
    // Sign claims with an empty masked name by hand (Credential::issue refuses them).
    let mut c = claims(&f, Colour::Green, NOW - 10, NOW + 10);
    c.issuer = KeyId::of(&f.issuer.verifying_key());
    c.masked_name = String::new();
    use ed25519_dalek::Signer;
    let signature = f.issuer.sign(&c.signing_input()).to_bytes();
    let cred = Credential {
        claims: c,
        signature,
    };
    let text = Presentation::sign(cred, &f.holder, NOW).to_qr_text();
    let err = verify(&text, &f.trust, NOW).unwrap_err();
    assert_eq!(err, VerifyError::InvalidField);
    assert_eq!(err.code(), "D|FLD");
}
