'use strict';
// Captures V8 heap snapshots of a @grpc/grpc-js client that leaks subchannels/connections.
//
// Usage: node --expose-gc client.js OUTDIR
//
// Starts server.js as a child process, then loops: every iteration creates a NEW client with
// {'grpc.use_local_subchannel_pool': 1}, makes one unary call, awaits it, and drops the client
// WITHOUT close(). With a local subchannel pool every channel gets its own Subchannel, HTTP/2
// session and TCP socket; nothing closes them, so they (and the channel) stay alive.
//
// Iteration 0 is the first client, so at iteration N, N+1 clients have been created.
// Before each snapshot: global.gc() twice, then v8.writeHeapSnapshot().
// Writes local-pool-iNNNN.heapsnapshot at iterations 10, 60, 160 and local-pool.run.json.

const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { fork } = require('child_process');
const grpc = require('@grpc/grpc-js');

const PREFIX = 'local-pool';
const CONFIG = {
  scenario: 'local-pool',
  options: { 'grpc.use_local_subchannel_pool': 1 },
  call: 'unary Ping, awaited, deadline 5000 ms',
  snapAt: [10, 60, 160],
  maxIter: 160,
  gcBeforeSnapshot: 2,
  closeClients: false,
  hardTimeoutMs: 120 * 1000,
  prefix: PREFIX,
};

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node --expose-gc client.js OUTDIR');
  process.exit(64);
}
if (typeof global.gc !== 'function') {
  console.error('global.gc is missing: run node with --expose-gc');
  process.exit(64);
}
fs.mkdirSync(outDir, { recursive: true });

function pkgVersion(name) {
  return require(`${name}/package.json`).version;
}

const proto = require('./echo-proto');

let server = null;
function killServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM');
  }
}

setTimeout(() => {
  console.error(`hard timeout after ${CONFIG.hardTimeoutMs} ms`);
  killServer();
  process.exit(3);
}, CONFIG.hardTimeoutMs).unref();

function startServer() {
  return new Promise((resolve, reject) => {
    server = fork(path.join(__dirname, 'server.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    server.once('message', (msg) => resolve(msg.port));
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`server exited early with code ${code}`)));
  });
}

const stats = { clientsCreated: 0, clientsClosed: 0, callsOk: 0, errors: {} };

// The client is created and used only inside this function; nothing outside keeps a reference.
function callOnNewClient(port, id) {
  const client = new proto.Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CONFIG.options);
  stats.clientsCreated++;
  return new Promise((resolve) => {
    client.Ping({ id, text: `ping ${id}` }, { deadline: Date.now() + 5000 }, (err) => {
      if (err) {
        stats.errors[err.code] = (stats.errors[err.code] || 0) + 1;
      } else {
        stats.callsOk++;
      }
      resolve();
    });
  });
  // client.close() is deliberately never called.
}

function snapshot(iteration) {
  const file = `${PREFIX}-i${String(iteration).padStart(4, '0')}.heapsnapshot`;
  for (let i = 0; i < CONFIG.gcBeforeSnapshot; i++) global.gc();
  const mem = process.memoryUsage();
  const t0 = Date.now();
  v8.writeHeapSnapshot(path.join(outDir, file));
  const writeMs = Date.now() - t0;
  const entry = {
    file,
    iteration,
    bytes: fs.statSync(path.join(outDir, file)).size,
    writeMs,
    heapUsed: mem.heapUsed,
    rss: mem.rss,
    clientsCreated: stats.clientsCreated,
    clientsClosed: stats.clientsClosed,
    callsOk: stats.callsOk,
    errors: { ...stats.errors },
  };
  console.log(`snapshot ${file}: ${entry.bytes} bytes, heapUsed ${entry.heapUsed}, clients ${entry.clientsCreated}`);
  return entry;
}

async function main() {
  const port = await startServer();
  console.log(`server on 127.0.0.1:${port}`);
  const snapshots = [];
  for (let iter = 0; iter <= CONFIG.maxIter; iter++) {
    await callOnNewClient(port, iter);
    if (CONFIG.snapAt.includes(iter)) {
      await new Promise((r) => setImmediate(r));
      snapshots.push(snapshot(iter));
    }
  }
  const run = {
    node: process.version,
    v8: process.versions.v8,
    grpcJs: pkgVersion('@grpc/grpc-js'),
    protoLoader: pkgVersion('@grpc/proto-loader'),
    config: CONFIG,
    snapshots,
  };
  fs.writeFileSync(path.join(outDir, `${PREFIX}.run.json`), JSON.stringify(run, null, 1) + '\n');
  killServer();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  killServer();
  process.exit(1);
});
