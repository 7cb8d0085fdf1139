#!/usr/bin/env bash
# Fuzzes every reader for a bounded time, starting from corpora built from the real fixtures.
#
#   fuzz/run.sh [SECONDS-PER-TARGET]        (default 30; CI uses the default)
#
# cargo-fuzz drives libFuzzer with sanitizer flags that need a nightly compiler; no nightly
# toolchain can be installed where leakscope is built, so the stable compiler is told to accept
# them (RUSTC_BOOTSTRAP=1). A crash stops the run with its input under fuzz/artifacts/; keep it
# as a regression test in tests/fuzz-regressions/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
python3 fuzz/seed.py
cargo fuzz build
# -detect_leaks=0: LeakSanitizer reports glibc's 32-byte thread-exit record of the V8 reader's
# worker thread as a leak; what leakscope holds is bounded by the readers' own limits instead.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in pprof goroutine_text goroutine_traceback go_heap_text v8_snapshot jemalloc rules_toml; do
  echo "== fuzz $target for ${seconds}s" >&2
  status=0
  cargo fuzz run "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=10 -detect_leaks=0 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^(Done|stat::number_of_executed_units)' "$log" >&2 || true
  if [ "$status" != 0 ]; then
    grep -E -A12 'panicked|ERROR|SUMMARY' "$log" | head -40 >&2 || tail -40 "$log" >&2
    echo "fuzz/run.sh: $target failed; its input is under fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
