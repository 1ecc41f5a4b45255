//! The CLI's arguments and what each subcommand does.

use crate::{batch, files, registry};
use clap::{Args, Parser, Subcommand, ValueEnum};
use healthcode::batch::Terms;
use healthcode::codec::{self, MessageKind};
use healthcode::credential::mask_name;
use healthcode::declaration;
use healthcode::inspect;
use healthcode::keys::{self, to_hex, CredentialId, KeyId};
use healthcode::{
    decide, verify_in, Claims, Colour, Context, Credential, Decision, Declaration, ErrorClass,
    Holder, HolderRequest, Pass, PassClaims, PassKind, Policy, Presentation, RevocationList,
    RevocationSet, Role, Scope, Temperature, TrustList, TrustStore, TrustedIssuer, VerifyOptions,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

/// Issue and check healthcode credentials.
#[derive(Debug, Parser)]
#[command(name = "healthcode", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make an Ed25519 key pair: secret seed to FILE (mode 0600), public key to FILE.pub.
    Keygen {
        /// Where to write the secret key; refuses to overwrite.
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a trust list with the root key (text starting `HCT1:`).
    TrustList(TrustListArgs),
    /// Issue a credential (a health code) for a holder's public key, or a paper code.
    Issue(IssueArgs),
    /// Issue a pass for a place to a holder's public key.
    Pass(PassArgs),
    /// Sign a revocation list (full, or a delta on an earlier one).
    RevocationList(RevocationArgs),
    /// Make a holder-signed presentation (the live QR) from a credential.
    Present {
        /// The credential file (`HCC1:` text).
        #[arg(long)]
        credential: PathBuf,
        /// The holder's secret key file.
        #[arg(long)]
        holder_key: PathBuf,
        /// A pass file (`HCA1:` text) to show with the code.
        #[arg(long)]
        pass: Option<PathBuf>,
        #[command(flatten)]
        clock: Clock,
        #[command(flatten)]
        output: QrOutput,
    },
    /// Publish a text (a trust or revocation list) as QR images, in numbered parts when it is
    /// too long for one code (`HCM1:i/n/digest:…`, see `healthcode::multipart`): writes
    /// `part-01-of-NN.png`… and `parts.txt` (one part per line) into --out-dir.
    Publish {
        /// The text file, e.g. a revocation list (`HCL1:…`).
        #[arg(long = "in")]
        input: PathBuf,
        /// The directory to write into (created if missing).
        #[arg(long)]
        out_dir: PathBuf,
    },
    /// Render any text as a QR image.
    Render {
        /// The text.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        output: QrOutput,
    },
    /// Show every field of a credential or presentation with its byte offset and length,
    /// and the QR version it needs.
    Inspect {
        /// QR text, or a path to a text or image file.
        input: String,
    },
    /// Verify a presentation or paper code given as QR text, a text file, or an image.
    /// Exit 0 admit, 1 deny / refer / invalid, 2 cannot check or error.
    Verify(VerifyArgs),
    /// Revoke a code from a batch registry: add its id to a revoked-ids file that
    /// `revocation-list --ids-file` signs.
    Revoke(RevokeArgs),
    /// Registration logs exported by a checkpoint.
    #[command(subcommand)]
    Log(LogCommand),
    /// Make a holder request (`HCR1:`) as a resident's phone does: for tests and demos.
    Request(RequestArgs),
    /// "One picture, one code, one index": residents by colour and the control index per
    /// area, scans per gate and formalistic gates, as an HTML report with SVG charts.
    /// Exit 1 if a log export failed verification or an input line was refused.
    Index(crate::index::IndexArgs),
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// Check a verifiable log export. Prints "ok: N entries, head <hash>, signed by <key id>"
    /// and exits 0, or names the first broken place ("entry 17: edited (L|HASH)") and exits 1,
    /// or one line per finding about a sound log (L|BACK, L|EXPT; with --noted L|CUT,
    /// L|NOTE, L|REKEY) and exits 1; exit 2 when the file cannot be read.
    Verify(LogFileArgs),
    /// Check a verifiable log export, then write its entries as CSV (exit 1 if broken).
    Csv {
        #[command(flatten)]
        file: LogFileArgs,
        /// Where to write the CSV.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct LogFileArgs {
    /// The export file (JSON lines, written by the checkpoint).
    file: PathBuf,
    /// The checkpoint's device public key file: the head must be signed by this key.
    #[arg(long)]
    key: Option<PathBuf>,
    /// A head noted at an earlier visit: the checkpoint's head QR text
    /// (HCH1:SEQ:HASH:KEYID), or SEQ:HASH with the full hash or its first 16+ hex digits.
    /// The log must still reach entry SEQ (else L|CUT) with that hash (else L|NOTE), signed
    /// by that key (else L|REKEY). Repeat for more.
    #[arg(long = "noted")]
    noted: Vec<String>,
}

#[derive(Debug, Args)]
struct RequestArgs {
    /// The holder's secret key file (signs the request; its public key is asked for).
    #[arg(long)]
    holder_key: PathBuf,
    /// The name as typed (the issuer masks it).
    #[arg(long)]
    name: String,
    /// Declare fever (37.3 °C or more) or respiratory symptoms.
    #[arg(long)]
    fever_or_symptoms: bool,
    /// Declare close contact with a confirmed or suspected case within 14 days.
    #[arg(long)]
    contact_with_case: bool,
    /// Declare travel from a high-risk area within 14 days.
    #[arg(long)]
    high_risk_travel: bool,
    /// Declare being under home observation or quarantine already.
    #[arg(long)]
    under_quarantine: bool,
    #[command(flatten)]
    clock: Clock,
    #[command(flatten)]
    output: QrOutput,
}

#[derive(Debug, Args)]
struct RevokeArgs {
    /// The registry.csv a batch wrote.
    #[arg(long)]
    registry: PathBuf,
    /// The local revoked-ids file to add to (created if missing).
    #[arg(long)]
    ids_file: PathBuf,
    /// The credential id (16 hex characters).
    #[arg(long, required_unless_present = "name", conflicts_with = "name")]
    id: Option<String>,
    /// The masked name as in the registry, e.g. "张*伟" (with --id-last4).
    #[arg(long, requires = "id_last4")]
    name: Option<String>,
    /// The ID number's last 4 characters as in the registry (with --name).
    #[arg(long, requires = "name")]
    id_last4: Option<String>,
    /// Why (kept in the revoked-ids file).
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    clock: Clock,
}

#[derive(Debug, Args)]
struct TrustListArgs {
    /// The root's secret key file.
    #[arg(long)]
    root_key: PathBuf,
    /// A health-authority key as NAME=PUBLIC_KEY_FILE, or NAME=PUBLIC_KEY_FILE=FROM..UNTIL
    /// with its own issuing window (Unix seconds, either side may be empty for the default):
    /// key rotation; repeat for more.
    #[arg(long = "issuer")]
    issuers: Vec<String>,
    /// A pass issuer as NAME=PUBLIC_KEY_FILE=PLACE[,PLACE…]; repeat for more.
    #[arg(long = "pass-issuer")]
    pass_issuers: Vec<String>,
    /// Start of the keys' issuing window (Unix seconds); default now - 1 day.
    #[arg(long)]
    valid_from: Option<u64>,
    /// End of the keys' issuing window (Unix seconds); default now + 365 days.
    #[arg(long)]
    valid_until: Option<u64>,
    /// Sequence number; default now (so each new list is newer).
    #[arg(long)]
    sequence: Option<u64>,
    /// Where to write the trust list.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    clock: Clock,
}

#[derive(Debug, Args)]
struct IssueArgs {
    /// The issuer's secret key file.
    #[arg(long)]
    issuer_key: PathBuf,
    /// A holder's request (`HCR1:` text, or a text or image file holding it): issue for the
    /// request's holder key and masked typed name, colour from its declaration.
    #[arg(long, conflicts_with_all = ["holder", "paper", "name"])]
    request: Option<String>,
    /// A CSV file of residents, one code per row (columns in the README): writes
    /// `--out DIR`/LINE-ID.png, links.csv, registry.csv and paper.html. Exit 1 if a row failed.
    #[arg(long, requires = "out", conflicts_with_all = [
        "request", "holder", "paper", "name", "colour", "id_last4", "quarantine_end",
        "not_before", "png", "svg",
    ])]
    batch: Option<PathBuf>,
    /// With --batch: the app's address the import links point to (`URL#import=HCC1:…`).
    #[arg(long, default_value = "http://127.0.0.1:8080/", requires = "batch")]
    base_url: String,
    /// The holder's public key file.
    #[arg(long, required_unless_present_any = ["paper", "request", "batch"], conflicts_with = "paper")]
    holder: Option<PathBuf>,
    /// Issue a paper code (no holder key; checked against the ID card).
    #[arg(long)]
    paper: bool,
    /// green, yellow or red. With --request: overrides the declaration's suggestion, and
    /// --reason is required.
    #[arg(long, value_parser = parse_colour, required_unless_present_any = ["request", "batch"])]
    colour: Option<Colour>,
    /// Why --colour overrides the declaration's suggestion (printed with the override).
    #[arg(long, requires = "colour")]
    reason: Option<String>,
    /// The masked name, e.g. "张*伟" or "Z*** W**".
    #[arg(long, required_unless_present_any = ["request", "batch"])]
    name: Option<String>,
    /// The last 4 characters of the ID number.
    #[arg(long, required_unless_present = "batch")]
    id_last4: Option<String>,
    /// Administrative division code of the issuing region.
    #[arg(long, default_value_t = 330900)]
    region: u32,
    /// Valid from (Unix seconds); default now - 60.
    #[arg(long)]
    not_before: Option<u64>,
    /// Valid until (Unix seconds); default now + 30 days.
    #[arg(long)]
    expires: Option<u64>,
    /// End of quarantine (Unix seconds) for yellow and red; default now + 7 or 14 days.
    #[arg(long)]
    quarantine_end: Option<u64>,
    #[command(flatten)]
    clock: Clock,
    /// Write the QR text to this file (with --batch: the output directory).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the QR code as PNG (8 pixels a module).
    #[arg(long)]
    png: Option<PathBuf>,
    /// Write the QR code as SVG.
    #[arg(long)]
    svg: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Resident,
    Employee,
    Visitor,
    Vehicle,
}

