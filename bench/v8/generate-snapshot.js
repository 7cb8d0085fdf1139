#!/usr/bin/env node
// Builds a large Node.js heap of realistic shape and writes it as a V8 heap snapshot.
//
//   node --expose-gc --max-old-space-size=12000 bench/v8/generate-snapshot.js [out.heapsnapshot]
//
// Default output: bench/data/v8/big.heapsnapshot (relative to the current directory).
// Plain Node (>= 18), no dependencies. With the defaults (Node 20) it writes a ~540 MB snapshot
// with ~6.6 M nodes and ~19 M edges: slightly larger than V8's maximum string length
// (0x1fffffe8 = 536 870 888 chars), so a reader cannot simply JSON.parse the whole file inside
// Node; it has to stream.
//
// Heap contents (all reachable from globalThis unless noted):
//   * globalThis.__bigStore: a Map of ITEMS `Item` objects keyed by number. Each Item has a
//     unique string label (built by concatenation, so V8 keeps a cons string with two flat
//     parts), a `next` pointer to the previous Item (a 1.35 M long chain: graph walks must not
//     recurse) and, for every 8th Item, a small nested `meta` object.
//   * globalThis.__bigTags: an Array of TAG_PAIRS two-element arrays `[Tag, i]`; the Tag
//     objects are shared round-robin from a pool of TAG_POOL (many referrers per object).
//   * The leak: LEAKS `LeakyChannel` objects that the program no longer references directly.
//     Each one registered a listener on the 'connectivity' event of a process-wide
//     EventEmitter (globalThis.__bus) and armed a 30-minute idle Timeout whose callback closes
//     over the channel (both closures share the constructor's context, which holds `this`).
//     The listener array and Node's timer list each keep every channel alive on their own
//     (two independent retainer families, like a client that is recreated without close()).
//     Each channel owns a Buffer and a small history Array so its retained size is visible.
//
// Sizes can be scaled with environment variables ITEMS, TAG_PAIRS, TAG_POOL, LEAKS.
// Memory: the defaults need about 4.3 GB RSS while the snapshot is written (~30 s). Do not scale
// ITEMS far up: 6 M items gives a > 1.3 GB snapshot and ~18 GB RSS.
//
// The script exits by itself right after the snapshot is written (process.exit), so the
// 30-minute timers never keep it alive. It prints a JSON line with timings and the
// snapshot header's node_count / edge_count.
'use strict';

const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { EventEmitter } = require('events');

const out = process.argv[2] || path.join('bench', 'data', 'v8', 'big.heapsnapshot');
const ITEMS = Number(process.env.ITEMS || 1_350_000);
const TAG_PAIRS = Number(process.env.TAG_PAIRS || 350_000);
const TAG_POOL = Number(process.env.TAG_POOL || 1_000);
const LEAKS = Number(process.env.LEAKS || 20_000);
const IDLE_MS = 30 * 60 * 1000; // 30-minute idle timer, like an RPC channel's idle timeout

const t0 = process.hrtime.bigint();
const secondsSince = (t) => Number(process.hrtime.bigint() - t) / 1e9;

// Small deterministic PRNG (mulberry32) so labels are reproducible run to run.
let seed = 0x5eed1234;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// ---- 1. A big Map of linked Items (the "cache" that legitimately dominates most of the heap).
class Item {
  constructor(id, label, next) {
    this.id = id;
    this.label = label; // unique string per Item -> one string node + one strings-table entry each
    // every 8th Item carries a small nested object (gives Items different retained sizes)
    this.meta = id % 8 === 0 ? { created: id * 7, flags: id & 0xff } : null;
    this.next = next; // chain: every Item points at the previous one
  }
}

const store = new Map();
let prev = null;
for (let i = 0; i < ITEMS; i++) {
  const label = 'item-' + i.toString(36) + '-' + Math.floor(rand() * 0x7fffffff).toString(16);
  const item = new Item(i, label, prev);
  store.set(i, item);
  prev = item;
}
globalThis.__bigStore = store;

// ---- 2. Many small arrays pointing at shared Tag objects.
class Tag {
  constructor(name) {
    this.name = name;
  }
}
const tagPool = [];
for (let i = 0; i < TAG_POOL; i++) tagPool.push(new Tag('tag-' + i));
const tags = new Array(TAG_PAIRS);
for (let i = 0; i < TAG_PAIRS; i++) tags[i] = [tagPool[i % TAG_POOL], i];
globalThis.__bigTags = tags;

// ---- 3. The leak: channels retained only by event listeners and armed timers.
const bus = new EventEmitter();
bus.setMaxListeners(0); // no MaxListenersExceededWarning
globalThis.__bus = bus;

class LeakyChannel {
  constructor(id) {
    this.id = id;
    this.target = 'dns:///backend-' + (id % 97) + '.internal:443';
    this.state = 'IDLE';
    this.history = [];
    this.readBuffer = Buffer.alloc(256); // off-heap backing store + JSArrayBufferData node
    // Listener closure captures `this`: bus -> _events.connectivity[] -> closure -> channel.
    this.onConnectivity = (state) => {
      this.state = state;
      this.history.push(state);
    };
    bus.on('connectivity', this.onConnectivity);
    // Armed idle timer whose callback captures the channel: timer list -> Timeout -> closure.
    this.idleTimer = setTimeout(() => this.enterIdle(), IDLE_MS);
  }
  enterIdle() {
    this.state = 'IDLE';
  }
}

function createAndForget(n) {
  // Mimics a client that creates a new channel per failed call and drops the old one
  // without close(): nothing but the listener and the timer references the channel.
  for (let i = 0; i < n; i++) {
    const ch = new LeakyChannel(i);
    ch.history.push('CONNECTING', 'TRANSIENT_FAILURE');
  }
}
createAndForget(LEAKS);

const tBuilt = secondsSince(t0);

// ---- 4. Collect garbage (needs --expose-gc) and write the snapshot.
if (typeof globalThis.gc === 'function') {
  for (let i = 0; i < 4; i++) globalThis.gc();
} else {
  console.error('warning: run with --expose-gc so garbage is collected before the snapshot');
}
const heapUsed = process.memoryUsage().heapUsed;

fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
const tWrite = process.hrtime.bigint();
const written = v8.writeHeapSnapshot(out);
const writeSeconds = secondsSince(tWrite);

// ---- 5. Report: size and the node/edge counts from the snapshot header (first few KB).
const fd = fs.openSync(written, 'r');
const head = Buffer.alloc(8192);
fs.readSync(fd, head, 0, head.length, 0);
fs.closeSync(fd);
const headText = head.toString('latin1');
const num = (key) => {
  const m = headText.match(new RegExp('"' + key + '"\\s*:\\s*(\\d+)'));
  return m ? Number(m[1]) : null;
};
console.log(
  JSON.stringify({
    file: written,
    bytes: fs.statSync(written).size,
    node_count: num('node_count'),
    edge_count: num('edge_count'),
    items: ITEMS,
    tag_pairs: TAG_PAIRS,
    leaks: LEAKS,
    heap_used: heapUsed,
    build_seconds: +tBuilt.toFixed(2),
    write_seconds: +writeSeconds.toFixed(2),
    total_seconds: +secondsSince(t0).toFixed(2),
    node: process.version,
    v8: process.versions.v8,
  }),
);

// The armed 30-minute timers would keep the event loop alive: exit explicitly.
process.exit(0);
