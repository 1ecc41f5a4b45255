//! `healthcode`: the issuer's command line. Keys, credentials, presentations, trust lists,
//! and verification of QR text or images with the same decoder as the app.
//!
//! Exit codes: 0 success (for `verify`: admit), 1 `verify` denied or the code is invalid,
//! 2 usage or I/O error, or the code could not be checked.

mod batch;
mod commands;
mod files;
mod index;
mod registry;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("healthcode: {err}");
            ExitCode::from(2)
        }
    }
}
