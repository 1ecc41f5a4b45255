//! QR rendering of message text: a module matrix, and SVG for the app.
//!
//! Error correction level M (15 % of codewords recoverable), 4-module quiet zone (ISO/IEC
//! 18004 §6.3.8). Our texts are base45, so the encoder picks alphanumeric mode.

use qrcode::{Color, EcLevel, QrCode};

/// Width of the light border around the symbol, in modules.
pub const QUIET_ZONE: usize = 4;

/// Why a QR code could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The text does not fit a version-40 symbol at level M.
    #[error("text too long for a QR code")]
    TooLong,
}

/// A QR symbol as a square grid of dark (`true`) and light modules, quiet zone included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// Modules per side, quiet zone included.
    pub size: usize,
    /// Row-major, `size * size` entries.
    pub dark: Vec<bool>,
    /// QR version (1–40) of the symbol.
    pub version: i16,
}

impl Matrix {
    /// Whether the module at column `x`, row `y` is dark (false outside the grid).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }
}

/// The module matrix of `text` at level M with the quiet zone.
pub fn matrix(text: &str) -> Result<Matrix, RenderError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| RenderError::TooLong)?;
    let inner = code.width();
    let size = inner + 2 * QUIET_ZONE;
    let colors = code.to_colors();
    let mut dark = vec![false; size * size];
    for y in 0..inner {
        for x in 0..inner {
            dark[(y + QUIET_ZONE) * size + x + QUIET_ZONE] = colors[y * inner + x] == Color::Dark;
        }
    }
    let version = match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    Ok(Matrix {
        size,
        dark,
        version,
    })
}

/// An SVG image of `text` that scales to its container (`viewBox` in modules, no fixed
/// size), dark modules in `dark`, background in `light` (CSS colours). One `<path>` holds
/// every dark module, so the DOM stays small.
pub fn svg(text: &str, dark: &str, light: &str) -> Result<String, RenderError> {
    let m = matrix(text)?;
    let mut path = String::with_capacity(m.size * m.size * 4);
    for y in 0..m.size {
        for x in 0..m.size {
            if m.is_dark(x, y) {
                path.push_str(&format!("M{x} {y}h1v1h-1z"));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {s} {s}\" \
         shape-rendering=\"crispEdges\" preserveAspectRatio=\"xMidYMid meet\">\
         <rect width=\"{s}\" height=\"{s}\" fill=\"{light}\"/>\
         <path d=\"{path}\" fill=\"{dark}\"/></svg>",
        s = m.size
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_has_quiet_zone_and_finder_pattern() {
        let m = matrix("HCP1:ABC").unwrap();
        assert_eq!(m.version, 1);
        assert_eq!(m.size, 21 + 2 * QUIET_ZONE);
        assert!(!m.is_dark(0, 0));
        assert!(!m.is_dark(QUIET_ZONE - 1, QUIET_ZONE));
        // The top-left finder pattern's corner and centre are dark.
        assert!(m.is_dark(QUIET_ZONE, QUIET_ZONE));
        assert!(m.is_dark(QUIET_ZONE + 3, QUIET_ZONE + 3));
        assert_eq!(m.dark.len(), m.size * m.size);
    }

    #[test]
    fn svg_scales_and_names_colours() {
        let s = svg("HCP1:ABC", "#000", "#fff").unwrap();
        assert!(s.starts_with("<svg"));
        assert!(s.contains("viewBox=\"0 0 29 29\""));
        assert!(s.contains("fill=\"#000\""));
    }
}
