//! Generates the layered format test vectors `tests/vectors/format-v1.json` (and the case
//! table of `tests/vectors/README.md`).
//!
//! Run with `cargo run --example gen_vectors`. Every key comes from a fixed 32-byte seed and
//! Ed25519 signing is deterministic, so regenerating gives identical bytes.
//! `tests/format_vectors.rs` includes this file as a module and checks that the checked-in
//! vectors are exactly what [`render`] produces, then runs every vector through
//! `verify_in` + `decide`.
//!
//! The expected outcome of each case is written here by hand (it is not computed by running
//! the verifier): the vectors state what the format and pipeline must do, and the test checks
//! that the implementation agrees.

use ed25519_dalek::{Signer, SigningKey};
use healthcode::codec::{self, MessageKind};
use healthcode::keys::to_hex;
use healthcode::{
    Claims, Colour, Credential, CredentialId, Declaration, Holder, HolderRequest, KeyId, Pass,
    PassClaims, PassKind, Policy, Presentation, RevocationList, Role, Scope, TrustList,
    TrustedIssuer, VerifyOptions,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// The checkpoint's clock in most cases, Unix seconds (2027-01-15T08:00:00Z).
pub const NOW: u64 = 1_800_000_000;
const DAY: u64 = 86_400;
/// The place a pass is for in the pass cases.
pub const PLACE: &str = "330902-0017";

/// Seed of the root key that signs every trust list.
pub const ROOT_SEED: [u8; 32] = [1; 32];
/// Seed of the health-authority key that issues credentials and revocation lists.
pub const ISSUER_SEED: [u8; 32] = [2; 32];
/// Seed of the pass issuer key (listed for [`PLACE`]).
pub const PASS_ISSUER_SEED: [u8; 32] = [3; 32];
/// Seed of the holder's device key.
pub const HOLDER_SEED: [u8; 32] = [4; 32];
/// Seed of a key nobody trusts (a forger, a thief, someone else's phone).
pub const OTHER_SEED: [u8; 32] = [5; 32];

const CREDENTIAL_ID: CredentialId = CredentialId([0xc0, 0xde, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]);
const PASS_ID: CredentialId = CredentialId([0xa5, 0x5e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07]);

/// Outcome names of the `expected` field.
const ADMIT: &str = "admit";
const DENY: &str = "deny";
const REFER: &str = "refer";
const INVALID: &str = "invalid";
const CANNOT_CHECK: &str = "cannot-check";

/// Where `main` writes and the test reads.
pub const VECTORS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/format-v1.json");
/// The README whose case table `main` rewrites.
pub const README_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/README.md");
const TABLE_START: &str = "<!-- cases:start (written by `cargo run --example gen_vectors`) -->";
const TABLE_END: &str = "<!-- cases:end -->";

// ---------------------------------------------------------------------------------------
// The JSON shape of one vector. Field order here is the order in the file.

#[derive(Serialize)]
struct Vector {
    name: String,
    description: String,
    seeds: BTreeMap<&'static str, String>,
    claims: ClaimsJson,
    bytes_hex: String,
    qr_text: String,
    context: ContextJson,
    expected: ExpectedJson,
}

#[derive(Serialize)]
struct ClaimsJson {
    credential: Option<CredentialJson>,
    pass: Option<PassJson>,
    presentation_timestamp: Option<u64>,
}

#[derive(Serialize)]
struct CredentialJson {
    issuer: String,
    id: String,
    colour: &'static str,
    masked_name: String,
    id_last4: String,
    region: u32,
    issued_at: u64,
    not_before: u64,
    expires: u64,
    quarantine_end: Option<u64>,
    holder: String,
}

#[derive(Serialize)]
struct PassJson {
    issuer: String,
    id: String,
    place: String,
    kind: &'static str,
    plate: Option<String>,
    not_before: u64,
    expires: u64,
    holder: String,
}

#[derive(Serialize)]
struct ContextJson {
    now: u64,
    root_public_key_hex: String,
    trust_list: String,
    revocation_lists: Vec<String>,
    options: OptionsJson,
    policy: PolicyJson,
    temperature_tenths: Option<u16>,
}

#[derive(Serialize)]
struct OptionsJson {
    freshness_secs: u64,
    clock_skew_secs: u64,
    max_trust_age_secs: u64,
    max_revocation_age_secs: u64,
    require_revocation_list: bool,
    require_pass_for: Option<String>,
}

#[derive(Serialize)]
struct PolicyJson {
    admit_yellow: bool,
    accept_paper: bool,
    temperature_required: bool,
    fever_tenths: u16,
}

#[derive(Serialize)]
struct ExpectedJson {
    outcome: &'static str,
    code: &'static str,
}

fn credential_json(c: &Claims) -> CredentialJson {
    CredentialJson {
        issuer: to_hex(&c.issuer.0),
        id: to_hex(&c.id.0),
        colour: c.colour.as_str(),
        masked_name: c.masked_name.clone(),
        id_last4: c.id_last4.clone(),
        region: c.region,
        issued_at: c.issued_at,
        not_before: c.not_before,
        expires: c.expires,
        quarantine_end: c.quarantine_end,
        holder: match c.holder {
            Holder::Device(key) => format!("device:{}", to_hex(&key)),
            Holder::Paper => "paper".into(),
        },
    }
}

fn pass_json(c: &PassClaims) -> PassJson {
    PassJson {
        issuer: to_hex(&c.issuer.0),
        id: to_hex(&c.id.0),
        place: c.place.clone(),
        kind: c.kind.as_str(),
        plate: match &c.kind {
            PassKind::Vehicle(plate) => Some(plate.clone()),
            _ => None,
        },
        not_before: c.not_before,
        expires: c.expires,
        holder: to_hex(&c.holder),
    }
}

/// The bytes behind `text`: the base45 payload when the text has a known prefix at the
/// current version, is within the size limit and is valid base45; otherwise the UTF-8 bytes
/// of the text itself.
pub fn payload_or_text(text: &str) -> Vec<u8> {
    codec::peek_kind(text)
        .and_then(|kind| codec::from_qr_text(text, kind).ok())
        .unwrap_or_else(|| text.as_bytes().to_vec())
}

// ---------------------------------------------------------------------------------------
// Keys and the default scene.

struct Keys {
    root: SigningKey,
    issuer: SigningKey,
    pass_issuer: SigningKey,
    holder: SigningKey,
    other: SigningKey,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            root: SigningKey::from_bytes(&ROOT_SEED),
            issuer: SigningKey::from_bytes(&ISSUER_SEED),
            pass_issuer: SigningKey::from_bytes(&PASS_ISSUER_SEED),
            holder: SigningKey::from_bytes(&HOLDER_SEED),
            other: SigningKey::from_bytes(&OTHER_SEED),
        }
    }

    fn holder_public(&self) -> [u8; 32] {
        self.holder.verifying_key().to_bytes()
    }

    /// Sequence 1, signed a day before [`NOW`]: the health authority (valid for issuing from
    /// 30 days before to a year after `NOW`) and the pass issuer for [`PLACE`].
    fn trust_list(&self) -> TrustList {
        TrustList {
            root: KeyId([0; 8]),
            sequence: 1,
            signed_at: NOW - DAY,
            issuers: vec![
                TrustedIssuer::new(
                    &self.issuer.verifying_key(),
                    "Zhoushan Health Commission",
                    Role::HealthAuthority,
                    NOW - 30 * DAY,
                    NOW + 365 * DAY,
                ),
                TrustedIssuer::new(
                    &self.pass_issuer.verifying_key(),
                    "Dinghai Community Office",
                    Role::PassIssuer(vec![PLACE.into()]),
                    NOW - 30 * DAY,
                    NOW + 365 * DAY,
                ),
            ],
        }
    }

    /// A device credential for the holder, issued an hour before `NOW`, valid 14 days.
    fn claims(&self, colour: Colour) -> Claims {
        Claims {
            issuer: KeyId([0; 8]),
            id: CREDENTIAL_ID,
            colour,
            masked_name: "张*伟".into(),
            id_last4: "123X".into(),
            region: 330900,
            issued_at: NOW - 3600,
            not_before: NOW - 3600,
            expires: NOW + 14 * DAY,
            quarantine_end: match colour {
                Colour::Green => None,
                Colour::Yellow => Some(NOW + 5 * DAY),
                Colour::Red => Some(NOW + 12 * DAY),
            },
            holder: Holder::Device(self.holder_public()),
        }
    }

    fn credential(&self, colour: Colour) -> Credential {
        Credential::issue(self.claims(colour), &self.issuer).expect("valid claims")
    }

    fn paper(&self, colour: Colour) -> Credential {
        let mut claims = self.claims(colour);
        claims.holder = Holder::Paper;
        Credential::issue(claims, &self.issuer).expect("valid claims")
    }

    /// A resident pass for [`PLACE`], valid from a day before to 30 days after `NOW`.
    fn pass_claims(&self) -> PassClaims {
        PassClaims {
            issuer: KeyId([0; 8]),
            id: PASS_ID,
            place: PLACE.into(),
            kind: PassKind::Resident,
            not_before: NOW - DAY,
            expires: NOW + 30 * DAY,
            holder: self.holder_public(),
        }
    }

    fn pass(&self) -> Pass {
        Pass::issue(self.pass_claims(), &self.pass_issuer).expect("valid pass claims")
    }

    fn present(&self, credential: Credential, pass: Option<Pass>, at: u64) -> Presentation {
        Presentation::sign(credential, pass, &self.holder, at)
    }

    fn green(&self) -> Presentation {
        self.present(self.credential(Colour::Green), None, NOW)
    }

    /// A revocation list signed by the health authority.
    fn revocation(
        &self,
        sequence: u64,
        signed_at: u64,
        scope: Scope,
        revoked: Vec<CredentialId>,
    ) -> String {
        self.revocation_by(&self.issuer, sequence, signed_at, scope, revoked)
    }

    /// A revocation list signed by `signer`: it revokes only what `signer` issued.
    fn revocation_by(
        &self,
        signer: &SigningKey,
        sequence: u64,
        signed_at: u64,
        scope: Scope,
        revoked: Vec<CredentialId>,
    ) -> String {
        RevocationList {
            signer: KeyId([0; 8]),
            sequence,
            signed_at,
            scope,
            revoked,
        }
        .sign(signer)
        .to_text()
    }
}

