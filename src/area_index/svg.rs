//! The charts of [`Report`] as self-contained SVG 1.1 text: no scripts, no external fonts or
//! images (the generic `sans-serif` family), every text escaped for XML. Colour is never the
//! only cue: each band and each code colour also has a fill pattern and words.
//!
//! - [`tile_map`]: "one picture", one labelled tile per district, filled by risk band;
//! - [`residents_bars`]: current codes by colour per district, as 100 % stacked bars with the
//!   counts in words;
//! - [`gate_bars`]: per gate, scans per day for the last 7 days as small bars (the turned-away
//!   part hatched), the 7-day totals and deny rate, flagged gates outlined and labelled.
//!
//! Every chart is at most 960 px wide (readable on a laptop screen) and grows downwards.

use super::{tenths_text, AreaRow, Band, Report, CHART_DAYS, UNKNOWN_AREA};
use std::fmt::Write as _;

/// The words a chart shows, so the app can pass its translations. [`Words::default`] is
/// English. Placeholders: `{n}` in [`Words::quiet`] (days), `{n}` in [`Words::residents`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// Title of [`tile_map`].
    pub map_title: String,
    /// Title of [`residents_bars`].
    pub residents_title: String,
    /// Title of [`gate_bars`].
    pub gates_title: String,
    /// Band names: no data, low, medium, high.
    pub bands: [String; 4],
    /// "Index".
    pub index: String,
    /// "{n} residents".
    pub residents: String,
    /// Colour names: green, yellow, red.
    pub colours: [String; 3],
    /// "Unknown area".
    pub unknown_area: String,
    /// "Scans (7 days)".
    pub scans_7d: String,
    /// "turned away".
    pub turned_away: String,
    /// "No scans at all".
    pub no_scans: String,
    /// "No scans in {n} days".
    pub quiet: String,
    /// Shown instead of a chart without data.
    pub nothing: String,
}

impl Default for Words {
    fn default() -> Words {
        Words {
            map_title: "Risk by area (control index)".into(),
            residents_title: "Current codes by colour per area".into(),
            gates_title: "Scans per day at each gate, last 7 days".into(),
            bands: [
                "NO DATA".into(),
                "LOW".into(),
                "MEDIUM".into(),
                "HIGH".into(),
            ],
            index: "Index".into(),
            residents: "{n} residents".into(),
            colours: ["green".into(), "yellow".into(), "red".into()],
            unknown_area: "Unknown area".into(),
            scans_7d: "Scans (7 days)".into(),
            turned_away: "turned away".into(),
            no_scans: "NO SCANS AT ALL".into(),
            quiet: "NO SCANS IN {n} DAYS".into(),
            nothing: "Nothing to show yet.".into(),
        }
    }
}

/// `text` with `& < > " '` escaped for XML (attribute values and text).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, with `…` if cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

const FONT: &str = "font-family=\"sans-serif\"";

fn open(out: &mut String, width: u32, height: u32, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{t}\" {FONT} font-size=\"13\">\
         <title>{t}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\
         <text x=\"12\" y=\"24\" font-size=\"17\" font-weight=\"bold\" fill=\"#111\">{t}</text>",
        t = escape(title)
    );
}

/// Fill patterns, ids prefixed by `p` so several charts can share a page.
fn patterns(out: &mut String, p: &str) {
    let _ = write!(
        out,
        "<defs>\
         <pattern id=\"{p}hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" \
         stroke=\"#000\" stroke-opacity=\"0.35\" stroke-width=\"3\"/></pattern>\
         <pattern id=\"{p}dots\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">\
         <circle cx=\"4\" cy=\"4\" r=\"1.6\" fill=\"#000\" fill-opacity=\"0.35\"/></pattern>\
         <pattern id=\"{p}cross\" width=\"10\" height=\"10\" patternUnits=\"userSpaceOnUse\">\
         <path d=\"M0 0L10 10M10 0L0 10\" stroke=\"#000\" stroke-opacity=\"0.18\"/></pattern>\
         </defs>"
    );
}

/// Background colour and pattern (if any) of a band.
fn band_style(band: Band) -> (&'static str, Option<&'static str>) {
    match band {
        Band::NoData => ("#e6e6e6", Some("cross")),
        Band::Low => ("#cfe8d5", None),
        Band::Medium => ("#fbe3a4", Some("dots")),
        Band::High => ("#f4b3b3", Some("hatch")),
    }
}

