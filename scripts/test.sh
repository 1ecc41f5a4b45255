#!/usr/bin/env bash
# Runs every test: formatting and lints (native and wasm32), the Rust unit and integration
# tests, the release build of the app, the end-to-end tests in headless Chromium, and the
# cross-engine end-to-end tests in Chromium, Firefox ESR and WebKitGTK (under Xvfb).
# Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== test: %s\n' "$*"; }
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy (native)"
cargo clippy --all-targets -- -D warnings
step "cargo clippy (wasm32: the resident and staff bundles, the scanner worker)"
cargo clippy --target wasm32-unknown-unknown --no-default-features --features staff --lib --bin healthcode-app --bin healthcode-staff --bin scanner-worker -- -D warnings
step "cargo test"
cargo test
if rustup toolchain list | grep -q '^nightly' && cargo fuzz --version >/dev/null 2>&1; then
  step "short fuzz run (30 s) of the path from QR text to verdict"
  scripts/fuzz.sh 30
else
  step "short fuzz run skipped: no nightly toolchain or cargo-fuzz on this machine"
fi
step "trunk build --release"
trunk build --release
step "end-to-end tests (headless Chromium)"
cargo build --bin healthcode --example log_fill   # the CLI, and the test tooling that fills a log
chromium_tests=()
for f in tests/e2e/*.test.mjs; do
  [[ $f == tests/e2e/engines.test.mjs ]] || chromium_tests+=("$f")
done
node --test --test-concurrency=1 "${chromium_tests[@]}"
step "end-to-end tests in every engine (Chromium, Firefox ESR, WebKitGTK under Xvfb)"
xvfb-run -a -s '-screen 0 1280x1024x24' node --test --test-concurrency=1 tests/e2e/engines.test.mjs