#[derive(Debug, Args)]
struct PassArgs {
    /// The pass issuer's secret key file.
    #[arg(long)]
    issuer_key: PathBuf,
    /// The holder's public key file.
    #[arg(long)]
    holder: PathBuf,
    /// The place id, e.g. 330902-0017.
    #[arg(long)]
    place: String,
    /// Resident, employee, visitor or vehicle.
    #[arg(long, value_enum, default_value = "resident")]
    kind: KindArg,
    /// The vehicle's plate (with --kind vehicle).
    #[arg(long, required_if_eq("kind", "vehicle"))]
    plate: Option<String>,
    /// Days of validity from now.
    #[arg(long, default_value_t = 90)]
    days: u64,
    #[command(flatten)]
    clock: Clock,
    #[command(flatten)]
    output: QrOutput,
}

#[derive(Debug, Args)]
struct RevocationArgs {
    /// The signing secret key file: a health authority's (it revokes only the codes it
    /// issued) or a pass issuer's (only its passes).
    #[arg(long)]
    signer_key: PathBuf,
    /// A revoked credential or pass id (16 hex characters); repeat for more.
    #[arg(long = "id")]
    ids: Vec<String>,
    /// A revoked-ids file (what `revoke` writes: one id a line, then an optional note).
    #[arg(long)]
    ids_file: Option<PathBuf>,
    /// Make a delta on the list with this sequence number instead of a full list.
    #[arg(long)]
    delta_on: Option<u64>,
    /// Sequence number; default now.
    #[arg(long)]
    sequence: Option<u64>,
    /// Where to write the list.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    clock: Clock,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// QR text, or a path to a text or image file.
    input: String,
    /// Trust list file.
    #[arg(long)]
    trust: PathBuf,
    /// The pinned root public key file the trust list must be signed by.
    #[arg(long)]
    root: PathBuf,
    /// Revocation list files, applied in order (per signer: a full list, then deltas); a
    /// list revokes only codes and passes its own signer issued.
    #[arg(long = "revocation")]
    revocation: Vec<PathBuf>,
    /// Require a pass for this place id.
    #[arg(long)]
    place: Option<String>,
    /// The measured temperature in °C, e.g. 36.6.
    #[arg(long)]
    temperature: Option<String>,
    #[command(flatten)]
    clock: Clock,
}

