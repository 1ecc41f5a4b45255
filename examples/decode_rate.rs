//! Decode rate and decode time of [`healthcode::scan::decode_luma`] on the real-photo QR corpus
//! (`/work/shared/qr-corpus`, see its README.md and MANIFEST.tsv).
//!
//! ```text
//! cargo run --release --example decode_rate -- [CORPUS_DIR] [--rot 0,90,180,270] [--only PREFIX] [--stream N]
//! ```
//!
//! `--stream N` measures the scanner's per-frame decoder instead
//! ([`healthcode::scan::FrameDecoder`], as the checkpoint's worker runs it on a camera stream):
//! each image is given N times in a row to a fresh decoder, as a code held in front of the
//! camera is; it counts as read if one of the N frames read it exactly (N = 8 is one whole
//! cycle of the decoder's fallbacks), and the time is per frame (the mean over the frames run,
//! up to the one that read it).
//!
//! `CORPUS_DIR` defaults to `../shared/qr-corpus` relative to the crate root. Every image in
//! `MANIFEST.tsv` is loaded with the `image` crate and turned into grey exactly as the checkpoint
//! page does it (RGBA, then [`healthcode::scan::rgba_to_luma`]), rotated clockwise by each
//! requested angle, and given to `decode_luma`. A result counts only if its UTF-8 bytes equal
//! the bytes of the expected-text file named in the manifest, with nothing trimmed (some
//! payloads really end in `\r\n` or `\n`; the reference counts in the README are exact matches
//! too). Only the `decode_luma` call is timed.
//!
//! Two generated sets follow the corpus, 20 frames each (also rotated): `synthetic/code-640x480`,
//! the checkpoint's common case (a phone screen showing a code like the app's, in a cluttered
//! 640x480 frame), and `synthetic/no-code-640x480`, the same kind of scene without a code, which
//! is what the scan loop sees most of the time and where every fallback of the decoder runs.
//! For the no-code set, "exact" means that nothing was found.
//!
//! Panics: each decode runs under `catch_unwind`, but the release profile of this crate has
//! `panic = "abort"`, under which nothing can be caught. So the program is its own supervisor:
//! it runs the decodes in a child process (`--worker`) that reports every result on stdout, and
//! a panic hook that reports the message before the process ends. If the child dies, the
//! decode it was in is counted as a panic (or a crash) and a new child resumes after it.

use std::collections::hash_map::Entry as MapEntry;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use healthcode::scan::{self, ScanError};

const ALL_ROTATIONS: [u32; 4] = [0, 90, 180, 270];

/// One image: a manifest line, or a generated 640x480 frame.
struct Entry {
    /// Image path relative to the corpus, e.g. `zxing/qrcode-1/1.png`, or
    /// `synthetic/<kind>/<n>` for a generated frame.
    image: String,
    /// Expected-text path relative to the corpus (empty for generated frames).
    expected: String,
}

impl Entry {
    /// The folder, e.g. `zxing/qrcode-1`.
    fn set(&self) -> &str {
        self.image.rsplit_once('/').map_or("", |(dir, _)| dir)
    }
}

/// Generated frames per kind (each also rotated like the photos).
const SYNTHETIC_FRAMES: usize = 20;
const SYNTHETIC_CODE: &str = "synthetic/code-640x480";
const SYNTHETIC_NO_CODE: &str = "synthetic/no-code-640x480";

/// What one decode gave.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Decoded text equals the expected bytes exactly.
    Exact,
    /// Decoded, but the text differs.
    Wrong,
    /// Decoded, and the text differs only in trailing white space (reported, not counted).
    WrongTrailingSpace,
    /// `decode_luma` returned an error.
    NotFound,
    /// The image or its expected text could not be read.
    LoadError,
    /// The decoder panicked (caught, or the worker died with a panic message).
    Panic,
    /// The worker died without a panic message (abort, signal, ...).
    Crash,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Outcome::Exact => "exact",
            Outcome::Wrong => "wrong",
            Outcome::WrongTrailingSpace => "wrong-ws",
            Outcome::NotFound => "notfound",
            Outcome::LoadError => "loaderr",
            Outcome::Panic => "panic",
            Outcome::Crash => "crash",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Outcome::Exact,
            Outcome::Wrong,
            Outcome::WrongTrailingSpace,
            Outcome::NotFound,
            Outcome::LoadError,
            Outcome::Panic,
            Outcome::Crash,
        ]
        .into_iter()
        .find(|o| o.code() == s)
    }
}

