//! Issuing-key rotation (issue #6): the trust list names the old key with a window ending at
//! `T` and the new key with a window starting a week before `T`. Codes the old key issued
//! inside its window keep verifying, through the overlap and after it; a code the old key
//! issued after `T` is refused with `S|KVA`.

use ed25519_dalek::SigningKey;
use healthcode::{
    verify, Claims, Colour, Credential, CredentialId, Holder, KeyId, Presentation, Role, TrustList,
    TrustStore, TrustedIssuer, VerifyError,
};

/// End of the old key's window, start of the new key's window + 7 days.
const T: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

struct Keys {
    old: SigningKey,
    new: SigningKey,
    holder: SigningKey,
}

fn keys() -> Keys {
    Keys {
        old: SigningKey::from_bytes(&[31; 32]),
        new: SigningKey::from_bytes(&[32; 32]),
        holder: SigningKey::from_bytes(&[33; 32]),
    }
}

/// The trust list during the rotation, signed an hour before `now`.
fn trust(keys: &Keys, now: u64) -> TrustStore {
    TrustStore::with(TrustList {
        root: KeyId([0; 8]),
        sequence: 2,
        signed_at: now - 3600,
        issuers: vec![
            TrustedIssuer::new(
                &keys.old.verifying_key(),
                "District office (2026 key)",
                Role::HealthAuthority,
                T - 365 * DAY,
                T,
            ),
            TrustedIssuer::new(
                &keys.new.verifying_key(),
                "District office (2027 key)",
                Role::HealthAuthority,
                T - 7 * DAY,
                T + 365 * DAY,
            ),
        ],
    })
}

/// A green code issued by `issuer` at `issued_at`, valid for 30 days from then.
fn code(keys: &Keys, issuer: &SigningKey, issued_at: u64, id: u8) -> Credential {
    let claims = Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId([id; 8]),
        colour: Colour::Green,
        masked_name: "张*伟".into(),
        id_last4: "1234".into(),
        region: 330900,
        issued_at,
        not_before: issued_at,
        expires: issued_at + 30 * DAY,
        quarantine_end: None,
        holder: Holder::Device(keys.holder.verifying_key().to_bytes()),
    };
    Credential::issue(claims, issuer).unwrap()
}

/// Verifies `credential` shown live at `now`: the issuer's key name, or the error code.
fn check(keys: &Keys, credential: &Credential, now: u64) -> Result<String, &'static str> {
    let live = Presentation::sign(credential.clone(), None, &keys.holder, now);
    verify(&live.to_qr_text(), &trust(keys, now), now)
        .map(|v| v.issuer_name)
        .map_err(|e| e.code())
}

#[test]
fn a_code_from_the_old_key_verifies_during_the_overlap_and_after_it() {
    let keys = keys();
    let old_code = code(&keys, &keys.old, T - 20 * DAY, 1);
    for now in [T - 7 * DAY, T - 3600, T, T + 5 * DAY] {
        assert_eq!(
            check(&keys, &old_code, now),
            Ok("District office (2026 key)".to_owned()),
            "at T{:+} s",
            now as i64 - T as i64
        );
    }
    // Issued in the overlap, by either key: both verify.
    let overlap_old = code(&keys, &keys.old, T - 2 * DAY, 2);
    let overlap_new = code(&keys, &keys.new, T - 2 * DAY, 3);
    assert_eq!(
        check(&keys, &overlap_old, T - DAY),
        Ok("District office (2026 key)".to_owned())
    );
    assert_eq!(
        check(&keys, &overlap_new, T - DAY),
        Ok("District office (2027 key)".to_owned())
    );
}

#[test]
fn a_code_from_the_old_key_issued_after_its_window_is_refused() {
    let keys = keys();
    let late = code(&keys, &keys.old, T + 3600, 4);
    assert_eq!(check(&keys, &late, T + 7200), Err("S|KVA"));
    assert_eq!(VerifyError::KeyNotValid.code(), "S|KVA");
    // The window is half-open: issued exactly at T is already outside.
    assert_eq!(
        check(&keys, &code(&keys, &keys.old, T, 5), T + 60),
        Err("S|KVA")
    );
    assert!(check(&keys, &code(&keys, &keys.old, T - 1, 6), T + 60).is_ok());
}

#[test]
fn a_code_from_the_new_key_before_its_window_is_refused() {
    let keys = keys();
    let early = code(&keys, &keys.new, T - 8 * DAY, 7);
    assert_eq!(check(&keys, &early, T - 8 * DAY + 60), Err("S|KVA"));
}