/// Presentation bytes after `edit`, as `HCP1:` text.
fn edit_bytes(p: &Presentation, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = codec::encode(p);
    edit(&mut bytes);
    codec::to_qr_text(MessageKind::Presentation, &bytes)
}

/// Offset of the credential's `region` varint in a presentation (= in the credential):
/// issuer 8, id 8, colour 1, masked name 1 + n, id last 4 1 + 4.
fn region_offset(c: &Claims) -> usize {
    8 + 8 + 1 + 1 + c.masked_name.len() + 1 + 4
}

/// Offset of the first character of `id_last4`.
fn id_last4_offset(c: &Claims) -> usize {
    8 + 8 + 1 + 1 + c.masked_name.len() + 1
}

// ---------------------------------------------------------------------------------------
// One case before it is written out.

struct Spec {
    name: &'static str,
    description: &'static str,
    /// Roles whose seeds the case involves (the root, issuer and pass issuer always are:
    /// they make the trust list).
    extra_roles: &'static [&'static str],
    credential: Option<Claims>,
    pass: Option<PassClaims>,
    timestamp: Option<u64>,
    qr_text: String,
    now: u64,
    trust: TrustList,
    revocation_lists: Vec<String>,
    options: VerifyOptions,
    policy: Policy,
    temperature: Option<u16>,
    expected: (&'static str, &'static str),
}

