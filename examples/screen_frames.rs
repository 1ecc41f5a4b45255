//! Screen-through-camera frames: our own presentation QRs shown on a phone screen as another
//! phone's camera sees them, and the decode rate of [`healthcode::scan::decode_luma`] per
//! degradation and per QR error-correction level (L, M, Q, H).
//!
//! ```text
//! cargo run --release --example screen_frames -- [--frames N] [--save DIR] [--bench-frames DIR]
//! ```
//!
//! Each frame: a cluttered scene (lighting gradient, grey rectangles), a phone (dark bezel)
//! seen through a pinhole camera at a tilt, its screen drawing the app's code view (a card in
//! the code's colour, a white square with the QR and its 4-module quiet zone, 88 % of the
//! screen width, so a higher level means smaller modules, as in the app) as a grid of RGB
//! sub-pixel stripes. Each camera pixel integrates 3x3 samples of the scene (so a screen pixel
//! grid near the camera's pitch beats into moiré), then the camera: gain, glare (a saturating
//! light spot on the screen), Gaussian blur, Gaussian noise, JPEG. The degradation sets:
//!
//! | set | what varies (uniformly over the range) |
//! |---|---|
//! | clean | frontal, QR 200–300 px, noise σ 2 |
//! | perspective | tilt 35–65° about a random axis |
//! | moiré | screen pixel pitch 0.75–1.6 camera pixels |
//! | glare | a spot of radius 8–30 % of the QR, peak +0.4 to +1.5 (saturates) |
//! | blur | Gaussian σ 1.0–2.8 px |
//! | noise | Gaussian σ 40–100 grey levels |
//! | jpeg | quality 1–12 |
//! | low light | gain 0.02–0.08, noise σ 3–6, quality 70 |
//! | small/far | QR 60–150 px across |
//! | combined | tilt 10–30°, moiré (pitch 0.8–1.3), blur σ 0.5–1.0, noise σ 4–10, a small glare, quality 50–70, QR 150–220 px |
//!
//! Every set has N frames (default 24) per level. The scene, geometry and severities of frame
//! `i` are the same at every level (only the QR changes), so the levels are compared pair by
//! pair. Payload: a live presentation of one of the three demo residents
//! (`DemoWorld` + `Presentation::sign(..).to_qr_text()`, 329–337 characters).
//!
//! `--save DIR` writes the first 3 frames of each set at level M as PNG.
//! `--bench-frames DIR` writes frames for the browser benchmark (tests/bench/): `code-640x480-*`,
//! `code-1280x720-*`, `nocode-640x480-*`, `nocode-1280x720-*` (10 each, PNG, the code ones
//! with a `.txt` of the expected text), then exits.

use std::path::PathBuf;
use std::time::Instant;

use healthcode::demo::DemoWorld;
use healthcode::presentation::Presentation;
use healthcode::render::{self, QUIET_ZONE};
use healthcode::scan;
use qrcode::{Color, EcLevel, QrCode};

const LEVELS: [(EcLevel, &str); 4] = [
    (EcLevel::L, "L"),
    (EcLevel::M, "M"),
    (EcLevel::Q, "Q"),
    (EcLevel::H, "H"),
];

/// A QR matrix (quiet zone included), row-major.
struct Symbol {
    size: usize,
    dark: Vec<bool>,
    version: i16,
}

fn symbol(text: &str, level: EcLevel) -> Symbol {
    let code = QrCode::with_error_correction_level(text.as_bytes(), level).expect("fits");
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
    if level == EcLevel::M {
        // The same symbol the app draws.
        let m = render::matrix(text).expect("fits");
        assert_eq!((m.size, &m.dark), (size, &dark));
    }
    Symbol {
        size,
        dark,
        version,
    }
}

/// Deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(0x9e37_79b9_7f4a_7c15 ^ (seed + 1).wrapping_mul(0x1000_0000_01b3))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f()
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.f().max(1e-12);
        let v = self.f();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Everything that makes one frame, except the QR symbol.
