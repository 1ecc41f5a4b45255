//! The issuer desk's registry: what was issued, searchable, with re-issue (a colour change)
//! and revocation, and the signed revocation list the desk publishes from it.
//!
//! Pure: the caller supplies `now` (Unix seconds), fresh credential ids (random bytes) and
//! the issuing key. The browser desk keeps the registry in its storage; the batch CLI writes
//! the same facts to `registry.csv`.

use crate::credential::{Claims, ClaimsError, Colour, Credential, Holder};
use crate::declaration;
use crate::keys::{CredentialId, KeyId};
use crate::revocation::{RevocationList, Scope, SignedRevocationList};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

/// How long a desk-issued code is valid: 30 days, in seconds.
pub const VALIDITY_SECS: u64 = 30 * 86_400;

/// What the officer decided to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The holder's device key, or a paper code.
    pub holder: Holder,
    /// The masked name, e.g. `张*伟` (see [`crate::credential::mask_name`]).
    pub masked_name: String,
    /// The last 4 characters of the ID number.
    pub id_last4: String,
    /// The colour issued.
    pub colour: Colour,
    /// Why the officer chose another colour than the declaration rules suggested; `None`
    /// when the suggestion was confirmed.
    pub override_reason: Option<String>,
    /// Administrative division code of the issuing region, e.g. 330900.
    pub region: u32,
}

/// Why the desk refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The claims break a field rule (name, ID, dates).
    #[error("the code's fields are invalid ({0})")]
    Claims(#[from] ClaimsError),
    /// An override without a reason.
    #[error("a colour other than the suggested one needs a reason")]
    NoReason,
    /// No record with that id.
    #[error("no code with that id was issued here")]
    Unknown,
    /// Already revoked.
    #[error("that code is already revoked")]
    AlreadyRevoked,
    /// A paper code cannot be re-issued as a device code here, or vice versa.
    #[error("a re-issue keeps the holder")]
    HolderChange,
}

impl RegistryError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::Claims(e) => e.code(),
            RegistryError::NoReason => "I|RSN",
            RegistryError::Unknown => "I|UNK",
            RegistryError::AlreadyRevoked => "I|REV",
            RegistryError::HolderChange => "I|HLD",
        }
    }
}

/// A revocation recorded in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoked {
    /// When, Unix seconds.
    pub at: u64,
    /// Why, as the officer wrote it.
    pub reason: String,
}

/// One issued code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The credential id.
    pub id: CredentialId,
    /// The issuing key's id.
    pub issuer: KeyId,
    /// Masked name.
    pub masked_name: String,
    /// Last 4 of the ID.
    pub id_last4: String,
    /// Colour issued.
    pub colour: Colour,
    /// Administrative division code of the issuing region.
    pub region: u32,
    /// Issued at, Unix seconds.
    pub issued_at: u64,
    /// Expires at, Unix seconds.
    pub expires: u64,
    /// Device (with its key) or paper.
    pub holder: Holder,
    /// The officer's reason when the colour differs from the declaration's suggestion.
    pub override_reason: Option<String>,
    /// The record this one re-issues (a colour change), if any.
    pub replaces: Option<CredentialId>,
    /// Set once revoked.
    pub revoked: Option<Revoked>,
    /// The credential's QR text (`HCC1:`), to show it again.
    pub text: String,
}

/// Everything this desk issued, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    /// The records.
    pub records: Vec<Record>,
}

impl Registry {
    /// Issues `order` with credential id `id`, valid from `now` for [`VALIDITY_SECS`], and
    /// records it. Yellow and red get a quarantine end of `now` + 7 or 14 days. Errors:
    /// [`RegistryError::Claims`].
    pub fn issue(
        &mut self,
        order: Order,
        id: CredentialId,
        key: &SigningKey,
        now: u64,
    ) -> Result<Credential, RegistryError> {
        self.issue_replacing(order, id, key, now, None)
    }

