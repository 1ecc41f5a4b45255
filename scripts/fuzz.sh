#!/usr/bin/env bash
# Fuzzes the full path from QR text to verdict (fuzz/fuzz_targets/verify.rs) with cargo-fuzz.
#
#   scripts/fuzz.sh [SECONDS] [LIBFUZZER_ARG...]     (default 60 seconds)
#
# 1. Makes seed inputs in fuzz/corpus/verify/ with the native CLI: a presentation, its
#    credential and a trust list (valid-looking messages, so the fuzzer gets deep quickly;
#    their keys are random, so they do not verify in the target), plus a few codes signed
#    with the target's fixture issuer key (these do verify) and the bare message prefixes.
# 2. Runs `cargo +nightly fuzz run verify -- -max_total_time=SECONDS -max_len=4096 ...`
#    and prints libFuzzer's final "Done N runs in S second(s)" line.
#
# Exits non-zero if the fuzzer finds a crash (the input is saved under fuzz/artifacts/verify/).
# The full libFuzzer log is kept in fuzz/target/fuzz-verify.log.
#
# Environment: FUZZ_SANITIZER=none|address|... is passed to `cargo fuzz run -s` (default:
# cargo-fuzz's default, address). Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a
# nightly toolchain.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
export PATH="$HOME/.cargo/bin:$PATH"

