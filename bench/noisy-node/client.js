'use strict';
// Captures a series of V8 heap snapshots of a @grpc/grpc-js client under fluctuating load.
//
// Usage: node --expose-gc client.js OUTDIR SCENARIO [SEED]
//   SCENARIO: healthy | stream-leak | client-leak
//
// Starts server.js as a child process, keeps ONE long-lived client and drives noisy load on it:
// the target number of in-flight calls changes every ~1 s (a handful .. ~160, with bursts), each
// call is a unary Work (server sleeps 5-300 ms) or a server-streaming Feed read to its end; some
// calls get deadlines that expire; call starts are spread by timers and some calls carry a
// slow-call watchdog timer, so timers come and go.
//   stream-leak: one Feed call in every 20 (random position) is abandoned: the client reads 1-3
//     items, then stops reading and never cancels; the server blocks on flow control and keeps
//     the stream open.
//   client-leak: every ~4 s a NEW client is created for one unary call and dropped without
//     close(), beside the healthy load.
// Every 5 s (8 moments) it takes a heap snapshot WITHOUT pausing the load, so the calls in
// flight at that moment are in the heap: global.gc() twice, then v8.writeHeapSnapshot().
// Writes NAME-mMM.heapsnapshot (gzipped with gzip -9 after the run) and NAME.run.json with the
// ground truth per moment; NAME = noisy-SCENARIO. Hard exit after 120 s.

const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { fork, execFileSync } = require('child_process');
const grpc = require('@grpc/grpc-js');

const SCENARIOS = ['healthy', 'stream-leak', 'client-leak'];
const DEFAULT_SEED = { healthy: 101, 'stream-leak': 202, 'client-leak': 303 };

const outDir = process.argv[2];
const scenario = process.argv[3];
if (!outDir || !SCENARIOS.includes(scenario)) {
  console.error(`usage: node --expose-gc client.js OUTDIR ${SCENARIOS.join('|')} [SEED]`);
  process.exit(64);
}
if (typeof global.gc !== 'function') {
  console.error('global.gc is missing: run node with --expose-gc');
  process.exit(64);
}
fs.mkdirSync(outDir, { recursive: true });

const PREFIX = `noisy-${scenario}`;
const CONFIG = {
  scenario,
  prefix: PREFIX,
  seed: process.argv[4] !== undefined ? Number(process.argv[4]) : DEFAULT_SEED[scenario],
  options: {}, // default channel options for every client
  moments: 8,
  snapshotEveryMs: 5000,
  gcBeforeSnapshot: 2,
  // Load shape: a new target of in-flight calls every retargetMs; a burst with burstShare.
  retargetMs: [700, 1300],
  target: { low: [3, 30], mid: [30, 100], burst: [120, 160], lowShare: 0.4, burstShare: 0.2 },
  startJitterMs: [0, 50], // each call start waits on its own short timer
  streamShare: 0.12, // share of Feed calls among started calls
  unary: { payloadBytes: 64, deadlineMs: 10000, shortDeadlineShare: 0.25, shortDeadlineMs: [30, 250] },
  // Feed: count * size is above what the client buffers (~190 KB for 4 KB items), so a stream
  // the client stops reading blocks the server on flow control instead of finishing.
  stream: { count: [60, 120], size: 4096, intervalMs: [5, 30], shortDeadlineShare: 0.15, shortDeadlineMs: [200, 1500] },
  watchdog: { share: 0.3, ms: 1500 },
  abandon: scenario === 'stream-leak' ? { oneIn: 20, readBeforeAbandon: [1, 3], deadline: 'none' } : null,
  leakClientEveryMs: scenario === 'client-leak' ? [3500, 4500] : null,
  maxCalls: 500000,
  hardTimeoutMs: 120 * 1000,
};

