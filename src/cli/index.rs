//! `healthcode index`: "one picture, one code, one index" as a self-contained HTML report
//! (inline SVG charts and tables; no script, no external resource) from batch registries,
//! desk registries, revoked-ids files, checkpoint log exports and a gates list. The
//! definitions are in `healthcode::area_index`.

use clap::Args;
use healthcode::area_index::{
    self, area_index, local_time_text, svg, tenths_text, Band, Inputs, Options, Report, Rows,
    CHART_DAYS,
};
use healthcode::registry::Registry;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

/// Arguments of `healthcode index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// A registry of issued codes: a batch's registry.csv, or a desk registry exported as
    /// JSON. Repeat for more; codes are de-duplicated by credential id.
    #[arg(long = "registry")]
    registries: Vec<PathBuf>,
    /// A revoked-ids file (what `revoke` writes): these codes no longer count. Repeat for more.
    #[arg(long = "revoked")]
    revoked: Vec<PathBuf>,
    /// A checkpoint's verifiable log export (JSON lines). Repeat for more; an export that
    /// fails verification is reported and left out (exit 1), the rest still count.
    #[arg(long = "log")]
    logs: Vec<PathBuf>,
    /// The gates list: CSV with columns place_id,name[,area][,area_name] (see the README).
    #[arg(long)]
    gates: Option<PathBuf>,
    /// The time to use instead of the system clock, Unix seconds.
    #[arg(long)]
    now: Option<u64>,
    /// The local zone's offset east of UTC in seconds, for day boundaries (28800 = UTC+8).
    #[arg(long, default_value_t = 28_800, allow_negative_numbers = true)]
    utc_offset: i32,
    /// A gate with no scan in this many days is flagged.
    #[arg(long, default_value_t = 3)]
    quiet_days: u32,
    /// Where to write the HTML report.
    #[arg(long)]
    out: PathBuf,
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Reports a CSV file's bad lines; true if there were any.
fn report_rows<T>(path: &Path, rows: &Rows<T>) -> bool {
    for e in &rows.errors {
        eprintln!("{}: {e} ({})", path.display(), e.code());
    }
    !rows.errors.is_empty()
}

