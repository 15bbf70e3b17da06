// Bytes tiercel allocates per keep-alive request, by allocation site: one Http1Connection with the
// demo app behind the real pipeline (as bench/connection-bench.mjs), fed the same request over and
// over, under V8's sampling heap profiler with the objects minor and major collections free counted
// too. Over TCP the young-generation collections this garbage causes are a large share of what
// tiercel's CPU per request exceeds the bare net ceiling's by (`node --trace-gc` on the bench's
// servers); unlike CPU time, these bytes do not move with the load of the machine.
// Usage: node bench/alloc-bench.mjs <dist folder> [--route /json] [--pipeline N] [--requests N]
//   e.g. `node bench/alloc-bench.mjs dist --pipeline 16`
import 'reflect-metadata';
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
await session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
for (let i = 0; i < reads; i++) transport.emit('data', read);
const { profile } = await session.post('HeapProfiler.stopSampling');
const answered = reads * pipeline;
if (transport.bytes - before < answered * 100) {
  console.error(`alloc-bench: ${transport.bytes - before} bytes answered for ${answered} requests`);
  process.exit(1);
}

// Self bytes per allocation site (the function that allocated, after inlining).
const sites = new Map();
let total = 0;
const stack = [profile.head];
while (stack.length > 0) {
  const node = stack.pop();
  if (node.selfSize > 0) {
    const f = node.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-3).join('/')}:${f.lineNumber + 1}`;
    sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  stack.push(...node.children);
}
console.log(`${pipeline > 1 ? `pipelined (${pipeline} per read)` : 'keep-alive'} GET ${route}: ~${Math.round(total / answered)} bytes allocated per request (sampled over ${answered} requests)`);
for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
  const per = bytes / answered;
  if (per >= 1) console.log(`${per.toFixed(0).padStart(6)} B  ${site}`);
}
process.exit(0);
