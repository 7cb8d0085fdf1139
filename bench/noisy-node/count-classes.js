'use strict';
// Counts heap snapshot nodes of type "object" by name (the constructor name) for a few grpc-js
// and Node classes, in each .heapsnapshot or .heapsnapshot.gz given.
//
// Usage: node count-classes.js [--json] FILE...
// Prints a Markdown table (one column per file), or JSON with --json.

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const CLASSES = [
  'InternalChannel',
  'ChannelImplementation',
  'Subchannel',
  'Http2SubchannelCall',
  'ClientReadableStreamImpl',
  'Timeout',
  'ClientHttp2Stream',
];

function load(file) {
  let buf = fs.readFileSync(file);
  if (file.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  return JSON.parse(buf.toString('utf8'));
}

function count(file) {
  const snap = load(file);
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const objectType = meta.node_types[typeAt].indexOf('object');
  const wanted = new Map(CLASSES.map((c) => [c, 0]));
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += stride) {
    if (nodes[i + typeAt] !== objectType) continue;
    const name = snap.strings[nodes[i + nameAt]];
    if (wanted.has(name)) wanted.set(name, wanted.get(name) + 1);
  }
  return { file: path.basename(file), nodes: nodes.length / stride, counts: Object.fromEntries(wanted) };
}

const args = process.argv.slice(2);
const asJson = args[0] === '--json';
const files = asJson ? args.slice(1) : args;
if (files.length === 0) {
  console.error('usage: node count-classes.js [--json] FILE...');
  process.exit(64);
}
const results = files.map(count);
if (asJson) {
  console.log(JSON.stringify(results, null, 1));
} else {
  const short = (f) => f.replace(/\.heapsnapshot(\.gz)?$/, '');
  console.log(`| class | ${results.map((r) => short(r.file)).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---').join('|')}|`);
  console.log(`| (total nodes) | ${results.map((r) => r.nodes).join(' | ')} |`);
  for (const c of CLASSES) console.log(`| ${c} | ${results.map((r) => r.counts[c]).join(' | ')} |`);
}