fn band_index(band: Band) -> usize {
    match band {
        Band::NoData => 0,
        Band::Low => 1,
        Band::Medium => 2,
        Band::High => 3,
    }
}

fn area_label(area: &AreaRow, words: &Words) -> (String, String) {
    let code = format!("{:06}", area.code);
    match (&area.name, area.code) {
        (Some(name), _) => (name.clone(), code),
        (None, UNKNOWN_AREA) => (words.unknown_area.clone(), String::new()),
        (None, _) => (code, String::new()),
    }
}

fn nothing(out: &mut String, words: &Words) {
    let _ = write!(
        out,
        "<text x=\"12\" y=\"60\" fill=\"#333\">{}</text></svg>",
        escape(&words.nothing)
    );
}

/// "One picture": a grid of tiles, one per district (at most 4 a row, 220 × 124 px each),
/// filled by band (low plain green, medium dotted amber, high hatched red with a thick
/// border, no data cross-hatched grey), each with the area's name and code, the band in
/// words, the index and the number of residents; a legend below.
pub fn tile_map(report: &Report, words: &Words) -> String {
    const W: u32 = 220;
    const H: u32 = 124;
    const GAP: u32 = 12;
    let n = report.areas.len() as u32;
    let cols = n.clamp(1, 4);
    let rows = n.div_ceil(cols).max(1);
    let width = (cols * (W + GAP) + GAP).max(620);
    let top = 40;
    let height = top + rows * (H + GAP) + 44;
    let mut out = String::new();
    open(&mut out, width, height, &words.map_title);
    patterns(&mut out, "hcm-");
    if report.areas.is_empty() {
        nothing(&mut out, words);
        return out;
    }
    for (i, area) in report.areas.iter().enumerate() {
        let i = i as u32;
        let x = GAP + (i % cols) * (W + GAP);
        let y = top + (i / cols) * (H + GAP);
        let (fill, pattern) = band_style(area.band);
        let (stroke, stroke_width) = match area.band {
            Band::High => ("#8e0000", 4),
            _ => ("#555", 1),
        };
        let (name, code) = area_label(area, words);
        let band_word = &words.bands[band_index(area.band)];
        let _ = write!(
            out,
            "<g><title>{title}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"6\" fill=\"{fill}\" \
             stroke=\"{stroke}\" stroke-width=\"{stroke_width}\"/>",
            title = escape(&format!(
                "{name} {code}: {band_word}, {} {}",
                words.index,
                tenths_text(area.index_tenths)
            )),
        );
        if let Some(p) = pattern {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"6\" fill=\"url(#hcm-{p})\"/>"
            );
        }
        // A white label plate keeps the text readable over the pattern.
        let _ = write!(
            out,
            "<rect x=\"{px}\" y=\"{py}\" width=\"{pw}\" height=\"{ph}\" rx=\"4\" fill=\"#fff\" fill-opacity=\"0.85\"/>\
             <text x=\"{tx}\" y=\"{y1}\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">{name}</text>\
             <text x=\"{tx}\" y=\"{y2}\" font-size=\"12\" fill=\"#333\">{code}</text>\
             <text x=\"{tx}\" y=\"{y3}\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">{band} · {index} {value}</text>\
             <text x=\"{tx}\" y=\"{y4}\" font-size=\"12\" fill=\"#333\">{residents}</text></g>",
            px = x + 14,
            py = y + 12,
            pw = W - 28,
            ph = H - 24,
            tx = x + 22,
            y1 = y + 32,
            y2 = y + 49,
            y3 = y + 76,
            y4 = y + 98,
            name = escape(&clip(&name, 22)),
            code = escape(&code),
            band = escape(band_word),
            index = escape(&words.index),
            value = tenths_text(area.index_tenths),
            residents = escape(&words.residents.replace("{n}", &area.residents.total().to_string())),
        );
    }
    // Legend.
    let ly = top + rows * (H + GAP) + 8;
    for (i, band) in [Band::Low, Band::Medium, Band::High, Band::NoData]
        .into_iter()
        .enumerate()
    {
        let x = GAP + i as u32 * 150;
        let (fill, pattern) = band_style(band);
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{ly}\" width=\"28\" height=\"20\" fill=\"{fill}\" stroke=\"#555\"/>"
        );
        if let Some(p) = pattern {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{ly}\" width=\"28\" height=\"20\" fill=\"url(#hcm-{p})\"/>"
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"#111\">{}</text>",
            x + 36,
            ly + 15,
            escape(&words.bands[band_index(band)])
        );
    }
    out.push_str("</svg>");
    out
}

