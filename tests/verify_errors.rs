//! Each stage of the verification pipeline, produced by its own bad input, with the exact
//! error variant and code; plus the happy paths and the policy's verdicts.

use ed25519_dalek::{Signer, SigningKey};
use healthcode::codec::{self, CodecError, MessageKind};
use healthcode::policy::TemperatureError;
use healthcode::{
    decide, verify_in, Claims, Colour, Context, Credential, CredentialId, Decision, ErrorClass,
    Holder, KeyId, Pass, PassClaims, PassKind, Policy, Presentation, RevocationList, RevocationSet,
    Role, Scope, Temperature, TrustList, TrustStore, TrustedIssuer, Verified, VerifyError,
    VerifyOptions,
};

const NOW: u64 = 1_800_000_000;
const PLACE: &str = "330902-0017";

struct Fixture {
    issuer: SigningKey,
    pass_issuer: SigningKey,
    holder: SigningKey,
    trust: TrustStore,
    revocation: Option<RevocationSet>,
    options: VerifyOptions,
}

impl Fixture {
    fn new() -> Fixture {
        let issuer = SigningKey::from_bytes(&[11; 32]);
        let pass_issuer = SigningKey::from_bytes(&[12; 32]);
        let holder = SigningKey::from_bytes(&[22; 32]);
        let list = TrustList {
            root: KeyId([0; 8]),
            sequence: 1,
            signed_at: NOW - 86_400,
            issuers: vec![
                TrustedIssuer::new(
                    &issuer.verifying_key(),
                    "Test issuer",
                    Role::HealthAuthority,
                    NOW - 30 * 86_400,
                    NOW + 30 * 86_400,
                ),
                TrustedIssuer::new(
                    &pass_issuer.verifying_key(),
                    "Test community office",
                    Role::PassIssuer(vec![PLACE.into()]),
                    NOW - 30 * 86_400,
                    NOW + 30 * 86_400,
                ),
            ],
        };
        Fixture {
            issuer,
            pass_issuer,
            holder,
            trust: TrustStore::with(list),
            revocation: None,
            options: VerifyOptions::default(),
        }
    }

    fn claims(&self, colour: Colour) -> Claims {
        Claims {
            issuer: KeyId([0; 8]),
            id: CredentialId([5; 8]),
            colour,
            masked_name: "Z*** W**".into(),
            id_last4: "1234".into(),
            region: 330900,
            issued_at: NOW - 3600,
            not_before: NOW - 3600,
            expires: NOW + 3600,
            quarantine_end: (colour != Colour::Green).then_some(NOW + 5 * 86_400),
            holder: Holder::Device(self.holder.verifying_key().to_bytes()),
        }
    }

    fn credential(&self, colour: Colour) -> Credential {
        Credential::issue(self.claims(colour), &self.issuer).unwrap()
    }

    fn pass(&self, place: &str) -> Pass {
        Pass::issue(
            PassClaims {
                issuer: KeyId([0; 8]),
                id: CredentialId([7; 8]),
                place: place.into(),
                kind: PassKind::Resident,
                not_before: NOW - 3600,
                expires: NOW + 3600,
                holder: self.holder.verifying_key().to_bytes(),
            },
            &self.pass_issuer,
        )
        .unwrap()
    }

    fn present(&self, credential: Credential, pass: Option<Pass>, at: u64) -> String {
        Presentation::sign(credential, pass, &self.holder, at).to_qr_text()
    }

    fn qr(&self) -> String {
        self.present(self.credential(Colour::Green), None, NOW)
    }

    fn check_at(&self, text: &str, now: u64) -> Result<Verified, VerifyError> {
        verify_in(
            text,
            &Context {
                trust: &self.trust,
                revocation: self.revocation.as_ref(),
                options: &self.options,
                now,
            },
        )
    }

    fn check(&self, text: &str) -> Result<Verified, VerifyError> {
        self.check_at(text, NOW)
    }

    /// Applies a full list signed by `signer` at `signed_at` naming `revoked`.
    fn revoke(&mut self, signer: &SigningKey, signed_at: u64, revoked: Vec<CredentialId>) {
        let list = RevocationList {
            signer: KeyId([0; 8]),
            sequence: signed_at,
            signed_at,
            scope: Scope::Full,
            revoked,
        }
        .sign(signer)
        .to_text();
        let list = RevocationList::from_text(&list, &self.trust).unwrap();
        self.revocation
            .get_or_insert_with(RevocationSet::default)
            .apply(list, NOW, 60)
            .unwrap();
    }
}

