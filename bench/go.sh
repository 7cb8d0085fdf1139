#!/usr/bin/env bash
# The Go rows of bench/run.sh alone, leakscope and `go tool pprof` side by side in one run, so
# that their ratio holds whatever the machine's speed that day. BEFORE=path/to/leakscope adds
# an older build's rows (before/after of a change).
#
#   bench/go.sh                  # RUNS=5 leakscope runs, PEER_RUNS=3 pprof runs (medians)
#
# Needs the bigheap pair in bench/data/bigheap (bench/run.sh makes it), Go on PATH and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
peer_runs=${PEER_RUNS:-3}
a=bench/data/bigheap/heap-A.pb.gz
b=bench/data/bigheap/heap-B.pb.gz
dump=../shared/fixtures/go/large/mass-watch-iter100000-goroutine-debug2.txt
[ -e "$b" ] || { echo "no $b: run bench/run.sh first" >&2; exit 1; }
cargo build --release --locked -q
leakscope=$PWD/target/release/leakscope

# "| name | median wall | median peak RSS |" of $n runs of the command.
row() {
  local n=$1 name=$2 walls=() kbs=() out
  shift 2
  out=$(mktemp)
  for _ in $(seq "$n"); do
    # Exit code 1 is leakscope's "a leak was found", a result to time.
    /usr/bin/time -o "$out" -f "%e %M" "$@" >/dev/null 2>&1 || [ $? = 1 ]
    read -r wall kb < <(tail -n 1 "$out")
    walls+=("$wall"); kbs+=("$kb")
  done
  rm -f "$out"
  local mid=$(( (n + 1) / 2 ))
  printf '| %s | %s s | %s MB |\n' "$name" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${mid}p")" \
    "$(( $(printf '%s\n' "${kbs[@]}" | sort -n | sed -n "${mid}p") / 1024 ))"
}

echo "| command | median wall | median peak RSS |"
echo "|---|---|---|"
for bin in ${BEFORE:+"$BEFORE"} "$leakscope"; do
  label=leakscope
  [ "$bin" = "${BEFORE:-}" ] && label="leakscope (before)"
  row "$runs" "$label top heap-A.pb.gz" "$bin" top "$a"
  row "$runs" "$label diff heap-A.pb.gz heap-B.pb.gz" "$bin" diff "$a" "$b"
  row "$runs" "$label scan heap-A.pb.gz heap-B.pb.gz" "$bin" scan "$a" "$b"
  if [ -e "$dump" ]; then
    row "$runs" "$label top (100,505-goroutine dump)" "$bin" top "$dump"
  fi
done
if command -v go >/dev/null; then
  row "$peer_runs" "go tool pprof -top heap-A.pb.gz" go tool pprof -top "$a"
  row "$peer_runs" "go tool pprof -top -diff_base heap-A.pb.gz heap-B.pb.gz" \
    go tool pprof -top -diff_base "$a" "$b"
fi