impl Spec {
    fn base(
        k: &Keys,
        name: &'static str,
        description: &'static str,
        qr_text: String,
        expected: (&'static str, &'static str),
    ) -> Spec {
        Spec {
            name,
            description,
            extra_roles: &[],
            credential: None,
            pass: None,
            timestamp: None,
            qr_text,
            now: NOW,
            trust: k.trust_list(),
            revocation_lists: Vec::new(),
            options: VerifyOptions::default(),
            policy: Policy::default(),
            temperature: None,
            expected,
        }
    }

    /// A presentation shown as is, in the default scene.
    fn shown(
        k: &Keys,
        name: &'static str,
        description: &'static str,
        p: &Presentation,
        expected: (&'static str, &'static str),
    ) -> Spec {
        Spec::edited(k, name, description, p, p.to_qr_text(), expected)
    }

    /// `text` made from presentation `p` (whose claims the case records).
    fn edited(
        k: &Keys,
        name: &'static str,
        description: &'static str,
        p: &Presentation,
        text: String,
        expected: (&'static str, &'static str),
    ) -> Spec {
        Spec {
            extra_roles: &["holder"],
            credential: Some(p.credential.claims.clone()),
            pass: p.pass.as_ref().map(|pass| pass.claims.clone()),
            timestamp: Some(p.timestamp),
            ..Spec::base(k, name, description, text, expected)
        }
    }

    /// A credential shown bare as `HCC1:` text.
    fn bare(
        k: &Keys,
        name: &'static str,
        description: &'static str,
        c: &Credential,
        expected: (&'static str, &'static str),
    ) -> Spec {
        Spec {
            extra_roles: if c.claims.is_paper() {
                &[]
            } else {
                &["holder"]
            },
            credential: Some(c.claims.clone()),
            ..Spec::base(k, name, description, c.to_qr_text(), expected)
        }
    }

    fn build(self, k: &Keys) -> Vector {
        let seed_of = |role: &str| match role {
            "root" => ROOT_SEED,
            "issuer" => ISSUER_SEED,
            "pass_issuer" => PASS_ISSUER_SEED,
            "holder" => HOLDER_SEED,
            "other" => OTHER_SEED,
            _ => panic!("unknown role {role}"),
        };
        let seeds = ["root", "issuer", "pass_issuer"]
            .iter()
            .chain(self.extra_roles)
            .map(|&role| (role, to_hex(&seed_of(role))))
            .collect();
        let o = &self.options;
        Vector {
            name: self.name.into(),
            description: self.description.into(),
            seeds,
            claims: ClaimsJson {
                credential: self.credential.as_ref().map(credential_json),
                pass: self.pass.as_ref().map(pass_json),
                presentation_timestamp: self.timestamp,
            },
            bytes_hex: to_hex(&payload_or_text(&self.qr_text)),
            qr_text: self.qr_text,
            context: ContextJson {
                now: self.now,
                root_public_key_hex: to_hex(k.root.verifying_key().as_bytes()),
                trust_list: self.trust.sign(&k.root).to_text(),
                revocation_lists: self.revocation_lists,
                options: OptionsJson {
                    freshness_secs: o.freshness_secs,
                    clock_skew_secs: o.clock_skew_secs,
                    max_trust_age_secs: o.max_trust_age_secs,
                    max_revocation_age_secs: o.max_revocation_age_secs,
                    require_revocation_list: o.require_revocation_list,
                    require_pass_for: o.require_pass_for.clone(),
                },
                policy: PolicyJson {
                    admit_yellow: self.policy.admit_yellow,
                    accept_paper: self.policy.accept_paper,
                    temperature_required: self.policy.temperature_required,
                    fever_tenths: self.policy.fever_tenths,
                },
                temperature_tenths: self.temperature,
            },
            expected: ExpectedJson {
                outcome: self.expected.0,
                code: self.expected.1,
            },
        }
    }
}