/// Re-encodes the presentation bytes as QR text after `edit`.
fn edit_bytes(text: &str, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = codec::from_qr_text(text, MessageKind::Presentation).unwrap();
    edit(&mut bytes);
    codec::to_qr_text(MessageKind::Presentation, &bytes)
}

fn assert_fails(result: Result<Verified, VerifyError>, expected: VerifyError, code: &str) {
    let err = result.unwrap_err();
    assert_eq!(err, expected);
    assert_eq!(err.code(), code);
}

#[test]
fn a_fresh_green_presentation_verifies_and_admits() {
    let f = Fixture::new();
    let verified = f.check_at(&f.qr(), NOW + 5).unwrap();
    assert_eq!(verified.claims.colour, Colour::Green);
    assert_eq!(verified.claims.masked_name, "Z*** W**");
    assert_eq!(verified.issuer_name, "Test issuer");
    assert_eq!(verified.presented_at, Some(NOW));
    let verdict = decide(&verified, None, &Policy::default());
    assert_eq!(verdict.decision, Decision::Admit);
    assert_eq!(verdict.code(), "C|GRN");
}

#[test]
fn yellow_and_red_are_denied_and_a_fever_is_referred_to_the_clinic() {
    let f = Fixture::new();
    for (colour, reason) in [(Colour::Yellow, "C|YEL"), (Colour::Red, "C|RED")] {
        let text = f.present(f.credential(colour), None, NOW);
        let verdict = decide(&f.check(&text).unwrap(), None, &Policy::default());
        assert_eq!(verdict.decision, Decision::Deny);
        assert_eq!(verdict.code(), reason);
    }
    let green = f.check(&f.qr()).unwrap();
    let fever = decide(
        &green,
        Some(Temperature::parse("37.5").unwrap()),
        &Policy::default(),
    );
    assert_eq!(fever.decision, Decision::Deny);
    assert_eq!(fever.code(), "T|FEV");
    let normal = decide(
        &green,
        Some(Temperature::parse("37.2").unwrap()),
        &Policy::default(),
    );
    assert_eq!(normal.decision, Decision::Admit);
    let required = Policy {
        temperature_required: true,
        ..Policy::default()
    };
    assert_eq!(decide(&green, None, &required).code(), "T|REQ");
    assert_eq!(Temperature::parse("42.7").map(|t| t.tenths()), Ok(427));
    assert_eq!(Temperature::parse("12"), Err(TemperatureError::Impossible));
}

#[test]
fn bad_prefix_is_not_a_health_code() {
    let f = Fixture::new();
    let err = f.check("https://example.org/green.png").unwrap_err();
    assert_eq!(err, VerifyError::Decode(CodecError::NotHealthCode));
    assert_eq!(err.code(), "P|PFX");
    assert_eq!(err.class(), ErrorClass::Invalid);
}

#[test]
fn unknown_version_cannot_be_checked() {
    let f = Fixture::new();
    let text = f.qr().replacen("HCP1:", "HCP9:", 1);
    let err = f.check(&text).unwrap_err();
    assert_eq!(
        err,
        VerifyError::Decode(CodecError::UnsupportedVersion("9".into()))
    );
    assert_eq!(err.code(), "P|VER");
    assert_eq!(err.class(), ErrorClass::CannotCheck);
}

#[test]
fn a_device_credential_shown_bare_is_not_the_live_code() {
    let f = Fixture::new();
    let bare = f.credential(Colour::Green).to_qr_text();
    assert_fails(f.check(&bare), VerifyError::NotLive, "P|RAW");
    let trust = f.trust.lists[0].clone();
    let other = format!("HCT1:{}", &trust.issuers[0].name);
    assert_eq!(f.check(&other).unwrap_err().code(), "P|TYP");
}

#[test]
fn bad_base45_is_refused() {
    let f = Fixture::new();
    // Lowercase is outside the base45 alphabet (RFC 9285 §4).
    let err = f.check(&format!("{}a", f.qr())).unwrap_err();
    assert_eq!(err, VerifyError::Decode(CodecError::Base45));
    assert_eq!(err.code(), "D|B45");
}

#[test]
fn truncated_trailing_and_unknown_enum_bytes_are_refused() {
    let f = Fixture::new();
    let truncated = edit_bytes(&f.qr(), |b| b.truncate(b.len() - 10));
    assert_eq!(f.check(&truncated).unwrap_err().code(), "D|END");
    let trailing = edit_bytes(&f.qr(), |b| b.push(0));
    assert_eq!(f.check(&trailing).unwrap_err().code(), "D|TRL");
    // Byte 16 is the colour: 3 is no colour.
    let colour = edit_bytes(&f.qr(), |b| b[16] = 3);
    assert_eq!(f.check(&colour).unwrap_err().code(), "D|ENM");
    // A masked name that is not UTF-8: byte 18 is its first byte (after its length).
    let utf8 = edit_bytes(&f.qr(), |b| b[18] = 0xff);
    assert_eq!(f.check(&utf8).unwrap_err().code(), "D|ENC");
}

