#!/usr/bin/env bash
# Decode rate and decode time of healthcode::scan::decode_luma on the real-photo QR corpus
# (examples/decode_rate.rs): every manifest image, upright and rotated 90/180/270 degrees,
# exact text match, one table per set with median/p95 decode time; plus generated 640x480
# frames with and without a code. --only limits the run to paths starting with PATH_PREFIX
# (e.g. zxing/qrcode-4/ or synthetic/). --stream 8 measures the scanner's per-frame decoder
# (scan::FrameDecoder) instead: each image 8 frames in a row, read within them, time per frame.
#
#   scripts/bench-decode.sh [CORPUS_DIR] [--rot 0,90,180,270] [--only PATH_PREFIX] [--stream N]
#
# CORPUS_DIR defaults to ../shared/qr-corpus relative to the repository root. Works from any
# directory. Release build (the profile the app ships with). Exits non-zero if the build fails.
set -euo pipefail
caller="$PWD"
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# A relative CORPUS_DIR is taken from the caller's directory, not the repository root.
args=()
prev=""
for a in "$@"; do
  if [[ "$prev" != --rot && "$prev" != --only && "$prev" != --stream && "$a" != -* && "$a" != /* ]]; then
    a="$caller/$a"
  fi
  args+=("$a")
  prev="$a"
done
cargo build --release --example decode_rate
exec "${CARGO_TARGET_DIR:-target}/release/examples/decode_rate" "${args[@]}"