const COLOUR_FILLS: [(&str, Option<&str>); 3] = [
    ("#2e7d32", None),
    ("#f9a825", Some("dots")),
    ("#c62828", Some("hatch")),
];

/// Current codes by colour per district: one 100 % stacked bar per area (green solid,
/// yellow dotted, red hatched), with the counts in words beside it; a legend on top.
pub fn residents_bars(report: &Report, words: &Words) -> String {
    const LABEL: u32 = 190;
    const BAR: u32 = 420;
    const ROW: u32 = 34;
    let width = 940;
    let top = 70;
    let height = top + report.areas.len().max(1) as u32 * ROW + 16;
    let mut out = String::new();
    open(&mut out, width, height, &words.residents_title);
    patterns(&mut out, "hcb-");
    for (i, (fill, pattern)) in COLOUR_FILLS.iter().enumerate() {
        let x = 12 + i as u32 * 130;
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"36\" width=\"24\" height=\"16\" fill=\"{fill}\" stroke=\"#333\"/>"
        );
        if let Some(p) = pattern {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"36\" width=\"24\" height=\"16\" fill=\"url(#hcb-{p})\"/>"
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"49\" fill=\"#111\">{}</text>",
            x + 30,
            escape(&words.colours[i])
        );
    }
    if report.areas.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    for (row, area) in report.areas.iter().enumerate() {
        let y = top + row as u32 * ROW;
        let (name, code) = area_label(area, words);
        let label = if code.is_empty() {
            name
        } else {
            format!("{name} {code}")
        };
        let _ = write!(
            out,
            "<text x=\"12\" y=\"{}\" fill=\"#111\">{}</text>",
            y + 17,
            escape(&clip(&label, 26))
        );
        let c = &area.residents;
        let counts = [c.green, c.yellow, c.red];
        let total = c.total();
        let x0 = 12 + LABEL;
        let _ = write!(
            out,
            "<rect x=\"{x0}\" y=\"{y}\" width=\"{BAR}\" height=\"24\" fill=\"#f3f3f3\" stroke=\"#999\"/>"
        );
        let mut x = x0;
        let mut done = 0u32;
        for (i, count) in counts.iter().enumerate() {
            if total == 0 || *count == 0 {
                continue;
            }
            // Right edge by cumulative share, so the segments add up to the bar exactly.
            done += count;
            let right = x0 + (u64::from(BAR) * u64::from(done) / u64::from(total)) as u32;
            let w = right.saturating_sub(x);
            let (fill, pattern) = COLOUR_FILLS[i];
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"24\" fill=\"{fill}\"/>"
            );
            if let Some(p) = pattern {
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"24\" fill=\"url(#hcb-{p})\"/>"
                );
            }
            x = right;
        }
        let text = format!(
            "{} {} · {} {} · {} {} ({})",
            words.colours[0],
            c.green,
            words.colours[1],
            c.yellow,
            words.colours[2],
            c.red,
            words.residents.replace("{n}", &total.to_string())
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"#111\">{}</text>",
            x0 + BAR + 10,
            y + 17,
            escape(&text)
        );
    }
    out.push_str("</svg>");
    out
}