struct Options {
    corpus: PathBuf,
    rotations: Vec<u32>,
    /// Only images whose path starts with this (e.g. `zxing/qrcode-4/`, `synthetic/`).
    only: String,
    /// `Some(first job)` in a worker process.
    worker_from: Option<usize>,
    /// `Some(n)`: [`scan::FrameDecoder`] over n frames of each image, not `decode_luma`.
    stream: Option<usize>,
}

fn parse_args() -> Result<Options, String> {
    let mut corpus = None;
    let mut rotations = ALL_ROTATIONS.to_vec();
    let mut worker_from = None;
    let mut only = String::new();
    let mut stream = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rot" => {
                let list = args.next().ok_or("--rot needs a list such as 0,90")?;
                rotations = list
                    .split(',')
                    .map(|r| match r.trim().parse() {
                        Ok(r) if ALL_ROTATIONS.contains(&r) => Ok(r),
                        _ => Err(format!("bad rotation {r:?}: use 0, 90, 180 or 270")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--only" => only = args.next().ok_or("--only needs a path prefix")?,
            "--stream" => {
                let n = args.next().ok_or("--stream needs a number of frames")?;
                stream = Some(match n.parse() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("bad --stream {n:?}: a number of frames, 1 or more")),
                });
            }
            "--worker" => {
                let from = args.next().ok_or("--worker needs a job number")?;
                worker_from = Some(from.parse().map_err(|_| "bad --worker job number")?);
            }
            "-h" | "--help" => {
                println!(
                    "usage: decode_rate [CORPUS_DIR] [--rot 0,90,180,270] [--only PATH_PREFIX] \
                     [--stream FRAMES]\n\
                     default CORPUS_DIR: {}/../shared/qr-corpus",
                    env!("CARGO_MANIFEST_DIR")
                );
                std::process::exit(0);
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ if corpus.is_none() => corpus = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    let corpus =
        corpus.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/qr-corpus"));
    Ok(Options {
        corpus,
        rotations,
        only,
        worker_from,
        stream,
    })
}

fn read_manifest(corpus: &Path) -> Result<Vec<Entry>, String> {
    let path = corpus.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(format!("{} has no column {name:?}", path.display()))
    };
    let (image, expected) = (column("image")?, column("expected")?);
    let mut entries: Vec<Entry> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Entry {
                image: f.get(image).unwrap_or(&"").to_string(),
                expected: f.get(expected).unwrap_or(&"").to_string(),
            }
        })
        .collect();
    for kind in [SYNTHETIC_CODE, SYNTHETIC_NO_CODE] {
        entries.extend((0..SYNTHETIC_FRAMES).map(|n| Entry {
            image: format!("{kind}/{n}"),
            expected: String::new(),
        }));
    }
    Ok(entries)
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("decode_rate: {e}");
            std::process::exit(2);
        }
    };
    let entries = match read_manifest(&opts.corpus) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("decode_rate: {e}");
            std::process::exit(2);
        }
    };
    let entries: Vec<Entry> = entries
        .into_iter()
        .filter(|e| e.image.starts_with(&opts.only))
        .collect();
    if entries.is_empty() {
        eprintln!("decode_rate: no image path starts with {:?}", opts.only);
        std::process::exit(2);
    }
    match opts.worker_from {
        Some(from) => worker(&opts, &entries, from),
        None => supervisor(&opts, &entries),
    }
}

// ---------------------------------------------------------------------------------------------
// Worker: decodes jobs `from..` (job = image index * rotations + rotation index) and prints
//   R <job> <outcome> <nanoseconds>
//   W <job> <decoded text when it is not the expected one, escaped>
//   P <job> <panic message, escaped>
// ---------------------------------------------------------------------------------------------

static CURRENT_JOB: AtomicUsize = AtomicUsize::new(usize::MAX);

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// Grey image as the app sees it: RGBA, then the app's own luma conversion.
fn load_luma(path: &Path) -> Result<(Vec<u8>, u32, u32), String> {
    let rgba = image::open(path).map_err(|e| e.to_string())?.to_rgba8();
    let (w, h) = rgba.dimensions();
    Ok((scan::rgba_to_luma(rgba.as_raw()), w, h))
}

