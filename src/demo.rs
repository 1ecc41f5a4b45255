//! The embedded default: a demo root, a demo issuer and three demo residents (green, yellow,
//! red), made on first run so every page works with no set-up.
//!
//! Every key is made from seed bytes the caller supplies (the app uses the browser's
//! `crypto.getRandomValues`); nothing here is a real key, and the issuer is named
//! "DEMO issuer" wherever it appears.

use crate::credential::{Claims, ClaimsError, Colour, Credential, Holder};
use crate::keys::{CredentialId, KeyId};
use crate::trust::{Role, SignedTrustList, TrustList, TrustedIssuer};
use ed25519_dalek::{SigningKey, VerifyingKey};

/// Name of the demo issuer in trust lists.
pub const DEMO_ISSUER_NAME: &str = "DEMO issuer (not a health authority)";
/// How long demo credentials are valid: 30 days, in seconds.
pub const DEMO_VALIDITY_SECS: u64 = 30 * 24 * 3600;
/// Region code of the demo residents (Zhoushan).
pub const DEMO_REGION: u32 = 330900;
/// The demo place passes are issued for ("one code, one certificate").
pub const DEMO_PLACE: &str = "330902-0001";
/// Name of the demo pass issuer in trust lists.
pub const DEMO_PASS_ISSUER_NAME: &str = "DEMO pass issuer (not a real place)";

/// One demo resident: their credential and their holder (device) key seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoResident {
    /// The issuer-signed credential.
    pub credential: Credential,
    /// Seed of the holder's Ed25519 key.
    pub holder_seed: [u8; 32],
}

/// The demo root, issuer and residents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoWorld {
    /// Seed of the demo root key (signs the demo trust list).
    pub root_seed: [u8; 32],
    /// Seed of the demo issuer's Ed25519 key.
    pub issuer_seed: [u8; 32],
    /// When the world was made, Unix seconds (start of the issuer key's window).
    pub created_at: u64,
    /// Green, yellow and red residents, in that order.
    pub residents: Vec<DemoResident>,
}

/// The three demo residents: colour, masked name, last 4 of the ID number, days of
/// quarantine left.
pub const DEMO_PEOPLE: [(Colour, &str, &str, u64); 3] = [
    (Colour::Green, "张*伟", "1234", 0),
    (Colour::Yellow, "李*娜", "5678", 5),
    (Colour::Red, "W*** F**", "903X", 12),
];

/// The pass-issuing key seed that goes with an issuing key seed: SHA-256 of
/// `b"healthcode/demo-pass-issuer/v1\0"` and the issuer seed, so a desk keeps no second
/// secret. For demo and single-desk use; a real pass issuer has its own key.
pub fn pass_issuer_seed(issuer_seed: &[u8; 32]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"healthcode/demo-pass-issuer/v1\0");
    hash.update(issuer_seed);
    hash.finalize().into()
}

impl DemoWorld {
    /// Makes a demo world valid from `now` (Unix seconds) for [`DEMO_VALIDITY_SECS`];
    /// `random` fills buffers with random bytes.
    pub fn generate(mut random: impl FnMut(&mut [u8]), now: u64) -> Result<DemoWorld, ClaimsError> {
        let mut root_seed = [0u8; 32];
        random(&mut root_seed);
        let mut issuer_seed = [0u8; 32];
        random(&mut issuer_seed);
        let issuer = SigningKey::from_bytes(&issuer_seed);
        let mut residents = Vec::new();
        for (colour, name, last4, days_left) in DEMO_PEOPLE {
            let mut holder_seed = [0u8; 32];
            random(&mut holder_seed);
            let mut id = [0u8; 8];
            random(&mut id);
            let holder = SigningKey::from_bytes(&holder_seed).verifying_key();
            let claims = Claims {
                issuer: KeyId([0; 8]),
                id: CredentialId(id),
                colour,
                masked_name: name.into(),
                id_last4: last4.into(),
                region: DEMO_REGION,
                issued_at: now,
                not_before: now.saturating_sub(60),
                expires: now.saturating_add(DEMO_VALIDITY_SECS),
                quarantine_end: (days_left > 0).then(|| now + days_left * 86_400 - 3600),
                holder: Holder::Device(holder.to_bytes()),
            };
            residents.push(DemoResident {
                credential: Credential::issue(claims, &issuer)?,
                holder_seed,
            });
        }
        Ok(DemoWorld {
            root_seed,
            issuer_seed,
            created_at: now,
            residents,
        })
    }

    /// The demo root's public key (what a demo checkpoint pins).
    pub fn root_key(&self) -> VerifyingKey {
        SigningKey::from_bytes(&self.root_seed).verifying_key()
    }

    /// Seed of the demo pass issuer's key (passes for [`DEMO_PLACE`]); see
    /// [`pass_issuer_seed`].
    pub fn pass_issuer_seed(&self) -> [u8; 32] {
        pass_issuer_seed(&self.issuer_seed)
    }

    /// A trust list of the demo issuer and the demo pass issuer, signed by the demo root at `now` (sequence
    /// `now`, so a later one replaces an earlier one).
    pub fn trust_list(&self, now: u64) -> SignedTrustList {
        let issuer = SigningKey::from_bytes(&self.issuer_seed).verifying_key();
        TrustList {
            root: KeyId([0; 8]),
            sequence: now,
            signed_at: now,
            issuers: vec![
                TrustedIssuer::new(
                    &issuer,
                    DEMO_ISSUER_NAME,
                    Role::HealthAuthority,
                    self.created_at.saturating_sub(3600),
                    self.created_at.saturating_add(DEMO_VALIDITY_SECS),
                ),
                TrustedIssuer::new(
                    &SigningKey::from_bytes(&self.pass_issuer_seed()).verifying_key(),
                    DEMO_PASS_ISSUER_NAME,
                    Role::PassIssuer(vec![DEMO_PLACE.to_owned()]),
                    self.created_at.saturating_sub(3600),
                    self.created_at.saturating_add(DEMO_VALIDITY_SECS),
                ),
            ],
        }
        .sign(&SigningKey::from_bytes(&self.root_seed))
    }

    /// Whether any demo credential has expired at `now`, so the world should be made anew.
    pub fn expired(&self, now: u64) -> bool {
        self.residents
            .iter()
            .any(|r| now >= r.credential.claims.expires)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presentation::Presentation;
    use crate::trust::TrustStore;
    use crate::verify::verify;

    #[test]
    fn demo_residents_verify_against_the_demo_trust_list() {
        let mut counter = 0u8;
        let now = 1_800_000_000;
        let world = DemoWorld::generate(
            |buf| {
                for b in buf.iter_mut() {
                    counter = counter.wrapping_add(1);
                    *b = counter;
                }
            },
            now,
        )
        .unwrap();
        let text = world.trust_list(now).to_text();
        let list = TrustList::from_text(&text, &[world.root_key()]).unwrap();
        let trust = TrustStore::with(list);
        let results: Vec<(Colour, u64)> = world
            .residents
            .iter()
            .map(|r| {
                let key = SigningKey::from_bytes(&r.holder_seed);
                let p = Presentation::sign(r.credential.clone(), None, &key, now + 10);
                let v = verify(&p.to_qr_text(), &trust, now + 20).unwrap();
                (v.claims.colour, v.claims.quarantine_days_left(now + 20))
            })
            .collect();
        assert_eq!(
            results,
            vec![(Colour::Green, 0), (Colour::Yellow, 5), (Colour::Red, 12)]
        );
        assert!(!world.expired(now));
        assert!(world.expired(now + DEMO_VALIDITY_SECS));
    }
}
