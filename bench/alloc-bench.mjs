// Bytes tiercel allocates per keep-alive request, by allocation site: one Http1Connection with the
// demo app behind the real pipeline (as bench/connection-bench.mjs), fed the same request over and
// over, under V8's sampling heap profiler with the objects minor and major collections free counted
// too. Over TCP the young-generation collections this garbage causes are a large share of what
// tiercel's CPU per request exceeds the bare net ceiling's by (`node --trace-gc` on the bench's
// servers); unlike CPU time, these bytes do not move with the load of the machine.
// Usage: node bench/alloc-bench.mjs <dist folder> [--route /json] [--pipeline N] [--requests N]
//   e.g. `node bench/alloc-bench.mjs dist --pipeline 16`
import 'reflect-metadata';
import { allocationSites, printSites, startSampling } from './lib/allocation-sites.mjs';
import { countingConnection } from './lib/counting-transport.mjs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
}
const route = option('--route', '/plaintext');
const pipeline = Number(option('--pipeline', '1'));
const requests = Number(option('--requests', '300000'));
const dist = args[0];
if (!dist) {
  console.error('usage: node bench/alloc-bench.mjs <dist folder> [--route /json] [--pipeline N] [--requests N]');
  process.exit(2);
}
const load = (path) => import(pathToFileURL(resolve(dist, path)).href);
const { observeApplication } = await load('protocols/http/index.js');
const { demoApp } = await load('hosting/demo-app.js');
const { transport } = await countingConnection(load, observeApplication(demoApp().build()));

const read = Buffer.from(`GET ${route} HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n`.repeat(pipeline));
const reads = Math.max(1, Math.floor(requests / pipeline));
// Warm up first: what the JIT allocates while it compiles is not the request's.
for (let i = 0; i < reads; i++) transport.emit('data', read);
const before = transport.bytes;
const session = new Session();
session.connect();
await startSampling(session);
for (let i = 0; i < reads; i++) transport.emit('data', read);
const { profile } = await session.post('HeapProfiler.stopSampling');
const answered = reads * pipeline;
if (transport.bytes - before < answered * 100) {
  console.error(`alloc-bench: ${transport.bytes - before} bytes answered for ${answered} requests`);
  process.exit(1);
}

const { sites, total } = allocationSites(profile);
console.log(`${pipeline > 1 ? `pipelined (${pipeline} per read)` : 'keep-alive'} GET ${route}: ~${Math.round(total / answered)} bytes allocated per request (sampled over ${answered} requests)`);
printSites(sites, answered, 12);
process.exit(0);