/// Rotates a grey image clockwise by `degrees` (a multiple of 90).
fn rotate(luma: &[u8], w: u32, h: u32, degrees: u32) -> (Vec<u8>, u32, u32) {
    let (w, h) = (w as usize, h as usize);
    let mut out = vec![0u8; luma.len()];
    let (ow, oh) = match degrees % 360 {
        90 | 270 => (h, w),
        _ => (w, h),
    };
    for y in 0..h {
        for x in 0..w {
            let (ox, oy) = match degrees % 360 {
                90 => (h - 1 - y, x),
                180 => (w - 1 - x, h - 1 - y),
                270 => (y, w - 1 - x),
                _ => (x, y),
            };
            out[oy * ow + ox] = luma[y * w + x];
        }
    }
    (out, ow as u32, oh as u32)
}

/// `n` frames of the same image through one [`scan::FrameDecoder`], stopping at the first that
/// reads `expected`: that text, else the first other text read, else `NotFound`. `frames` is
/// set to the number of frames run.
fn stream(
    luma: &[u8],
    w: u32,
    h: u32,
    n: usize,
    expected: &[u8],
    frames: &mut usize,
) -> Result<String, ScanError> {
    let mut decoder = scan::FrameDecoder::new();
    let mut first = Err(ScanError::NotFound);
    for k in 1..=n {
        *frames = k;
        match decoder.decode(luma, w, h, || false) {
            Ok(text) if text.as_bytes() == expected => return Ok(text),
            Ok(text) if first.is_err() => first = Ok(text),
            _ => {}
        }
    }
    first
}

fn worker(opts: &Options, entries: &[Entry], from: usize) {
    std::panic::set_hook(Box::new(|info| {
        let job = CURRENT_JOB.load(Ordering::SeqCst);
        // One write, so the line arrives whole before a `panic = "abort"` abort.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "P\t{job}\t{}", escape(&info.to_string()));
        let _ = out.flush();
    }));
    let nrot = opts.rotations.len();
    let mut out = std::io::stdout().lock();
    for (i, entry) in entries.iter().enumerate().skip(from / nrot) {
        // A panic while loading is charged to this image's first pending job.
        CURRENT_JOB.store(from.max(i * nrot), Ordering::SeqCst);
        let loaded = if entry.expected.is_empty() {
            let n: u64 = entry
                .image
                .rsplit('/')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let with_code = entry.set() == SYNTHETIC_CODE;
            Ok(synthetic::frame(
                with_code,
                if with_code { n } else { 1000 + n },
            ))
        } else {
            load_luma(&opts.corpus.join(&entry.image)).and_then(|img| {
                std::fs::read(opts.corpus.join(&entry.expected))
                    .map(|expected| (img, expected))
                    .map_err(|e| e.to_string())
            })
        };
        for (r, &degrees) in opts.rotations.iter().enumerate() {
            let job = i * nrot + r;
            if job < from {
                continue;
            }
            let ((luma, w, h), expected) = match &loaded {
                Ok(((luma, w, h), expected)) => (rotate(luma, *w, *h, degrees), expected),
                Err(e) => {
                    eprintln!("decode_rate: {}: {e}", entry.image);
                    let _ = writeln!(out, "R\t{job}\t{}\t0", Outcome::LoadError.code());
                    continue;
                }
            };
            CURRENT_JOB.store(job, Ordering::SeqCst);
            let _ = out.flush();
            let start = Instant::now();
            let mut frames = 1;
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match opts.stream {
                    None => scan::decode_luma(&luma, w, h),
                    Some(n) => stream(&luma, w, h, n, expected, &mut frames),
                }));
            let nanos = start.elapsed().as_nanos() / frames as u128;
            let outcome = match &result {
                Err(_) => Outcome::Panic,
                // A frame without a code: finding nothing is the right answer.
                Ok(Err(_)) if entry.set() == SYNTHETIC_NO_CODE => Outcome::Exact,
                Ok(Err(ScanError::NotFound | ScanError::BadFrame)) => Outcome::NotFound,
                Ok(Ok(text)) if text.as_bytes() == expected.as_slice() => Outcome::Exact,
                Ok(Ok(text)) if text.trim_end().as_bytes() == expected.trim_ascii_end() => {
                    Outcome::WrongTrailingSpace
                }
                Ok(Ok(_)) => Outcome::Wrong,
            };
            if let Ok(Ok(text)) = &result {
                if outcome != Outcome::Exact {
                    let _ = writeln!(out, "W\t{job}\t{}", escape(text));
                }
            }
            let _ = writeln!(out, "R\t{job}\t{}\t{nanos}", outcome.code());
        }
    }
    let _ = out.flush();
}

