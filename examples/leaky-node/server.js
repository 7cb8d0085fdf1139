// leaky-node: a small Node service that, with --leak, keeps a Session for every request it
// handles and never lets it go (a Map nobody deletes from). It drives its own load (one
// request every --every ms), stops after --requests and exits after --lifetime seconds, so a
// test or a demo never leaves it running. --ballast N holds N extra objects from the start,
// for a large heap snapshot.
//
//   node --inspect=127.0.0.1:0 examples/leaky-node/server.js --leak
//   # prints: listening on http://127.0.0.1:PORT (and the inspector's ws:// URL on stderr)
'use strict';

const http = require('node:http');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  return value === undefined || value.startsWith('--') ? true : Number(value);
}

const leak = option('leak', false) === true;
const every = option('every', 20);
const requests = option('requests', 2000);
const lifetime = option('lifetime', 120);
const ballastCount = option('ballast', 0);

class Session {
  constructor(id, path) {
    this.id = id;
    this.path = path;
    this.started = Date.now();
    this.events = Array.from({ length: 64 }, (_, i) => ({ seq: i, at: this.started }));
  }
}

const sessions = new Map();
const ballast = Array.from({ length: ballastCount }, (_, i) => ({ i, label: `ballast ${i}` }));
let nextId = 0;

const server = http.createServer((req, res) => {
  const session = new Session(nextId++, req.url);
  sessions.set(session.id, session);
  res.end(`session ${session.id}\n`);
  if (!leak) sessions.delete(session.id);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`listening on http://127.0.0.1:${port}`);
  let sent = 0;
  const load = setInterval(() => {
    if (sent++ >= requests) return clearInterval(load);
    http.get(`http://127.0.0.1:${port}/work`, (res) => res.resume()).on('error', () => {});
  }, every);
});

setTimeout(() => process.exit(0), lifetime * 1000).unref();
// The ballast is used, so it is kept.
process.on('exit', () => ballast.length);
