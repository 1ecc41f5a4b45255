//! A gate's morning through the core, the way the checkpoint page calls it (issue #5):
//! settings → verify → policy → replay guard → registration log → export, CSV and index.

use ed25519_dalek::SigningKey;
use healthcode::demo::DemoWorld;
use healthcode::gate_index::{gate_index, ColourCounts, OutcomeCounts};
use healthcode::log::{export, to_csv, verify_export, Entry, Log, Outcome, Scan};
use healthcode::replay::{presentation_digest, ReplayFlag, ReplayGuard};
use healthcode::settings::CheckpointSettings;
use healthcode::{decide, verify_in, Context, Presentation, Temperature, TrustStore};

/// 2027-01-15 08:00 UTC, 16:00 in China.
const T: u64 = 1_800_000_000;

struct Gate {
    settings: CheckpointSettings,
    trust: TrustStore,
    guard: ReplayGuard,
    log: Log,
    entries: Vec<Entry>,
}

impl Gate {
    /// What the page does with one scanned text; returns the entry and the replay flags.
    fn scan(
        &mut self,
        text: &str,
        temperature: Option<&str>,
        now: u64,
    ) -> (Entry, Vec<ReplayFlag>) {
        let place = self.settings.place_id.clone();
        let temperature = temperature.map(|t| Temperature::parse(t).unwrap());
        let options = self.settings.verify_options();
        let ctx = Context {
            trust: &self.trust,
            revocation: None,
            options: &options,
            now,
        };
        let mut scan = match verify_in(text, &ctx) {
            Ok(verified) => {
                let verdict = decide(&verified, temperature, &self.settings.policy());
                Scan::verified(&place, &verified, temperature, &verdict)
            }
            Err(error) => Scan::failed(&place, &error, temperature),
        };
        let flags = self
            .guard
            .check(&presentation_digest(text), scan.id_hash, scan.outcome, now);
        scan.reasons
            .extend(flags.iter().map(|f| f.code().to_owned()));
        let entry = self.log.append(scan, now);
        self.entries.push(entry.clone());
        (entry, flags)
    }
}

fn summary(e: &Entry) -> (Option<&str>, Outcome, Vec<&str>) {
    (
        e.scan.masked_name.as_deref(),
        e.scan.outcome,
        e.scan.reasons.iter().map(String::as_str).collect(),
    )
}

#[test]
fn a_morning_at_the_gate_is_logged_flagged_exported_and_counted() {
    let mut counter = 0u8;
    let world = DemoWorld::generate(
        |buf| {
            for b in buf {
                counter = counter.wrapping_add(1);
                *b = counter;
            }
        },
        T - 3600,
    )
    .unwrap();
    let settings = CheckpointSettings {
        place_id: "330902-0017".into(),
        place_name: "Dongsha north gate".into(),
        ..CheckpointSettings::default()
    };
    settings.validate().unwrap();
    let mut gate = Gate {
        guard: ReplayGuard::new(settings.freshness_secs),
        trust: TrustStore::with(world.trust_list(T - 3600).list),
        settings,
        log: Log::new(),
        entries: Vec::new(),
    };
    let live = |i: usize, at: u64| {
        let r = &world.residents[i];
        Presentation::sign(
            r.credential.clone(),
            None,
            &SigningKey::from_bytes(&r.holder_seed),
            at,
        )
        .to_qr_text()
    };

    let green = live(0, T);
    let (e, flags) = gate.scan(&green, Some("36.5"), T + 10);
    assert_eq!(summary(&e), (Some("张*伟"), Outcome::Admit, vec!["C|GRN"]));
    assert_eq!((e.seq, e.scan.temperature), (1, Some(365)));
    assert_eq!(flags, []);

    // The same screen shown again 12 s later: both replay flags.
    let (e, flags) = gate.scan(&green, None, T + 22);
    assert_eq!(
        summary(&e),
        (
            Some("张*伟"),
            Outcome::Admit,
            vec!["C|GRN", "Q|RPL", "Q|TWO"]
        )
    );
    assert_eq!(flags[0].to_string(), "scanned 12 s ago");

    let (e, _) = gate.scan(&live(1, T + 30), None, T + 31);
    assert_eq!(summary(&e), (Some("李*娜"), Outcome::Deny, vec!["C|YEL"]));

    let (e, _) = gate.scan(&live(2, T + 40), None, T + 41);
    assert_eq!(
        summary(&e),
        (Some("W*** F**"), Outcome::Deny, vec!["C|RED"])
    );

    // The green resident again two minutes later with a fever: denied, not flagged.
    let (e, flags) = gate.scan(&live(0, T + 150), Some("37.5"), T + 151);
    assert_eq!(
        summary(&e),
        (Some("张*伟"), Outcome::Deny, vec!["T|FEV", "C|GRN"])
    );
    assert_eq!(flags, []);

    // A screenshot of the yellow code, 5 minutes old: a bad code, nothing of it kept.
    let (e, _) = gate.scan(&live(1, T + 30), None, T + 330);
    assert_eq!(summary(&e), (None, Outcome::Invalid, vec!["H|OLD"]));
    assert_eq!((e.scan.colour, e.scan.id_hash), (None, None));

    // A web page's QR.
    let (e, _) = gate.scan("https://example.com/green", None, T + 340);
    assert_eq!(summary(&e), (None, Outcome::Invalid, vec!["P|PFX"]));

    // The log exports, verifies and counts.
    let device = SigningKey::from_bytes(&[5; 32]);
    let text = export(&gate.entries, &device, T + 400);
    let verified = verify_export(text.as_bytes(), Some(&device.verifying_key())).unwrap();
    assert_eq!(verified.entries, gate.entries);
    assert_eq!(to_csv(&gate.entries).lines().count(), 1 + 7);

    let index = gate_index(&gate.entries, T + 400, 8 * 3600, 3);
    assert_eq!(index.scans, 7);
    assert_eq!(
        index.by_colour,
        ColourCounts {
            green: 3,
            yellow: 1,
            red: 1,
            none: 2
        }
    );
    assert_eq!(
        index.by_outcome,
        OutcomeCounts {
            admit: 2,
            refer: 0,
            deny: 3,
            invalid: 2,
            cannot_check: 0
        }
    );
    assert_eq!(index.per_hour[16], 7);
    assert_eq!(
        index.deny_reasons,
        [
            ("C|GRN".to_owned(), 1),
            ("C|RED".to_owned(), 1),
            ("C|YEL".to_owned(), 1)
        ]
    );
}
