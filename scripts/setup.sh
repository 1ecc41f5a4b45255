#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test healthcode; each step is skipped
# when the right version is already there. Nothing downloads a prebuilt binary: tools come
# from crates.io, npm and Debian's packages.
#
#   scripts/setup.sh          everything (build + browser tests)
#   scripts/setup.sh --app    only what building and serving the app needs
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
[[ "${1:-}" == "--app" ]] && want_browser=0

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen that Cargo.lock pins.
WASM_BINDGEN_VERSION=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

step() { printf '\n== setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]]; then
  step "cargo install trunk $TRUNK_VERSION (about 12 minutes on 2 cores)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes)"
  # Not --locked: its lockfile wants a crate version the registry mirror lacks.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm packages: binaryen 132 (wasm-opt for Trunk; Debian's 108 breaks the app),
# playwright-core and pngjs (browser tests), puppeteer-core (Firefox) and selenium-webdriver
# (WebKit). No browser is downloaded: PUPPETEER_SKIP_DOWNLOAD (puppeteer-core fetches none
# anyway), and the browsers are Debian's.
if [[ ! -x node_modules/.bin/wasm-opt || ! -d node_modules/playwright-core || ! -d node_modules/puppeteer-core \
      || ! -d node_modules/selenium-webdriver || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

# cargo-fuzz, for the short fuzz run of the tests; only where a nightly toolchain exists
# (libFuzzer needs it; none is downloaded).
if [[ $want_browser == 1 ]] && rustup toolchain list | grep -q '^nightly' && ! cargo fuzz --version >/dev/null 2>&1; then
  step "cargo install cargo-fuzz (about 2 minutes)"
  cargo install cargo-fuzz --locked
fi

if [[ $want_browser == 1 ]]; then
  missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  [[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
  # The other two engines of the cross-engine suite (tests/e2e/engines.test.mjs): Firefox ESR,
  # and WebKitGTK (WebKitWebDriver and MiniBrowser), which needs an X display: Xvfb.
  [[ -x /usr/bin/firefox-esr ]] || missing+=(firefox-esr)
  [[ -x /usr/bin/WebKitWebDriver ]] || missing+=(webkit2gtk-driver)
  { [[ -x /usr/bin/Xvfb ]] && [[ -x /usr/bin/xvfb-run ]]; } || missing+=(xvfb)
  # CJK glyphs for the masked names in screenshots (phones have their own fonts).
  [[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]] || missing+=(fonts-noto-cjk)
  if (( ${#missing[@]} )); then
    step "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}"
  fi
fi
step "done"