/// Runs `healthcode index`: exit 0 when every input was used whole, 1 when a log export
/// failed verification or an input line was refused (the rest still count), an error (exit
/// 2) when a file cannot be read or is not of its kind at all.
pub fn run(args: IndexArgs) -> Result<ExitCode, String> {
    let now = match args.now {
        Some(t) => t,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| "the system clock is before 1970".to_owned())?,
    };
    if !(-14 * 3600..=14 * 3600).contains(&args.utc_offset) {
        return Err(format!(
            "--utc-offset {}: must be within ±50400 seconds (±14 h)",
            args.utc_offset
        ));
    }
    let mut inputs = Inputs::new();
    let mut problems = false;
    let mut notes: Vec<String> = Vec::new();
    for path in &args.registries {
        let bytes = read(path)?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            let registry: Registry = serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "{}: not a desk registry (JSON): {e} (X|JSN)",
                    path.display()
                )
            })?;
            notes.push(format!(
                "{}: desk registry, {} codes",
                path.display(),
                registry.records.len()
            ));
            inputs.add_registry(&registry);
        } else {
            let rows = area_index::read_registry_csv(&bytes)
                .map_err(|e| format!("{}: {e} ({})", path.display(), e.code()))?;
            problems |= report_rows(path, &rows);
            notes.push(format!(
                "{}: registry, {} codes{}",
                path.display(),
                rows.rows.len(),
                if rows.errors.is_empty() {
                    String::new()
                } else {
                    format!(", {} line(s) refused", rows.errors.len())
                }
            ));
            inputs.add_codes(rows.rows);
        }
    }
    for path in &args.revoked {
        let ids = crate::registry::read_ids_file(path)?;
        notes.push(format!("{}: {} revoked id(s)", path.display(), ids.len()));
        inputs.add_revoked(ids);
    }
    let mut refused_logs: Vec<String> = Vec::new();
    for path in &args.logs {
        let bytes = read(path)?;
        match healthcode::log::verify_export(&bytes, None) {
            Ok(export) => {
                let added = inputs.add_export(&export);
                notes.push(format!(
                    "{}: log of device {}, {} entries ({} new, {} already counted{})",
                    path.display(),
                    export.key_id,
                    export.entries.len(),
                    added.new,
                    added.duplicates,
                    if added.conflicts > 0 {
                        format!(", {} conflicting with an earlier export", added.conflicts)
                    } else {
                        String::new()
                    }
                ));
                if added.conflicts > 0 {
                    eprintln!(
                        "{}: {} entries differ from an earlier export of the same device \
                         (its log was rebuilt); the earlier ones are counted",
                        path.display(),
                        added.conflicts
                    );
                }
            }
            Err(e) => {
                let line = format!("{}: {e} — left out", path.display());
                eprintln!("{line}");
                refused_logs.push(line);
                problems = true;
            }
        }
    }
    if let Some(path) = &args.gates {
        let rows = area_index::read_gates_csv(&read(path)?)
            .map_err(|e| format!("{}: {e} ({})", path.display(), e.code()))?;
        problems |= report_rows(path, &rows);
        notes.push(format!("{}: {} gate(s)", path.display(), rows.rows.len()));
        inputs.add_gates(rows.rows);
    }

    let report = area_index(
        &inputs,
        Options {
            now,
            utc_offset_secs: args.utc_offset,
            quiet_days: args.quiet_days,
        },
    );
    let html = html_report(&report, &notes, &refused_logs);
    fs::write(&args.out, html).map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;

    let r = &report.residents;
    let flagged = report.gates.iter().filter(|g| g.flagged()).count();
    let high: Vec<String> = report
        .areas
        .iter()
        .filter(|a| a.band == Band::High)
        .map(|a| format!("{:06} ({})", a.code, tenths_text(a.index_tenths)))
        .collect();
    println!(
        "{} current codes ({} green, {} yellow, {} red) in {} area(s); {} log entries \
         ({} duplicates skipped); {} gate(s), {} flagged; high risk: {}; report written to {}",
        r.total(),
        r.green,
        r.yellow,
        r.red,
        report.areas.len(),
        report.entries.new,
        report.entries.duplicates,
        report.gates.len(),
        flagged,
        if high.is_empty() {
            "none".to_owned()
        } else {
            high.join(", ")
        },
        args.out.display()
    );
    if !refused_logs.is_empty() {
        println!(
            "{} log export(s) failed verification and were left out",
            refused_logs.len()
        );
    }
    Ok(if problems {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `text` with `& < > " '` escaped for HTML.
fn esc(text: &str) -> String {
    svg::escape(text)
}

fn time_cell(t: Option<u64>, offset: i32) -> String {
    t.map_or_else(|| "—".to_owned(), |t| local_time_text(t, offset))
}

fn offset_text(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

/// The report page: summary, the three charts, the area and gate tables, the index
/// definition and the inputs used.
pub fn html_report(report: &Report, notes: &[String], refused_logs: &[String]) -> String {
    let words = svg::Words::default();
    let o = report.options;
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>One picture, one code, one index</title><style>\
         body{font-family:sans-serif;margin:16px;color:#111;max-width:1000px}\
         table{border-collapse:collapse;margin:8px 0 20px}\
         th,td{border:1px solid #999;padding:3px 6px;text-align:right}\
         th:first-child,td:first-child,td.l{text-align:left}\
         tr.flag td{background:#fff3e0;font-weight:bold}\
         .band-high{background:#f4b3b3}.band-medium{background:#fbe3a4}\
         .band-low{background:#cfe8d5}.band-no-data{background:#e6e6e6}\
         .bad{color:#b71c1c;font-weight:bold}svg{max-width:100%;height:auto}\
         </style></head><body>\n<h1>One picture, one code, one index</h1>\n",
    );
    let r = &report.residents;
    let _ = writeln!(
        h,
        "<p>As of {} ({}). {} current codes: {} green, {} yellow, {} red, in {} area(s). \
         {} log entries from checkpoints ({} duplicates skipped). {} gate(s), {} flagged.</p>",
        esc(&local_time_text(o.now, o.utc_offset_secs)),
        offset_text(o.utc_offset_secs),
        r.total(),
        r.green,
        r.yellow,
        r.red,
        report.areas.len(),
        report.entries.new,
        report.entries.duplicates,
        report.gates.len(),
        report.gates.iter().filter(|g| g.flagged()).count(),
    );
    for line in refused_logs {
        let _ = writeln!(h, "<p class=\"bad\">Log export refused: {}</p>", esc(line));
    }
    if report.entries.conflicts > 0 {
        let _ = writeln!(
            h,
            "<p class=\"bad\">{} log entries conflict with an earlier export of the same \
             device (its log was rebuilt); the earlier ones are counted.</p>",
            report.entries.conflicts
        );
    }
    h.push_str("<h2>The picture</h2>\n");
    h.push_str(&svg::tile_map(report, &words));
    h.push_str("\n<h2>Codes by colour</h2>\n");
    h.push_str(&svg::residents_bars(report, &words));
    h.push_str(
        "\n<h2>Areas</h2>\n<table><tr><th>area</th><th>name</th><th>green</th>\
                <th>yellow</th><th>red</th><th>residents</th><th>new yellow (7 d)</th>\
                <th>new red (7 d)</th><th>index</th><th>band</th><th>gates</th>\
                <th>flagged gates</th><th>scans (7 d)</th></tr>\n",
    );
    for a in &report.areas {
        let band = a.band.as_str();
        let _ = writeln!(
            h,
            "<tr><td>{:06}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"band-{band}\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            a.code,
            esc(a.name.as_deref().unwrap_or("")),
            a.residents.green,
            a.residents.yellow,
            a.residents.red,
            a.residents.total(),
            a.recent.yellow,
            a.recent.red,
            tenths_text(a.index_tenths),
            band.replace('-', " "),
            a.gates,
            a.flagged_gates,
            a.scans_7d,
        );
    }
    h.push_str("</table>\n<h2>Gates</h2>\n");
    h.push_str(&svg::gate_bars(report, &words));
    h.push_str("\n<table><tr><th>place</th><th>name</th><th>area</th>");
    for start in &report.day_starts {
        let (_, m, d) = area_index::local_date(*start, o.utc_offset_secs);
        let _ = write!(h, "<th>{m:02}-{d:02}</th>");
    }
    h.push_str(
        "<th>scans (7 d)</th><th>admitted</th><th>turned away</th><th>deny rate</th>\
         <th>first scan</th><th>last scan</th><th>flag</th></tr>\n",
    );
    let quiet = format!("no scans in {} days", o.quiet_days);
    for g in &report.gates {
        let flag = if g.no_scans_at_all {
            "NO SCANS AT ALL"
        } else if g.quiet {
            quiet.as_str()
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr{}><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>",
            if g.flagged() { " class=\"flag\"" } else { "" },
            esc(&g.place),
            esc(&g.name),
            esc(&match &g.area_name {
                Some(n) => format!("{} {n}", g.area),
                None => g.area.clone(),
            }),
        );
        for count in &g.per_day[..CHART_DAYS] {
            let _ = write!(h, "<td>{count}</td>");
        }
        let _ = writeln!(
            h,
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"l\">{}</td></tr>",
            g.scans_7d,
            g.admits_7d,
            g.turned_away_7d,
            g.deny_rate_permille
                .map_or_else(|| "—".to_owned(), |p| format!("{}.{} %", p / 10, p % 10)),
            esc(&time_cell(g.first_scan, o.utc_offset_secs)),
            esc(&time_cell(g.last_scan, o.utc_offset_secs)),
            esc(flag),
        );
    }
    h.push_str(
        "</table>\n<h2>The control index</h2>\n<p>Per district, over its current codes \
         (issued, not expired, not revoked, not replaced by a re-issue): \
         <code>index = 100 × (R + 0.5 × Y + R₇ + 0.5 × Y₇) / N</code>, where N is the \
         number of current codes, R and Y the red and yellow ones, and R₇ and Y₇ those \
         issued in the last 7 days (a new red or yellow code counts double). \
         Low below 2.0, medium from 2.0, high from 10.0; no data without codes. \
         Deny rate = (denied + invalid codes) ÷ scans in the last 7 days.</p>\n\
         <h2>Inputs</h2>\n<ul>\n",
    );
    for note in notes {
        let _ = writeln!(h, "<li>{}</li>", esc(note));
    }
    h.push_str("</ul>\n</body></html>\n");
    h
}