DURATION="${1:-60}"
if [ $# -gt 0 ]; then shift; fi
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [ "$DURATION" -eq 0 ]; then
    echo "usage: scripts/fuzz.sh [SECONDS] [LIBFUZZER_ARG...]" >&2
    exit 2
fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

CORPUS="$ROOT/fuzz/corpus/verify"
LOG="$ROOT/fuzz/target/fuzz-verify.log"
mkdir -p "$CORPUS" "$ROOT/fuzz/target"

# --- Seeds, made with the native CLI --------------------------------------------------------
# The checkpoint clock of the target (NOW in fuzz/fuzz_targets/verify.rs), so the seeds'
# validity windows and timestamps fit it.
SEED_NOW=1800000000
# The target's trusted issuer key seed (ISSUER_SEED in fuzz/fuzz_targets/verify.rs: 32 bytes
# of 0x5a), as a secret key file. Codes issued with it verify in the target, so the fuzzer
# starts with the success path (policy verdict, issuer invariant) covered.
FIXTURE_ISSUER_HEX="$(printf '5a%.0s' {1..32})"

# Runs the CLI quietly; shows its messages only if it fails.
hc() {
    local err
    err="$(cargo run --quiet --bin healthcode -- "$@" 2>&1 >/dev/null)" || {
        printf 'fuzz.sh: healthcode %s failed:\n%s\n' "$1" "$err" >&2
        return 1
    }
}

# seed NAME FILE: FILE's text (without the CLI's final newline) as corpus entry seed-NAME.
seed() { printf '%s' "$(tr -d '\r\n' <"$2")" >"$CORPUS/seed-$1"; }

make_seeds() {
    local w=$1 failed=0
    hc keygen --out "$w/K" && hc keygen --out "$w/H" && hc keygen --out "$w/R" || return 1
    printf '%s\n' "$FIXTURE_ISSUER_HEX" >"$w/F"

    # A green code, its live presentation and a trust list naming its issuer (random keys:
    # these do not verify in the target).
    { hc issue --issuer-key "$w/K" --holder "$w/H.pub" --colour green \
        --name "Z*** W**" --id-last4 1234 --now "$SEED_NOW" --out "$w/cred.txt" &&
        seed cred "$w/cred.txt" &&
        hc present --credential "$w/cred.txt" --holder-key "$w/H" --now "$SEED_NOW" \
            --out "$w/pres.txt" &&
        seed pres "$w/pres.txt"; } || failed=1
    { hc trust-list --root-key "$w/R" --issuer "X=$w/K.pub" --now "$SEED_NOW" \
        --out "$w/t.txt" && seed trust "$w/t.txt"; } || failed=1

    # Codes by the target's trusted issuer: a live green code (verifies), a red one, a
    # paper code, a pass shown with a presentation, a revocation list.
    { hc issue --issuer-key "$w/F" --holder "$w/H.pub" --colour green \
        --name "Z*** W**" --id-last4 1234 --now "$SEED_NOW" --out "$w/fcred.txt" &&
        hc present --credential "$w/fcred.txt" --holder-key "$w/H" --now "$SEED_NOW" \
            --out "$w/fpres.txt" &&
        seed fixture-pres "$w/fpres.txt"; } || failed=1
    { hc issue --issuer-key "$w/F" --holder "$w/H.pub" --colour red \
        --name "张*伟" --id-last4 123X --now "$SEED_NOW" --out "$w/fred.txt" &&
        hc present --credential "$w/fred.txt" --holder-key "$w/H" --now "$SEED_NOW" \
            --out "$w/fredp.txt" &&
        seed fixture-pres-red "$w/fredp.txt"; } || failed=1
    { hc issue --issuer-key "$w/F" --paper --colour green --name "W*** F**" \
        --id-last4 5678 --now "$SEED_NOW" --out "$w/paper.txt" &&
        seed fixture-paper "$w/paper.txt"; } || failed=1
    { hc pass --issuer-key "$w/K" --holder "$w/H.pub" --place 330902-0017 \
        --now "$SEED_NOW" --out "$w/pass.txt" &&
        seed pass "$w/pass.txt" &&
        hc present --credential "$w/fcred.txt" --holder-key "$w/H" --pass "$w/pass.txt" \
            --now "$SEED_NOW" --out "$w/fpassp.txt" &&
        seed fixture-pres-pass "$w/fpassp.txt"; } || failed=1
    { hc revocation-list --signer-key "$w/F" --id 0123456789abcdef --id fedcba9876543210 \
        --now "$SEED_NOW" --out "$w/rev.txt" &&
        seed fixture-revocation "$w/rev.txt"; } || failed=1
    return "$failed"
}

echo "== fuzz.sh: making seeds in fuzz/corpus/verify/ (native CLI)"
SEED_WORK="$(mktemp -d)"
trap 'rm -rf "$SEED_WORK"' EXIT
if ! make_seeds "$SEED_WORK"; then
    # The fuzzer still works without them (it starts from the corpus it already has).
    echo "fuzz.sh: WARNING: the CLI could not make every seed (see above); fuzzing anyway" >&2
fi
# Bare prefixes, so even an empty corpus starts at each message kind.
for kind in C P A R T L; do
    printf 'HC%s1:' "$kind" >"$CORPUS/seed-prefix-$kind"
done

# --- Fuzz ------------------------------------------------------------------------------------
FUZZ_ARGS=()
if [ -n "${FUZZ_SANITIZER:-}" ]; then
    FUZZ_ARGS+=(-s "$FUZZ_SANITIZER")
fi

echo "== fuzz.sh: cargo +nightly fuzz run verify for ${DURATION}s (log: fuzz/target/fuzz-verify.log)"
status=0
(
    cd "$ROOT/fuzz"
    cargo +nightly fuzz run "${FUZZ_ARGS[@]}" verify -- \
        -max_total_time="$DURATION" -max_len=4096 "$@"
) >"$LOG" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: FAILED (exit $status): crash or build error; end of the log:" >&2
    tail -n 80 "$LOG" >&2
    if ls "$ROOT"/fuzz/artifacts/verify/* >/dev/null 2>&1; then
        echo "fuzz.sh: artifacts:" >&2
        ls -l "$ROOT"/fuzz/artifacts/verify/ >&2
    fi
    exit 1
fi

grep -E '^#[0-9]+[[:space:]]+DONE' "$LOG" | tail -n 1 || true
done_line="$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$LOG" | tail -n 1 || true)"
if [ -z "$done_line" ]; then
    echo "fuzz.sh: no 'Done N runs' line from libFuzzer; end of the log:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
fi
echo "$done_line"