// ---------------------------------------------------------------------------------------------
// Supervisor: runs workers until every job has a result, then prints the table.
// ---------------------------------------------------------------------------------------------

struct JobResult {
    outcome: Outcome,
    nanos: u128,
}

fn supervisor(opts: &Options, entries: &[Entry]) {
    let nrot = opts.rotations.len();
    let total_jobs = entries.len() * nrot;
    let mut results: Vec<Option<JobResult>> = (0..total_jobs).map(|_| None).collect();
    let mut panic_messages: HashMap<usize, String> = HashMap::new();
    let mut wrong_texts: HashMap<usize, String> = HashMap::new();
    let exe = std::env::current_exe().expect("own executable path");
    let wall = Instant::now();
    let mut next = 0;
    let mut silent_workers = 0;
    while next < total_jobs {
        let first = next;
        let rot_list: Vec<String> = opts.rotations.iter().map(u32::to_string).collect();
        let mut child = Command::new(&exe)
            .arg(&opts.corpus)
            .args(["--rot", &rot_list.join(",")])
            .args(["--only", &opts.only])
            .args(
                opts.stream
                    .map(|n| ["--stream".to_string(), n.to_string()])
                    .into_iter()
                    .flatten(),
            )
            .args(["--worker", &next.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start worker process");
        let stdout = child.stdout.take().expect("worker stdout");
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let f: Vec<&str> = line.splitn(4, '\t').collect();
            let job: usize = match f.get(1).and_then(|j| j.parse().ok()) {
                Some(j) if j < total_jobs => j,
                _ => continue,
            };
            match (f[0], f.get(2), f.get(3)) {
                ("P", Some(msg), _) => {
                    panic_messages.insert(job, msg.to_string());
                }
                ("W", Some(text), _) => {
                    wrong_texts.insert(job, text.to_string());
                }
                ("R", Some(code), Some(nanos)) => {
                    if let Some(outcome) = Outcome::parse(code) {
                        let nanos = nanos.parse().unwrap_or(0);
                        results[job] = Some(JobResult { outcome, nanos });
                        next = job + 1;
                    }
                }
                _ => {}
            }
        }
        let status = child.wait().expect("wait for worker");
        // A worker that reports nothing at all is broken, not crashing on an image.
        silent_workers = if next == first && !panic_messages.contains_key(&next) {
            silent_workers + 1
        } else {
            0
        };
        if silent_workers == 3 {
            eprintln!("decode_rate: worker process fails before decoding anything ({status})");
            std::process::exit(1);
        }
        if next < total_jobs {
            // The worker died in job `next`.
            let outcome = match panic_messages.entry(next) {
                MapEntry::Occupied(_) => Outcome::Panic,
                MapEntry::Vacant(v) => {
                    v.insert(format!("worker died: {status}"));
                    Outcome::Crash
                }
            };
            results[next] = Some(JobResult { outcome, nanos: 0 });
            next += 1;
        }
    }

    print_table(opts, entries, &results, wall.elapsed().as_secs_f64());

    let mut notes = Vec::new();
    for (job, r) in results.iter().enumerate() {
        let Some(r) = r else { continue };
        let (entry, rot) = (&entries[job / nrot], opts.rotations[job % nrot]);
        match r.outcome {
            Outcome::Panic | Outcome::Crash => notes.push(format!(
                "{}: {} at {rot}°: {}",
                r.outcome.code().to_uppercase(),
                entry.image,
                panic_messages
                    .get(&job)
                    .map_or(String::new(), |m| m.replace("\\n", " "))
            )),
            Outcome::Wrong | Outcome::WrongTrailingSpace => {
                let got = wrong_texts.get(&job).map_or("", String::as_str);
                let short: String = got.chars().take(60).collect();
                let more = if short.len() < got.len() { "..." } else { "" };
                notes.push(format!(
                    "WRONG TEXT: {} at {rot}°{}: got \"{short}{more}\"",
                    entry.image,
                    if r.outcome == Outcome::WrongTrailingSpace {
                        " (differs only in trailing white space)"
                    } else {
                        ""
                    }
                ))
            }
            Outcome::LoadError => notes.push(format!("LOAD ERROR: {}", entry.image)),
            _ => {}
        }
    }
    for n in notes {
        println!("{n}");
    }
}

#[derive(Default)]
struct Tally {
    exact: usize,
    total: usize,
    wrong: usize,
    panics: usize,
    load_errors: usize,
    /// Decode times in ms (not for load errors).
    times: Vec<f64>,
}

impl Tally {
    fn add(&mut self, r: &JobResult) {
        self.total += 1;
        match r.outcome {
            Outcome::Exact => self.exact += 1,
            Outcome::Wrong | Outcome::WrongTrailingSpace => self.wrong += 1,
            Outcome::Panic | Outcome::Crash => self.panics += 1,
            Outcome::LoadError => self.load_errors += 1,
            Outcome::NotFound => {}
        }
        if !matches!(
            r.outcome,
            Outcome::LoadError | Outcome::Panic | Outcome::Crash
        ) {
            self.times.push(r.nanos as f64 / 1e6);
        }
    }

    /// Nearest-rank percentile of the decode times.
    fn percentile(&self, p: f64) -> f64 {
        if self.times.is_empty() {
            return f64::NAN;
        }
        let mut t = self.times.clone();
        t.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * t.len() as f64).ceil() as usize;
        t[rank.clamp(1, t.len()) - 1]
    }

    fn row(&self, set: &str, rot: &str) -> String {
        let mut s = format!(
            "{set:<26} {rot:>4} {:>11} {:>6} {:>6} {:>10.1} {:>9.1}",
            format!("{}/{}", self.exact, self.total),
            self.wrong,
            self.panics,
            self.percentile(50.0),
            self.percentile(95.0),
        );
        if self.load_errors > 0 {
            s.push_str(&format!("  ({} load errors)", self.load_errors));
        }
        s
    }
}