#[test]
fn an_overlong_varint_is_non_canonical() {
    let f = Fixture::new();
    // The region (330900) sits after key id 8, id 8, colour 1, name 1+8, last4 1+4 = 31.
    let text = edit_bytes(&f.qr(), |b| {
        assert_eq!(b[31..34], [0x94, 0x99, 0x14]);
        b.splice(31..34, [0x94, 0x99, 0x94, 0x00]);
    });
    assert_eq!(f.check(&text).unwrap_err().code(), "D|CAN");
}

#[test]
fn a_flipped_byte_in_the_claims_breaks_the_issuer_signature() {
    let f = Fixture::new();
    // Byte 20 lies in the masked name: after key id (8), credential id (8), colour (1) and
    // the name's length (1).
    let text = edit_bytes(&f.qr(), |b| b[20] ^= 0x01);
    let err = f.check(&text).unwrap_err();
    assert_eq!(err, VerifyError::IssuerSignature);
    assert_eq!(err.code(), "S|SIG");
    assert_eq!(err.class(), ErrorClass::Invalid);
}

#[test]
fn a_red_code_edited_to_green_is_forged() {
    let f = Fixture::new();
    let mut cred = f.credential(Colour::Red);
    cred.claims.colour = Colour::Green;
    cred.claims.quarantine_end = None;
    assert_fails(
        f.check(&f.present(cred, None, NOW)),
        VerifyError::IssuerSignature,
        "S|SIG",
    );
}

#[test]
fn claims_that_break_a_field_rule_are_refused_even_when_signed() {
    let f = Fixture::new();
    let mut c = f.claims(Colour::Green);
    c.issuer = KeyId::of(&f.issuer.verifying_key());
    c.masked_name = String::new();
    let signature = f.issuer.sign(&c.signing_input()).to_bytes();
    let cred = Credential {
        claims: c,
        signature,
    };
    assert_fails(
        f.check(&f.present(cred, None, NOW)),
        VerifyError::InvalidField,
        "D|FLD",
    );
}

#[test]
fn an_unknown_key_id_cannot_be_checked() {
    let mut f = Fixture::new();
    f.trust = TrustStore::default();
    let err = f.check(&f.qr()).unwrap_err();
    assert_eq!(err, VerifyError::UnknownIssuer);
    assert_eq!(err.code(), "S|KID");
    assert_eq!(err.class(), ErrorClass::CannotCheck);
}

#[test]
fn a_clock_behind_the_trust_list_or_an_old_list_cannot_check() {
    let f = Fixture::new();
    let signed_at = f.trust.lists[0].signed_at;
    let err = f.check_at(&f.qr(), signed_at - 61).unwrap_err();
    assert_eq!(err, VerifyError::ClockBehind);
    assert_eq!(
        (err.code(), err.class()),
        ("K|CLK", ErrorClass::CannotCheck)
    );
    let late = signed_at + 7 * 86_400 + 1;
    let text = f.present(f.credential(Colour::Green), None, late);
    assert_fails(
        f.check_at(&text, late),
        VerifyError::TrustListTooOld,
        "K|OLD",
    );
}

#[test]
fn a_required_revocation_list_that_is_missing_or_old_cannot_check() {
    let mut f = Fixture::new();
    f.options.require_revocation_list = true;
    assert_fails(f.check(&f.qr()), VerifyError::RevocationListTooOld, "K|REV");
    let issuer = f.issuer.clone();
    f.revoke(&issuer, NOW - 3 * 86_400, vec![]);
    assert_fails(f.check(&f.qr()), VerifyError::RevocationListTooOld, "K|REV");
}

/// Issue 12, defect 3: a fresh list from another signer used to stand in for the code
/// issuer's stale one (one set for all signers, dated by the last list applied).
#[test]
fn the_code_issuers_own_list_must_be_fresh_and_present_where_required() {
    let mut f = Fixture::new();
    let (issuer, other) = (f.issuer.clone(), f.pass_issuer.clone());
    f.revoke(&issuer, NOW - 3 * 86_400, vec![]);
    f.revoke(&other, NOW - 60, vec![]);
    assert_fails(f.check(&f.qr()), VerifyError::RevocationListTooOld, "K|REV");

    // Required, and only another signer's list held: missing for this code.
    let mut f = Fixture::new();
    f.options.require_revocation_list = true;
    f.revoke(&other, NOW - 60, vec![]);
    assert_fails(f.check(&f.qr()), VerifyError::RevocationListTooOld, "K|REV");
    f.revoke(&issuer, NOW - 60, vec![]);
    assert!(f.check(&f.qr()).is_ok());
}