#[derive(Debug, Args)]
struct Clock {
    /// The time to use instead of the system clock, Unix seconds.
    #[arg(long)]
    now: Option<u64>,
}

impl Clock {
    fn now(&self) -> Result<u64, String> {
        match self.now {
            Some(t) => Ok(t),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .map_err(|_| "the system clock is before 1970".to_owned()),
        }
    }
}

#[derive(Debug, Args)]
struct QrOutput {
    /// Write the QR text to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the QR code as PNG (8 pixels a module).
    #[arg(long)]
    png: Option<PathBuf>,
    /// Write the QR code as SVG.
    #[arg(long)]
    svg: Option<PathBuf>,
}

impl QrOutput {
    fn write(&self, text: &str) -> Result<(), String> {
        if let Some(path) = &self.out {
            files::write_text(path, text)?;
        }
        if let Some(path) = &self.png {
            files::write_qr_png(path, text, 8)?;
        }
        if let Some(path) = &self.svg {
            files::write_qr_svg(path, text)?;
        }
        println!("{text}");
        Ok(())
    }
}

fn publish(input: &std::path::Path, out_dir: &std::path::Path) -> Result<ExitCode, String> {
    let text = files::read_text(input)?;
    let parts = healthcode::multipart::split(&text)
        .map_err(|e| format!("{}: {e} ({})", input.display(), e.code()))?;
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let n = parts.len();
    for (i, part) in parts.iter().enumerate() {
        files::write_qr_png(
            &out_dir.join(format!("part-{:02}-of-{n:02}.png", i + 1)),
            part,
            6,
        )?;
    }
    files::write_text(&out_dir.join("parts.txt"), &parts.join("\n"))?;
    println!("{n} part(s) in {}", out_dir.display());
    Ok(ExitCode::SUCCESS)
}

