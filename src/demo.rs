//! The embedded default: a demo issuer and three demo residents (green, yellow, red), made
//! on first run so every page works with no set-up.
//!
//! Every key is made from seed bytes the caller supplies (the app uses the browser's
//! `crypto.getRandomValues`); nothing here is a real key, and the issuer is named
//! "DEMO issuer" wherever it appears.

use crate::credential::{Claims, ClaimsError, Colour, Credential};
use crate::keys::{CredentialId, KeyId};
use crate::trust::{TrustList, TrustedIssuer};
use ed25519_dalek::SigningKey;

/// Name of the demo issuer in trust lists.
pub const DEMO_ISSUER_NAME: &str = "DEMO issuer (not a health authority)";

/// How long demo credentials are valid: 30 days, in seconds.
pub const DEMO_VALIDITY_SECS: u64 = 30 * 24 * 3600;

/// One demo resident: their credential and their holder (device) key seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoResident {
    /// The issuer-signed credential.
    pub credential: Credential,
    /// Seed of the holder's Ed25519 key.
    pub holder_seed: [u8; 32],
}

/// The demo issuer and residents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoWorld {
    /// Seed of the demo issuer's Ed25519 key.
    pub issuer_seed: [u8; 32],
    /// Green, yellow and red residents, in that order.
    pub residents: Vec<DemoResident>,
}

/// The three demo residents: colour, masked name, last 4 of the ID number.
pub const DEMO_PEOPLE: [(Colour, &str, &str); 3] = [
    (Colour::Green, "张*伟", "1234"),
    (Colour::Yellow, "李*娜", "5678"),
    (Colour::Red, "W*** F**", "903X"),
];

impl DemoWorld {
    /// Makes a demo world valid from `now` (Unix seconds) for [`DEMO_VALIDITY_SECS`];
    /// `random` fills buffers with random bytes.
    pub fn generate(mut random: impl FnMut(&mut [u8]), now: u64) -> Result<DemoWorld, ClaimsError> {
        let mut issuer_seed = [0u8; 32];
        random(&mut issuer_seed);
        let issuer = SigningKey::from_bytes(&issuer_seed);
        let mut residents = Vec::new();
        for (colour, name, last4) in DEMO_PEOPLE {
            let mut holder_seed = [0u8; 32];
            random(&mut holder_seed);
            let mut id = [0u8; 16];
            random(&mut id);
            let holder = SigningKey::from_bytes(&holder_seed).verifying_key();
            let claims = Claims {
                issuer: KeyId([0; 8]),
                id: CredentialId(id),
                colour,
                masked_name: name.into(),
                id_last4: last4.into(),
                not_before: now.saturating_sub(60),
                expires: now.saturating_add(DEMO_VALIDITY_SECS),
                holder: holder.to_bytes(),
            };
            residents.push(DemoResident {
                credential: Credential::issue(claims, &issuer)?,
                holder_seed,
            });
        }
        Ok(DemoWorld {
            issuer_seed,
            residents,
        })
    }

    /// A trust list holding the demo issuer alone.
    pub fn trust_list(&self) -> TrustList {
        let key = SigningKey::from_bytes(&self.issuer_seed).verifying_key();
        TrustList {
            issuers: vec![TrustedIssuer::new(&key, DEMO_ISSUER_NAME)],
        }
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
    use crate::verify::verify;

    #[test]
    fn demo_residents_verify_against_the_demo_trust_list() {
        let mut counter = 0u8;
        let world = DemoWorld::generate(
            |buf| {
                for b in buf.iter_mut() {
                    counter = counter.wrapping_add(1);
                    *b = counter;
                }
            },
            1_800_000_000,
        )
        .unwrap();
        let trust = world.trust_list();
        let colours: Vec<Colour> = world
            .residents
            .iter()
            .map(|r| {
                let key = SigningKey::from_bytes(&r.holder_seed);
                let p = Presentation::sign(r.credential.clone(), &key, 1_800_000_010);
                verify(&p.to_qr_text(), &trust, 1_800_000_020)
                    .unwrap()
                    .claims
                    .colour
            })
            .collect();
        assert_eq!(colours, vec![Colour::Green, Colour::Yellow, Colour::Red]);
        assert!(!world.expired(1_800_000_000));
        assert!(world.expired(1_800_000_000 + DEMO_VALIDITY_SECS));
    }
}