#[derive(Clone, Debug)]
struct Params {
    width: usize,
    height: usize,
    /// QR side (quiet zone included) in camera pixels, if seen frontally.
    qr_px: f64,
    /// Tilt (radians) and the direction of its axis in the image plane.
    tilt: f64,
    tilt_axis: f64,
    /// In-plane rotation (radians).
    roll: f64,
    /// Screen pixel pitch in camera pixels (frontal).
    screen_pitch: f64,
    /// Glare: centre (in QR units, 0..1), radius (QR units), peak (added linear light).
    glare: Option<(f64, f64, f64, f64)>,
    blur: f64,
    noise: f64,
    gain: f64,
    jpeg: Option<u8>,
    /// Card colour of the code (green, yellow or red view).
    card: [f64; 3],
}

const SETS: [&str; 10] = [
    "clean",
    "perspective",
    "moire",
    "glare",
    "blur",
    "noise",
    "jpeg",
    "low-light",
    "small-far",
    "combined",
];

fn params(set: &str, rng: &mut Rng, width: usize, height: usize) -> Params {
    let scale = height as f64 / 480.0;
    let cards = [[0.18, 0.62, 0.25], [0.95, 0.75, 0.1], [0.85, 0.15, 0.15]];
    let mut p = Params {
        width,
        height,
        qr_px: rng.range(200.0, 300.0) * scale,
        tilt: rng.range(0.0, 0.15),
        tilt_axis: rng.range(0.0, std::f64::consts::PI),
        roll: rng.range(-0.2, 0.2),
        screen_pitch: 0.3,
        glare: None,
        blur: 0.4,
        noise: 2.0,
        gain: 1.0,
        jpeg: None,
        card: cards[(rng.next() % 3) as usize],
    };
    match set {
        "clean" => {}
        "perspective" => p.tilt = rng.range(35f64, 65.0).to_radians(),
        "moire" => p.screen_pitch = rng.range(0.75, 1.6),
        "glare" => {
            p.glare = Some((
                rng.range(0.2, 0.8),
                rng.range(0.2, 0.8),
                rng.range(0.08, 0.3),
                rng.range(0.4, 1.5),
            ))
        }
        "blur" => p.blur = rng.range(1.0, 2.8) * scale,
        "noise" => p.noise = rng.range(40.0, 100.0),
        "jpeg" => p.jpeg = Some(rng.range(1.0, 12.0) as u8),
        "low-light" => {
            p.gain = rng.range(0.02, 0.08);
            p.noise = rng.range(3.0, 6.0);
            p.jpeg = Some(70);
        }
        "small-far" => p.qr_px = rng.range(60.0, 150.0) * scale,
        "combined" => {
            p.qr_px = rng.range(150.0, 220.0) * scale;
            p.tilt = rng.range(10f64, 30.0).to_radians();
            p.screen_pitch = rng.range(0.8, 1.3);
            p.blur = rng.range(0.5, 1.0) * scale;
            p.noise = rng.range(4.0, 10.0);
            p.glare = Some((
                rng.range(0.2, 0.8),
                rng.range(0.2, 0.8),
                rng.range(0.05, 0.15),
                rng.range(0.3, 0.8),
            ));
            p.jpeg = Some(rng.range(50.0, 70.0) as u8);
        }
        other => panic!("unknown set {other}"),
    }
    p
}

/// 3x3 homography mapping (x, y, 1) to (x', y', w').
type Mat3 = [[f64; 3]; 3];