fn parse_colour(s: &str) -> Result<Colour, String> {
    Colour::parse(s).ok_or_else(|| format!("'{s}' is not green, yellow or red"))
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(buf)
}

/// Runs one command; the exit code on success, a message on error (exit 2).
pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Keygen { out } => {
            let seed = random_bytes::<32>()?;
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let public = key.verifying_key();
            files::write_secret_key(&out, &seed)?;
            let pub_path = PathBuf::from(format!("{}.pub", out.display()));
            files::write_text(&pub_path, &to_hex(public.as_bytes()))?;
            println!(
                "key id {} — secret key {} (mode 0600), public key {}",
                KeyId::of(&public),
                out.display(),
                pub_path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::TrustList(args) => trust_list(args),
        Command::Issue(args) => issue(args),
        Command::Pass(args) => pass(args),
        Command::RevocationList(args) => revocation_list(args),
        Command::Present {
            credential,
            holder_key,
            pass,
            clock,
            output,
        } => {
            let text = files::read_text(&credential)?;
            let cred = Credential::from_qr_text(&text)
                .map_err(|e| format!("{}: {} ({})", credential.display(), e, e.code()))?;
            let key = files::read_signing_key(&holder_key)?;
            if cred.claims.holder != Holder::Device(key.verifying_key().to_bytes()) {
                return Err(format!(
                    "{} is not the holder key named in the credential",
                    holder_key.display()
                ));
            }
            let pass = match pass {
                Some(path) => Some(
                    Pass::from_qr_text(&files::read_text(&path)?)
                        .map_err(|e| format!("{}: {} ({})", path.display(), e, e.code()))?,
                ),
                None => None,
            };
            let presentation = Presentation::sign(cred, pass, &key, clock.now()?);
            output.write(&presentation.to_qr_text())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Publish { input, out_dir } => publish(&input, &out_dir),
        Command::Render { text, output } => {
            output.write(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect { input } => inspect_command(&input),
        Command::Verify(args) => verify_command(args),
        Command::Request(args) => {
            let key = files::read_signing_key(&args.holder_key)?;
            let declaration = Declaration {
                fever_or_symptoms: args.fever_or_symptoms,
                contact_with_case: args.contact_with_case,
                high_risk_travel: args.high_risk_travel,
                under_quarantine: args.under_quarantine,
            };
            let request = HolderRequest::sign(&key, &args.name, declaration, args.clock.now()?)
                .map_err(|e| format!("{e} ({})", e.code()))?;
            args.output.write(&request.to_qr_text())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Revoke(args) => {
            let target = match (&args.id, &args.name, &args.id_last4) {
                (Some(text), _, _) => registry::Target::Id(parse_id(text)?),
                (None, Some(masked_name), Some(id_last4)) => registry::Target::Person {
                    masked_name,
                    id_last4,
                },
                _ => return Err("name the code with --id, or --name and --id-last4".into()),
            };
            registry::revoke(
                &args.registry,
                &args.ids_file,
                &target,
                &args.reason,
                args.clock.now()?,
            )
        }
        Command::Log(LogCommand::Verify(args)) => log_verify(&args).map(|(code, _)| code),
        Command::Log(LogCommand::Csv { file, out }) => match log_verify(&file)? {
            (code, Some(entries)) => {
                files::write_text(&out, healthcode::log::to_csv(&entries).trim_end())?;
                println!("{} entries written to {}", entries.len(), out.display());
                Ok(code)
            }
            (code, None) => Ok(code),
        },
        Command::Index(args) => crate::index::run(args),
    }
}

fn split_named(spec: &str, what: &str) -> Result<(String, PathBuf, Option<String>), String> {
    let mut parts = spec.splitn(3, '=');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some(path), rest) if !name.is_empty() && !path.is_empty() => Ok((
            name.to_owned(),
            PathBuf::from(path),
            rest.map(str::to_owned),
        )),
        _ => Err(format!("{what} '{spec}': expected NAME=PUBLIC_KEY_FILE")),
    }
}

/// `FROM..UNTIL` in Unix seconds; an empty side takes the default.
fn issuing_window(text: &str, from: u64, until: u64) -> Option<(u64, u64)> {
    let (a, b) = text.split_once("..")?;
    let side = |t: &str, default: u64| match t.trim() {
        "" => Some(default),
        t => t.parse().ok(),
    };
    Some((side(a, from)?, side(b, until)?))
}

fn trust_list(args: TrustListArgs) -> Result<ExitCode, String> {
    let now = args.clock.now()?;
    let root = files::read_signing_key(&args.root_key)?;
    let from = args.valid_from.unwrap_or(now.saturating_sub(86_400));
    let until = args.valid_until.unwrap_or(now.saturating_add(365 * 86_400));
    let mut issuers = Vec::new();
    for spec in &args.issuers {
        let (name, path, window) = split_named(spec, "--issuer")?;
        let (from, until) = match window {
            Some(w) => issuing_window(&w, from, until).ok_or_else(|| {
                format!(
                    "--issuer '{spec}': expected …=FROM..UNTIL (Unix seconds, either may be empty)"
                )
            })?,
            None => (from, until),
        };
        if from >= until {
            return Err(format!(
                "--issuer '{spec}': the window's start is not before its end"
            ));
        }
        let key = files::read_verifying_key(&path)?;
        issuers.push(TrustedIssuer::new(
            &key,
            &name,
            Role::HealthAuthority,
            from,
            until,
        ));
    }
    for spec in &args.pass_issuers {
        let (name, path, places) = split_named(spec, "--pass-issuer")?;
        let places: Vec<String> = places
            .ok_or_else(|| {
                format!("--pass-issuer '{spec}': expected NAME=PUBLIC_KEY_FILE=PLACE[,PLACE…]")
            })?
            .split(',')
            .map(str::to_owned)
            .collect();
        let key = files::read_verifying_key(&path)?;
        issuers.push(TrustedIssuer::new(
            &key,
            &name,
            Role::PassIssuer(places),
            from,
            until,
        ));
    }
    if issuers.is_empty() {
        return Err("a trust list needs at least one --issuer or --pass-issuer".into());
    }
    let count = issuers.len();
    let signed = TrustList {
        root: KeyId([0; 8]),
        sequence: args.sequence.unwrap_or(now),
        signed_at: now,
        issuers,
    }
    .sign(&root);
    files::write_text(&args.out, &signed.to_text())?;
    println!(
        "trust list {} of {count} key(s), signed by root {}, written to {}",
        signed.list.sequence,
        signed.list.root,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Who the credential is for, its masked name and colour: from a holder request (colour by
/// the declaration rules unless overridden with a reason), or from the flags.
fn issue_subject(args: &IssueArgs, now: u64) -> Result<(Holder, String, Colour), String> {
    let Some(input) = &args.request else {
        let holder = match &args.holder {
            Some(path) => Holder::Device(files::read_verifying_key(path)?.to_bytes()),
            None => Holder::Paper,
        };
        let name = args.name.clone().ok_or("--name is required")?;
        let colour = args.colour.ok_or("--colour is required")?;
        return Ok((holder, name, colour));
    };
    let request = HolderRequest::from_qr_text(&read_input(input)?)
        .map_err(|e| format!("request: {e} ({})", e.code()))?;
    let masked = mask_name(&request.body.name).ok_or("request: the name is empty (D|NAM)")?;
    let suggestion = declaration::suggest(&request.body.declaration, now);
    eprintln!(
        "declaration: {} — suggested {}",
        suggestion.ground.as_str(),
        suggestion.colour.as_str()
    );
    let colour = match (args.colour, &args.reason) {
        (None, _) => suggestion.colour,
        (Some(colour), Some(reason)) if !reason.trim().is_empty() => {
            eprintln!(
                "override: {} instead of the suggested {} — reason: {}",
                colour.as_str(),
                suggestion.colour.as_str(),
                reason.trim()
            );
            colour
        }
        (Some(_), _) => {
            return Err(
                "--colour overrides the declaration's suggestion: give the --reason".to_owned(),
            )
        }
    };
    Ok((Holder::Device(request.body.holder), masked, colour))
}

fn issue(args: IssueArgs) -> Result<ExitCode, String> {
    let now = args.clock.now()?;
    let issuer = files::read_signing_key(&args.issuer_key)?;
    if let Some(file) = &args.batch {
        let dir = args.out.as_deref().ok_or("--batch needs --out DIR")?;
        let expires = args
            .expires
            .unwrap_or(now.saturating_add(healthcode::demo::DEMO_VALIDITY_SECS));
        if expires <= now {
            return Err("--expires must be after now".into());
        }
        if !(100_000..=999_999).contains(&args.region) {
            return Err(format!(
                "--region {}: not a 6-digit division code",
                args.region
            ));
        }
        return batch::issue_batch(&batch::Batch {
            file,
            dir,
            issuer: &issuer,
            base_url: &args.base_url,
            terms: Terms {
                region: args.region,
                validity_secs: expires.saturating_sub(now),
            },
            now,
        });
    }
    let (holder, masked_name, colour) = issue_subject(&args, now)?;
    let quarantine_end = match colour {
        Colour::Green => None,
        c => args
            .quarantine_end
            .or_else(|| declaration::quarantine_end(c, now)),
    };
    let not_before = args.not_before.unwrap_or(now.saturating_sub(60));
    let claims = Claims {
        issuer: KeyId([0; 8]),
        id: CredentialId(random_bytes::<8>()?),
        colour,
        masked_name,
        id_last4: args.id_last4.ok_or("--id-last4 is required")?,
        region: args.region,
        issued_at: now.min(not_before),
        not_before,
        expires: args
            .expires
            .unwrap_or(now.saturating_add(healthcode::demo::DEMO_VALIDITY_SECS)),
        quarantine_end,
        holder,
    };
    let credential =
        Credential::issue(claims, &issuer).map_err(|e| format!("{e} ({})", e.code()))?;
    eprintln!(
        "credential id {} — {} {} ****{}",
        credential.claims.id,
        credential.claims.colour.as_str(),
        credential.claims.masked_name,
        credential.claims.id_last4
    );
    QrOutput {
        out: args.out,
        png: args.png,
        svg: args.svg,
    }
    .write(&credential.to_qr_text())?;
    Ok(ExitCode::SUCCESS)
}

fn pass(args: PassArgs) -> Result<ExitCode, String> {
    let now = args.clock.now()?;
    let issuer = files::read_signing_key(&args.issuer_key)?;
    let holder = files::read_verifying_key(&args.holder)?;
    let kind = match args.kind {
        KindArg::Resident => PassKind::Resident,
        KindArg::Employee => PassKind::Employee,
        KindArg::Visitor => PassKind::Visitor,
        KindArg::Vehicle => PassKind::Vehicle(args.plate.unwrap_or_default()),
    };
    let pass = Pass::issue(
        PassClaims {
            issuer: KeyId([0; 8]),
            id: CredentialId(random_bytes::<8>()?),
            place: args.place,
            kind,
            not_before: now.saturating_sub(60),
            expires: now.saturating_add(args.days.saturating_mul(86_400)),
            holder: holder.to_bytes(),
        },
        &issuer,
    )
    .map_err(|e| e.to_string())?;
    eprintln!("pass id {}", pass.claims.id);
    args.output.write(&pass.to_qr_text())?;
    Ok(ExitCode::SUCCESS)
}

fn parse_id(text: &str) -> Result<CredentialId, String> {
    keys::parse_hex::<8>(text)
        .map(CredentialId)
        .map_err(|_| format!("'{}' is not 16 hex characters", text.trim()))
}

fn revocation_list(args: RevocationArgs) -> Result<ExitCode, String> {
    let now = args.clock.now()?;
    let signer = files::read_signing_key(&args.signer_key)?;
    let mut revoked = args
        .ids
        .iter()
        .map(|s| parse_id(s))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(path) = &args.ids_file {
        if !path.is_file() {
            return Err(format!("cannot read {}: no such file", path.display()));
        }
        revoked.extend(registry::read_ids_file(path)?);
    }
    let signed = RevocationList {
        signer: KeyId([0; 8]),
        sequence: args.sequence.unwrap_or(now),
        signed_at: now,
        scope: args.delta_on.map(Scope::Delta).unwrap_or(Scope::Full),
        revoked,
    }
    .sign(&signer);
    let text = signed.to_text();
    files::write_text(&args.out, &text)?;
    println!(
        "revocation list {} ({:?}) of {} id(s): {} bytes, {} characters, written to {}",
        signed.list.sequence,
        signed.list.scope,
        signed.list.revoked.len(),
        codec::encode(&signed).len(),
        text.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// QR text from an argument: the text itself, an image file (PNG, JPEG or WebP, known by its
/// first bytes), or any other file read as text (a UTF-8 byte-order mark dropped; bytes that
/// are not UTF-8 replaced, so the verifier names what it is not: `P|PFX`).
fn read_input(input: &str) -> Result<String, String> {
    let path = Path::new(input);
    if !path.is_file() {
        return Ok(input.to_owned());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if image::guess_format(&bytes).is_ok() {
        return files::scan_image(path);
    }
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.trim_start_matches('\u{feff}').trim().to_owned())
}

fn inspect_command(input: &str) -> Result<ExitCode, String> {
    let text = read_input(input)?;
    let (fields, total) = match codec::peek_kind(&text) {
        Some(MessageKind::Credential) => {
            let c = Credential::from_qr_text(&text).map_err(|e| format!("{e} ({})", e.code()))?;
            (inspect::credential_layout(&c), c.to_bytes().len())
        }
        _ => {
            let p = Presentation::from_qr_text(&text).map_err(|e| format!("{e} ({})", e.code()))?;
            (inspect::presentation_layout(&p), p.to_bytes().len())
        }
    };
    println!("{:>6} {:>4}  field = value", "offset", "len");
    for f in fields {
        println!("{:>6} {:>4}  {} = {}", f.offset, f.len, f.name, f.value);
    }
    let m = healthcode::render::matrix(&text).map_err(|e| e.to_string())?;
    println!(
        "{total} bytes; QR text {} characters; QR version {} at level M ({}×{} modules with the quiet zone)",
        text.len(),
        m.version,
        m.size,
        m.size
    );
    Ok(ExitCode::SUCCESS)
}

fn verify_command(args: VerifyArgs) -> Result<ExitCode, String> {
    let now = args.clock.now()?;
    let root = files::read_verifying_key(&args.root)?;
    let list = TrustList::from_text(&files::read_text(&args.trust)?, &[root])
        .map_err(|e| format!("{}: {} ({})", args.trust.display(), e, e.code()))?;
    let trust = TrustStore::with(list);
    let mut revocation = RevocationSet::default();
    for path in &args.revocation {
        let list = RevocationList::from_text(&files::read_text(path)?, &trust)
            .map_err(|e| format!("{}: {} ({})", path.display(), e, e.code()))?;
        revocation
            .apply(list, now, VerifyOptions::default().clock_skew_secs)
            .map_err(|e| format!("{}: {} ({})", path.display(), e, e.code()))?;
    }
    let temperature = match &args.temperature {
        Some(t) => Some(Temperature::parse(t).map_err(|e| format!("--temperature {t}: {e}"))?),
        None => None,
    };
    let options = VerifyOptions {
        require_pass_for: args.place.clone(),
        ..VerifyOptions::default()
    };
    let text = read_input(&args.input)?;
    let ctx = Context {
        trust: &trust,
        revocation: (!args.revocation.is_empty()).then_some(&revocation),
        options: &options,
        now,
    };
    match verify_in(&text, &ctx) {
        Ok(verified) => {
            let verdict = decide(&verified, temperature, &Policy::default());
            let c = &verified.claims;
            println!(
                "{} {} — {} ****{} — {} [{}] (issuer: {}, credential {}{})",
                verdict.decision.as_str().to_uppercase(),
                c.colour.as_str(),
                c.masked_name,
                c.id_last4,
                verdict
                    .reasons
                    .iter()
                    .map(|r| r.instruction)
                    .collect::<Vec<_>>()
                    .join(" "),
                verdict
                    .reasons
                    .iter()
                    .map(|r| r.code)
                    .collect::<Vec<_>>()
                    .join(","),
                verified.issuer_name,
                c.id,
                if c.is_paper() { ", paper code" } else { "" }
            );
            Ok(match verdict.decision {
                Decision::Admit => ExitCode::SUCCESS,
                Decision::Deny | Decision::Refer => ExitCode::from(1),
            })
        }
        Err(err) => match err.class() {
            ErrorClass::Invalid => {
                println!("INVALID — {err} [{}]", err.code());
                Ok(ExitCode::from(1))
            }
            ErrorClass::CannotCheck => {
                println!("CANNOT CHECK — {err} [{}]", err.code());
                Ok(ExitCode::from(2))
            }
        },
    }
}

/// Checks an export and prints the verdict; the entries when its chain and signature
/// verify. Then the findings about a sound log ([`healthcode::log::audit`]: times running
/// backwards, an export dated before its last entry, and against each `--noted` head a log
/// cut, rebuilt or re-keyed since), one line each with its code, exit 1 when there is one.
/// Without `--noted`, a note on stderr says what cannot be detected.
fn log_verify(
    args: &LogFileArgs,
) -> Result<(ExitCode, Option<Vec<healthcode::log::Entry>>), String> {
    let key = match &args.key {
        Some(path) => Some(files::read_verifying_key(path)?),
        None => None,
    };
    let mut noted = Vec::new();
    for spec in &args.noted {
        noted.push(
            healthcode::log::NotedHead::parse(spec)
                .map_err(|e| format!("--noted '{spec}': {e}"))?,
        );
    }
    let bytes = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let export = match healthcode::log::verify_export(&bytes, key.as_ref()) {
        Ok(export) => export,
        Err(err) => {
            println!("{err}");
            return Ok((ExitCode::from(1), None));
        }
    };
    let findings = healthcode::log::audit(&export, &noted);
    if noted.is_empty() {
        eprintln!(
            "note: no --noted head given: entries cut from the end, and a log rebuilt or \
             restarted and re-signed on the checkpoint itself, cannot be detected without one"
        );
    }
    if findings.is_empty() {
        println!(
            "ok: {} entries, head {}, signed by {}",
            export.entries.len(),
            to_hex(&export.head),
            export.key_id
        );
        return Ok((ExitCode::SUCCESS, Some(export.entries)));
    }
    for finding in &findings {
        println!("{finding}");
    }
    Ok((ExitCode::from(1), Some(export.entries)))
}
