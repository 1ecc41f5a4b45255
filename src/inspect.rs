//! Byte accounting: where each field of a credential, pass or presentation lies in its
//! canonical bytes, for `healthcode inspect`, for size reports, and for tests that alter one
//! field. Postcard writes struct fields one after another with no framing, so a field's
//! length is the length of its own encoding.

use crate::codec::encode;
use crate::credential::{Claims, Credential, Holder};
use crate::keys::to_hex;
use crate::pass::Pass;
use crate::presentation::Presentation;
use serde::Serialize;

/// One field: dotted name, offset and length in bytes, and a short rendering of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// E.g. `credential.claims.colour`.
    pub name: String,
    /// Offset from the start of the message's bytes.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
    /// The value, shortened for display.
    pub value: String,
}

struct Walker {
    fields: Vec<Field>,
    offset: usize,
}

impl Walker {
    fn push<T: Serialize>(&mut self, name: &str, value: &T, shown: String) {
        let len = encode(value).len();
        self.fields.push(Field {
            name: name.to_owned(),
            offset: self.offset,
            len,
            value: shown,
        });
        self.offset += len;
    }

    fn claims(&mut self, p: &str, c: &Claims) {
        self.push(&format!("{p}.issuer"), &c.issuer, c.issuer.to_string());
        self.push(&format!("{p}.id"), &c.id, c.id.to_string());
        self.push(&format!("{p}.colour"), &c.colour, c.colour.as_str().into());
        self.push(
            &format!("{p}.masked_name"),
            &c.masked_name,
            c.masked_name.clone(),
        );
        self.push(&format!("{p}.id_last4"), &c.id_last4, c.id_last4.clone());
        self.push(&format!("{p}.region"), &c.region, c.region.to_string());
        self.push(
            &format!("{p}.issued_at"),
            &c.issued_at,
            c.issued_at.to_string(),
        );
        self.push(
            &format!("{p}.not_before"),
            &c.not_before,
            c.not_before.to_string(),
        );
        self.push(&format!("{p}.expires"), &c.expires, c.expires.to_string());
        self.push(
            &format!("{p}.quarantine_end"),
            &c.quarantine_end,
            c.quarantine_end
                .map(|t| t.to_string())
                .unwrap_or_else(|| "none".into()),
        );
        let holder = match c.holder {
            Holder::Device(k) => format!("device {}", to_hex(&k)),
            Holder::Paper => "paper".into(),
        };
        self.push(&format!("{p}.holder"), &c.holder, holder);
    }

    fn credential(&mut self, p: &str, c: &Credential) {
        self.claims(&format!("{p}.claims"), &c.claims);
        self.signature(&format!("{p}.signature"), &c.signature);
    }

    fn signature(&mut self, name: &str, sig: &[u8; 64]) {
        // Raw 64 bytes (serde-big-array writes them without a length).
        self.fields.push(Field {
            name: name.to_owned(),
            offset: self.offset,
            len: 64,
            value: format!("{}…", to_hex(&sig[..8])),
        });
        self.offset += 64;
    }

    fn pass(&mut self, p: &str, pass: &Pass) {
        let c = &pass.claims;
        self.push(
            &format!("{p}.claims.issuer"),
            &c.issuer,
            c.issuer.to_string(),
        );
        self.push(&format!("{p}.claims.id"), &c.id, c.id.to_string());
        self.push(&format!("{p}.claims.place"), &c.place, c.place.clone());
        self.push(
            &format!("{p}.claims.kind"),
            &c.kind,
            format!("{:?}", c.kind),
        );
        self.push(
            &format!("{p}.claims.not_before"),
            &c.not_before,
            c.not_before.to_string(),
        );
        self.push(
            &format!("{p}.claims.expires"),
            &c.expires,
            c.expires.to_string(),
        );
        self.push(&format!("{p}.claims.holder"), &c.holder, to_hex(&c.holder));
        self.signature(&format!("{p}.signature"), &pass.signature);
    }
}

/// The fields of a credential's bytes.
pub fn credential_layout(c: &Credential) -> Vec<Field> {
    let mut w = Walker {
        fields: Vec::new(),
        offset: 0,
    };
    w.credential("credential", c);
    w.fields
}

/// The fields of a presentation's bytes.
pub fn presentation_layout(p: &Presentation) -> Vec<Field> {
    let mut w = Walker {
        fields: Vec::new(),
        offset: 0,
    };
    w.credential("credential", &p.credential);
    match &p.pass {
        None => w.push("pass", &p.pass, "none".into()),
        Some(pass) => {
            w.fields.push(Field {
                name: "pass.present".into(),
                offset: w.offset,
                len: 1,
                value: "1".into(),
            });
            w.offset += 1;
            w.pass("pass", pass);
        }
    }
    w.push("timestamp", &p.timestamp, p.timestamp.to_string());
    w.signature("signature", &p.signature);
    w.fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoWorld;
    use ed25519_dalek::SigningKey;

    #[test]
    fn the_fields_cover_every_byte_exactly() {
        let world = DemoWorld::generate(|b| b.fill(7), 1_800_000_000).unwrap();
        for r in &world.residents {
            let key = SigningKey::from_bytes(&r.holder_seed);
            let p = Presentation::sign(r.credential.clone(), None, &key, 1_800_000_001);
            let fields = presentation_layout(&p);
            let mut offset = 0;
            for f in &fields {
                assert_eq!(f.offset, offset, "{}", f.name);
                offset += f.len;
            }
            assert_eq!(offset, p.to_bytes().len());
            let sig = fields
                .iter()
                .find(|f| f.name == "credential.signature")
                .unwrap();
            assert_eq!(
                p.to_bytes()[sig.offset..sig.offset + 64],
                p.credential.signature[..]
            );
        }
    }
}