/// The homography taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to `q`.
#[allow(clippy::needless_range_loop)] // Gauss-Jordan elimination reads best with indices
fn square_to_quad(q: [[f64; 2]; 4]) -> Mat3 {
    // Solve the 8 unknowns (h33 = 1) by Gaussian elimination.
    let src = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let ([x, y], [u, v]) = (src[i], q[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for c in 0..8 {
        let p = (c..8)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, p);
        for r in 0..8 {
            if r != c {
                let f = a[r][c] / a[c][c];
                for k in c..9 {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
    }
    let h: Vec<f64> = (0..8).map(|i| a[i][8] / a[i][i]).collect();
    [[h[0], h[1], h[2]], [h[3], h[4], h[5]], [h[6], h[7], 1.0]]
}

fn invert(m: Mat3) -> Mat3 {
    let [[a, b, c], [d, e, f], [g, h, i]] = m;
    let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    [
        [
            (e * i - f * h) / det,
            (c * h - b * i) / det,
            (b * f - c * e) / det,
        ],
        [
            (f * g - d * i) / det,
            (a * i - c * g) / det,
            (c * d - a * f) / det,
        ],
        [
            (d * h - e * g) / det,
            (b * g - a * h) / det,
            (a * e - b * d) / det,
        ],
    ]
}

fn apply(m: &Mat3, x: f64, y: f64) -> (f64, f64) {
    let w = m[2][0] * x + m[2][1] * y + m[2][2];
    (
        (m[0][0] * x + m[0][1] * y + m[0][2]) / w,
        (m[1][0] * x + m[1][1] * y + m[1][2]) / w,
    )
}

/// Renders one frame as RGBA.
fn render_frame(p: &Params, sym: Option<&Symbol>, rng: &mut Rng) -> Vec<u8> {
    let (w, h) = (p.width, p.height);
    // The phone's screen in its own units: width 1, height 2; the QR square is 0.88 wide,
    // centred at 40 % of the height. Bezel 0.05 around it.
    let qr_w = 0.88;
    let (sw, sh) = (1.0, 2.0);
    let units_px = p.qr_px / qr_w; // camera px per screen unit, frontal
                                   // Phone corners in 3D (screen units, centre at the QR), rotated by the tilt, then a
                                   // pinhole projection with the focal length of a ~70° lens.
    let focal = w as f64 * 0.7;
    let dist = focal / units_px;
    let qr_cy = 0.8; // QR centre from the screen top
    let (ax, ay) = (p.tilt_axis.cos(), p.tilt_axis.sin());
    let (ct, st) = (p.tilt.cos(), p.tilt.sin());
    let project = |x: f64, y: f64| -> [f64; 2] {
        // Rodrigues rotation about the in-plane axis (ax, ay, 0).
        // v cos t + (k x v) sin t + k (k . v)(1 - cos t); k x v has only a z part here.
        let dot = ax * x + ay * y;
        let rx = x * ct + ax * dot * (1.0 - ct);
        let ry = y * ct + ay * dot * (1.0 - ct);
        let rz = (ax * y - ay * x) * st;
        let z = dist + rz;
        let (u, v) = (focal * rx / z, focal * ry / z);
        let (cr, sr) = (p.roll.cos(), p.roll.sin());
        [u * cr - v * sr, u * sr + v * cr]
    };
    let corners = |x0: f64, y0: f64, x1: f64, y1: f64| {
        [
            project(x0, y0),
            project(x1, y0),
            project(x1, y1),
            project(x0, y1),
        ]
    };
    // Screen rectangle relative to the QR centre.
    let (sx0, sy0, sx1, sy1) = (-sw / 2.0, -qr_cy, sw / 2.0, sh - qr_cy);
    let mut screen_q = corners(sx0, sy0, sx1, sy1);
    // Place the QR centre somewhere that keeps the QR in the frame.
    let qr_q = corners(-qr_w / 2.0, -qr_w / 2.0, qr_w / 2.0, qr_w / 2.0);
    let (minx, maxx) = qr_q
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c[0]), b.max(c[0])));
    let (miny, maxy) = qr_q
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c[1]), b.max(c[1])));
    let ox = rng.range(4.0 - minx, (w as f64 - 4.0 - maxx).max(5.0 - minx));
    let oy = rng.range(4.0 - miny, (h as f64 - 4.0 - maxy).max(5.0 - miny));
    for c in &mut screen_q {
        c[0] += ox;
        c[1] += oy;
    }
    let bezel_q = {
        let mut q = corners(sx0 - 0.06, sy0 - 0.12, sx1 + 0.06, sy1 + 0.12);
        for c in &mut q {
            c[0] += ox;
            c[1] += oy;
        }
        q
    };
    // frame -> screen unit square, frame -> bezel unit square
    let to_screen = invert(square_to_quad(screen_q));
    let to_bezel = invert(square_to_quad(bezel_q));
    // Background scene (grey), drawn once.
    let mut scene = vec![0f64; w * h];
    let (gx, gy) = (rng.range(-0.12, 0.12), rng.range(-0.12, 0.12));
    for y in 0..h {
        for x in 0..w {
            scene[y * w + x] =
                0.45 + gx * (x as f64 / w as f64 - 0.5) + gy * (y as f64 / h as f64 - 0.5);
        }
    }
    for _ in 0..40 {
        let (x0, y0) = (
            rng.range(0.0, w as f64) as usize,
            rng.range(0.0, h as f64) as usize,
        );
        let (rw, rh) = (
            rng.range(8.0, 200.0) * w as f64 / 640.0,
            rng.range(8.0, 200.0) * h as f64 / 480.0,
        );
        let level = rng.range(0.05, 0.9);
        for y in y0..(y0 + rh as usize).min(h) {
            for x in x0..(x0 + rw as usize).min(w) {
                scene[y * w + x] = level;
            }
        }
    }
    // Screen: pixels across the screen width.
    let screen_px = units_px / p.screen_pitch; // screen pixels per screen unit
    let qr_left = (sw - qr_w) / 2.0;
    let qr_top = qr_cy - qr_w / 2.0;
    let radiance = |u: f64, v: f64| -> [f64; 3] {
        // (u, v) in screen units from the top left.
        let base: [f64; 3] = {
            let (qu, qv) = ((u - qr_left) / qr_w, (v - qr_top) / qr_w);
            if (0.0..1.0).contains(&qu) && (0.0..1.0).contains(&qv) {
                match sym {
                    Some(s) => {
                        let (mx, my) =
                            ((qu * s.size as f64) as usize, (qv * s.size as f64) as usize);
                        if s.dark[my * s.size + mx] {
                            [0.02; 3]
                        } else {
                            [1.0; 3]
                        }
                    }
                    None => [1.0; 3],
                }
            } else if (0.1..0.9).contains(&u) && (1.3..1.45).contains(&v) {
                [0.1; 3] // a line of text under the code
            } else {
                p.card
            }
        };
        // Sub-pixel stripes: R, G, B thirds of each screen pixel, 80 % fill, 10 % gap rows.
        // Far below the camera's pitch the lens averages them out: the base colour.
        if p.screen_pitch < 0.5 {
            return base;
        }
        let (pu, pv) = (u * screen_px, v * screen_px);
        let (fu, fv) = (pu - pu.floor(), pv - pv.floor());
        if fv > 0.9 {
            return [0.0; 3];
        }
        let ch = ((fu * 3.0) as usize).min(2);
        let within = fu * 3.0 - ch as f64;
        if within > 0.8 {
            return [0.0; 3];
        }
        let mut out = [0.0; 3];
        // Stripes are 3x as bright so a large area averages to the base colour.
        out[ch] = base[ch] * 3.0 / 0.8 / 0.9;
        out
    };
    let glare_at = |u: f64, v: f64| -> f64 {
        match p.glare {
            Some((gu, gv, r, peak)) => {
                let (qu, qv) = ((u - qr_left) / qr_w, (v - qr_top) / qr_w);
                let d2 = (qu - gu).powi(2) + (qv - gv).powi(2);
                peak * (-d2 / (2.0 * r * r)).exp()
            }
            None => 0.0,
        }
    };
    let mut img = vec![[0f64; 3]; w * h];
    const K: usize = 3;
    // Supersample only the phone's bounding box; elsewhere the scene is flat.
    let (bx0, bx1) = bezel_q
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c[0]), b.max(c[0])));
    let (by0, by1) = bezel_q
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c[1]), b.max(c[1])));
    for y in 0..h {
        for x in 0..w {
            let (xf, yf) = (x as f64, y as f64);
            if xf + 1.0 < bx0 || xf > bx1 || yf + 1.0 < by0 || yf > by1 {
                img[y * w + x] = [scene[y * w + x]; 3];
                continue;
            }
            let mut acc = [0.0; 3];
            for sy in 0..K {
                for sx in 0..K {
                    let fx = x as f64 + (sx as f64 + 0.5) / K as f64;
                    let fy = y as f64 + (sy as f64 + 0.5) / K as f64;
                    let (u, v) = apply(&to_screen, fx, fy);
                    let c = if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                        let (su, sv) = (u * sw, v * sh);
                        let r = radiance(su, sv);
                        let g = glare_at(su, sv);
                        [r[0] + g, r[1] + g, r[2] + g]
                    } else {
                        let (bu, bv) = apply(&to_bezel, fx, fy);
                        if (0.0..1.0).contains(&bu) && (0.0..1.0).contains(&bv) {
                            [0.06; 3]
                        } else {
                            [scene[y * w + x]; 3]
                        }
                    };
                    for i in 0..3 {
                        acc[i] += c[i];
                    }
                }
            }
            img[y * w + x] = acc.map(|a| a / (K * K) as f64);
        }
    }
    // Camera: blur (separable Gaussian), gain, noise, gamma, 8 bits.
    if p.blur > 0.0 {
        let r = (p.blur * 3.0).ceil() as isize;
        let k: Vec<f64> = (-r..=r)
            .map(|i| (-(i * i) as f64 / (2.0 * p.blur * p.blur)).exp())
            .collect();
        let ks: f64 = k.iter().sum();
        let mut tmp = vec![[0f64; 3]; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut a = [0.0; 3];
                for (i, kv) in k.iter().enumerate() {
                    let xx = (x as isize + i as isize - r).clamp(0, w as isize - 1) as usize;
                    for c in 0..3 {
                        a[c] += kv * img[y * w + xx][c];
                    }
                }
                tmp[y * w + x] = a.map(|v| v / ks);
            }
        }
        for y in 0..h {
            for x in 0..w {
                let mut a = [0.0; 3];
                for (i, kv) in k.iter().enumerate() {
                    let yy = (y as isize + i as isize - r).clamp(0, h as isize - 1) as usize;
                    for c in 0..3 {
                        a[c] += kv * tmp[yy * w + x][c];
                    }
                }
                img[y * w + x] = a.map(|v| v / ks);
            }
        }
    }
    let mut rgba = vec![255u8; w * h * 4];
    for (i, px) in img.iter().enumerate() {
        for c in 0..3 {
            let lin = (px[c] * p.gain).clamp(0.0, 1.0);
            let v = 255.0 * lin.powf(1.0 / 2.2) + p.noise * rng.normal();
            rgba[i * 4 + c] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    if let Some(q) = p.jpeg {
        rgba = jpeg_round_trip(&rgba, w as u32, h as u32, q);
    }
    rgba
}

fn jpeg_round_trip(rgba: &[u8], w: u32, h: u32, quality: u8) -> Vec<u8> {
    use image::codecs::jpeg::JpegEncoder;
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut buf = Vec::new();
    JpegEncoder::new_with_quality(&mut buf, quality.max(1))
        .encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .expect("jpeg encode");
    image::load_from_memory(&buf)
        .expect("jpeg decode")
        .to_rgba8()
        .into_raw()
}

/// Live presentation texts of the three demo residents, one per frame index.
fn payloads(n: usize) -> Vec<String> {
    let now = 1_800_000_000;
    let mut counter = 7u8;
    let world = DemoWorld::generate(
        |buf| {
            for b in buf {
                counter = counter.wrapping_mul(31).wrapping_add(17);
                *b = counter;
            }
        },
        now - 3600,
    )
    .expect("demo world");
    (0..n)
        .map(|i| {
            let r = &world.residents[i % world.residents.len()];
            let key = ed25519_dalek::SigningKey::from_bytes(&r.holder_seed);
            Presentation::sign(r.credential.clone(), None, &key, now + 30 * i as u64).to_qr_text()
        })
        .collect()
}

fn save_png(path: &std::path::Path, rgba: &[u8], w: usize, h: usize) {
    image::save_buffer(
        path,
        rgba,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )
    .expect("write png");
}

fn main() {
    let mut frames = 24usize;
    let mut save: Option<PathBuf> = None;
    let mut bench_frames: Option<PathBuf> = None;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--frames" => {
                frames = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--frames N")
            }
            "--save" => save = args.next().map(PathBuf::from),
            "--bench-frames" => bench_frames = args.next().map(PathBuf::from),
            "--only" => only = args.next(),
            _ => {
                eprintln!("usage: screen_frames [--frames N] [--only SET] [--save DIR] [--bench-frames DIR]");
                std::process::exit(2);
            }
        }
    }
    if let Some(dir) = bench_frames {
        write_bench_frames(&dir);
        return;
    }
    let texts = payloads(frames);
    let symbols: Vec<Vec<Symbol>> = texts
        .iter()
        .map(|t| LEVELS.iter().map(|&(l, _)| symbol(t, l)).collect())
        .collect();
    let versions: Vec<String> = LEVELS
        .iter()
        .enumerate()
        .map(|(i, (_, name))| {
            let vs: Vec<i16> = symbols.iter().map(|s| s[i].version).collect();
            let (lo, hi) = (vs.iter().min().unwrap(), vs.iter().max().unwrap());
            if lo == hi {
                format!(
                    "{name} v{lo} ({} modules)",
                    symbols[0][i].size - 2 * QUIET_ZONE
                )
            } else {
                format!("{name} v{lo}-{hi}")
            }
        })
        .collect();
    let started = Instant::now();
    println!(
        "screen_frames: {frames} frames per set and level, 640x480, payload {}-{} characters; {}",
        texts.iter().map(String::len).min().unwrap(),
        texts.iter().map(String::len).max().unwrap(),
        versions.join(", ")
    );
    println!(
        "{:<12} {:>7} {:>7} {:>7} {:>7}   {:>9} {:>9}",
        "set", "L", "M", "Q", "H", "gen ms", "decode ms"
    );
    let mut totals = [0usize; 4];
    let mut n_total = 0;
    for set in SETS {
        if only.as_deref().is_some_and(|o| o != set) {
            continue;
        }
        let mut ok = [0usize; 4];
        let mut gen_ms = Vec::new();
        let mut dec_ms = Vec::new();
        for i in 0..frames {
            for (li, (_, lname)) in LEVELS.iter().enumerate() {
                // Same seed at every level: same scene, geometry and severity.
                let seed = (set.len() as u64) << 40 ^ (set.as_bytes()[0] as u64) << 32 ^ i as u64;
                let mut rng = Rng::new(seed);
                let p = params(set, &mut rng, 640, 480);
                let t = Instant::now();
                let rgba = render_frame(&p, Some(&symbols[i][li]), &mut rng);
                gen_ms.push(t.elapsed().as_secs_f64() * 1e3);
                let t = Instant::now();
                let luma = scan::rgba_to_luma(&rgba);
                let got = scan::decode_luma(&luma, 640, 480);
                dec_ms.push(t.elapsed().as_secs_f64() * 1e3);
                if got.as_deref() == Ok(texts[i].as_str()) {
                    ok[li] += 1;
                }
                if let Some(dir) = &save {
                    if i < 3 && *lname == "M" {
                        std::fs::create_dir_all(dir).expect("mkdir");
                        save_png(&dir.join(format!("{set}-{i}.png")), &rgba, 640, 480);
                    }
                }
            }
        }
        for i in 0..4 {
            totals[i] += ok[i];
        }
        n_total += frames;
        println!(
            "{:<12} {:>7} {:>7} {:>7} {:>7}   {:>9.1} {:>9.2}",
            set,
            format!("{}/{frames}", ok[0]),
            format!("{}/{frames}", ok[1]),
            format!("{}/{frames}", ok[2]),
            format!("{}/{frames}", ok[3]),
            median(&mut gen_ms),
            median(&mut dec_ms),
        );
    }
    println!(
        "{:<12} {:>7} {:>7} {:>7} {:>7}   ({:.0} s)",
        "TOTAL",
        format!("{}/{n_total}", totals[0]),
        format!("{}/{n_total}", totals[1]),
        format!("{}/{n_total}", totals[2]),
        format!("{}/{n_total}", totals[3]),
        started.elapsed().as_secs_f64()
    );
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Frames for the browser benchmark: 10 with a code and 10 without at 640x480 and 1280x720.
/// Code frames cycle through the degradation sets (level M, the app's); no-code frames are
/// the same scenes with the phone showing the code view without its QR.
fn write_bench_frames(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let texts = payloads(10);
    for (w, h) in [(640usize, 480usize), (1280, 720)] {
        for i in 0..10 {
            let set = SETS[i % SETS.len()];
            let mut rng = Rng::new(0xbe9c_0000 + i as u64);
            let p = params(set, &mut rng, w, h);
            let sym = symbol(&texts[i], EcLevel::M);
            let rgba = render_frame(&p, Some(&sym), &mut rng);
            let name = format!("code-{w}x{h}-{i:02}-{set}");
            save_png(&dir.join(format!("{name}.png")), &rgba, w, h);
            std::fs::write(dir.join(format!("{name}.txt")), &texts[i]).expect("write");
            let mut rng = Rng::new(0x0c0d_0000 + i as u64);
            let p = params(set, &mut rng, w, h);
            let rgba = render_frame(&p, None, &mut rng);
            save_png(
                &dir.join(format!("nocode-{w}x{h}-{i:02}-{set}.png")),
                &rgba,
                w,
                h,
            );
        }
    }
    println!("wrote 40 frames to {}", dir.display());
}