/// Per gate (flagged first, as [`Report::gates`] orders them): name and place id, one small
/// bar per local day for the last 7 days (the turned-away part hatched red; dates on top),
/// the 7-day scans and deny rate in words; a gate with no scans at all or no scans lately is
/// outlined in thick orange on a tinted row, with the flag in words.
pub fn gate_bars(report: &Report, words: &Words) -> String {
    const LABEL: u32 = 250;
    const BAR_W: u32 = 26;
    const BAR_GAP: u32 = 8;
    const ROW: u32 = 48;
    const BAR_H: u32 = 34;
    let width = 940;
    let top = 58;
    let height = top + report.gates.len().max(1) as u32 * ROW + 16;
    let mut out = String::new();
    open(&mut out, width, height, &words.gates_title);
    patterns(&mut out, "hcg-");
    if report.gates.is_empty() {
        nothing(&mut out, words);
        return out;
    }
    let x0 = 12 + LABEL;
    let offset = report.options.utc_offset_secs;
    for (i, start) in report.day_starts.iter().enumerate() {
        let (_, m, d) = super::local_date(*start, offset);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"50\" font-size=\"10\" text-anchor=\"middle\" fill=\"#333\">{m:02}-{d:02}</text>",
            x0 + i as u32 * (BAR_W + BAR_GAP) + BAR_W / 2
        );
    }
    let max = report
        .gates
        .iter()
        .flat_map(|g| g.per_day)
        .max()
        .unwrap_or(0)
        .max(1);
    let quiet_word = words
        .quiet
        .replace("{n}", &report.options.quiet_days.to_string());
    for (row, gate) in report.gates.iter().enumerate() {
        let y = top + row as u32 * ROW;
        if gate.flagged() {
            let _ = write!(
                out,
                "<rect x=\"4\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff3e0\" stroke=\"#e65100\" stroke-width=\"3\"/>",
                y + 1,
                width - 8,
                ROW - 4
            );
        }
        let name = if gate.name.is_empty() {
            gate.place.clone()
        } else {
            gate.name.clone()
        };
        let _ = write!(
            out,
            "<text x=\"12\" y=\"{}\" font-weight=\"bold\" fill=\"#111\">{}</text>\
             <text x=\"12\" y=\"{}\" font-size=\"11\" fill=\"#444\">{}</text>",
            y + 20,
            escape(&clip(&name, 30)),
            y + 36,
            escape(&clip(&format!("{} · {}", gate.place, gate.area), 36)),
        );
        let base = y + 6 + BAR_H;
        let _ = write!(
            out,
            "<line x1=\"{x0}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#777\"/>",
            x0 + CHART_DAYS as u32 * (BAR_W + BAR_GAP)
        );
        for (d, count) in gate.per_day.iter().enumerate() {
            let x = x0 + d as u32 * (BAR_W + BAR_GAP);
            let h = (u64::from(*count) * u64::from(BAR_H) / u64::from(max)) as u32;
            let h = if *count > 0 { h.max(2) } else { 0 };
            let away = gate.turned_away_per_day[d];
            let ah = if *count > 0 {
                (u64::from(away) * u64::from(h) / u64::from(*count)) as u32
            } else {
                0
            };
            let ah = if away > 0 { ah.max(2).min(h) } else { 0 };
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{}\" width=\"{BAR_W}\" height=\"{h}\" fill=\"#37474f\"><title>{count}</title></rect>",
                base - h
            );
            if ah > 0 {
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"{}\" width=\"{BAR_W}\" height=\"{ah}\" fill=\"#c62828\"/>\
                     <rect x=\"{x}\" y=\"{}\" width=\"{BAR_W}\" height=\"{ah}\" fill=\"url(#hcg-hatch)\"/>",
                    base - h,
                    base - h
                );
            }
        }
        let tx = x0 + CHART_DAYS as u32 * (BAR_W + BAR_GAP) + 12;
        let rate = match gate.deny_rate_permille {
            Some(p) => format!("{}.{} %", p / 10, p % 10),
            None => "—".to_owned(),
        };
        let summary = format!(
            "{}: {} · {}: {} ({rate})",
            words.scans_7d, gate.scans_7d, words.turned_away, gate.turned_away_7d
        );
        let _ = write!(
            out,
            "<text x=\"{tx}\" y=\"{}\" fill=\"#111\">{}</text>",
            y + 20,
            escape(&summary)
        );
        let flag = if gate.no_scans_at_all {
            Some(&words.no_scans)
        } else if gate.quiet {
            Some(&quiet_word)
        } else {
            None
        };
        if let Some(flag) = flag {
            let _ = write!(
                out,
                "<text x=\"{tx}\" y=\"{}\" font-weight=\"bold\" fill=\"#bf360c\">⚠ {}</text>",
                y + 38,
                escape(flag)
            );
        }
    }
    out.push_str("</svg>");
    out
}