#[test]
fn a_code_signed_by_an_untrusted_key_under_a_trusted_key_id_is_forged() {
    let f = Fixture::new();
    let forger = SigningKey::from_bytes(&[99; 32]);
    let mut cred = Credential::issue(f.claims(Colour::Green), &forger).unwrap();
    cred.claims.issuer = KeyId::of(&f.issuer.verifying_key());
    assert_fails(
        f.check(&f.present(cred, None, NOW)),
        VerifyError::IssuerSignature,
        "S|SIG",
    );
}

#[test]
fn a_pass_issuer_key_may_not_issue_health_codes() {
    let f = Fixture::new();
    let cred = Credential::issue(f.claims(Colour::Green), &f.pass_issuer).unwrap();
    assert_fails(
        f.check(&f.present(cred, None, NOW)),
        VerifyError::IssuerRole,
        "S|ROL",
    );
}

#[test]
fn a_code_issued_outside_the_keys_window_is_refused_and_rotation_overlaps() {
    let mut f = Fixture::new();
    // Rotation: the old key's window ends at NOW - 100; the new key starts at NOW - 1000.
    let new_key = SigningKey::from_bytes(&[13; 32]);
    let list = &mut f.trust.lists[0];
    list.issuers[0].valid_until = NOW - 100;
    list.issuers.push(TrustedIssuer::new(
        &new_key.verifying_key(),
        "Test issuer (2)",
        Role::HealthAuthority,
        NOW - 1000,
        NOW + 86_400,
    ));
    // Issued by the old key inside its window: still verifies after the window.
    assert!(f.check(&f.qr()).is_ok());
    // Issued by the old key after its window: refused.
    let mut late = f.claims(Colour::Green);
    late.issued_at = NOW - 50;
    let cred = Credential::issue(late.clone(), &f.issuer).unwrap();
    assert_fails(
        f.check(&f.present(cred, None, NOW)),
        VerifyError::KeyNotValid,
        "S|KVA",
    );
    // The same by the new key: fine.
    let cred = Credential::issue(late, &new_key).unwrap();
    assert_eq!(
        f.check(&f.present(cred, None, NOW)).unwrap().issuer_name,
        "Test issuer (2)"
    );
}

#[test]
fn a_revoked_credential_is_refused() {
    let mut f = Fixture::new();
    let issuer = f.issuer.clone();
    f.revoke(&issuer, NOW - 60, vec![CredentialId([5; 8])]);
    assert_fails(f.check(&f.qr()), VerifyError::Revoked, "R|REV");
}

/// Issue 12, defect 3: any signer's list used to revoke any code.
#[test]
fn a_credential_id_on_another_signers_list_is_not_revoked() {
    let mut f = Fixture::new();
    let other = f.pass_issuer.clone();
    f.revoke(&other, NOW - 60, vec![CredentialId([5; 8])]);
    assert!(f.check(&f.qr()).is_ok());
}

#[test]
fn expired_and_not_yet_valid_codes_are_refused_outside_the_skew() {
    let f = Fixture::new();
    let mut c = f.claims(Colour::Green);
    c.issued_at = NOW;
    c.not_before = NOW;
    c.expires = NOW + 1000;
    let cred = Credential::issue(c, &f.issuer).unwrap();
    let at = |t: u64| f.check_at(&f.present(cred.clone(), None, t), t);
    assert!(at(NOW - 60).is_ok());
    assert!(at(NOW + 1000 + 59).is_ok());
    assert_fails(at(NOW - 61), VerifyError::NotYetValid, "V|NBF");
    assert_fails(at(NOW + 1000 + 60), VerifyError::Expired, "V|EXP");
}

#[test]
fn a_presentation_signed_by_another_key_is_refused() {
    let f = Fixture::new();
    let thief = SigningKey::from_bytes(&[33; 32]);
    let text = Presentation::sign(f.credential(Colour::Green), None, &thief, NOW).to_qr_text();
    assert_fails(f.check(&text), VerifyError::HolderSignature, "H|SIG");
}

