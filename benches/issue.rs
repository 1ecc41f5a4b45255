//! Criterion benchmark of batch issuing (issue #6): the whole per-code path of
//! `healthcode issue --batch` without the image files: read a CSV row (csv crate), check it
//! and decide the colour, build the claims, sign, encode to `HCC1:` QR text. On one thread
//! and on two (`std::thread::scope`, the file split in two halves), plus each stage alone.
//!
//! The QR symbol (image rendering) is measured as a stage of its own, outside the path.
//!
//! Run: `cargo bench --bench issue`. Throughput is reported in codes per second, in wall
//! time, and in the thread's CPU time (the rate of one core even when other work shares the
//! machine). The stages are measured in thread CPU time only.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::{Signer, SigningKey};
use healthcode::batch::{Row, Terms};
use healthcode::keys::to_hex;
use healthcode::{Credential, CredentialId};

const NOW: u64 = 1_800_000_000;
const ROWS: usize = 10_000;
const TERMS: Terms = Terms {
    region: 330900,
    validity_secs: 30 * 86_400,
};
const HEADER: &str = "name,id_last4,holder_public_key,fever_or_symptoms,contact_with_case,\
                      high_risk_travel,under_quarantine,colour,reason\n";

/// A residents file of `rows` rows: every 10th a paper code, one in 8 yellow, one in 16 red,
/// holder keys from distinct seeds.
fn residents(rows: usize) -> Vec<u8> {
    let names = ["张三伟", "李小娜", "Wang Fang", "欧阳娜娜", "赵磊"];
    let mut csv = String::from(HEADER);
    for i in 0..rows {
        let key = if i % 10 == 9 {
            String::new()
        } else {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
            to_hex(SigningKey::from_bytes(&seed).verifying_key().as_bytes())
        };
        let yes = |on: bool| if on { "yes" } else { "no" };
        csv.push_str(&format!(
            "{},{:04},{key},{},no,{},no,,\n",
            names[i % names.len()],
            i % 10_000,
            yes(i % 16 == 5),
            yes(i % 8 == 3),
        ));
    }
    csv.into_bytes()
}

/// Issues every row of `csv` (header first); ids come from `first_id` upwards. Returns the
/// total length of the QR texts (so nothing is optimised away).
fn issue_all(csv: &[u8], issuer: &SigningKey, first_id: u64) -> usize {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let mut record = csv::StringRecord::new();
    let mut total = 0;
    let mut id = first_id;
    while reader.read_record(&mut record).expect("valid csv") {
        let fields: Vec<&str> = record.iter().collect();
        let row = Row::parse(&fields).expect("valid row");
        let (claims, _) = row.claims(CredentialId(id.to_be_bytes()), &TERMS, NOW);
        id += 1;
        let credential = Credential::issue(claims, issuer).expect("valid claims");
        total += credential.to_qr_text().len();
    }
    total
}

/// The file's rows split in two halves, each a CSV file with the header.
fn halves(csv: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let body = &csv[HEADER.len()..];
    let mut cut = body.len() / 2;
    while body[cut - 1] != b'\n' {
        cut += 1;
    }
    let mut a = HEADER.as_bytes().to_vec();
    a.extend_from_slice(&body[..cut]);
    let mut b = HEADER.as_bytes().to_vec();
    b.extend_from_slice(&body[cut..]);
    (a, b)
}

fn bench(c: &mut Criterion) {
    let issuer = SigningKey::from_bytes(&[1; 32]);
    let csv = residents(ROWS);
    let (first, second) = halves(&csv);

    let mut group = c.benchmark_group("batch issuing");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("10000 codes, 1 thread", |b| {
        b.iter(|| issue_all(black_box(&csv), &issuer, 0))
    });
    group.bench_function("10000 codes, 2 threads", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                let one = s.spawn(|| issue_all(black_box(&first), &issuer, 0));
                let two = s.spawn(|| issue_all(black_box(&second), &issuer, 1 << 32));
                one.join().expect("thread") + two.join().expect("thread")
            })
        })
    });
    group.finish();
}

/// The calling thread's time on a CPU, from `/proc/thread-self/schedstat` (Linux; first
/// field, nanoseconds). On a machine shared with other work, wall time counts the time the
/// thread waits for a core; this does not, so it gives the rate of one core.
struct ThreadCpuTime(WallTime);

fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .expect("/proc/thread-self/schedstat (Linux only)")
        .split_whitespace()
        .next()
        .and_then(|ns| ns.parse().ok())
        .expect("schedstat starts with nanoseconds on a CPU")
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

fn bench_cpu_time(c: &mut Criterion<ThreadCpuTime>) {
    let issuer = SigningKey::from_bytes(&[1; 32]);
    let csv = residents(ROWS);
    let mut group = c.benchmark_group("batch issuing, thread CPU time");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("10000 codes, 1 thread", |b| {
        b.iter(|| issue_all(black_box(&csv), &issuer, 0))
    });
    group.finish();

    // Each stage alone, on one device row.
    let line = &csv[HEADER.len()..];
    let line = &line[..=line.iter().position(|&b| b == b'\n').expect("a row")];
    let mut one_row = HEADER.as_bytes().to_vec();
    one_row.extend_from_slice(line);
    let record = csv::ReaderBuilder::new()
        .from_reader(one_row.as_slice())
        .records()
        .next()
        .expect("a row")
        .expect("valid csv");
    let fields: Vec<&str> = record.iter().collect();
    let row = Row::parse(&fields).expect("valid row");
    let (claims, _) = row.claims(CredentialId([7; 8]), &TERMS, NOW);
    let credential = Credential::issue(claims.clone(), &issuer).expect("valid claims");
    let message = claims.signing_input();

    let mut group = c.benchmark_group("batch issuing stage, thread CPU time");
    // Few, long samples: the thread's CPU time advances in scheduler ticks, so a sample of a
    // few microseconds would read as zero.
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(8));
    group.bench_function("csv: read one row (of 10000, amortised)", |b| {
        let mut reader = csv::ReaderBuilder::new().from_reader(std::io::Cursor::new(&csv));
        let mut record = csv::StringRecord::new();
        b.iter(|| {
            if !reader.read_record(&mut record).expect("valid csv") {
                reader.seek(csv::Position::new()).expect("rewind");
                reader.read_record(&mut record).expect("valid csv");
            }
            record.len()
        })
    });
    group.bench_function("Row::parse (incl. holder key check)", |b| {
        b.iter(|| Row::parse(black_box(&fields)))
    });
    group.bench_function("holder key hex -> VerifyingKey", |b| {
        b.iter(|| healthcode::keys::verifying_key_from_hex(black_box(fields[2])))
    });
    group.bench_function("rules + claims", |b| {
        b.iter(|| black_box(&row).claims(CredentialId([7; 8]), &TERMS, NOW))
    });
    group.bench_function("Credential::issue (validate + sign)", |b| {
        b.iter(|| Credential::issue(black_box(claims.clone()), &issuer))
    });
    group.bench_function("sign alone: ed25519_dalek SigningKey::sign", |b| {
        b.iter(|| issuer.sign(black_box(&message)))
    });
    group.bench_function("to_qr_text (postcard + base45)", |b| {
        b.iter(|| black_box(&credential).to_qr_text())
    });
    // Measured apart from issuing: the QR symbol of the code (what the PNG and SVG draw).
    let text = credential.to_qr_text();
    group.bench_function("QR symbol (render::matrix, not in the issuing path)", |b| {
        b.iter(|| healthcode::render::matrix(black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime(WallTime));
    targets = bench_cpu_time
}
criterion_main!(benches, cpu_time);
