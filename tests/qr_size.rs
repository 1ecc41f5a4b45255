//! QR size of what a checkpoint scans, byte by byte: a code alone and a code with a pass.
//! The numbers are pinned so a format change that grows the QR code is seen in review.

use ed25519_dalek::SigningKey;
use healthcode::inspect::presentation_layout;
use healthcode::render::matrix;
use healthcode::{
    Claims, Colour, Credential, CredentialId, Holder, KeyId, Pass, PassClaims, PassKind,
    Presentation,
};

const NOW: u64 = 1_800_000_000;

fn presentation(colour: Colour, pass: Option<PassKind>) -> Presentation {
    let issuer = SigningKey::from_bytes(&[1; 32]);
    let holder = SigningKey::from_bytes(&[2; 32]);
    let claims = Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId([3; 8]),
        colour,
        masked_name: "张*伟".into(),
        id_last4: "1234".into(),
        region: 330900,
        issued_at: NOW,
        not_before: NOW,
        expires: NOW + 30 * 86_400,
        quarantine_end: (colour != Colour::Green).then_some(NOW + 14 * 86_400),
        holder: Holder::Device(holder.verifying_key().to_bytes()),
    };
    let credential = Credential::issue(claims, &issuer).unwrap();
    let pass = pass.map(|kind| {
        Pass::issue(
            PassClaims {
                issuer: KeyId([0; 8]),
                id: CredentialId([4; 8]),
                place: "330902-0017".into(),
                kind,
                not_before: NOW,
                expires: NOW + 90 * 86_400,
                holder: holder.verifying_key().to_bytes(),
            },
            &SigningKey::from_bytes(&[5; 32]),
        )
        .unwrap()
    });
    Presentation::sign(credential, pass, &holder, NOW + 10)
}

/// (bytes, QR text characters, QR version at level M).
fn size(p: &Presentation) -> (usize, usize, i16) {
    let text = p.to_qr_text();
    (
        p.to_bytes().len(),
        text.len(),
        matrix(&text).unwrap().version,
    )
}

#[test]
fn a_green_code_alone_is_216_bytes_and_a_version_11_qr() {
    let p = presentation(Colour::Green, None);
    assert_eq!(size(&p), (216, 329, 11));
    // Every byte is accounted for by a field.
    let fields = presentation_layout(&p);
    let lens: Vec<(&str, usize)> = fields.iter().map(|f| (f.name.as_str(), f.len)).collect();
    assert_eq!(
        lens,
        vec![
            ("credential.claims.issuer", 8),
            ("credential.claims.id", 8),
            ("credential.claims.colour", 1),
            ("credential.claims.masked_name", 8),
            ("credential.claims.id_last4", 5),
            ("credential.claims.region", 3),
            ("credential.claims.issued_at", 5),
            ("credential.claims.not_before", 5),
            ("credential.claims.expires", 5),
            ("credential.claims.quarantine_end", 1),
            ("credential.claims.holder", 33),
            ("credential.signature", 64),
            ("pass", 1),
            ("timestamp", 5),
            ("signature", 64),
        ]
    );
    assert_eq!(fields.iter().map(|f| f.len).sum::<usize>(), 216);
}

#[test]
fn a_red_code_carries_its_quarantine_end() {
    assert_eq!(size(&presentation(Colour::Red, None)), (221, 337, 11));
}

#[test]
fn a_code_with_a_resident_pass_is_a_version_15_qr() {
    assert_eq!(
        size(&presentation(Colour::Green, Some(PassKind::Resident))),
        (351, 532, 15)
    );
    let vehicle = presentation(Colour::Green, Some(PassKind::Vehicle("浙L12345".into())));
    assert_eq!(size(&vehicle), (361, 547, 15));
}