#[test]
fn a_changed_timestamp_breaks_the_holder_signature() {
    let f = Fixture::new();
    let mut p = Presentation::sign(f.credential(Colour::Green), None, &f.holder, NOW);
    p.timestamp += 1;
    assert_fails(
        f.check(&p.to_qr_text()),
        VerifyError::HolderSignature,
        "H|SIG",
    );
}

#[test]
fn stale_and_future_presentations_are_refused_outside_sixty_seconds() {
    let f = Fixture::new();
    let text = f.qr();
    assert!(f.check_at(&text, NOW + 60).is_ok());
    assert!(f.check_at(&text, NOW - 60).is_ok());
    assert_fails(f.check_at(&text, NOW + 61), VerifyError::Stale, "H|OLD");
    assert_fails(
        f.check_at(&text, NOW - 61),
        VerifyError::FromFuture,
        "H|FUT",
    );
}

#[test]
fn a_paper_code_verifies_bare_and_is_referred_to_an_id_check() {
    let f = Fixture::new();
    let mut c = f.claims(Colour::Green);
    c.holder = Holder::Paper;
    let paper = Credential::issue(c, &f.issuer).unwrap();
    let verified = f.check(&paper.to_qr_text()).unwrap();
    assert_eq!(verified.presented_at, None);
    let verdict = decide(&verified, None, &Policy::default());
    assert_eq!(
        (verdict.decision, verdict.code()),
        (Decision::Refer, "P|PAP")
    );
    let strict = Policy {
        accept_paper: false,
        ..Policy::default()
    };
    assert_eq!(decide(&verified, None, &strict).code(), "P|NOP");
    // A paper code wrapped in a presentation has no holder key to sign with.
    let wrapped = f.present(paper, None, NOW);
    assert_fails(f.check(&wrapped), VerifyError::HolderSignature, "H|SIG");
}

#[test]
fn one_code_one_certificate_pass_stages() {
    let mut f = Fixture::new();
    f.options.require_pass_for = Some(PLACE.into());
    let cred = || f.credential(Colour::Green);

    let ok = f
        .check(&f.present(cred(), Some(f.pass(PLACE)), NOW))
        .unwrap();
    assert_eq!(ok.pass.map(|p| p.place), Some(PLACE.to_string()));
    assert_fails(f.check(&f.qr()), VerifyError::PassMissing, "A|MIS");
    let elsewhere = f.present(cred(), Some(f.pass("330902-0099")), NOW);
    assert_fails(f.check(&elsewhere), VerifyError::PassPlace, "A|PLC");

    let mut forged = f.pass(PLACE);
    forged.claims.kind = PassKind::Vehicle("浙L·12345".into());
    assert_fails(
        f.check(&f.present(cred(), Some(forged), NOW)),
        VerifyError::PassSignature,
        "A|SIG",
    );

    let by_health_key = Pass::issue(f.pass(PLACE).claims, &f.issuer).unwrap();
    assert_fails(
        f.check(&f.present(cred(), Some(by_health_key), NOW)),
        VerifyError::PassIssuer,
        "A|KID",
    );

    let mut someone_elses = f.pass(PLACE).claims;
    someone_elses.holder = [1; 32];
    let someone_elses = Pass::issue(someone_elses, &f.pass_issuer).unwrap();
    assert_fails(
        f.check(&f.present(cred(), Some(someone_elses), NOW)),
        VerifyError::PassHolder,
        "A|HLD",
    );

    let mut old = f.pass(PLACE).claims;
    old.expires = NOW - 3600;
    old.not_before = NOW - 7200;
    let old = Pass::issue(old, &f.pass_issuer).unwrap();
    assert_fails(
        f.check(&f.present(cred(), Some(old), NOW)),
        VerifyError::PassExpired,
        "A|EXP",
    );

    // The pass id on the health authority's list: not the pass issuer's, so not revoked.
    let text = f.present(cred(), Some(f.pass(PLACE)), NOW);
    let (issuer, pass_issuer) = (f.issuer.clone(), f.pass_issuer.clone());
    f.revoke(&issuer, NOW, vec![CredentialId([7; 8])]);
    assert!(f.check(&text).is_ok());
    // On the pass issuer's own list: revoked.
    f.revoke(&pass_issuer, NOW - 60, vec![CredentialId([7; 8])]);
    assert_fails(f.check(&text), VerifyError::PassRevoked, "A|REV");
    // A stale list held from the pass issuer cannot check the pass.
    f.revocation = None;
    f.revoke(&pass_issuer, NOW - 3 * 86_400, vec![]);
    assert_fails(f.check(&text), VerifyError::RevocationListTooOld, "K|REV");
}
