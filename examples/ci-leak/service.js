'use strict';
// A small order service with a deliberate leak behind `--leak`.
//
//   node service.js [--leak]
//
// Listens on 127.0.0.1 on a port the OS chooses and prints `listening <port>` on stdout.
// GET /order?id=N builds an OrderSession for the request and registers it in `sessions`
// while the request is in flight. GET /health answers without touching the registry.
// Exits on SIGTERM, and by itself after 60 s whatever happens.

const http = require('node:http');

const LEAK = process.argv.includes('--leak');
const HARD_TIMEOUT_MS = 60_000;
const PAYLOAD_BYTES = 1024;

/** Per-request state: who asked for which order, and the rendered order (~1 KiB). */
class OrderSession {
  constructor(sessionId, orderId, remoteAddress) {
    this.sessionId = sessionId;
    this.orderId = orderId;
    this.remoteAddress = remoteAddress;
    this.startedAt = Date.now();
    this.status = 'open';
    // A fresh ~1 KiB string per session (not shared with any other session).
    this.payload = `order=${orderId};session=${sessionId};`.padEnd(PAYLOAD_BYTES, '.');
  }
}

/** The session registry: every request in flight, by session id. */
const sessions = new Map();
let nextSessionId = 1;

function handleOrder(req, res, url) {
  const orderId = Number.parseInt(url.searchParams.get('id') ?? '', 10);
  if (!Number.isSafeInteger(orderId) || orderId < 0) {
    reply(res, 400, { error: 'id must be a non-negative integer' });
    return;
  }
  const session = new OrderSession(nextSessionId++, orderId, req.socket.remoteAddress);
  sessions.set(session.sessionId, session);
  const release = () => {
    session.status = 'closed';
    sessions.delete(session.sessionId);
  };
  if (LEAK) {
    // The bug: the session is released only when the client goes away mid-request
    // ('aborted'). A request that completes normally never emits it, so its session
    // stays in the registry for the life of the process.
    req.once('aborted', release);
  } else {
    // The fix: release on the response's 'close', which is emitted once for every
    // response, after it finished or when the connection went away.
    res.once('close', release);
  }
  reply(res, 200, {
    order: orderId,
    session: session.sessionId,
    bytes: session.payload.length,
    open: sessions.size,
  });
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'GET' && url.pathname === '/order') {
    handleOrder(req, res, url);
  } else if (req.method === 'GET' && url.pathname === '/health') {
    reply(res, 200, { ok: true });
  } else {
    reply(res, 404, { error: 'not found' });
  }
});

function shutdown(code, why) {
  process.stderr.write(`service: ${why}, exiting\n`);
  server.closeAllConnections();
  server.close();
  process.exit(code);
}

process.once('SIGTERM', () => shutdown(0, 'SIGTERM'));
process.once('SIGINT', () => shutdown(0, 'SIGINT'));
setTimeout(() => shutdown(1, `hard timeout of ${HARD_TIMEOUT_MS / 1000} s`), HARD_TIMEOUT_MS).unref();

server.listen({ host: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
