use super::svg::{self, Words};
use super::*;
use crate::credential::Holder;
use crate::keys::KeyId;
use crate::log::{self, Log, Scan};
use crate::registry::Revoked;
use ed25519_dalek::SigningKey;

/// 2027-01-15 08:00:00 UTC = 16:00 in UTC+8.
const NOW: u64 = 1_800_000_000;
const CST: i32 = 28_800;

fn options() -> Options {
    Options {
        now: NOW,
        utc_offset_secs: CST,
        quiet_days: 3,
    }
}

fn code(n: u32, colour: Colour, region: u32, issued_at: u64) -> ResidentCode {
    let mut id = [0u8; 8];
    id[..4].copy_from_slice(&n.to_be_bytes());
    id[4] = (region % 256) as u8;
    ResidentCode {
        id: CredentialId(id),
        colour,
        region,
        issued_at,
        expires: issued_at + 30 * DAY_SECS,
        revoked_at: None,
        replaces: None,
    }
}

fn record(id: u8, colour: Colour, region: u32, issued_at: u64) -> Record {
    Record {
        id: CredentialId([id; 8]),
        issuer: KeyId([0; 8]),
        masked_name: "张*伟".into(),
        id_last4: "1234".into(),
        colour,
        region,
        issued_at,
        expires: issued_at + 30 * DAY_SECS,
        holder: Holder::Paper,
        override_reason: None,
        replaces: None,
        revoked: None,
        text: String::new(),
    }
}

fn scan(place: &str, colour: Colour, outcome: Outcome) -> Scan {
    Scan {
        place: place.into(),
        masked_name: Some("张*伟".into()),
        id_last4: Some("1234".into()),
        id_hash: None,
        colour: Some(colour),
        temperature: Some(365),
        outcome,
        reasons: vec![],
    }
}

/// A verified export of a device's log with scans at `times` (seconds) and `place`.
fn export(seed: u8, scans: &[(u64, &str, Colour, Outcome)]) -> VerifiedExport {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let mut log = Log::new();
    let entries: Vec<Entry> = scans
        .iter()
        .map(|(t, place, c, o)| log.append(scan(place, *c, *o), *t))
        .collect();
    log::verify_export(log::export(&entries, &key, NOW).as_bytes(), None).unwrap()
}

#[test]
fn the_worked_example_of_the_docs() {
    let current = ColourCount {
        green: 180,
        yellow: 12,
        red: 8,
    };
    let recent = ColourCount {
        green: 0,
        yellow: 4,
        red: 3,
    };
    assert_eq!(control_index_tenths(&current, &recent), Some(95));
    assert_eq!(Band::of(Some(95)), Band::Medium);
    assert_eq!(tenths_text(Some(95)), "9.5");
    // One more new red: 100 × 21 / 201 = 10.45 → 10.4, high.
    let more = ColourCount { red: 9, ..current };
    let more_recent = ColourCount { red: 4, ..recent };
    assert_eq!(control_index_tenths(&more, &more_recent), Some(104));
    assert_eq!(Band::of(Some(104)), Band::High);
    // Thresholds and no data.
    assert_eq!(control_index_tenths(&ColourCount::default(), &recent), None);
    assert_eq!(Band::of(None), Band::NoData);
    assert_eq!(Band::of(Some(19)), Band::Low);
    assert_eq!(Band::of(Some(20)), Band::Medium);
    assert_eq!(Band::of(Some(99)), Band::Medium);
    assert_eq!(Band::of(Some(100)), Band::High);
    // All red and all new: 200.
    let red = ColourCount {
        green: 0,
        yellow: 0,
        red: 5,
    };
    assert_eq!(control_index_tenths(&red, &red), Some(2000));
}

#[test]
fn the_worked_example_through_the_whole_index() {
    let old = NOW - 10 * DAY_SECS;
    let new = NOW - 2 * DAY_SECS;
    let mut codes = Vec::new();
    let mut n = 0;
    let mut push = |colour, count, at| {
        for _ in 0..count {
            n += 1;
            codes.push(code(n, colour, 330902, at));
        }
    };
    push(Colour::Green, 180, old);
    push(Colour::Yellow, 8, old);
    push(Colour::Yellow, 4, new);
    push(Colour::Red, 5, old);
    push(Colour::Red, 3, new);
    // Not current: expired, revoked, not yet issued.
    push(Colour::Red, 1, NOW - 40 * DAY_SECS);
    let mut inputs = Inputs::new();
    inputs.add_codes(codes);
    let mut revoked = code(9_000, Colour::Red, 330902, new);
    revoked.revoked_at = Some(NOW - 60);
    let future = code(9_001, Colour::Red, 330902, NOW + 60);
    inputs.add_codes([revoked, future]);
    let report = area_index(&inputs, options());
    assert_eq!(report.areas.len(), 1);
    let area = &report.areas[0];
    assert_eq!(area.code, 330902);
    assert_eq!(
        area.residents,
        ColourCount {
            green: 180,
            yellow: 12,
            red: 8
        }
    );
    assert_eq!(
        area.recent,
        ColourCount {
            green: 0,
            yellow: 4,
            red: 3
        }
    );
    assert_eq!(area.index_tenths, Some(95));
    assert_eq!(area.band, Band::Medium);
    assert_eq!(report.codes_read, 203);
}

