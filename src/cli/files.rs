//! File I/O for the CLI: key files (secret ones created with mode 0600), text files, PNG.

use healthcode::keys::{self, to_hex};
use healthcode::render;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads a UTF-8 text file, trimmed of surrounding white space.
pub fn read_text(path: &Path) -> Result<String, String> {
    fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Writes `text` and a newline to `path`.
pub fn write_text(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, format!("{text}\n"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates `path` with mode 0600 (owner read/write only) and writes the secret seed as hex.
/// Refuses to overwrite an existing file.
pub fn write_secret_key(path: &Path, seed: &[u8; 32]) -> Result<(), String> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(format!("{}\n", to_hex(seed)).as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads a secret key file.
pub fn read_signing_key(path: &Path) -> Result<ed25519_dalek::SigningKey, String> {
    keys::signing_key_from_hex(&read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a public key file. Refuses a file that `keygen` wrote as a secret key (one with a
/// `.pub` file next to it): half of all secret seeds also parse as public keys, and a secret
/// seed put in a credential as the holder key would be published in the QR code.
pub fn read_verifying_key(path: &Path) -> Result<ed25519_dalek::VerifyingKey, String> {
    let public_twin = PathBuf::from(format!("{}.pub", path.display()));
    if public_twin.is_file() {
        return Err(format!(
            "{} is a secret key file: give its public key {}",
            path.display(),
            public_twin.display()
        ));
    }
    keys::verifying_key_from_hex(&read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `text` as a black-on-white QR PNG, `scale` pixels a module, quiet zone included.
pub fn write_qr_png(path: &Path, text: &str, scale: u32) -> Result<(), String> {
    let m = render::matrix(text).map_err(|e| e.to_string())?;
    let side = m.size as u32 * scale;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let dark = m.is_dark((x / scale) as usize, (y / scale) as usize);
        image::Luma([if dark { 0 } else { 255 }])
    });
    img.save(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes `text` as an SVG QR code.
pub fn write_qr_svg(path: &Path, text: &str) -> Result<(), String> {
    let svg = render::svg(text, "#000", "#fff").map_err(|e| e.to_string())?;
    fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads an image file and decodes the QR code in it with the app's decoder.
pub fn scan_image(path: &Path) -> Result<String, String> {
    let img = image::open(path)
        .map_err(|e| format!("cannot read image {}: {e}", path.display()))?
        .into_luma8();
    let (w, h) = img.dimensions();
    healthcode::scan::decode_luma(img.as_raw(), w, h)
        .map_err(|e| format!("{}: {e}", path.display()))
}
