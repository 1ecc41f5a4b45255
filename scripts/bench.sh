#!/usr/bin/env bash
# Every benchmark of issue #7 in one command, then one summary table (markdown).
#
#   scripts/bench.sh [--quick]        BENCH_SKIP_CARGO=1 skips step 4 (a cold bench build takes
#                                     minutes on a busy 2-core machine)
#
# 1. decode rate on ../shared/qr-corpus, 0/90/180/270 degrees (scripts/bench-decode.sh);
# 2. screen-through-camera frames: decode rate per degradation and QR level
#    (examples/screen_frames.rs; 24 frames per set and level, 8 with --quick);
# 3. frame time in headless Chromium, ours (wasm) vs zxing-wasm vs jsQR (tests/bench/);
# 4. cargo bench --bench core and --bench issue (criterion --quick), summarised;
# 5. scan-to-verdict latency, bundle sizes and start-up with a 4× slower CPU, if their scripts
#    are in the tree (scripts/bench-latency.mjs, scripts/bundle-size.mjs,
#    scripts/bench-startup.mjs); skipped when missing.
# Full outputs go to $BENCH_OUT (default target/bench-out/). A failing step is reported in the
# table and the others still run; the exit status is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-target}"
out="${BENCH_OUT:-$target/bench-out}"
mkdir -p "$out"
quick=0
[[ "${1:-}" == --quick ]] && quick=1
failed=0
rows=()
row() { rows+=("| $1 | $2 | $3 |"); }
step() { echo "== $1" >&2; }

step "decode rate (scripts/bench-decode.sh)"
if scripts/bench-decode.sh >"$out/decode-rate.txt" 2>"$out/decode-rate.err"; then
  for set in zxing zxing-cpp; do
    ref=$([[ $set == zxing ]] && echo 166/179 || echo 125/137)
    counts=$(awk -v s="$set TOTAL" '$0 ~ "^"s" " && $3 != "all" {printf "%s%s° %s", sep, $3, $4; sep=", "}' "$out/decode-rate.txt")
    times=$(awk -v s="$set TOTAL" '$0 ~ "^"s" " && $3 == "all" {print "median " $7 " ms, p95 " $8 " ms (native)"}' "$out/decode-rate.txt")
    row "decode rate, corpus $set (zxing-cpp 3.1.1: $ref)" "$counts" "$times"
  done
  for kind in code no-code; do
    t=$(awk -v s="synthetic/$kind-640x480" '$1 == s && $2 == 0 {print $3 ", median " $6 " ms, p95 " $7 " ms"}' "$out/decode-rate.txt")
    row "native decode, generated $kind 640x480, upright" "$t" "release profile (opt-level z)"
  done
else
  failed=1; row "decode rate" "FAILED" "see $out/decode-rate.err"
fi

step "screen-through-camera frames (examples/screen_frames.rs)"
n=24; [[ $quick == 1 ]] && n=8
if cargo build --release --example screen_frames 2>"$out/screen-frames.err" &&
  "$target/release/examples/screen_frames" --frames "$n" >"$out/screen-frames.txt" 2>>"$out/screen-frames.err"; then
  head -1 "$out/screen-frames.txt" | sed 's/^screen_frames: //' >"$out/screen-frames.head"
  while read -r set l m q h _; do
    row "screen frames: $set (L / M / Q / H)" "$l / $m / $q / $h" ""
  done < <(awk 'NR > 2' "$out/screen-frames.txt")
else
  failed=1; row "screen frames" "FAILED" "see $out/screen-frames.err"
fi

step "frame time in Chromium (tests/bench/frame-time.mjs)"
if "$target/release/examples/screen_frames" --bench-frames tests/bench/frames >/dev/null 2>>"$out/frame-time.err" &&
  tests/bench/build-wasm.sh wasmbench >>"$out/frame-time.err" 2>&1 &&
  node tests/bench/frame-time.mjs --profile wasmbench $([[ $quick == 1 ]] && echo --quick) \
    --json "$out/frame-time.json" >"$out/frame-time.txt" 2>>"$out/frame-time.err"; then
  while IFS= read -r line; do rows+=("$line"); done < <(node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const f = (x) => x.toFixed(1);
    for (const r of j.rows) {
      const o = r["ours-stream"], z = r["zxing-wasm"], q = r.jsqr, p = r.ours;
      console.log(`| browser frame time: ${r.group} | ours per frame (FrameDecoder, read within 8 frames) ${o.ok}/${o.n} ${f(o.median)}/${f(o.p95)} ms; ours full effort, one frame ${p.ok}/${p.n} ${f(p.median)}/${f(p.p95)} ms; zxing-wasm ${z.ok}/${z.n} ${f(z.median)}/${f(z.p95)} ms; jsQR ${q.ok}/${q.n} ${f(q.median)}/${f(q.p95)} ms | ours per frame ÷ zxing-wasm ${(o.median / z.median).toFixed(2)}, ÷ jsQR ${(o.median / q.median).toFixed(2)} (medians) |`);
    }' "$out/frame-time.json")
else
  failed=1; row "browser frame time" "FAILED" "see $out/frame-time.err"
fi

step "cargo bench (criterion --quick)"
benches=(core issue)
[[ "${BENCH_SKIP_CARGO:-0}" == 1 ]] && { benches=(); row "cargo bench" "skipped (BENCH_SKIP_CARGO=1)" ""; }
for b in "${benches[@]}"; do
  if cargo bench --bench "$b" -- --quick >"$out/bench-$b.txt" 2>"$out/bench-$b.err"; then
    while IFS= read -r line; do rows+=("$line"); done < <(awk -v b="$b" '
      /time:/ { name = ($1 == "time:") ? prev : $0; sub(/ +time:.*/, "", name);
                match($0, /\[.*\]/); t = substr($0, RSTART + 1, RLENGTH - 2); split(t, a, " ");
                printf "| cargo bench --bench %s: %s | %s %s | criterion --quick estimate |\n", b, name, a[3], a[4] }
      { if ($0 !~ /^ /) prev = $0 }' "$out/bench-$b.txt")
  else
    failed=1; row "cargo bench --bench $b" "FAILED" "see $out/bench-$b.err"
  fi
done

step "latency, bundle size and start-up (other scripts, if present)"
for s in scripts/bench-latency.mjs scripts/bundle-size.mjs scripts/bench-startup.mjs; do
  if [[ -f "$s" ]]; then
    if node "$s" >"$out/$(basename "$s").txt" 2>"$out/$(basename "$s").err"; then
      row "$s" "$(tail -n 5 "$out/$(basename "$s").txt" | tr '\n' ';' | sed 's/|/\\|/g')" "full output: $out/$(basename "$s").txt"
    else
      failed=1; row "$s" "FAILED" "see $out/$(basename "$s").err"
    fi
  else
    row "$s" "skipped (not in the tree)" ""
  fi
done

echo
echo "Benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
echo "| benchmark | result | notes |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
exit "$failed"
