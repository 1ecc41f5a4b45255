#!/usr/bin/env bash
# Builds the bench-only wasm decoder (tests/bench/decode_wasm.rs) into tests/bench/pkg/:
# wasm32 build with profile PROFILE (default `wasmbench`: the release profile at opt-level 3;
# `release` = the app's opt-level "z"), wasm-bindgen --target web, wasm-opt (-O3 or -Oz).
#
#   tests/bench/build-wasm.sh [wasmbench|release]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
profile="${1:-wasmbench}"
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --target wasm32-unknown-unknown --no-default-features --features bench-wasm \
  --bin bench-decode-wasm --profile "$profile" \
  --config 'profile.wasmbench.inherits="release"' --config 'profile.wasmbench.opt-level=3'
out="tests/bench/pkg/$profile"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  "$target_dir/wasm32-unknown-unknown/$profile/bench-decode-wasm.wasm"
if [[ "$profile" == release ]]; then opt=-Oz; else opt=-O3; fi
wasm-opt "$opt" "$out/bench-decode-wasm_bg.wasm" -o "$out/bench-decode-wasm_bg.wasm"
ls -l "$out"
