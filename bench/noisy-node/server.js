'use strict';
// gRPC Load server, run as a child process of client.js (its heap is not in the snapshots).
// Listens on 127.0.0.1, port chosen by the OS; reports the port to the parent over IPC.
// Answers {type: 'stats'} over IPC with its own view of open calls, so the client can record
// that abandoned streams are still open on the server side too.
// Exits when the parent disconnects, or after a hard timeout of 120 s.

const grpc = require('@grpc/grpc-js');

const HARD_TIMEOUT_MS = 120 * 1000;
const WORK_SLEEP_MS = [5, 300];
const MAX_ITEM_SIZE = 64 * 1024;

const proto = require('./load-proto');

const stats = {
  unaryStarted: 0,
  unaryOpen: 0,
  streamsStarted: 0,
  streamsOpen: 0, // handler still writing (not ended, not cancelled)
  streamsBlocked: 0, // of those, waiting for the client to read (flow control)
  streamsEnded: 0,
  streamsCancelled: 0,
  itemsWritten: 0,
};

// One shared payload per size: the bytes are irrelevant, allocation churn is not wanted here.
const payloads = new Map();
function payload(size) {
  const n = Math.max(0, Math.min(size, MAX_ITEM_SIZE));
  if (!payloads.has(n)) payloads.set(n, Buffer.alloc(n, 0x61));
  return payloads.get(n);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function Work(call, callback) {
  stats.unaryStarted++;
  stats.unaryOpen++;
  const ms = WORK_SLEEP_MS[0] + Math.floor(Math.random() * (WORK_SLEEP_MS[1] - WORK_SLEEP_MS[0] + 1));
  setTimeout(() => {
    stats.unaryOpen--;
    // A call whose deadline expired is already cancelled; answering it is a no-op.
    callback(null, { id: call.request.id, slept_ms: ms, payload: call.request.payload });
  }, ms);
}

async function Feed(call) {
  const { id, count, size, interval_ms: intervalMs } = call.request;
  stats.streamsStarted++;
  stats.streamsOpen++;
  let cancelled = false;
  let wake = null;
  call.on('cancelled', () => {
    cancelled = true;
    if (wake) wake();
  });
  const data = payload(size);
  for (let seq = 0; seq < count && !cancelled; seq++) {
    stats.itemsWritten++;
    if (!call.write({ id, seq, data })) {
      // Flow control: wait until the client reads. A client that stopped reading never
      // lets this resolve, so the stream stays open until the client cancels or goes away.
      stats.streamsBlocked++;
      await new Promise((resolve) => {
        wake = resolve;
        call.once('drain', resolve);
      });
      wake = null;
      stats.streamsBlocked--;
    }
    if (intervalMs > 0 && !cancelled) await sleep(intervalMs);
  }
  stats.streamsOpen--;
  if (cancelled) {
    stats.streamsCancelled++;
  } else {
    stats.streamsEnded++;
    call.end();
  }
}

const server = new grpc.Server();
server.addService(proto.Load.service, { Work, Feed });

function shutdown(code) {
  server.forceShutdown();
  process.exit(code);
}

setTimeout(() => shutdown(2), HARD_TIMEOUT_MS).unref();
process.on('disconnect', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('message', (msg) => {
  if (msg && msg.type === 'stats' && process.send) process.send({ type: 'stats', seq: msg.seq, stats: { ...stats } });
});

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`server: bind failed: ${err.message}`);
    process.exit(1);
  }
  console.log(`PORT ${port}`);
  if (process.send) process.send({ type: 'port', port });
});
