//! The CLI's arguments and what each subcommand does.

use crate::files;
use clap::{Args, Parser, Subcommand};
use healthcode::keys::{CredentialId, KeyId};
use healthcode::trust::{TrustList, TrustedIssuer};
use healthcode::{decide, verify, Claims, Colour, Credential, Decision, ErrorClass, Presentation};
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
    /// Write a trust list of issuer public keys (text starting `HCT1:`).
    TrustList {
        /// An issuer as NAME=PUBLIC_KEY_FILE; repeat for more.
        #[arg(long = "issuer", required = true)]
        issuers: Vec<String>,
        /// Where to write the trust list.
        #[arg(long)]
        out: PathBuf,
    },
    /// Issue a credential (a health code) for a holder's public key.
    Issue(IssueArgs),
    /// Make a holder-signed presentation (the live QR) from a credential.
    Present {
        /// The credential file (`HCC1:` text).
        #[arg(long)]
        credential: PathBuf,
        /// The holder's secret key file.
        #[arg(long)]
        holder_key: PathBuf,
        #[command(flatten)]
        clock: Clock,
        #[command(flatten)]
        output: QrOutput,
    },
    /// Render any text as a QR image.
    Render {
        /// The text.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        output: QrOutput,
    },
    /// Verify a presentation given as QR text, a file holding the text, or an image of the
    /// QR code. Exit 0 admit, 1 deny or invalid, 2 cannot check or error.
    Verify {
        /// QR text, or a path to a text or image file.
        input: String,
        /// Trust list file; without it nothing can be checked.
        #[arg(long)]
        trust: PathBuf,
        #[command(flatten)]
        clock: Clock,
    },
}

#[derive(Debug, Args)]
struct IssueArgs {
    /// The issuer's secret key file.
    #[arg(long)]
    issuer_key: PathBuf,
    /// The holder's public key file.
    #[arg(long)]
    holder: PathBuf,
    /// green, yellow or red.
    #[arg(long, value_parser = parse_colour)]
    colour: Colour,
    /// The masked name, e.g. "张*伟" or "Z*** W**".
    #[arg(long)]
    name: String,
    /// The last 4 characters of the ID number.
    #[arg(long)]
    id_last4: String,
    /// Valid from (Unix seconds); default now - 60.
    #[arg(long)]
    not_before: Option<u64>,
    /// Valid until (Unix seconds); default now + 30 days.
    #[arg(long)]
    expires: Option<u64>,
    #[command(flatten)]
    clock: Clock,
    #[command(flatten)]
    output: QrOutput,
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

fn parse_colour(s: &str) -> Result<Colour, String> {
    Colour::parse(s).ok_or_else(|| format!("'{s}' is not green, yellow or red"))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
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
            files::write_text(&pub_path, &healthcode::keys::to_hex(public.as_bytes()))?;
            println!(
                "key id {} — secret key {} (mode 0600), public key {}",
                KeyId::of(&public),
                out.display(),
                pub_path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::TrustList { issuers, out } => {
            let mut list = TrustList::default();
            for spec in issuers {
                let (name, path) = spec
                    .rsplit_once('=')
                    .ok_or_else(|| format!("--issuer '{spec}': expected NAME=PUBLIC_KEY_FILE"))?;
                let key = files::read_verifying_key(Path::new(path))?;
                list.insert(TrustedIssuer::new(&key, name));
            }
            files::write_text(&out, &list.to_text())?;
            println!(
                "trust list of {} issuer(s) written to {}",
                list.issuers.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Issue(args) => issue(args),
        Command::Present {
            credential,
            holder_key,
            clock,
            output,
        } => {
            let text = files::read_text(&credential)?;
            let cred = Credential::from_qr_text(&text)
                .map_err(|e| format!("{}: {} ({})", credential.display(), e, e.code()))?;
            let key = files::read_signing_key(&holder_key)?;
            if key.verifying_key().to_bytes() != cred.claims.holder {
                return Err(format!(
                    "{} is not the holder key named in the credential",
                    holder_key.display()
                ));
            }
            let presentation = Presentation::sign(cred, &key, clock.now()?);
            output.write(&presentation.to_qr_text())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Render { text, output } => {
            output.write(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            input,
            trust,
            clock,
        } => verify_command(&input, &trust, clock.now()?),
    }
}

fn issue(args: IssueArgs) -> Result<ExitCode, String> {
    let now = args.clock.now()?;
    let issuer = files::read_signing_key(&args.issuer_key)?;
    let holder = files::read_verifying_key(&args.holder)?;
    let claims = Claims {
        issuer: KeyId::of(&issuer.verifying_key()),
        id: CredentialId(random_bytes::<16>()?),
        colour: args.colour,
        masked_name: args.name,
        id_last4: args.id_last4,
        not_before: args.not_before.unwrap_or(now.saturating_sub(60)),
        expires: args
            .expires
            .unwrap_or(now.saturating_add(healthcode::demo::DEMO_VALIDITY_SECS)),
        holder: holder.to_bytes(),
    };
    let credential = Credential::issue(claims, &issuer).map_err(|e| e.to_string())?;
    args.output.write(&credential.to_qr_text())?;
    Ok(ExitCode::SUCCESS)
}

fn verify_command(input: &str, trust_path: &Path, now: u64) -> Result<ExitCode, String> {
    let trust = TrustList::from_text(&files::read_text(trust_path)?)
        .map_err(|e| format!("{}: {} ({})", trust_path.display(), e, e.code()))?;
    let path = Path::new(input);
    let text = if path.is_file() {
        match files::read_text(path) {
            Ok(text) if text.starts_with("HC") => text,
            _ => files::scan_image(path)?,
        }
    } else {
        input.to_owned()
    };
    match verify(&text, &trust, now) {
        Ok(verified) => {
            let verdict = decide(&verified);
            let c = &verified.claims;
            println!(
                "{} {} — {} ****{} — {} [{}] (issuer: {}, credential {})",
                verdict.decision.as_str().to_uppercase(),
                c.colour.as_str(),
                c.masked_name,
                c.id_last4,
                verdict.instruction,
                verdict.reason,
                verified.issuer_name,
                c.id
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
