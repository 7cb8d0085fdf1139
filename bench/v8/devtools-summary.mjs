#!/usr/bin/env node
// Computes what Chrome DevTools' Memory panel shows for a V8 heap snapshot, by running DevTools'
// own heap snapshot worker code (front_end/entrypoints/heap_snapshot_worker: HeapSnapshotLoader +
// JSHeapSnapshot + SecondaryInitManager) under Node, and writes a golden JSON for leakscope:
// total size, root retained size, node count, the Summary view (per class: count, shallow size,
// retained size; top N by retained) and the N nodes with the largest retained size.
//
// Usage (from the repository root; Node >= 20):
//
//   DEVTOOLS_DIR=../bench-tools/devtools node bench/v8/devtools-summary.mjs \
//       SNAPSHOT.heapsnapshot [OUT.json] [--top-classes 30] [--top-nodes 50] [--setup-only]
//       [--dump-nodes NODES.tsv]
//
// --dump-nodes writes one line per node (id, type, class, self, retained, dominator id, distance;
// self = DevTools' shallow size) for checks of every node rather than the top N.
//
// DEVTOOLS_DIR (default ../bench-tools/devtools, relative to the current directory) is a scratch
// directory outside the repository; DEVTOOLS_VERSION picks the npm version of
// chrome-devtools-frontend (default 1.0.1705227; 1.0.1155899 = the mid-2023 code also works).
// On first use the script fills DEVTOOLS_DIR by itself (needs npm and the npm registry):
//   1. `npm pack chrome-devtools-frontend@$DEVTOOLS_VERSION`, untarred to chrome-devtools-frontend-$V/;
//   2. `npm i esbuild@0.25.12` (in DEVTOOLS_DIR);
//   3. transpiles the .ts modules that the heap snapshot worker imports (transitively) to
//      build-$V/ (types stripped, file by file, no bundling) and copies the .js ones, so Node
//      runs DevTools' own modules unchanged. Only two build-generated files are stubbed
//      (core/i18n/locales.js: UI locale list; in older versions core/platform/dcheck.js: debug
//      assertions, no-ops in release builds).
// The same install by hand:
//   mkdir -p "$DEVTOOLS_DIR" && cd "$DEVTOOLS_DIR" && echo '{"private":true}' > package.json \
//     && npm pack chrome-devtools-frontend@1.0.1705227 && npm i esbuild@0.25.12
// `--setup-only` just prepares DEVTOOLS_DIR. A .gz snapshot is decompressed on the fly. Nothing
// is written into the repository except OUT.
//
// Shims (no DevTools code is patched): Promise.withResolvers for Node 20, and a `location`
// global that older versions read when core/root is loaded.
//
// In the browser the second half of the initialisation (retainers, dominators, retained sizes)
// runs in a second worker connected by a MessagePort; here both ends of a MessageChannel live in
// the same thread, which runs exactly the same code.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {MessageChannel} from 'node:worker_threads';
import zlib from 'node:zlib';

const DEVTOOLS_VERSION = process.env.DEVTOOLS_VERSION || '1.0.1705227';
const ESBUILD_VERSION = '0.25.12';
const devtoolsDir = path.resolve(process.env.DEVTOOLS_DIR || path.join('..', 'bench-tools', 'devtools'));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i === -1) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i === -1) return false;
  args.splice(i, 1);
  return true;
};
const topClasses = Number(opt('--top-classes', 30));
const topNodes = Number(opt('--top-nodes', 50));
const setupOnly = flag('--setup-only');
const dumpNodes = opt('--dump-nodes', null);
const [snapshotPath, outPath] = args;
if (!snapshotPath && !setupOnly) {
  console.error('usage: node devtools-summary.mjs SNAPSHOT.heapsnapshot[.gz] [OUT.json] ' +
                '[--top-classes N] [--top-nodes N] [--setup-only] [--dump-nodes NODES.tsv]');
  process.exit(2);
}