// Seeded PRNG (mulberry32): the schedule of choices is reproducible, timings are not.
let rngState = CONFIG.seed >>> 0;
function rng() {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const uniform = ([lo, hi]) => lo + rng() * (hi - lo);
const randInt = ([lo, hi]) => lo + Math.floor(rng() * (hi - lo + 1));

function pkgVersion(name) {
  return require(`${name}/package.json`).version;
}

const proto = require('./load-proto');

let server = null;
function killServer() {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
}

setTimeout(() => {
  console.error(`hard timeout after ${CONFIG.hardTimeoutMs} ms`);
  killServer();
  process.exit(3);
}, CONFIG.hardTimeoutMs).unref();

function startServer() {
  return new Promise((resolve, reject) => {
    server = fork(path.join(__dirname, 'server.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    server.on('message', (msg) => {
      if (msg.type === 'port') resolve(msg.port);
    });
    server.once('error', reject);
    server.once('exit', (code) => {
      if (!stopping) reject(new Error(`server exited early with code ${code}`));
    });
  });
}

let statsSeq = 0;
function serverStats() {
  const seq = ++statsSeq;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 1000);
    const onMsg = (msg) => {
      if (msg.type === 'stats' && msg.seq === seq) {
        clearTimeout(timer);
        server.removeListener('message', onMsg);
        resolve(msg.stats);
      }
    };
    server.on('message', onMsg);
    server.send({ type: 'stats', seq });
  });
}

// Ground-truth counters. Abandoned streams leave inFlightStreaming when the client stops
// reading them: the load controller counts only calls it still serves.
const st = {
  target: 0,
  pendingStarts: 0, // start timers armed, call not started yet
  watchdogs: 0, // slow-call watchdog timers armed
  inFlightUnary: 0,
  inFlightStreaming: 0,
  inFlightLeakCalls: 0, // client-leak: the one call on a throw-away client
  callsStarted: 0,
  unaryStarted: 0,
  streamsStarted: 0,
  unaryOk: 0,
  streamsOk: 0,
  itemsRead: 0,
  slowCalls: 0,
  errors: {},
  abandonChosen: 0,
  abandonedStreams: 0,
  abandonedEnded: 0, // abandoned streams that ended anyway (should stay 0)
  clientsCreated: 0,
  clientsClosed: 0,
  leakedClients: 0,
  peakInFlight: 0, // highest inFlightUnary + inFlightStreaming over the run
  peakSinceMoment: 0, // same, since the previous moment
  lowSinceMoment: Infinity, // lowest, since the previous moment
};

let stopping = false;
let client = null;
let address = null;
let nextId = 1;
const unaryPayload = Buffer.alloc(CONFIG.unary.payloadBytes, 0x62);

// Tracks the range the load swung through, for the ground truth.
function noteInFlight() {
  const n = st.inFlightUnary + st.inFlightStreaming;
  if (n > st.peakInFlight) st.peakInFlight = n;
  if (n > st.peakSinceMoment) st.peakSinceMoment = n;
  if (n < st.lowSinceMoment) st.lowSinceMoment = n;
}

function countError(err) {
  const name = grpc.status[err.code] || String(err.code);
  st.errors[name] = (st.errors[name] || 0) + 1;
}

// Optional per-call timer that fires only if the call is slow: cleared on completion.
function armWatchdog() {
  if (rng() >= CONFIG.watchdog.share) return () => {};
  st.watchdogs++;
  let armed = true;
  const t = setTimeout(() => {
    armed = false;
    st.watchdogs--;
    st.slowCalls++;
  }, CONFIG.watchdog.ms);
  return () => {
    if (!armed) return;
    armed = false;
    clearTimeout(t);
    st.watchdogs--;
  };
}

function startUnary() {
  const id = nextId++;
  const short = rng() < CONFIG.unary.shortDeadlineShare;
  const deadline = Date.now() + (short ? uniform(CONFIG.unary.shortDeadlineMs) : CONFIG.unary.deadlineMs);
  const disarm = armWatchdog();
  st.inFlightUnary++;
  st.unaryStarted++;
  noteInFlight();
  client.Work({ id, payload: unaryPayload }, { deadline }, (err) => {
    st.inFlightUnary--;
    noteInFlight();
    disarm();
    if (err) countError(err);
    else st.unaryOk++;
    topUp();
  });
}

