//! `healthcode revoke`: finds a code in a batch registry (`registry.csv`) and adds its id to a
//! local revoked-ids file, which `healthcode revocation-list --ids-file` signs.
//!
//! The revoked-ids file is UTF-8 text, one revoked id a line: 16 hex characters, then
//! optionally white space and a note (when, who, why). Blank lines and lines starting `#` are
//! ignored.

use crate::batch::{LEGACY_REGISTRY_COLUMNS, REGISTRY_COLUMNS};
use healthcode::keys::{self, CredentialId};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// How the code to revoke is named.
pub enum Target<'a> {
    /// By credential id.
    Id(CredentialId),
    /// By masked name and ID last 4 (must match exactly one registry line).
    Person {
        /// As in the registry, e.g. `张*伟`.
        masked_name: &'a str,
        /// As in the registry.
        id_last4: &'a str,
    },
}

/// One registry line: credential id, masked name, ID last 4, colour.
struct Entry {
    id: CredentialId,
    masked_name: String,
    id_last4: String,
    colour: String,
}

fn read_registry(path: &Path) -> Result<Vec<Entry>, String> {
    let name = path.display();
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{name}: {e}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    if header != REGISTRY_COLUMNS && header != REGISTRY_COLUMNS[..LEGACY_REGISTRY_COLUMNS] {
        return Err(format!(
            "{name}: not a registry (first line must be {})",
            REGISTRY_COLUMNS.join(",")
        ));
    }
    let mut entries = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{name}: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        let id = keys::parse_hex::<8>(&field(0))
            .map_err(|_| format!("{name}:{line}: credential_id is not 16 hex characters"))?;
        entries.push(Entry {
            id: CredentialId(id),
            masked_name: field(1),
            id_last4: field(2),
            colour: field(3),
        });
    }
    Ok(entries)
}

/// The ids in a revoked-ids file (format in the module docs); an empty list if the file does
/// not exist.
pub fn read_ids_file(path: &Path) -> Result<Vec<CredentialId>, String> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let token = line.split_whitespace().next().unwrap_or_default();
        let id = keys::parse_hex::<8>(token).map_err(|_| {
            format!(
                "{}:{}: '{token}' is not a 16-hex-character id",
                path.display(),
                i + 1
            )
        })?;
        ids.push(CredentialId(id));
    }
    Ok(ids)
}

/// Revokes the one registry entry `target` names: appends its id, `now` and `reason` to
/// `ids_file`. Already revoked: says so and changes nothing.
pub fn revoke(
    registry: &Path,
    ids_file: &Path,
    target: &Target<'_>,
    reason: &str,
    now: u64,
) -> Result<ExitCode, String> {
    let entries = read_registry(registry)?;
    let matches: Vec<&Entry> = entries
        .iter()
        .filter(|e| match target {
            Target::Id(id) => e.id == *id,
            Target::Person {
                masked_name,
                id_last4,
            } => e.masked_name == *masked_name && e.id_last4 == *id_last4,
        })
        .collect();
    let entry = match matches.as_slice() {
        [] => return Err(format!("no such code in {}", registry.display())),
        [one] => *one,
        many => {
            let ids: Vec<String> = many.iter().map(|e| e.id.to_string()).collect();
            return Err(format!(
                "{} codes match in {}: {}; name one with --id",
                many.len(),
                registry.display(),
                ids.join(", ")
            ));
        }
    };
    let label = format!(
        "{} {} ****{} ({})",
        entry.id, entry.masked_name, entry.id_last4, entry.colour
    );
    if read_ids_file(ids_file)?.contains(&entry.id) {
        println!("already revoked: {label}");
        return Ok(ExitCode::SUCCESS);
    }
    let note: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(ids_file)
        .map_err(|e| format!("cannot open {}: {e}", ids_file.display()))?;
    writeln!(file, "{} revoked-at={now} {}", entry.id, note.trim())
        .map_err(|e| format!("cannot write {}: {e}", ids_file.display()))?;
    println!(
        "revoked {label} — added to {}; sign and publish it with \
         `healthcode revocation-list --ids-file {}`",
        ids_file.display(),
        ids_file.display()
    );
    Ok(ExitCode::SUCCESS)
}
