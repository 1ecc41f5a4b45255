#!/usr/bin/env bash
# Serves the app at http://127.0.0.1:8080 with the embedded default (a demo issuer and three
# demo residents are made in the browser on first run). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --app
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
exec trunk serve --release
