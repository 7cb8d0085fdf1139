'use strict';
// gRPC echo server, run as a child process of client.js (its heap is not in the snapshots).
// Listens on 127.0.0.1, port chosen by the OS; reports the port to the parent over IPC
// (and on stdout). Exits when the parent disconnects, or after a hard timeout of 120 s.

const grpc = require('@grpc/grpc-js');

const HARD_TIMEOUT_MS = 120 * 1000;

const proto = require('./echo-proto');

const server = new grpc.Server();
server.addService(proto.Echo.service, {
  Ping(call, callback) {
    callback(null, { id: call.request.id, text: call.request.text });
  },
});

function shutdown(code) {
  server.forceShutdown();
  process.exit(code);
}

setTimeout(() => shutdown(2), HARD_TIMEOUT_MS).unref();
process.on('disconnect', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`server: bind failed: ${err.message}`);
    process.exit(1);
  }
  console.log(`PORT ${port}`);
  if (process.send) process.send({ port });
});
