'use strict';
// Drive service.js and write four heap snapshots of it.
//
//   node capture.js OUTDIR [--leak]
//
// Starts `node --heapsnapshot-signal=SIGUSR2 service.js [--leak]` in OUTDIR, warms it up,
// then four times: sends 300 requests, waits for every answer, signals SIGUSR2 and waits for
// the new snapshot. The snapshots end up as OUTDIR/checkpoint-{1,2,3,4}.heapsnapshot (four:
// fewer cannot tell growth that no signature names from load).
// Everything is bounded: the whole run gives up after 60 s (exit 1).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const CHECKPOINTS = 4;
const REQUESTS_PER_CHECKPOINT = 300;
// Sent before the first checkpoint, through the same code paths, so that what the first
// requests create once (compiled code, lazily built internals, keep-alive connections) is
// already in the first snapshot and cannot read as growth. With Node 20 the fixed service
// shows no growth even without it (the 300 requests of checkpoint 1 warm it up as well); it
// is kept as a margin for other Node versions. In leaky mode these requests leak too, so the
// checkpoints hold 600, 900, 1200 and 1500 OrderSessions.
const WARMUP_REQUESTS = 300;
const CONCURRENCY = 4;
const GLOBAL_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 5_000;
const LISTEN_TIMEOUT_MS = 10_000;
const POLL_MS = 100;
const SNAPSHOT_APPEAR_TIMEOUT_MS = 20_000;
const SNAPSHOT_SETTLE_TIMEOUT_MS = 20_000;

const log = (msg) => process.stderr.write(`capture: ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function usage() {
  process.stderr.write('usage: node capture.js OUTDIR [--leak]\n');
  process.exit(2);
}

const args = process.argv.slice(2);
const leak = args.includes('--leak');
const positional = args.filter((a) => !a.startsWith('--'));
if (positional.length !== 1 || args.some((a) => a.startsWith('--') && a !== '--leak')) usage();
const outDir = path.resolve(positional[0]);

let service = null;
let agent = null;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(2)} s`;

function fail(msg) {
  log(`FAILED after ${elapsed()}: ${msg}`);
  if (service && service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
  if (agent) agent.destroy();
  process.exit(1);
}

setTimeout(() => fail(`global timeout of ${GLOBAL_TIMEOUT_MS / 1000} s`), GLOBAL_TIMEOUT_MS).unref();

function heapSnapshots() {
  return fs.readdirSync(outDir).filter((f) => f.endsWith('.heapsnapshot'));
}

function startService() {
  const script = path.join(__dirname, 'service.js');
  const argv = ['--heapsnapshot-signal=SIGUSR2', script];
  if (leak) argv.push('--leak');
  log(`starting node ${argv.map((a) => (a === script ? 'service.js' : a)).join(' ')} in ${outDir}`);
  service = spawn(process.execPath, argv, { cwd: outDir, stdio: ['ignore', 'pipe', 'inherit'] });
  service.on('exit', (code, signal) => {
    if (!stopping) fail(`service exited early (code ${code}, signal ${signal})`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not print "listening <port>" within ${LISTEN_TIMEOUT_MS / 1000} s`)),
      LISTEN_TIMEOUT_MS,
    );
    let buffered = '';
    service.stdout.setEncoding('utf8');
    service.stdout.on('data', (chunk) => {
      buffered += chunk;
      const m = /^listening (\d+)$/m.exec(buffered);
      if (m) {
        clearTimeout(timer);
        service.stdout.removeAllListeners('data');
        service.stdout.resume();
        resolve(Number(m[1]));
      } else if (buffered.length > 4096) {
        buffered = buffered.slice(-4096);
      }
    });
  });
}

let stopping = false;

function get(port, pathAndQuery) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${pathAndQuery}: HTTP ${res.statusCode} ${body}`));
        else resolve(body);
      });
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`GET ${pathAndQuery}: timed out`)));
    req.on('error', reject);
  });
}

/** Sends `count` order requests, CONCURRENCY at a time, and resolves once all are answered. */
async function sendOrders(port, firstId, count) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const id = firstId + next++;
      const body = JSON.parse(await get(port, `/order?id=${id}`));
      if (body.order !== id) throw new Error(`order ${id}: unexpected reply ${JSON.stringify(body)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Polls every POLL_MS until `probe` returns a value, at most `timeoutMs`. */
async function poll(what, timeoutMs, probe) {
  const rounds = Math.ceil(timeoutMs / POLL_MS);
  for (let i = 0; i < rounds; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(POLL_MS);
  }
  throw new Error(`${what}: not done within ${timeoutMs / 1000} s`);
}

/** Signals the service and resolves with the name of the new, complete snapshot. */
async function takeSnapshot(port, known) {
  service.kill('SIGUSR2');
  const file = await poll('new heap snapshot', SNAPSHOT_APPEAR_TIMEOUT_MS, () =>
    heapSnapshots().find((f) => !known.has(f)),
  );
  // Node writes the snapshot synchronously on the service's main thread: once the service
  // answers a request again, the write is over. The size must then also hold still.
  await get(port, '/health');
  let last = -1;
  const size = await poll(`size of ${file} to settle`, SNAPSHOT_SETTLE_TIMEOUT_MS, () => {
    const now = fs.statSync(path.join(outDir, file)).size;
    const settled = now > 0 && now === last;
    last = now;
    return settled ? now : undefined;
  });
  return { file, size };
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const stale = heapSnapshots();
  if (stale.length > 0) throw new Error(`${outDir} already holds snapshots: ${stale.join(', ')}`);

  agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const port = await startService();
  log(`service listening on 127.0.0.1:${port} (${leak ? 'leaky' : 'fixed'} mode)`);

  let orderId = 1;
  await sendOrders(port, orderId, WARMUP_REQUESTS);
  orderId += WARMUP_REQUESTS;
  await get(port, '/health');
  log(`warm-up: ${WARMUP_REQUESTS} requests answered (${elapsed()})`);

  const known = new Set();
  const taken = [];
  for (let i = 1; i <= CHECKPOINTS; i++) {
    await sendOrders(port, orderId, REQUESTS_PER_CHECKPOINT);
    orderId += REQUESTS_PER_CHECKPOINT;
    log(`checkpoint ${i}: ${REQUESTS_PER_CHECKPOINT} requests answered (${elapsed()})`);
    const snap = await takeSnapshot(port, known);
    known.add(snap.file);
    taken.push(snap.file);
    log(`checkpoint ${i}: ${snap.file}, ${snap.size} bytes (${elapsed()})`);
  }

  taken.forEach((file, i) => {
    fs.renameSync(path.join(outDir, file), path.join(outDir, `checkpoint-${i + 1}.heapsnapshot`));
  });

  stopping = true;
  agent.destroy();
  const exited = new Promise((resolve) => service.once('exit', resolve));
  service.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000).then(() => service.kill('SIGKILL'))]);
  log(`done: ${taken.length} snapshots in ${outDir} (${elapsed()})`);
}

main().then(
  () => process.exit(0),
  (err) => fail(err.message),
);