// stream-leak: exactly one call in each block of 20 Feed calls, at a random position.
let abandonSlot = -1;
function chooseAbandon(streamIndex) {
  if (!CONFIG.abandon) return false;
  const n = CONFIG.abandon.oneIn;
  if (streamIndex % n === 0) abandonSlot = streamIndex + Math.floor(rng() * n);
  return streamIndex === abandonSlot;
}

function startStream() {
  const id = nextId++;
  const abandon = chooseAbandon(st.streamsStarted);
  st.streamsStarted++;
  const opts = {};
  // An abandoned stream gets no deadline: a deadline would cancel it and end the leak.
  if (!abandon && rng() < CONFIG.stream.shortDeadlineShare) opts.deadline = Date.now() + uniform(CONFIG.stream.shortDeadlineMs);
  const req = { id, count: randInt(CONFIG.stream.count), size: CONFIG.stream.size, interval_ms: randInt(CONFIG.stream.intervalMs) };
  const call = client.Feed(req, opts);
  st.inFlightStreaming++;
  noteInFlight();
  let live = true; // still counted in inFlightStreaming
  const finish = () => {
    if (live) {
      live = false;
      st.inFlightStreaming--;
      noteInFlight();
      topUp();
    }
  };
  const disarm = armWatchdog();
  if (abandon) {
    st.abandonChosen++;
    const readBefore = randInt(CONFIG.abandon.readBeforeAbandon);
    let seen = 0;
    const onData = () => {
      st.itemsRead++;
      if (++seen < readBefore) return;
      // Stop reading and forget the call: no cancel(), no reference kept by this program.
      call.pause();
      call.removeListener('data', onData);
      st.abandonedStreams++;
      disarm();
      finish();
    };
    call.on('data', onData);
    call.on('error', (err) => {
      countError(err);
      disarm();
      finish();
    });
    call.on('status', () => {
      if (!live) st.abandonedEnded++;
    });
    return;
  }
  call.on('data', () => {
    st.itemsRead++;
  });
  call.on('error', (err) => {
    countError(err);
    disarm();
    finish();
  });
  call.on('end', () => {
    st.streamsOk++;
    disarm();
    finish();
  });
}

function startOne() {
  st.pendingStarts--;
  if (stopping || st.callsStarted >= CONFIG.maxCalls) return;
  st.callsStarted++;
  if (rng() < CONFIG.streamShare) startStream();
  else startUnary();
}

// Arm start timers until in-flight + pending reaches the current target.
function topUp() {
  if (stopping) return;
  const deficit = st.target - (st.inFlightUnary + st.inFlightStreaming + st.pendingStarts);
  for (let i = 0; i < deficit; i++) {
    st.pendingStarts++;
    setTimeout(startOne, uniform(CONFIG.startJitterMs));
  }
}

function retarget() {
  if (stopping) return;
  const r = rng();
  const t = CONFIG.target;
  if (r < t.burstShare) st.target = randInt(t.burst);
  else if (r < t.burstShare + t.lowShare) st.target = randInt(t.low);
  else st.target = randInt(t.mid);
  topUp();
  setTimeout(retarget, uniform(CONFIG.retargetMs));
}

// client-leak: a new client for one call, dropped without close(). Nothing keeps a reference.
function leakClient() {
  if (stopping) return;
  const c = new proto.Load(address, grpc.credentials.createInsecure(), CONFIG.options);
  st.clientsCreated++;
  st.leakedClients++;
  st.inFlightLeakCalls++;
  c.Work({ id: nextId++, payload: unaryPayload }, { deadline: Date.now() + 5000 }, (err) => {
    st.inFlightLeakCalls--;
    if (err) countError(err);
  });
  setTimeout(leakClient, uniform(CONFIG.leakClientEveryMs));
}

let t0 = 0;
const moments = [];

