#!/usr/bin/env bash
# Wall time and peak memory of memlab (Meta's heap analyser) on one V8 heap snapshot, for
# comparison with leakscope:
#
#   bench/v8/memlab.sh [SNAPSHOT]          # default: bench/data/v8/big.heapsnapshot
#
# Runs `memlab analyze object-size --snapshot SNAPSHOT` (a full parse plus dominators and
# retained sizes) under GNU time and prints "wall_s=<seconds> max_rss_kb=<KB>" on the last line.
# memlab's own output goes to stderr.
#
# memlab 2.0.5 is installed on first use into $MEMLAB_DIR (default ../bench-tools/memlab, i.e.
# beside the repository; relative paths are taken from the repository root). Installing needs npm
# and the npm registry; puppeteer's Chrome download is skipped (not needed for `analyze`).
#
# Notes:
# * memlab.js has the shebang `#!/usr/bin/env node --expose-gc --max-old-space-size=4096`
#   (no `-S`), so `npx memlab` spins at 100 % CPU on Linux: node is started directly here.
# * --max-old-space-size=16000 (memlab's shebang asks for 4096) so that the heap limit never decides
#   the outcome; the ~540 MB benchmark snapshot peaks at about 2.2 GB RSS.
#   MEMLAB_HEAP_MB overrides it.
# * Needs GNU time (`apt-get install time`).
set -euo pipefail
cd "$(dirname "$0")/../.."

snapshot=${1:-bench/data/v8/big.heapsnapshot}
memlab_dir=${MEMLAB_DIR:-../bench-tools/memlab}
memlab_version=2.0.5
heap_mb=${MEMLAB_HEAP_MB:-16000}

[ -e "$snapshot" ] || { echo "no snapshot at $snapshot (see bench/v8/README.md)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }

cli=$memlab_dir/node_modules/@memlab/cli/bin/memlab.js
if [ ! -e "$cli" ]; then
  echo "installing memlab@$memlab_version into $memlab_dir" >&2
  mkdir -p "$memlab_dir"
  [ -e "$memlab_dir/package.json" ] || echo '{"private": true}' > "$memlab_dir/package.json"
  (cd "$memlab_dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm i --ignore-scripts --no-audit --no-fund \
    "memlab@$memlab_version" >&2)
fi

timing=$(mktemp)
trap 'rm -f "$timing"' EXIT
echo "+ node --expose-gc --max-old-space-size=$heap_mb $cli analyze object-size --snapshot $snapshot" >&2
/usr/bin/time -v -o "$timing" \
  node --expose-gc --max-old-space-size="$heap_mb" "$cli" analyze object-size --snapshot "$snapshot" >&2

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:27.14" -> seconds
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
  n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$timing")
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$timing")
echo "wall_s=$wall max_rss_kb=$rss"