    fn issue_replacing(
        &mut self,
        order: Order,
        id: CredentialId,
        key: &SigningKey,
        now: u64,
        replaces: Option<CredentialId>,
    ) -> Result<Credential, RegistryError> {
        let claims = Claims {
            issuer: KeyId([0; 8]),
            id,
            colour: order.colour,
            masked_name: order.masked_name,
            id_last4: order.id_last4,
            region: order.region,
            issued_at: now,
            not_before: now.saturating_sub(60),
            expires: now.saturating_add(VALIDITY_SECS),
            quarantine_end: declaration::quarantine_end(order.colour, now),
            holder: order.holder,
        };
        let credential = Credential::issue(claims, key)?;
        let c = &credential.claims;
        self.records.push(Record {
            id: c.id,
            issuer: c.issuer,
            masked_name: c.masked_name.clone(),
            id_last4: c.id_last4.clone(),
            colour: c.colour,
            region: c.region,
            issued_at: c.issued_at,
            expires: c.expires,
            holder: c.holder,
            override_reason: order.override_reason,
            replaces,
            revoked: None,
            text: credential.to_qr_text(),
        });
        Ok(credential)
    }

    /// The record with credential id `id`.
    pub fn get(&self, id: &CredentialId) -> Option<&Record> {
        self.records.iter().find(|r| r.id == *id)
    }

