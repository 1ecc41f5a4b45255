//! `healthcode issue --batch residents.csv --out DIR`: one code per CSV row (columns in
//! `healthcode::batch`), written as a QR image, an import link, a registry entry and, for
//! paper codes, a card on a printable sheet.

use crate::files;
use ed25519_dalek::SigningKey;
use healthcode::batch::{Row, Terms, COLUMNS};
use healthcode::keys::CredentialId;
use healthcode::{render, Claims, Colour, Credential, Holder};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The registry file's columns: one line per code issued. `region` (the issuing division
/// code, for the area index) came last, after the first 12; registries written before it
/// have the first 12 only ([`LEGACY_REGISTRY_COLUMNS`]).
pub const REGISTRY_COLUMNS: [&str; 13] = [
    "credential_id",
    "masked_name",
    "id_last4",
    "colour",
    "quarantine_end",
    "issued_at",
    "not_before",
    "expires",
    "holder",
    "source_line",
    "suggested_colour",
    "override_reason",
    "region",
];

/// How many of [`REGISTRY_COLUMNS`] a registry written before the `region` column has.
pub const LEGACY_REGISTRY_COLUMNS: usize = 12;

/// What a batch run needs.
pub struct Batch<'a> {
    /// The residents' CSV file.
    pub file: &'a Path,
    /// The output directory (created if missing; must not hold a registry already).
    pub dir: &'a Path,
    /// The issuer's signing key.
    pub issuer: &'a SigningKey,
    /// The app's address the import links point to.
    pub base_url: &'a str,
    /// Region and validity of every code.
    pub terms: Terms,
    /// Unix seconds.
    pub now: u64,
}

fn holder_word(holder: &Holder) -> &'static str {
    match holder {
        Holder::Device(_) => "device",
        Holder::Paper => "paper",
    }
}

