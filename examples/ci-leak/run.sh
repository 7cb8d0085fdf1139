#!/usr/bin/env bash
# Run the ci-leak example end to end, as CI does:
#
#   examples/ci-leak/run.sh [PATH-TO-LEAKSCOPE]    (default: target/release/leakscope)
#
# Captures four heap snapshots of service.js with its leak switched on, and four with it off,
# then expects `leakscope check` to fail the leaky series (exit 1) and pass the fixed one (exit 0).
set -euo pipefail

# A relative path to the binary is taken from the caller's directory.
leakscope="${1:-}"
if [[ -n "$leakscope" && "$leakscope" != /* ]]; then
  leakscope="$PWD/$leakscope"
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
leakscope="${leakscope:-$PWD/target/release/leakscope}"
policy=examples/ci-leak/leakscope.toml

fail() {
  echo "run.sh: FAIL: $*" >&2
  exit 1
}

[[ -x "$leakscope" ]] || fail "no leakscope binary at $leakscope (build it with: cargo build --release)"
command -v node >/dev/null || fail "node is not on PATH"

# Bound every step in time where coreutils' timeout is available (capture.js bounds itself too).
bounded() {
  local seconds="$1"
  shift
  if command -v timeout >/dev/null; then
    timeout --kill-after=5 "$seconds" "$@"
  else
    "$@"
  fi
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/leakscope-ci-leak.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "== capturing: service.js --leak"
bounded 90 node examples/ci-leak/capture.js "$tmp/leaky" --leak || fail "capture of the leaky service failed"
echo "== capturing: service.js (fixed)"
bounded 90 node examples/ci-leak/capture.js "$tmp/fixed" || fail "capture of the fixed service failed"

# check SERIES EXPECTED-EXIT-CODE: run leakscope check on the series' snapshots, in order.
check() {
  local series="$1" expected="$2" code=0
  local snapshots=("$tmp/$series"/checkpoint-{1,2,3,4}.heapsnapshot)
  echo "== leakscope check --policy $policy <$series checkpoint-1..4>: expecting exit code $expected"
  bounded 120 "$leakscope" check --policy "$policy" "${snapshots[@]}" || code=$?
  if [[ "$code" -ne "$expected" ]]; then
    fail "leakscope check on the $series series exited with $code, expected $expected"
  fi
  echo "== ok: $series series: exit code $code"
}

check leaky 1
check fixed 0
echo "== ci-leak: all expectations met"