fn print_table(opts: &Options, entries: &[Entry], results: &[Option<JobResult>], wall_s: f64) {
    let nrot = opts.rotations.len();
    // group ("zxing") -> folder ("zxing/qrcode-1") -> rotation -> tally
    let mut by_set: BTreeMap<String, BTreeMap<String, BTreeMap<u32, Tally>>> = BTreeMap::new();
    for (job, r) in results.iter().enumerate() {
        let Some(r) = r else { continue };
        let entry = &entries[job / nrot];
        let group = entry.image.split('/').next().unwrap_or("").to_string();
        by_set
            .entry(group)
            .or_default()
            .entry(entry.set().to_string())
            .or_default()
            .entry(opts.rotations[job % nrot])
            .or_default()
            .add(r);
    }
    // Folders in natural order (qrcode-2 before qrcode-10).
    let natural = |s: &str| {
        let digits: String = s.chars().rev().take_while(char::is_ascii_digit).collect();
        let n: u64 = digits
            .chars()
            .rev()
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        (
            s.trim_end_matches(|c: char| c.is_ascii_digit()).to_string(),
            n,
        )
    };

    println!(
        "decode_rate: {} corpus images + {} generated frames, x {} rotation(s); corpus {}; \
         {}; panic strategy {}; {wall_s:.0} s",
        entries.iter().filter(|e| !e.expected.is_empty()).count(),
        entries.iter().filter(|e| e.expected.is_empty()).count(),
        nrot,
        opts.corpus.display(),
        match opts.stream {
            None => "healthcode::scan::decode_luma, one frame".to_string(),
            Some(n) =>
                format!("healthcode::scan::FrameDecoder, read within {n} frames, time per frame"),
        },
        if cfg!(panic = "unwind") {
            "unwind"
        } else {
            "abort"
        },
    );
    println!(
        "{:<26} {:>4} {:>11} {:>6} {:>6} {:>10} {:>9}",
        "set", "rot", "exact/total", "wrong", "panic", "median ms", "p95 ms"
    );
    let rule = "-".repeat(78);
    // Groups in manifest order, generated frames last.
    let mut groups: Vec<&str> = Vec::new();
    for e in entries {
        let g = e.image.split('/').next().unwrap_or("");
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    for (group, folders) in groups.iter().filter_map(|g| Some((*g, by_set.get(*g)?))) {
        println!("{rule}");
        let mut names: Vec<&String> = folders.keys().collect();
        names.sort_by_key(|n| natural(n));
        for name in names {
            for (rot, tally) in &folders[name] {
                println!("{}", tally.row(name, &format!("{rot}")));
            }
        }
        let mut all = Tally::default();
        for &rot in &opts.rotations {
            if group == "synthetic" {
                break; // code and no-code frames do not add up
            }
            let mut t = Tally::default();
            for f in folders.values() {
                if let Some(x) = f.get(&rot) {
                    t.exact += x.exact;
                    t.total += x.total;
                    t.wrong += x.wrong;
                    t.panics += x.panics;
                    t.load_errors += x.load_errors;
                    t.times.extend_from_slice(&x.times);
                }
            }
            println!("{}", t.row(&format!("{group} TOTAL"), &format!("{rot}")));
            all.exact += t.exact;
            all.total += t.total;
            all.wrong += t.wrong;
            all.panics += t.panics;
            all.load_errors += t.load_errors;
            all.times.extend(t.times);
        }
        if nrot > 1 && group != "synthetic" {
            println!("{}", all.row(&format!("{group} TOTAL"), "all"));
        }
    }
    println!("{rule}");
}

// ---------------------------------------------------------------------------------------------
// Generated 640x480 frames: the checkpoint's common case (a phone screen showing one of our
// codes) and a frame with no code in it (what the scan loop sees most of the time).
// ---------------------------------------------------------------------------------------------

mod synthetic {
    use healthcode::render;

    const W: usize = 640;
    const H: usize = 480;

    /// Deterministic xorshift64* generator.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        /// Uniform in `lo..hi`.
        fn range(&mut self, lo: usize, hi: usize) -> usize {
            lo + (self.next() >> 33) as usize % (hi - lo)
        }
    }

    /// Frame number `seed` of its kind, and its expected text (empty for no code).
    ///
    /// Scene: a lighting gradient and 40 grey rectangles. With a code: a phone (dark body,
    /// light screen) showing a base45 text of 330 or 420 characters (QR versions 11 to 14
    /// at level M, like the app's codes) at 3 to 4.5 pixels a module. Then a 2x2 blur and
    /// +-6 grey levels of noise.
    pub fn frame(with_code: bool, seed: u64) -> ((Vec<u8>, u32, u32), Vec<u8>) {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (seed + 1).wrapping_mul(0x1000_0000_01b3));
        let mut f = vec![0i32; W * H];
        let (gx, gy) = (rng.range(0, 60) as i32 - 30, rng.range(0, 60) as i32 - 30);
        for y in 0..H {
            for x in 0..W {
                f[y * W + x] = 120 + gx * (x as i32 - 320) / 320 + gy * (y as i32 - 240) / 240;
            }
        }
        for _ in 0..40 {
            let (x0, y0) = (rng.range(0, W), rng.range(0, H));
            let (rw, rh, level) = (rng.range(8, 200), rng.range(8, 200), rng.range(20, 235));
            for y in y0..(y0 + rh).min(H) {
                for x in x0..(x0 + rw).min(W) {
                    f[y * W + x] = level as i32;
                }
            }
        }
        let mut text = String::new();
        if with_code {
            const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
            text.push_str("HCP1:");
            let len = if seed % 2 == 0 { 330 } else { 420 };
            text.extend((0..len).map(|_| B45[rng.range(0, 45)] as char));
            let m = render::matrix(&text).expect("text fits a QR code");
            let scale = (3.0 + rng.range(0, 150) as f64 / 100.0).min(470.0 / m.size as f64);
            let side = (m.size as f64 * scale) as usize;
            let (x0, y0) = (rng.range(12, W - side - 12), rng.range(0, H - side));
            let (light, ink) = (rng.range(190, 240) as i32, rng.range(20, 60) as i32);
            for y in y0.saturating_sub(20)..(y0 + side + 40).min(H) {
                for x in x0 - 12..x0 + side + 12 {
                    f[y * W + x] = 25;
                }
            }
            for y in 0..side {
                for x in 0..side {
                    let dark = m.is_dark((x as f64 / scale) as usize, (y as f64 / scale) as usize);
                    f[(y0 + y) * W + x0 + x] = if dark { ink } else { light };
                }
            }
        }
        let mut luma = vec![0u8; W * H];
        for y in 0..H {
            for x in 0..W {
                let (x1, y1) = ((x + 1).min(W - 1), (y + 1).min(H - 1));
                let sum = f[y * W + x] + f[y * W + x1] + f[y1 * W + x] + f[y1 * W + x1];
                let noise = rng.range(0, 13) as i32 - 6;
                luma[y * W + x] = (sum / 4 + noise).clamp(0, 255) as u8;
            }
        }
        ((luma, W as u32, H as u32), text.into_bytes())
    }
}