fn pass_required() -> VerifyOptions {
    VerifyOptions {
        require_pass_for: Some(PLACE.into()),
        ..VerifyOptions::default()
    }
}

// ---------------------------------------------------------------------------------------
// The cases.

fn specs(k: &Keys) -> Vec<Spec> {
    let mut out = Vec::new();
    let green = k.green();

    // --- Verified codes: the policy's verdicts. -------------------------------------------

    out.push(Spec::shown(
        k,
        "A fresh green presentation is admitted",
        "A device credential (green) wrapped in a presentation the holder signed at `now`, \
         default options and policy, no temperature taken.",
        &green,
        (ADMIT, "C|GRN"),
    ));
    out.push(Spec::shown(
        k,
        "A yellow code is denied",
        "Yellow: 7-day home observation; the default policy does not admit yellow.",
        &k.present(k.credential(Colour::Yellow), None, NOW),
        (DENY, "C|YEL"),
    ));
    out.push(Spec {
        policy: Policy {
            admit_yellow: true,
            ..Policy::default()
        },
        ..Spec::shown(
            k,
            "A yellow code is admitted where the policy admits yellow",
            "The same yellow presentation under a policy with `admit_yellow`: the deciding \
             reason is still the colour.",
            &k.present(k.credential(Colour::Yellow), None, NOW),
            (ADMIT, "C|YEL"),
        )
    });
    out.push(Spec::shown(
        k,
        "A red code is denied",
        "Red: 14-day quarantine.",
        &k.present(k.credential(Colour::Red), None, NOW),
        (DENY, "C|RED"),
    ));
    out.push(Spec::bare(
        k,
        "A paper code is referred to an ID-card check",
        "A green credential with a paper holder, shown bare as its `HCC1:` text (no \
         presentation, no freshness window).",
        &k.paper(Colour::Green),
        (REFER, "P|PAP"),
    ));
    out.push(Spec {
        policy: Policy {
            accept_paper: false,
            ..Policy::default()
        },
        ..Spec::bare(
            k,
            "A paper code is denied where paper codes are not accepted",
            "The same paper code under a policy without `accept_paper`.",
            &k.paper(Colour::Green),
            (DENY, "P|NOP"),
        )
    });
    out.push(Spec {
        temperature: Some(375),
        ..Spec::shown(
            k,
            "A green code with a fever is denied",
            "37.5 °C is at or above the default threshold of 37.3 °C: deny and send to the \
             fever clinic.",
            &green,
            (DENY, "T|FEV"),
        )
    });
    out.push(Spec {
        temperature: Some(373),
        ..Spec::shown(
            k,
            "A temperature exactly at the fever threshold is a fever",
            "37.3 °C with `fever_tenths` 373: the threshold is inclusive.",
            &green,
            (DENY, "T|FEV"),
        )
    });
    out.push(Spec {
        temperature: Some(372),
        ..Spec::shown(
            k,
            "A temperature just below the fever threshold is admitted",
            "37.2 °C with `fever_tenths` 373.",
            &green,
            (ADMIT, "C|GRN"),
        )
    });
    out.push(Spec {
        temperature: Some(390),
        ..Spec::shown(
            k,
            "A yellow code with a fever names the colour first",
            "Both reasons deny; among equally strict reasons the colour stays first.",
            &k.present(k.credential(Colour::Yellow), None, NOW),
            (DENY, "C|YEL"),
        )
    });
    out.push(Spec {
        policy: Policy {
            temperature_required: true,
            ..Policy::default()
        },
        ..Spec::shown(
            k,
            "A green code without a required temperature is referred",
            "The policy requires a temperature and none was taken.",
            &green,
            (REFER, "T|REQ"),
        )
    });
    out.push(Spec {
        options: pass_required(),
        ..Spec::shown(
            k,
            "A green presentation with a pass for this place is admitted",
            "The checkpoint requires a pass for its place; the presentation carries a resident \
             pass for that place signed by the listed pass issuer.",
            &k.present(k.credential(Colour::Green), Some(k.pass()), NOW),
            (ADMIT, "C|GRN"),
        )
    });
    let vehicle = Pass::issue(
        PassClaims {
            kind: PassKind::Vehicle("浙L·12345".into()),
            ..k.pass_claims()
        },
        &k.pass_issuer,
    )
    .expect("valid pass claims");
    out.push(Spec {
        options: pass_required(),
        ..Spec::shown(
            k,
            "A green presentation with a vehicle pass is admitted",
            "As above with a vehicle pass carrying a plate (UTF-8).",
            &k.present(k.credential(Colour::Green), Some(vehicle), NOW),
            (ADMIT, "C|GRN"),
        )
    });
    let mut ignored = k.pass();
    ignored.claims.place = "330902-0099".into();
    out.push(Spec::shown(
        k,
        "A pass is not checked where none is required",
        "The presentation carries a pass whose place was altered after signing (its signature \
         no longer verifies), but this checkpoint requires no pass, so it is not looked at.",
        &k.present(k.credential(Colour::Green), Some(ignored), NOW),
        (ADMIT, "C|GRN"),
    ));
    out.push(Spec {
        revocation_lists: vec![
            k.revocation(
                1,
                NOW - DAY,
                Scope::Full,
                vec![CredentialId([1; 8]), CredentialId([2; 8])],
            ),
            k.revocation(2, NOW - 600, Scope::Delta(1), vec![CredentialId([3; 8])]),
        ],
        options: VerifyOptions {
            require_revocation_list: true,
            ..VerifyOptions::default()
        },
        ..Spec::shown(
            k,
            "A green code not on the revocation lists is admitted",
            "A full list (sequence 1) then a delta (sequence 2, base 1), both signed by the \
             health authority, neither naming the credential; a revocation list is required.",
            &green,
            (ADMIT, "C|GRN"),
        )
    });
    out.push(Spec {
        now: NOW + 60,
        ..Spec::shown(
            k,
            "A presentation 60 seconds old is still fresh",
            "The freshness window is inclusive: timestamp + 60 = now.",
            &green,
            (ADMIT, "C|GRN"),
        )
    });

    // --- P: prefix, version, kind, size. --------------------------------------------------

    out.push(Spec::base(
        k,
        "A web address is not a health code",
        "Some other QR code: no `HC` prefix.",
        "https://example.org/green.png".into(),
        (INVALID, "P|PFX"),
    ));
    out.push(Spec::base(
        k,
        "An EU digital COVID certificate prefix is not a health code",
        "Text starting `HC1:`, as EU digital COVID certificates do: `HC` is followed by no \
         kind letter, so it is not ours (the payload after it is not looked at).",
        "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH".into(),
        (INVALID, "P|PFX"),
    ));
    out.push(Spec::edited(
        k,
        "A presentation of an unknown version cannot be checked",
        "The green presentation's text with the prefix `HCP9:`: perhaps a newer format; this \
         checkpoint cannot read it.",
        &green,
        green.to_qr_text().replacen("HCP1:", "HCP9:", 1),
        (CANNOT_CHECK, "P|VER"),
    ));
    let request = HolderRequest::sign(&k.holder, "张三伟", Declaration::default(), NOW - 2 * DAY)
        .expect("valid request");
    out.push(Spec {
        extra_roles: &["holder"],
        ..Spec::base(
            k,
            "A holder request is the wrong kind of message",
            "An `HCR1:` holder request (meant for the issuer desk) shown at a checkpoint.",
            request.to_qr_text(),
            (INVALID, "P|TYP"),
        )
    });
    out.push(Spec::bare(
        k,
        "A device credential shown bare is not the live code",
        "The holder's green device credential as `HCC1:` text instead of a signed \
         presentation (e.g. copied from the phone).",
        &k.credential(Colour::Green),
        (INVALID, "P|RAW"),
    ));
    out.push(Spec::base(
        k,
        "A text longer than a QR code can hold is refused",
        "`HCP1:` and 4,292 base45 zeros: 4,297 characters, one more than a version-40 QR \
         code holds in alphanumeric mode. The length is checked before base45.",
        format!("HCP1:{}", "0".repeat(codec::MAX_QR_TEXT - 4)),
        (INVALID, "P|LEN"),
    ));

    // --- D: base45 and canonical bytes. ---------------------------------------------------

    out.push(Spec::edited(
        k,
        "A lowercase character is not base45",
        "The green presentation's text with `a` appended: lowercase is outside the base45 \
         alphabet (RFC 9285 §4).",
        &green,
        format!("{}a", green.to_qr_text()),
        (INVALID, "D|B45"),
    ));
    out.push(Spec::edited(
        k,
        "A truncated presentation is refused",
        "The green presentation's bytes without the last 10 (the signature ends early).",
        &green,
        edit_bytes(&green, |b| b.truncate(b.len() - 10)),
        (INVALID, "D|END"),
    ));
    out.push(Spec::edited(
        k,
        "An unknown colour is refused",
        "Byte 16 (the colour's variant index) set to 3: only 0, 1 and 2 exist.",
        &green,
        edit_bytes(&green, |b| {
            assert_eq!(b[16], 0, "the colour byte");
            b[16] = 3;
        }),
        (INVALID, "D|ENM"),
    ));
    out.push(Spec::edited(
        k,
        "A masked name that is not UTF-8 is malformed",
        "Byte 18 (the masked name's first byte, after its length at byte 17) set to 0xff, which \
         is never valid UTF-8.",
        &green,
        edit_bytes(&green, |b| b[18] = 0xff),
        (INVALID, "D|ENC"),
    ));
    out.push(Spec::edited(
        k,
        "A trailing byte is refused",
        "The green presentation's bytes with a 0x00 appended.",
        &green,
        edit_bytes(&green, |b| b.push(0)),
        (INVALID, "D|TRL"),
    ));
    let region_at = region_offset(&green.credential.claims);
    out.push(Spec::edited(
        k,
        "An over-long varint is non-canonical",
        "The region 330900 (varint 94 99 14 at byte 30) re-spelled as the over-long 94 99 94 00: \
         it decodes to the same value, but re-encoding gives other bytes.",
        &green,
        edit_bytes(&green, |b| {
            assert_eq!(
                b[region_at..region_at + 3],
                [0x94, 0x99, 0x14],
                "the region"
            );
            b.splice(region_at..region_at + 3, [0x94, 0x99, 0x94, 0x00]);
        }),
        (INVALID, "D|CAN"),
    ));
    let mut nameless = k.claims(Colour::Green);
    nameless.issuer = KeyId::of(&k.issuer.verifying_key());
    nameless.masked_name = String::new();
    let signature = k.issuer.sign(&nameless.signing_input()).to_bytes();
    let nameless = Credential {
        claims: nameless,
        signature,
    };
    out.push(Spec::shown(
        k,
        "An empty masked name breaks a field rule",
        "The issuer signed claims whose masked name is empty (bypassing `Credential::issue`): \
         the bytes are canonical but the claims break a rule.",
        &k.present(nameless, None, NOW),
        (INVALID, "D|FLD"),
    ));

    // --- K: the checkpoint's lists and clock. ---------------------------------------------

    let mut future_list = k.trust_list();
    future_list.signed_at = NOW + 3600;
    out.push(Spec {
        trust: future_list,
        ..Spec::shown(
            k,
            "A clock behind the trust list cannot check",
            "The trust list was signed an hour after the checkpoint's `now`, more than the \
             60-second skew: the checkpoint's clock is wrong.",
            &green,
            (CANNOT_CHECK, "K|CLK"),
        )
    });
    let mut old_list = k.trust_list();
    old_list.signed_at = NOW - 8 * DAY;
    out.push(Spec {
        trust: old_list,
        ..Spec::shown(
            k,
            "A trust list older than 7 days cannot check",
            "The trust list was signed 8 days before `now`; the maximum age is 7 days.",
            &green,
            (CANNOT_CHECK, "K|OLD"),
        )
    });
    out.push(Spec {
        options: VerifyOptions {
            require_revocation_list: true,
            ..VerifyOptions::default()
        },
        ..Spec::shown(
            k,
            "A missing required revocation list cannot check",
            "The options require a revocation list and none is loaded.",
            &green,
            (CANNOT_CHECK, "K|REV"),
        )
    });
    out.push(Spec {
        revocation_lists: vec![k.revocation(1, NOW - 3 * DAY, Scope::Full, vec![])],
        ..Spec::shown(
            k,
            "A revocation list older than 2 days cannot check",
            "A full list signed 3 days before `now` is loaded (though not required); the \
             maximum age is 2 days.",
            &green,
            (CANNOT_CHECK, "K|REV"),
        )
    });

    // --- S: the issuer key and signature. -------------------------------------------------

    out.push(Spec {
        extra_roles: &["holder", "other"],
        ..Spec::shown(
            k,
            "A code from an unlisted issuer cannot check",
            "The credential is signed by the `other` key, which the trust list does not name.",
            &k.present(
                Credential::issue(k.claims(Colour::Green), &k.other).expect("valid claims"),
                None,
                NOW,
            ),
            (CANNOT_CHECK, "S|KID"),
        )
    });
    out.push(Spec::shown(
        k,
        "A pass issuer key may not issue health codes",
        "The credential is signed by the pass issuer's key, listed only as a pass issuer.",
        &k.present(
            Credential::issue(k.claims(Colour::Green), &k.pass_issuer).expect("valid claims"),
            None,
            NOW,
        ),
        (INVALID, "S|ROL"),
    ));
    let mut retired = k.trust_list();
    retired.issuers[0].valid_until = NOW - 2 * 3600;
    out.push(Spec {
        trust: retired,
        ..Spec::shown(
            k,
            "A code issued after its key was retired is refused",
            "The trust list ends the issuer key's window two hours before `now`; the code was \
             issued one hour before `now`.",
            &green,
            (INVALID, "S|KVA"),
        )
    });
    let digit_at = id_last4_offset(&green.credential.claims);
    out.push(Spec::edited(
        k,
        "An edited ID last 4 breaks the issuer signature",
        "The first character of `id_last4` changed from `1` to `0` (byte 26, 0x31 → 0x30): \
         still a valid field, but no longer what the issuer signed.",
        &green,
        edit_bytes(&green, |b| {
            assert_eq!(b[digit_at], b'1', "the first id_last4 character");
            b[digit_at] = b'0';
        }),
        (INVALID, "S|SIG"),
    ));
    let mut recoloured = k.credential(Colour::Red);
    recoloured.claims.colour = Colour::Green;
    recoloured.claims.quarantine_end = None;
    out.push(Spec::shown(
        k,
        "A red code edited to green is forged",
        "A red credential whose colour was set to green and quarantine end removed, then \
         re-signed by the holder: the issuer signature fails.",
        &k.present(recoloured, None, NOW),
        (INVALID, "S|SIG"),
    ));

    // --- R, V: revocation and the validity window. ----------------------------------------

    out.push(Spec {
        revocation_lists: vec![k.revocation(
            1,
            NOW - 3600,
            Scope::Full,
            vec![CredentialId([1; 8]), CREDENTIAL_ID],
        )],
        ..Spec::shown(
            k,
            "A revoked credential is refused",
            "A full revocation list, signed an hour ago by the health authority, names the \
             credential id.",
            &green,
            (INVALID, "R|REV"),
        )
    });
    let early = Credential::issue(
        Claims {
            issued_at: NOW,
            not_before: NOW + 3600,
            ..k.claims(Colour::Green)
        },
        &k.issuer,
    )
    .expect("valid claims");
    out.push(Spec::shown(
        k,
        "A code before its not-before time is refused",
        "Issued at `now`, valid from an hour later: beyond the 60-second skew.",
        &k.present(early, None, NOW),
        (INVALID, "V|NBF"),
    ));
    let expired = Credential::issue(
        Claims {
            issued_at: NOW - 2 * 3600,
            not_before: NOW - 2 * 3600,
            expires: NOW - 60,
            ..k.claims(Colour::Green)
        },
        &k.issuer,
    )
    .expect("valid claims");
    out.push(Spec::shown(
        k,
        "A code expired by exactly the skew is refused",
        "Expired 60 seconds before `now`: `now` ≥ expires + 60-second skew.",
        &k.present(expired, None, NOW),
        (INVALID, "V|EXP"),
    ));

    // --- H: holder binding and freshness. -------------------------------------------------

    out.push(Spec {
        extra_roles: &["holder", "other"],
        ..Spec::shown(
            k,
            "A presentation signed by another device is refused",
            "The holder's credential wrapped and signed by the `other` key (a copied \
             credential on another phone).",
            &Presentation::sign(k.credential(Colour::Green), None, &k.other, NOW),
            (INVALID, "H|SIG"),
        )
    });
    let mut redated = k.present(k.credential(Colour::Green), None, NOW - 3600);
    redated.timestamp = NOW;
    out.push(Spec::shown(
        k,
        "A re-dated presentation breaks the holder signature",
        "A presentation signed an hour ago whose timestamp was changed to `now`.",
        &redated,
        (INVALID, "H|SIG"),
    ));
    out.push(Spec::shown(
        k,
        "A paper code inside a presentation is refused",
        "A paper credential has no device key, so no presentation of it can be genuine.",
        &k.present(k.paper(Colour::Green), None, NOW),
        (INVALID, "H|SIG"),
    ));
    out.push(Spec::shown(
        k,
        "A presentation 61 seconds old is a screenshot",
        "Signed 61 seconds before `now`: outside the 60-second freshness window.",
        &k.present(k.credential(Colour::Green), None, NOW - 61),
        (INVALID, "H|OLD"),
    ));
    out.push(Spec::shown(
        k,
        "A presentation dated 61 seconds ahead is refused",
        "Signed 61 seconds after `now`.",
        &k.present(k.credential(Colour::Green), None, NOW + 61),
        (INVALID, "H|FUT"),
    ));

    // --- A: the pass. ---------------------------------------------------------------------

    out.push(Spec {
        options: pass_required(),
        ..Spec::shown(
            k,
            "A presentation without a pass is refused where one is required",
            "The checkpoint requires a pass for its place; the presentation has none.",
            &green,
            (INVALID, "A|MIS"),
        )
    });
    out.push(Spec {
        options: pass_required(),
        ..Spec::bare(
            k,
            "A paper code is refused where a pass is required",
            "Paper codes carry no pass: the gate checks a paper pass by hand.",
            &k.paper(Colour::Green),
            (INVALID, "A|MIS"),
        )
    });
    let elsewhere = Pass::issue(
        PassClaims {
            place: "330902-0099".into(),
            ..k.pass_claims()
        },
        &k.pass_issuer,
    )
    .expect("valid pass claims");
    out.push(Spec {
        options: pass_required(),
        ..Spec::shown(
            k,
            "A pass for another place is refused",
            "A genuine pass for place 330902-0099 shown at 330902-0017.",
            &k.present(k.credential(Colour::Green), Some(elsewhere), NOW),
            (INVALID, "A|PLC"),
        )
    });
    out.push(Spec {
        options: pass_required(),
        ..Spec::shown(
            k,
            "A pass signed by the health authority is refused",
            "The health-authority key is listed, but not as a pass issuer for this place.",
            &k.present(
                k.credential(Colour::Green),
                Some(Pass::issue(k.pass_claims(), &k.issuer).expect("valid pass claims")),
                NOW,
            ),
            (INVALID, "A|KID"),
        )
    });
    let mut forged = k.pass();
    forged.claims.kind = PassKind::Vehicle("浙L·12345".into());
    out.push(Spec {
        options: pass_required(),
        ..Spec::shown(
            k,
            "A pass edited after signing is refused",
            "A resident pass whose kind was changed to a vehicle pass after the pass issuer \
             signed it (the holder re-signed the presentation).",
            &k.present(k.credential(Colour::Green), Some(forged), NOW),
            (INVALID, "A|SIG"),
        )
    });
    let someone_elses = Pass::issue(
        PassClaims {
            holder: k.other.verifying_key().to_bytes(),
            ..k.pass_claims()
        },
        &k.pass_issuer,
    )
    .expect("valid pass claims");
    out.push(Spec {
        options: pass_required(),
        extra_roles: &["holder", "other"],
        ..Spec::shown(
            k,
            "Someone else's pass is refused",
            "A genuine pass for this place issued to the `other` key, carried in the holder's \
             presentation.",
            &k.present(k.credential(Colour::Green), Some(someone_elses), NOW),
            (INVALID, "A|HLD"),
        )
    });
    let lapsed = Pass::issue(
        PassClaims {
            not_before: NOW - 10 * DAY,
            expires: NOW - DAY,
            ..k.pass_claims()
        },
        &k.pass_issuer,
    )
    .expect("valid pass claims");
    out.push(Spec {
        options: pass_required(),
        ..Spec::shown(
            k,
            "An expired pass is refused",
            "The pass expired a day before `now`.",
            &k.present(k.credential(Colour::Green), Some(lapsed), NOW),
            (INVALID, "A|EXP"),
        )
    });
    out.push(Spec {
        options: pass_required(),
        revocation_lists: vec![
            k.revocation_by(
                &k.pass_issuer,
                1,
                NOW - DAY,
                Scope::Full,
                vec![CredentialId([1; 8])],
            ),
            k.revocation(1, NOW - 900, Scope::Full, vec![]),
            k.revocation_by(&k.pass_issuer, 2, NOW - 600, Scope::Delta(1), vec![PASS_ID]),
        ],
        ..Spec::shown(
            k,
            "A pass revoked by a delta list is refused",
            "The pass issuer's full revocation list (sequence 1), the health authority's empty \
             full list (its own sequence 1: sequences are per signer), then the pass issuer's \
             delta (sequence 2, base 1) naming the pass id.",
            &k.present(k.credential(Colour::Green), Some(k.pass()), NOW),
            (INVALID, "A|REV"),
        )
    });
    out.push(Spec {
        options: pass_required(),
        revocation_lists: vec![k.revocation(1, NOW - 600, Scope::Full, vec![PASS_ID])],
        ..Spec::shown(
            k,
            "A pass on another signer's revocation list is admitted",
            "The health authority's list names the pass id, but a list revokes only what its \
             own signer issued, and the pass issuer issued the pass.",
            &k.present(k.credential(Colour::Green), Some(k.pass()), NOW),
            (ADMIT, "C|GRN"),
        )
    });
    out.push(Spec {
        revocation_lists: vec![
            k.revocation(1, NOW - 3600, Scope::Full, vec![CredentialId([1; 8])]),
            k.revocation_by(
                &k.pass_issuer,
                1,
                NOW - 600,
                Scope::Full,
                vec![CREDENTIAL_ID],
            ),
        ],
        ..Spec::shown(
            k,
            "A credential on another signer's revocation list is admitted",
            "The health authority's full list does not name the credential; the pass issuer's \
             full list, applied after it, does. A list revokes only what its own signer \
             issued, and leaves other signers' lists alone.",
            &green,
            (ADMIT, "C|GRN"),
        )
    });

    out
}