#[test]
fn registry_and_two_exports_merge_without_double_counting() {
    let day = 3 * DAY_SECS;
    // The desk: a red code re-issued as green (the red one replaced), a yellow one revoked,
    // a green one in another district.
    let mut desk = Registry::default();
    desk.records
        .push(record(1, Colour::Red, 330902, NOW - 5 * DAY_SECS));
    let mut green = record(2, Colour::Green, 330902, NOW - DAY_SECS);
    green.replaces = Some(CredentialId([1; 8]));
    desk.records.push(green);
    let mut yellow = record(3, Colour::Yellow, 330902, NOW - DAY_SECS);
    yellow.revoked = Some(Revoked {
        at: NOW - 100,
        reason: "wrong person".into(),
    });
    desk.records.push(yellow);
    desk.records
        .push(record(4, Colour::Green, 330903, NOW - DAY_SECS));

    // A batch registry: one code the desk also holds (id 4), one new red, one revoked by a
    // revoked-ids list.
    let csv = format!(
        "credential_id,masked_name,id_last4,colour,quarantine_end,issued_at,not_before,expires,holder,source_line,suggested_colour,override_reason,region\n\
         {},王*,0001,green,,{a},{a},{e},paper,2,green,,330903\n\
         {},李*,0002,red,,{a},{a},{e},paper,3,red,,330903\n\
         {},赵*,0003,yellow,,{a},{a},{e},paper,4,yellow,,330903\n",
        CredentialId([4; 8]),
        CredentialId([5; 8]),
        CredentialId([6; 8]),
        a = NOW - DAY_SECS,
        e = NOW + 20 * DAY_SECS,
    );
    let rows = read_registry_csv(csv.as_bytes()).unwrap();
    assert_eq!(rows.errors, vec![]);
    assert_eq!(rows.rows.len(), 3);

    let mut inputs = Inputs::new();
    inputs.add_registry(&desk);
    inputs.add_codes(rows.rows);
    inputs.add_revoked([CredentialId([6; 8])]);
    assert_eq!(inputs.code_count(), 6);

    // Two devices; device A's export imported twice, and a later export of A repeating its
    // first two entries.
    let a = export(
        7,
        &[
            (NOW - day, "330902-0001", Colour::Green, Outcome::Admit),
            (NOW - 600, "330902-0001", Colour::Red, Outcome::Deny),
        ],
    );
    let a_later = export(
        7,
        &[
            (NOW - day, "330902-0001", Colour::Green, Outcome::Admit),
            (NOW - 600, "330902-0001", Colour::Red, Outcome::Deny),
            (NOW - 60, "330902-0001", Colour::Green, Outcome::Admit),
        ],
    );
    let b = export(
        8,
        &[(NOW - 60, "330903-0002", Colour::Yellow, Outcome::Deny)],
    );
    assert_eq!(
        inputs.add_export(&a),
        Added {
            new: 2,
            duplicates: 0,
            conflicts: 0
        }
    );
    assert_eq!(
        inputs.add_export(&a),
        Added {
            new: 0,
            duplicates: 2,
            conflicts: 0
        }
    );
    assert_eq!(
        inputs.add_export(&a_later),
        Added {
            new: 1,
            duplicates: 2,
            conflicts: 0
        }
    );
    assert_eq!(inputs.add_export(&b).new, 1);
    // The same device with a rebuilt log: entry 1 with another hash is a conflict.
    let rebuilt = export(7, &[(NOW - 5, "330902-0001", Colour::Red, Outcome::Deny)]);
    assert_eq!(inputs.add_export(&rebuilt).conflicts, 1);

    let report = area_index(&inputs, options());
    assert_eq!(
        report.entries,
        Added {
            new: 4,
            duplicates: 4,
            conflicts: 1
        }
    );
    let codes: Vec<(u32, ColourCount)> =
        report.areas.iter().map(|a| (a.code, a.residents)).collect();
    assert_eq!(
        codes,
        vec![
            (
                330902,
                ColourCount {
                    green: 1,
                    yellow: 0,
                    red: 0
                }
            ),
            (
                330903,
                ColourCount {
                    green: 1,
                    yellow: 0,
                    red: 1
                }
            ),
        ]
    );
    // 330903: 100 × (1 + 1) / 2 = 100.0 (the red is new): high.
    assert_eq!(report.areas[1].index_tenths, Some(1000));
    assert_eq!(report.areas[1].band, Band::High);
    assert_eq!(report.areas[0].band, Band::Low);

    let gate = report
        .gates
        .iter()
        .find(|g| g.place == "330902-0001")
        .unwrap();
    assert_eq!(gate.total_scans, 3);
    assert_eq!(gate.scans_7d, 3);
    assert_eq!((gate.admits_7d, gate.turned_away_7d), (2, 1));
    assert_eq!(gate.deny_rate_permille, Some(333));
    // Today (local) holds NOW − 600 and NOW − 60; three days ago NOW − 3 days.
    assert_eq!(gate.per_day, [0, 0, 0, 1, 0, 0, 2]);
    assert_eq!(gate.turned_away_per_day, [0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(gate.first_scan, Some(NOW - day));
    assert_eq!(gate.last_scan, Some(NOW - 60));
    assert!(!gate.flagged());
    assert_eq!(report.areas[0].gates, 1);
    assert_eq!(report.areas[0].scans_7d, 3);
}

#[test]
fn gates_without_scans_or_without_recent_scans_are_flagged() {
    let gates = "place_id,name,area,area_name\n\
                 330902-0017,东港 3 号门,330902001,东港街道\n\
                 330902-0018,Market street,,\n\
                 330902-0019,Quiet gate,330902,定海区\n";
    let gates = read_gates_csv(gates.as_bytes()).unwrap();
    assert_eq!(gates.errors, vec![]);
    let mut inputs = Inputs::new();
    inputs.add_gates(gates.rows);
    inputs.add_export(&export(
        9,
        &[
            (
                NOW - 5 * DAY_SECS,
                "330902-0019",
                Colour::Green,
                Outcome::Admit,
            ),
            (NOW - 100, "330902-0018", Colour::Green, Outcome::Admit),
        ],
    ));
    let report = area_index(&inputs, options());
    let flags: Vec<(&str, bool, bool, &str)> = report
        .gates
        .iter()
        .map(|g| {
            (
                g.place.as_str(),
                g.no_scans_at_all,
                g.quiet,
                g.area.as_str(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        vec![
            ("330902-0017", true, false, "330902001"),
            ("330902-0019", false, true, "330902"),
            ("330902-0018", false, false, "330902"),
        ]
    );
    assert_eq!(report.gates[0].name, "东港 3 号门");
    assert_eq!(report.gates[0].first_scan, None);
    assert_eq!(report.gates[0].deny_rate_permille, None);
    assert_eq!(report.gates[0].district, 330902);
    assert_eq!(report.areas.len(), 1);
    assert_eq!(report.areas[0].name.as_deref(), Some("定海区"));
    assert_eq!(
        (report.areas[0].gates, report.areas[0].flagged_gates),
        (3, 2)
    );
    assert_eq!(report.areas[0].band, Band::NoData);
}

#[test]
fn bad_lines_are_named_and_the_rest_still_count() {
    let csv = "credential_id,colour,issued_at,expires,region\n\
               0101010101010101,green,1,2000000000,330902\n\
               xyz,green,1,2,330902\n\
               0202020202020202,blue,1,2,330902\n\
               0303030303030303,red,soon,2,330902\n\
               0404040404040404,red,1,2,33090\n\
               0505050505050505,red,1,2,\n";
    let rows = read_registry_csv(csv.as_bytes()).unwrap();
    assert_eq!(rows.rows.len(), 2);
    assert_eq!(rows.rows[1].region, UNKNOWN_AREA);
    let codes: Vec<(&str, String)> = rows
        .errors
        .iter()
        .map(|e| (e.code(), e.to_string()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (
                "X|CID",
                "line 3: credential_id is not 16 hex characters".into()
            ),
            (
                "X|CLR",
                "line 4: colour 'blue' is not green, yellow or red".into()
            ),
            (
                "X|TIM",
                "line 5: issued_at 'soon' is not a time in Unix seconds".into()
            ),
            (
                "X|REG",
                "line 6: region '33090' is not a 6-digit division code".into()
            ),
        ]
    );
    assert_eq!(
        read_registry_csv(b"id,colour\n"),
        Err(InputError::MissingColumn("credential_id"))
    );
    assert_eq!(InputError::MissingColumn("x").code(), "X|HDR");
    let gates = read_gates_csv(b"place_id,name,area\n,nameless,\n330902-1,x,3309\n").unwrap();
    let codes: Vec<&str> = gates.errors.iter().map(InputError::code).collect();
    assert_eq!(codes, vec!["X|PLC", "X|ARE"]);
    assert_eq!(district_of("330902-0017"), Some(330902));
    assert_eq!(district_of("gate A"), None);
    assert_eq!(district_of("030902-0017"), None);
}

#[test]
fn days_are_local_days() {
    // NOW is 16:00 in UTC+8: the local day began at 08:00 − 8 h = 00:00 UTC... of the same
    // date (2027-01-15 00:00 UTC+8 = 2027-01-14 16:00 UTC).
    assert_eq!(day_start(NOW, CST), NOW - 16 * 3600);
    assert_eq!(day_start(NOW, 0), NOW - 8 * 3600);
    assert_eq!(local_date(NOW, CST), (2027, 1, 15));
    assert_eq!(local_date(NOW - 9 * 3600, 0), (2027, 1, 14));
    assert_eq!(local_time_text(NOW, CST), "2027-01-15 16:00");
    let report = area_index(&Inputs::new(), options());
    assert_eq!(report.day_starts[6], NOW - 16 * 3600);
    assert_eq!(report.day_starts[0], NOW - 16 * 3600 - 6 * DAY_SECS);
}

/// Parses `text` as XML with quick-xml and returns the text nodes (unescaped); panics on
/// any syntax error or unbalanced tag.
fn xml_texts(text: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i32;
    let mut roots = 0;
    let mut texts = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        if !current.is_empty() {
            texts.push(std::mem::take(current));
        }
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                flush(&mut current);
                if depth == 0 {
                    roots += 1;
                    assert_eq!(e.name().as_ref(), b"svg");
                }
                depth += 1;
            }
            Event::End(_) => {
                flush(&mut current);
                depth -= 1;
            }
            Event::Empty(_) => {
                flush(&mut current);
                assert!(depth > 0, "an element outside the root");
            }
            Event::Text(t) => current.push_str(&t.decode().expect("UTF-8")),
            Event::GeneralRef(r) => {
                let name = r.decode().expect("UTF-8");
                let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                    .unwrap_or_else(|| panic!("unknown entity &{name};"));
                current.push_str(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((depth, roots), (0, 1), "one root element, closed");
    texts
}

#[test]
fn charts_are_well_formed_svg_with_names_escaped() {
    let gates = "place_id,name,area,area_name\n\
                 330902-0017,<b>&gate,330902,<b>&\"area'\n\
                 330903-0001,Plain gate,,\n";
    let mut inputs = Inputs::new();
    inputs.add_gates(read_gates_csv(gates.as_bytes()).unwrap().rows);
    inputs.add_codes([
        code(1, Colour::Red, 330902, NOW - DAY_SECS),
        code(2, Colour::Green, 330902, NOW - 9 * DAY_SECS),
        code(3, Colour::Yellow, 330903, NOW - 9 * DAY_SECS),
    ]);
    inputs.add_export(&export(
        3,
        &[(NOW - 100, "330903-0001", Colour::Yellow, Outcome::Deny)],
    ));
    let report = area_index(&inputs, options());
    let words = Words::default();
    for chart in [
        svg::tile_map(&report, &words),
        svg::residents_bars(&report, &words),
        svg::gate_bars(&report, &words),
    ] {
        assert!(!chart.contains("<b>"), "unescaped name in {chart}");
        assert!(!chart.contains("<script"));
        assert!(!chart.contains("href"));
        let texts = xml_texts(&chart);
        assert!(
            texts
                .iter()
                .any(|t| t.contains("<b>&gate") || t.contains("<b>&\"area'")),
            "{texts:?}"
        );
    }
    let map = svg::tile_map(&report, &words);
    let texts = xml_texts(&map);
    // 330902: 100 × (1 + 1) / 2 = 100.0, high; 330903: 100 × 0.5 / 1 = 50.0, high too.
    assert!(
        texts.contains(&"HIGH · Index 100.0".to_owned()),
        "{texts:?}"
    );
    assert!(texts.contains(&"HIGH · Index 50.0".to_owned()), "{texts:?}");
    assert!(map.contains("url(#hcm-hatch)"));
    let gate_chart = xml_texts(&svg::gate_bars(&report, &words));
    assert!(
        gate_chart.contains(&"⚠ NO SCANS AT ALL".to_owned()),
        "{gate_chart:?}"
    );
    assert!(gate_chart.contains(&"Scans (7 days): 1 · turned away: 1 (100.0 %)".to_owned()));
    let bars = xml_texts(&svg::residents_bars(&report, &words));
    assert!(
        bars.contains(&"green 1 · yellow 0 · red 1 (2 residents)".to_owned()),
        "{bars:?}"
    );
    // Empty inputs still give well-formed charts.
    let empty = area_index(&Inputs::new(), options());
    for chart in [
        svg::tile_map(&empty, &words),
        svg::residents_bars(&empty, &words),
        svg::gate_bars(&empty, &words),
    ] {
        xml_texts(&chart);
    }
    assert_eq!(svg::escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&apos;");
}