// ---- 1. Make sure the DevTools sources are unpacked and transpiled.
// The worker's .ts modules are transpiled one-to-one to .js with esbuild (types stripped, no
// bundling, no other change), so Node loads DevTools' own module graph unchanged. Two files that
// DevTools' build generates are stubbed: core/i18n/locales.js (list of UI locales) and, in older
// versions, core/platform/dcheck.js (debug assertions, a no-op in release builds).
function setup() {
  const pkgRoot = path.join(devtoolsDir, `chrome-devtools-frontend-${DEVTOOLS_VERSION}`);
  const outRoot = path.join(devtoolsDir, `build-${DEVTOOLS_VERSION}`);
  const done = path.join(outRoot, '.complete');
  if (fs.existsSync(done)) return outRoot;
  fs.mkdirSync(devtoolsDir, {recursive: true});
  const run = (cmd, cmdArgs, cwd = devtoolsDir) =>
    execFileSync(cmd, cmdArgs, {cwd, stdio: ['ignore', 'inherit', 'inherit'], maxBuffer: 1 << 26});
  if (!fs.existsSync(pkgRoot)) {
    const tgz = `chrome-devtools-frontend-${DEVTOOLS_VERSION}.tgz`;
    if (!fs.existsSync(path.join(devtoolsDir, tgz))) run('npm', ['pack', `chrome-devtools-frontend@${DEVTOOLS_VERSION}`]);
    fs.mkdirSync(pkgRoot);
    run('tar', ['xzf', tgz, '-C', pkgRoot, '--strip-components=1']);
  }
  const esbuildBin = path.join(devtoolsDir, 'node_modules', '.bin', 'esbuild');
  if (!fs.existsSync(esbuildBin)) {
    if (!fs.existsSync(path.join(devtoolsDir, 'package.json'))) {
      fs.writeFileSync(path.join(devtoolsDir, 'package.json'), '{"private": true}\n');
    }
    run('npm', ['i', '--no-audit', '--no-fund', `esbuild@${ESBUILD_VERSION}`]);
  }
  fs.rmSync(outRoot, {recursive: true, force: true});
  // Follow the import graph from the two worker modules; transpile the .ts files reached, copy the
  // .js ones.
  const entries = ['front_end/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.ts',
                   'front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts'];
  const seen = new Set(entries);
  const queue = [...entries];
  const tsFiles = [];
  // static imports/re-exports, and dynamic imports of literal paths (core/platform picks its
  // host runtime that way); template-literal dynamic imports (UI modules) are left out.
  const importRe =
      /\b(?:import|export)\b\s*(?:type\s+)?(?:[^'"`;]*?\bfrom\s*|\(\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;
  while (queue.length) {
    const rel = queue.shift();
    const abs = path.join(pkgRoot, rel);
    if (!fs.existsSync(abs)) continue;  // build-generated file, stubbed below
    if (rel.endsWith('.ts')) {
      tsFiles.push(rel);
    } else {
      fs.mkdirSync(path.dirname(path.join(outRoot, rel)), {recursive: true});
      fs.copyFileSync(abs, path.join(outRoot, rel));
    }
    for (const m of fs.readFileSync(abs, 'utf8').matchAll(importRe)) {
      let dep = path.join(path.dirname(rel), m[1]);
      const asTs = dep.replace(/\.js$/, '.ts');
      if (dep.endsWith('.js') && fs.existsSync(path.join(pkgRoot, asTs))) dep = asTs;
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  run(esbuildBin, [...tsFiles, `--outdir=${outRoot}`, '--outbase=.', '--format=esm', '--platform=node',
                   '--log-level=error'], pkgRoot);
  const stub = (rel, text) => {
    const f = path.join(outRoot, rel);
    if (fs.existsSync(path.join(pkgRoot, rel.replace(/\.js$/, '.d.ts'))) && !fs.existsSync(path.join(pkgRoot, rel))) {
      fs.writeFileSync(f, text);
    }
  };
  stub('front_end/core/i18n/locales.js',
       'export const LOCALES = [\'en-US\'];\nexport const BUNDLED_LOCALES = [\'en-US\'];\n' +
       'export const DEFAULT_LOCALE = \'en-US\';\nexport const REMOTE_FETCH_PATTERN = \'\';\n' +
       'export const LOCAL_FETCH_PATTERN = \'./locales/@LOCALE@.json\';\n');
  stub('front_end/core/platform/dcheck.js', 'export function DCHECK(condition, message = \'DCHECK\') {}\n');
  fs.writeFileSync(path.join(outRoot, 'package.json'), '{"type": "module"}\n');
  fs.writeFileSync(done, '');
  return outRoot;
}

const outRoot = setup();
if (setupOnly) {
  console.log(outRoot);
  process.exit(0);
}
// Node 20 lacks Promise.withResolvers (ES2024, Node >= 22), which newer DevTools code uses.
if (!Promise.withResolvers) {
  Promise.withResolvers = function() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return {promise, resolve, reject};
  };
}
// Older versions read `location` (a browser global) when core/root is loaded.
globalThis.location ??= new URL('devtools://devtools/bundled/devtools_app.html');
globalThis.self ??= globalThis;
const workerDir = path.join(outRoot, 'front_end', 'entrypoints', 'heap_snapshot_worker');
const HeapSnapshotLoader = await import(pathToFileURL(path.join(workerDir, 'HeapSnapshotLoader.js')).href);
const HeapSnapshot = await import(pathToFileURL(path.join(workerDir, 'HeapSnapshot.js')).href);

// ---- 2. Feed the file to DevTools' streaming loader in chunks, as the Memory panel does.
// A stand-in for the worker dispatcher collects progress/problem events (e.g. "N nodes are
// unreachable from the root").
const problems = [];
const dispatcher = {
  sendEvent(name, data) {
    if (name === 'BrokenSnapshot') problems.push(String(data));
  },
};
const t0 = performance.now();
const loader = new HeapSnapshotLoader.HeapSnapshotLoader(dispatcher);
let stream = fs.createReadStream(snapshotPath, {highWaterMark: 4 << 20});
if (snapshotPath.endsWith('.gz')) stream = stream.pipe(zlib.createGunzip());
stream.setEncoding('utf8');
for await (const chunk of stream) {
  loader.write(chunk);
  await new Promise((r) => setImmediate(r));  // let the parser consume the chunk
}
loader.close();

let snapshot;
const origWarn = console.warn;
console.warn = (...a) => problems.push(a.join(' '));  // newer versions report problems here
if (HeapSnapshot.SecondaryInitManager) {
  // Newer DevTools: parsing completes asynchronously, then initialisation is split
  // between this worker and a second one (retainers, dominators, retained sizes).
  await loader.parsingComplete;
  const {port1, port2} = new MessageChannel();
  new HeapSnapshot.SecondaryInitManager(port2);
  snapshot = await loader.buildSnapshot(port1);
  port1.close();
} else {
  // Older DevTools: everything happens synchronously in the JSHeapSnapshot constructor.
  await new Promise((r) => setTimeout(r, 0));  // let the last parse step (strings) finish
  snapshot = loader.buildSnapshot();
}
console.warn = origWarn;
const loadSeconds = (performance.now() - t0) / 1000;
const nodeValue = (i) => (typeof snapshot.nodes.getValue === 'function' ? snapshot.nodes.getValue(i) : snapshot.nodes[i]);

// ---- 3. Summary view: the same call the Summary view makes ({} = no filter, "All objects").
const aggregates = snapshot.aggregatesWithFilter({});
const classRows = Object.entries(aggregates).map(([key, a]) => ({
  name: a.name ?? key,  // older versions set name only for object/native classes; key = class name
  count: a.count,
  self: a.self,
  retained: a.maxRet,
  distance: a.distance,
  key,
}));
const byRetained = (a, b) => b.retained - a.retained || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
classRows.sort(byRetained);
const nameCounts = new Map();
for (const r of classRows) nameCounts.set(r.name, (nameCounts.get(r.name) || 0) + 1);

// ---- 4. Per-node data for strict checks.
const n = snapshot.nodeCount;
const nf = snapshot.nodeFieldCount;
const node = snapshot.createNode(0);
const rs = snapshot.retainedSizes;
const ids = new Float64Array(n);
for (let i = 0; i < n; i++) ids[i] = nodeValue(i * nf + snapshot.nodeIdOffset);
const order = Array.from({length: n}, (_, i) => i);
order.sort((a, b) => rs[b] - rs[a] || ids[a] - ids[b]);
const NAME_MAX = 80;  // long names (string contents, regexps) are clipped to 80 chars + '…'
const clip = (s) => (s.length > NAME_MAX ? s.slice(0, NAME_MAX) + '\u2026' : s);
const nodeRows = order.slice(0, topNodes).map((ordinal) => {
  node.nodeIndex = ordinal * nf;
  const dom = snapshot.createNode(snapshot.dominatorsTree[ordinal] * nf);
  return {
    id: node.id(),
    name: clip(node.name()),
    class: node.className(),
    type: node.type(),
    self: node.selfSize(),
    raw_self: 0,  // filled in below
    retained: rs[ordinal],
    distance: node.distance(),
    dominator_id: dom.id(),
  };
});

// Raw self sizes, straight from the file's "nodes" array: newer DevTools moves the self size of
// array/hidden nodes owned by exactly one object onto that object
// (JSHeapSnapshot.calculateShallowSizes), so "self" can differ from the file's self_size.
const sizeOff = snapshot.nodeSelfSizeOffset;
const original = await readNodesArray(snapshotPath, nf * n);
let changedSelf = 0;
for (let i = 0; i < original.length; i += nf) {
  if (original[i + sizeOff] !== nodeValue(i + sizeOff)) changedSelf++;
}
const rawSelfById = new Map();
const wanted = new Set(nodeRows.map((r) => r.id));
for (let i = 0; i < original.length; i += nf) {
  const id = original[i + snapshot.nodeIdOffset];
  if (wanted.has(id)) rawSelfById.set(id, original[i + sizeOff]);
}
for (const r of nodeRows) r.raw_self = rawSelfById.get(r.id);

// Reads the "nodes" array of a snapshot file again (streaming; small helper, no DevTools code).
async function readNodesArray(file, length) {
  const out = new Uint32Array(length);
  let s = fs.createReadStream(file, {highWaterMark: 4 << 20});
  if (file.endsWith('.gz')) s = s.pipe(zlib.createGunzip());
  const st = {k: 0, num: -1, state: 0, pending: ''};
  for await (const buf of s) {
    if (st.state === 0) {
      const str = st.pending + buf.toString('latin1');
      const at = str.indexOf('"nodes":[');
      if (at === -1) {
        st.pending = str.slice(-16);
        continue;
      }
      st.state = 1;
      scan(Buffer.from(str.slice(at + 9), 'latin1'), out, st);
    } else {
      scan(buf, out, st);
    }
    if (st.state === 2) break;
  }
  if (st.k !== length) throw new Error(`nodes array: read ${st.k} values, expected ${length}`);
  return out;
}
function scan(buf, out, st) {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      st.num = (st.num < 0 ? 0 : st.num * 10) + (c - 48);
    } else {
      if (st.num >= 0) {
        out[st.k++] = st.num;
        st.num = -1;
      }
      if (c === 93) {  // ']'
        st.state = 2;
        return;
      }
    }
  }
}

if (dumpNodes) {
  const out = fs.createWriteStream(dumpNodes);
  out.write('id\ttype\tclass\tself\tretained\tdominator_id\tdistance\n');
  let buf = '';
  for (let ord = 0; ord < n; ord++) {
    node.nodeIndex = ord * nf;
    const domOrd = snapshot.dominatorsTree[ord];
    buf += `${ids[ord]}\t${node.type()}\t${JSON.stringify(node.className())}\t${node.selfSize()}\t${rs[ord]}\t` +
        `${ids[domOrd]}\t${node.distance()}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise((r) => out.on('finish', r));
}

// ---- 4b. Which of DevTools' dominator-edge rules fire on this snapshot (counted here with the
// same definitions as JSHeapSnapshot; the rule set itself is whatever the loaded version has).
const edgeStats = (() => {
  const {containmentEdges, edgeFieldsCount, edgeTypeOffset, edgeNameOffset, edgeToNodeOffset,
         edgeWeakType, edgeShortcutType, edgeInternalType} = snapshot;
  const ev = (i) => (typeof containmentEdges.getValue === 'function' ? containmentEdges.getValue(i) : containmentEdges[i]);
  const rootIndex = snapshot.rootNodeIndex ?? snapshot.rootNodeIndexInternal;
  const mf = snapshot.userObjectsMapAndFlag();
  const isPage = (ordinal) => Boolean(mf && (mf.map[ordinal] & mf.flag));
  const weakMapRe = /^\d+(?<dup> \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<table>\d+)\))$/;
  const st = {edges: 0, weak: 0, self: 0, shortcut_not_from_root: 0, weakmap_table_to_value: 0,
              non_page_to_page: 0, root_shortcuts: 0, page_objects: 0};
  let pageObjects = 0;
  for (let i = 0; i < n; i++) if (isPage(i)) pageObjects++;
  st.page_objects = pageObjects;
  const firstEdge = snapshot.firstEdgeIndexes;
  for (let ord = 0; ord < n; ord++) {
    const nodeIndex = ord * nf;
    for (let e = firstEdge[ord]; e < firstEdge[ord + 1]; e += edgeFieldsCount) {
      st.edges++;
      const type = ev(e + edgeTypeOffset);
      const to = ev(e + edgeToNodeOffset);
      if (nodeIndex === rootIndex && type === edgeShortcutType) st.root_shortcuts++;
      if (type === edgeWeakType) {
        st.weak++;
        continue;
      }
      if (type === edgeInternalType) {
        const m = snapshot.strings[ev(e + edgeNameOffset)].match(weakMapRe);
        if (m && Number(m.groups.table) === ids[ord]) {
          st.weakmap_table_to_value++;
          continue;
        }
      }
      if (to === nodeIndex) {
        st.self++;
        continue;
      }
      if (nodeIndex === rootIndex) continue;
      if (type === edgeShortcutType) {
        st.shortcut_not_from_root++;
        continue;
      }
      if (isPage(to / nf) && !isPage(ord)) st.non_page_to_page++;
    }
  }
  if (typeof snapshot.initEssentialEdges === 'function') {
    // Newer versions precompute the rule as a bit vector: count what DevTools itself skips.
    const bits = snapshot.initEssentialEdges();
    let skipped = 0;
    for (let i = 0; i < st.edges; i++) if (!bits.getBit(i)) skipped++;
    st.skipped_by_devtools = skipped;
  }
  return st;
})();

// ---- 5. Write the golden.
const result = {
  source: `chrome-devtools-frontend ${DEVTOOLS_VERSION} (npm), ` +
      'front_end/entrypoints/heap_snapshot_worker (HeapSnapshotLoader + JSHeapSnapshot' +
      (HeapSnapshot.SecondaryInitManager ? ' + SecondaryInitManager' : '') + '), ' +
      `transpiled with esbuild ${ESBUILD_VERSION}, run under Node ${process.version}; ` +
      'Summary = aggregatesWithFilter({}) (All objects)',
  file: path.basename(snapshotPath).replace(/\.gz$/, ''),
  node_count: n,
  edge_count: snapshot.containmentEdges.length / snapshot.edgeFieldsCount,
  total_size: snapshot.totalSize,
  root_retained: snapshot.rootNode().retainedSize(),
  class_count: classRows.length,
  class_names_split_by_location: [...nameCounts].filter(([, c]) => c > 1).map(([name, c]) => ({name, rows: c})),
  nodes_with_changed_self_size: changedSelf,
  // Edge counts per rule (each edge counted under the first rule that matches, in this order).
  // Whether DevTools skips an edge class depends on the version: see docs/devtools-crosscheck.md.
  edge_rule_counts: edgeStats,
  problems: problems.map((p) => p.split('\n')[0]),
  // "location" (scriptId:line:column of the constructor) only for names that DevTools splits into
  // several rows because constructors with the same name live at different source locations.
  classes: classRows.slice(0, topClasses).map(({name, count, self, retained, distance, key}) =>
    (nameCounts.get(name) > 1 ? {name, location: key.split(',').slice(0, 3).join(':'), count, self, retained, distance} :
                                {name, count, self, retained, distance})),
  top_nodes: nodeRows,
};
// One class / node per line.
const json = JSON.stringify(result, null, 1)
  .replace(/\{\n\s+/g, '{').replace(/,\n\s+"(?=[a-z_]+":)/g, ', "').replace(/\n\s+\}/g, '}');
if (outPath) fs.writeFileSync(outPath, json + '\n');
else process.stdout.write(json + '\n');
console.error(`DevTools ${DEVTOOLS_VERSION}: loaded and initialised in ${loadSeconds.toFixed(2)} s; ` +
              `${n} nodes, ${classRows.length} classes, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
