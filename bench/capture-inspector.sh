#!/usr/bin/env bash
# Peak memory of `leakscope capture` taking a large heap snapshot through the Node inspector:
# examples/leaky-node holds BALLAST objects (2,300,000 by default: a snapshot of ~500 MB), and
# one capture streams its snapshot to disk. Prints the snapshot's size, the wall time and
# leakscope's peak RSS, for docs/performance.md. Needs Node and GNU time.
#
#   bench/capture-inspector.sh            # BALLAST=N for another size
set -euo pipefail
cd "$(dirname "$0")/.."
ballast=${BALLAST:-2300000}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
cargo build --release --locked -q
scratch=$(mktemp -d)
node --inspect=127.0.0.1:0 examples/leaky-node/server.js --ballast "$ballast" --requests 0 \
  --lifetime 300 >"$scratch/node.out" 2>"$scratch/node.err" &
node_pid=$!
trap 'kill $node_pid 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 100); do
  grep -q '^listening on' "$scratch/node.out" 2>/dev/null && break
  sleep 0.2
done
address=$(grep -o 'ws://[0-9.]*:[0-9]*' "$scratch/node.err" | head -1 | sed 's|ws://||')
[ -n "$address" ] || { echo "node did not open its inspector" >&2; exit 1; }
/usr/bin/time -f '%e %M' -o "$scratch/time" target/release/leakscope capture \
  "node://$address" --count 1 --quiet --out "$scratch/out" >/dev/null
read -r wall rss_kb <"$scratch/time"
file=$(ls "$scratch"/out/*.heapsnapshot.gz)
raw=$(gzip -dc "$file" | wc -c)
gz=$(stat -c %s "$file")
echo "snapshot: $((raw / 1000000)) MB ($((gz / 1000000)) MB gzipped), $ballast ballast objects"
echo "capture: ${wall} s wall, peak RSS $((rss_kb / 1024)) MiB"
