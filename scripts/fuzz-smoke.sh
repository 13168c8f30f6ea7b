#!/usr/bin/env bash
# Runs every cargo-fuzz target for a fixed time and prints a Markdown table: target, seconds,
# executions, executions per second, corpus entries, and the verdict (a crash, a timeout or an
# out-of-memory stops the target, and its artifact is kept under fuzz/artifacts/).
#
#   bash scripts/fuzz-smoke.sh [SECONDS] [TARGET ...]     (default: 60 s, every target)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz` is run when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT
echo "| target | seconds | executions | exec/s | corpus | verdict |"
echo "|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  mkdir -p "fuzz/corpus/$t"
  log="$log_dir/$t.log"
  # -rss_limit_mb and -timeout turn runaway memory and time into findings, not hangs.
  if cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
      -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      >"$log" 2>&1; then
    verdict="no crash"
  else
    why=$(grep -m1 -E 'ERROR: libFuzzer|panicked at|SUMMARY|^error' "$log" || tail -n1 "$log")
    verdict="FAILED: ${why:0:100} (log kept: fuzz/artifacts/$t.log)"
    mkdir -p fuzz/artifacts && cp "$log" "fuzz/artifacts/$t.log"
  fi
  runs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  rate=$(grep -m1 -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  echo "| $t | $secs | $runs | $rate | $corpus | $verdict |"
done