async function snapshot(moment) {
  const file = `${PREFIX}-m${String(moment).padStart(2, '0')}.heapsnapshot`;
  const server = await serverStats();
  // Ground truth is taken synchronously right before the GCs and the write: nothing runs
  // in between, so these are exactly the calls in flight in the snapshot.
  const truth = {
    moment,
    file,
    tMs: Date.now() - t0,
    at: new Date().toISOString(),
    target: st.target,
    inFlightUnary: st.inFlightUnary,
    inFlightStreaming: st.inFlightStreaming,
    inFlightLeakCalls: st.inFlightLeakCalls,
    inFlightLowSincePrev: st.lowSinceMoment === Infinity ? null : st.lowSinceMoment,
    inFlightPeakSincePrev: st.peakSinceMoment,
    pendingStarts: st.pendingStarts,
    watchdogs: st.watchdogs,
    abandonedStreams: st.abandonedStreams,
    abandonedEnded: st.abandonedEnded,
    clientsCreated: st.clientsCreated,
    clientsClosed: st.clientsClosed,
    leakedClients: st.leakedClients,
    callsStarted: st.callsStarted,
    unaryStarted: st.unaryStarted,
    streamsStarted: st.streamsStarted,
    unaryOk: st.unaryOk,
    streamsOk: st.streamsOk,
    slowCalls: st.slowCalls,
    errors: { ...st.errors },
    server,
  };
  st.peakSinceMoment = 0;
  st.lowSinceMoment = Infinity;
  for (let i = 0; i < CONFIG.gcBeforeSnapshot; i++) global.gc();
  const mem = process.memoryUsage();
  truth.heapUsed = mem.heapUsed;
  truth.rss = mem.rss;
  const w0 = Date.now();
  v8.writeHeapSnapshot(path.join(outDir, file));
  truth.writeMs = Date.now() - w0;
  truth.bytes = fs.statSync(path.join(outDir, file)).size;
  console.log(
    `m${moment} t=${truth.tMs}ms unary=${truth.inFlightUnary} streams=${truth.inFlightStreaming} ` +
      `abandoned=${truth.abandonedStreams} clients=${truth.clientsCreated}/${truth.clientsClosed} ` +
      `heapUsed=${truth.heapUsed} bytes=${truth.bytes} write=${truth.writeMs}ms`,
  );
  return truth;
}

function finishRun() {
  stopping = true;
  // The long-lived client is closed only after the last snapshot.
  client.close();
  st.clientsClosed++;
  for (const m of moments) {
    const raw = path.join(outDir, m.file);
    execFileSync('gzip', ['-9', '-f', raw]);
    m.file = `${m.file}.gz`;
    m.bytesGz = fs.statSync(`${raw}.gz`).size;
  }
  const run = {
    node: process.version,
    v8: process.versions.v8,
    grpcJs: pkgVersion('@grpc/grpc-js'),
    protoLoader: pkgVersion('@grpc/proto-loader'),
    config: CONFIG,
    totals: { ...st, errors: { ...st.errors } },
    moments,
  };
  fs.writeFileSync(path.join(outDir, `${PREFIX}.run.json`), JSON.stringify(run, null, 1) + '\n');
  killServer();
  process.exit(0);
}

async function main() {
  const port = await startServer();
  address = `127.0.0.1:${port}`;
  console.log(`server on ${address}, scenario ${scenario}, seed ${CONFIG.seed}`);
  client = new proto.Load(address, grpc.credentials.createInsecure(), CONFIG.options);
  st.clientsCreated++;
  t0 = Date.now();
  retarget();
  if (CONFIG.leakClientEveryMs) setTimeout(leakClient, uniform(CONFIG.leakClientEveryMs));
  // Moment m is due at t0 + m * 5 s, whatever the previous write took.
  for (let m = 1; m <= CONFIG.moments; m++) {
    const due = t0 + m * CONFIG.snapshotEveryMs;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    moments.push(await snapshot(m));
  }
  finishRun();
}

main().catch((err) => {
  console.error(err);
  killServer();
  process.exit(1);
});