fn csv_writer(path: &Path, header: &[&str]) -> Result<csv::Writer<fs::File>, String> {
    let mut w = csv::Writer::from_path(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    w.write_record(header)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(w)
}

/// Issues every good row; reports each bad row on stderr with its line number and reason.
/// Exit 0 if every row issued, 1 if any failed; an error (exit 2) if the file or the output
/// directory cannot be used at all.
pub fn issue_batch(batch: &Batch<'_>) -> Result<ExitCode, String> {
    let name = batch.file.display();
    fs::create_dir_all(batch.dir)
        .map_err(|e| format!("cannot create {}: {e}", batch.dir.display()))?;
    let registry_path = batch.dir.join("registry.csv");
    if registry_path.exists() {
        return Err(format!(
            "{} exists: write each batch to a new directory",
            registry_path.display()
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(batch.file)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    let header = reader
        .headers()
        .map_err(|e| format!("{name}: {e}"))?
        .iter()
        .map(str::trim)
        .collect::<Vec<_>>();
    if header != COLUMNS {
        return Err(format!(
            "{name}: the first line must be the header {}",
            COLUMNS.join(",")
        ));
    }
    let mut registry = csv_writer(&registry_path, &REGISTRY_COLUMNS)?;
    let links_path = batch.dir.join("links.csv");
    let mut links = csv_writer(
        &links_path,
        &[
            "source_line",
            "credential_id",
            "masked_name",
            "holder",
            "link",
        ],
    )?;
    let mut ids = HashSet::new();
    let mut paper = Vec::new();
    let (mut issued, mut failed) = (0usize, 0usize);
    let mut colours = [0usize; 3];
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if e.is_io_error() {
                    return Err(format!("{name}:{line}: {e}"));
                }
                eprintln!("{name}:{line}: {e} (B|CSV)");
                failed += 1;
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<&str> = record.iter().collect();
        let row = match Row::parse(&fields) {
            Ok(row) => row,
            Err(e) => {
                eprintln!("{name}:{line}: {e} ({})", e.code());
                failed += 1;
                continue;
            }
        };
        let id = loop {
            let id = CredentialId(crate::commands::random_bytes::<8>()?);
            if ids.insert(id) {
                break id;
            }
        };
        let (claims, suggestion) = row.claims(id, &batch.terms, batch.now);
        let credential = match Credential::issue(claims, batch.issuer) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{name}:{line}: {e} ({})", e.code());
                failed += 1;
                continue;
            }
        };
        let c = &credential.claims;
        let reason = row.colour_override.as_ref().map_or("", |(_, r)| r.as_str());
        if !reason.is_empty() {
            eprintln!(
                "{name}:{line}: override: {} instead of the suggested {} — reason: {reason}",
                c.colour.as_str(),
                suggestion.colour.as_str()
            );
        }
        let text = credential.to_qr_text();
        let png: PathBuf = batch.dir.join(format!("{line}-{}.png", c.id));
        files::write_qr_png(&png, &text, 8)?;
        let write_err = |e: csv::Error| format!("cannot write in {}: {e}", batch.dir.display());
        links
            .write_record([
                line.to_string().as_str(),
                &c.id.to_string(),
                &c.masked_name,
                holder_word(&c.holder),
                &healthcode::wallet::import_link(batch.base_url, &text),
            ])
            .map_err(write_err)?;
        registry
            .write_record([
                c.id.to_string().as_str(),
                &c.masked_name,
                &c.id_last4,
                c.colour.as_str(),
                &c.quarantine_end.map_or(String::new(), |t| t.to_string()),
                &c.issued_at.to_string(),
                &c.not_before.to_string(),
                &c.expires.to_string(),
                holder_word(&c.holder),
                &line.to_string(),
                suggestion.colour.as_str(),
                reason,
                &c.region.to_string(),
            ])
            .map_err(write_err)?;
        colours[match c.colour {
            Colour::Green => 0,
            Colour::Yellow => 1,
            Colour::Red => 2,
        }] += 1;
        issued += 1;
        if c.is_paper() {
            paper.push((credential.claims.clone(), text));
        }
    }
    for w in [&mut registry, &mut links] {
        w.flush()
            .map_err(|e| format!("cannot write in {}: {e}", batch.dir.display()))?;
    }
    if !paper.is_empty() {
        let path = batch.dir.join("paper.html");
        fs::write(&path, paper_sheet(&paper)?)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!(
        "issued {issued} code(s) ({} green, {} yellow, {} red; {} paper) to {}; {failed} row(s) failed",
        colours[0],
        colours[1],
        colours[2],
        paper.len(),
        batch.dir.display()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `text` with `& < > " '` escaped for HTML.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `YYYY-MM-DD` (UTC) of a Unix time, by the days-from-civil inverse (H. Hinnant,
/// "chrono-Compatible Low-Level Date Algorithms").
pub fn utc_date(unix: u64) -> String {
    let days = (unix / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn colour_words(colour: Colour) -> (&'static str, &'static str, &'static str) {
    match colour {
        Colour::Green => ("绿码", "GREEN — may pass", "#1b7f3b"),
        Colour::Yellow => ("黄码", "YELLOW — 7-day home observation", "#b58900"),
        Colour::Red => ("红码", "RED — 14-day quarantine", "#c62828"),
    }
}

/// A printable HTML page, one card per paper code: colour in words, masked name, ID ****last4,
/// validity, instructions and the QR as inline SVG. No external resources.
fn paper_sheet(codes: &[(Claims, String)]) -> Result<String, String> {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>Paper health codes</title><style>\
         body{font-family:sans-serif;margin:0}\
         .card{page-break-inside:avoid;break-inside:avoid;border:2px solid #000;margin:8mm;\
         padding:6mm;display:flex;gap:8mm;align-items:center}\
         .qr{width:70mm;height:70mm;flex:none}\
         .colour{font-size:22pt;font-weight:bold;color:#fff;padding:2mm 4mm;display:inline-block}\
         .name{font-size:20pt;margin:3mm 0}\
         p{margin:1mm 0;font-size:11pt}\
         </style></head><body>\n",
    );
    for (claims, text) in codes {
        let (zh, en, bg) = colour_words(claims.colour);
        let svg = render::svg(text, "#000", "#fff").map_err(|e| e.to_string())?;
        let until = match claims.quarantine_end {
            Some(end) => format!(
                "<p>居家/隔离至 Stay at home until {} (UTC).</p>",
                utc_date(end)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            html,
            "<section class=\"card\"><div class=\"qr\">{svg}</div><div>\
             <div class=\"colour\" style=\"background:{bg}\">{zh} {en}</div>\
             <div class=\"name\">{name} &nbsp; ID ****{last4}</div>\
             <p>纸质健康码 Paper health code · {id} · valid {from} to {to} (UTC)</p>{until}\
             <p>在卡口出示此码和身份证。 Show this code with your ID card at every gate; \
             staff scan it and check the card.</p>\
             <p>请勿拍照外传；遗失请到社区办公室补办。 Do not share photos of it; \
             if lost, ask the community office for a new one.</p>\
             </div></section>",
            name = escape_html(&claims.masked_name),
            last4 = escape_html(&claims.id_last4),
            id = claims.id,
            from = utc_date(claims.not_before),
            to = utc_date(claims.expires),
        );
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_from_unix_seconds() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_800_000_000), "2027-01-15");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(escape_html("<a&'\">"), "&lt;a&amp;&#39;&quot;&gt;");
    }
}