    /// Records whose masked name contains `query`, whose last 4 equal it, or whose id (hex)
    /// starts with it, case-insensitively; newest first. An empty query matches everything.
    pub fn search(&self, query: &str) -> Vec<&Record> {
        let q = query.trim().to_lowercase();
        let mut found: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| {
                q.is_empty()
                    || r.masked_name.to_lowercase().contains(&q)
                    || r.id_last4.to_lowercase() == q
                    || r.id.to_string().starts_with(&q)
            })
            .collect();
        found.reverse();
        found
    }

    /// Revokes `id` for `reason` at `now`. Errors: [`RegistryError::Unknown`],
    /// [`RegistryError::AlreadyRevoked`], [`RegistryError::NoReason`] (empty reason).
    pub fn revoke(
        &mut self,
        id: &CredentialId,
        reason: &str,
        now: u64,
    ) -> Result<(), RegistryError> {
        if reason.trim().is_empty() {
            return Err(RegistryError::NoReason);
        }
        let record = self
            .records
            .iter_mut()
            .find(|r| r.id == *id)
            .ok_or(RegistryError::Unknown)?;
        if record.revoked.is_some() {
            return Err(RegistryError::AlreadyRevoked);
        }
        record.revoked = Some(Revoked {
            at: now,
            reason: reason.trim().to_owned(),
        });
        Ok(())
    }

    /// Re-issues `id` in `colour` (e.g. red → green after quarantine) for the same holder,
    /// with a new credential id `new_id`, and revokes the old code. Errors:
    /// [`RegistryError::Unknown`], [`RegistryError::AlreadyRevoked`],
    /// [`RegistryError::NoReason`], [`RegistryError::Claims`].
    pub fn reissue(
        &mut self,
        id: &CredentialId,
        colour: Colour,
        reason: &str,
        new_id: CredentialId,
        key: &SigningKey,
        now: u64,
    ) -> Result<Credential, RegistryError> {
        let old = self.get(id).ok_or(RegistryError::Unknown)?.clone();
        if old.revoked.is_some() {
            return Err(RegistryError::AlreadyRevoked);
        }
        if reason.trim().is_empty() {
            return Err(RegistryError::NoReason);
        }
        let order = Order {
            holder: old.holder,
            masked_name: old.masked_name.clone(),
            id_last4: old.id_last4.clone(),
            colour,
            override_reason: Some(reason.trim().to_owned()),
            region: old.region,
        };
        let credential = self.issue_replacing(order, new_id, key, now, Some(old.id))?;
        self.revoke(
            id,
            &format!("re-issued as {}: {}", credential.claims.id, reason.trim()),
            now,
        )?;
        Ok(credential)
    }

    /// The full revocation list of every revoked code that has not yet expired at `now`,
    /// signed by `key` with `sequence` (e.g. `now`, so each new list is newer).
    pub fn revocation_list(
        &self,
        key: &SigningKey,
        sequence: u64,
        now: u64,
    ) -> SignedRevocationList {
        let mut revoked: Vec<CredentialId> = self
            .records
            .iter()
            .filter(|r| r.revoked.is_some() && r.expires > now)
            .map(|r| r.id)
            .collect();
        revoked.sort();
        revoked.dedup();
        RevocationList {
            signer: KeyId([0; 8]),
            sequence,
            signed_at: now,
            scope: Scope::Full,
            revoked,
        }
        .sign(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::{Role, TrustList, TrustStore, TrustedIssuer};
    use crate::RevocationSet;

    const NOW: u64 = 1_800_000_000;

    fn order(colour: Colour, reason: Option<&str>) -> Order {
        Order {
            holder: Holder::Paper,
            masked_name: "张*伟".into(),
            id_last4: "1234".into(),
            colour,
            override_reason: reason.map(str::to_owned),
            region: 330900,
        }
    }

    #[test]
    fn issue_search_reissue_revoke_and_publish() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let mut reg = Registry::default();
        let red = reg
            .issue(order(Colour::Red, None), CredentialId([1; 8]), &key, NOW)
            .unwrap();
        assert_eq!(red.claims.quarantine_end, Some(NOW + 14 * 86_400));
        assert_eq!(red.claims.expires, NOW + VALIDITY_SECS);
        let mut other = order(Colour::Green, None);
        other.masked_name = "W*** F**".into();
        other.id_last4 = "903X".into();
        reg.issue(other, CredentialId([2; 8]), &key, NOW + 1)
            .unwrap();

        assert_eq!(reg.search("").len(), 2);
        assert_eq!(reg.search("张").len(), 1);
        assert_eq!(reg.search("903x")[0].masked_name, "W*** F**");
        assert_eq!(reg.search("0101")[0].id, CredentialId([1; 8]));

        // After quarantine: green, and the red code is revoked.
        let later = NOW + 15 * 86_400;
        assert_eq!(
            reg.reissue(
                &CredentialId([1; 8]),
                Colour::Green,
                " ",
                CredentialId([3; 8]),
                &key,
                later
            ),
            Err(RegistryError::NoReason)
        );
        let green = reg
            .reissue(
                &CredentialId([1; 8]),
                Colour::Green,
                "quarantine ended",
                CredentialId([3; 8]),
                &key,
                later,
            )
            .unwrap();
        assert_eq!(green.claims.colour, Colour::Green);
        assert_eq!(green.claims.quarantine_end, None);
        assert_eq!(
            reg.get(&CredentialId([3; 8])).unwrap().replaces,
            Some(CredentialId([1; 8]))
        );
        assert!(reg.get(&CredentialId([1; 8])).unwrap().revoked.is_some());
        assert_eq!(
            reg.revoke(&CredentialId([1; 8]), "again", later),
            Err(RegistryError::AlreadyRevoked)
        );
        assert_eq!(
            reg.revoke(&CredentialId([9; 8]), "x", later),
            Err(RegistryError::Unknown)
        );

        // The published list verifies against a trust list naming the desk key and revokes
        // exactly the old red code.
        let signed = reg.revocation_list(&key, later, later);
        let root = SigningKey::from_bytes(&[6; 32]);
        let trust = TrustList {
            root: KeyId([0; 8]),
            sequence: 1,
            signed_at: NOW,
            issuers: vec![TrustedIssuer::new(
                &key.verifying_key(),
                "desk",
                Role::HealthAuthority,
                NOW - 10,
                NOW + 400 * 86_400,
            )],
        }
        .sign(&root);
        let store = TrustStore::with(
            TrustList::from_text(&trust.to_text(), &[root.verifying_key()]).unwrap(),
        );
        let list = RevocationList::from_text(&signed.to_text(), &store).unwrap();
        let mut set = RevocationSet::default();
        set.apply(list, later, 60).unwrap();
        let desk = KeyId::of(&key.verifying_key());
        assert!(set.revokes(&desk, &CredentialId([1; 8])));
        assert!(!set.revokes(&desk, &CredentialId([3; 8])));
        assert_eq!(set.len(), 1);
    }
}