fn vectors() -> Vec<Vector> {
    let k = Keys::new();
    specs(&k).into_iter().map(|s| s.build(&k)).collect()
}

/// Every vector as JSON.
pub fn cases() -> serde_json::Value {
    serde_json::to_value(vectors()).expect("vectors serialise")
}

/// The exact text of `tests/vectors/format-v1.json`: pretty-printed, trailing newline.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&vectors()).expect("vectors serialise");
    text.push('\n');
    text
}

/// The Markdown table of case name → expected outcome and code.
pub fn readme_table() -> String {
    let mut table = String::from("| # | Case | Outcome | Code |\n| --- | --- | --- | --- |\n");
    for (i, v) in vectors().iter().enumerate() {
        table.push_str(&format!(
            "| {} | {} | {} | `{}` |\n",
            i + 1,
            v.name,
            v.expected.outcome,
            // A pipe inside a table cell must be escaped, even in a code span (GFM).
            v.expected.code.replace('|', "\\|")
        ));
    }
    table
}

/// `readme` with the text between the table markers replaced by [`readme_table`].
pub fn readme_with_table(readme: &str) -> String {
    let start = readme
        .find(TABLE_START)
        .expect("README has the start marker")
        + TABLE_START.len();
    let end = readme.find(TABLE_END).expect("README has the end marker");
    format!("{}\n{}{}", &readme[..start], readme_table(), &readme[end..])
}

#[allow(dead_code)]
fn main() {
    let text = render();
    std::fs::write(VECTORS_PATH, &text).expect("write the vectors");
    let readme = std::fs::read_to_string(README_PATH).expect("read the README");
    std::fs::write(README_PATH, readme_with_table(&readme)).expect("write the README");
    let count = cases().as_array().map_or(0, Vec::len);
    println!("wrote {count} vectors to {VECTORS_PATH} and their table to {README_PATH}");
}
