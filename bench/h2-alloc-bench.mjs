// An HTTP/2 server's cost per stream over a real socket: one of bench/servers/ (run in this
// process) under h2load (10 connections x 10 streams, GET /plaintext, as the h2 row), reporting
//   - server CPU per stream (process.cpuUsage over a run, after a warm-up run);
//   - what the load left: RSS, V8's heap spaces, and the heap that is live after a full collection
//     (the h2 row's "RSS after" is mostly V8's young generation plus old-space garbage not yet
//     collected, which moves from run to run: the live part does not);
//   - bytes allocated per stream by allocation site, under V8's sampling heap profiler with what
//     minor and major collections free counted too (unless --cpu-only). Unlike CPU time, bytes do
//     not move with the machine's load; the collections they cause are a large share of HTTP/2's
//     CPU per stream.
// Run it for servers/tiercel.mjs and servers/h2-node.mjs: the client is not in the process, so
// the difference is what tiercel's layers cost. The collection is asked for through the inspector,
// so the server runs with no V8 flag.
// Usage: node bench/h2-alloc-bench.mjs <servers/file.mjs> [--requests N] [--cpu-only]
//   e.g. `cd bench && taskset -c 1 node h2-alloc-bench.mjs servers/tiercel.mjs`
import { spawn, spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { allocationSites, printSites, startSampling } from './lib/allocation-sites.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string', default: '100000' }, 'cpu-only': { type: 'boolean', default: false } } });
const requests = Number(values.requests);
const cpuOnly = values['cpu-only'];
const file = positionals[0];
if (!file || !(requests > 0)) {
  console.error('usage: node bench/h2-alloc-bench.mjs <servers/file.mjs> [--requests N] [--cpu-only]');
  process.exit(2);
}
if (spawnSync('h2load', ['--version']).error) {
  console.error('h2load is not installed (apt-get install -y nghttp2-client)');
  process.exit(2);
}

// The server files take their port from argv and print "listening" once they listen.
const port = 4900 + (process.pid % 90);
process.argv = [process.argv[0], file, String(port)];
await import(pathToFileURL(resolve(file)).href);
await new Promise((r) => setTimeout(r, 200));

/** One h2load run, in a child process so that this process only serves; every stream must succeed. */
function h2load(n) {
  return new Promise((done, fail) => {
    const child = spawn('h2load', ['-n', String(n), '-c', '10', '-m', '10', `http://127.0.0.1:${port}/plaintext`]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0 && out.includes(`requests: ${n} total, ${n} started, ${n} done, ${n} succeeded`)) done();
      else fail(new Error(`h2load failed:\n${out}`));
    });
  });
}

const mib = (n) => (n / 1048576).toFixed(1);
const session = new Session();
session.connect();

// Warm up first: what the JIT allocates while it compiles is not the stream's.
await h2load(Math.min(requests, 30_000));
const cpu0 = process.cpuUsage();
await h2load(requests);
const cpu = process.cpuUsage(cpu0);
console.log(`${file}: ${((cpu.user + cpu.system) / requests).toFixed(2)} µs CPU per stream (user ${(cpu.user / requests).toFixed(2)}, system ${(cpu.system / requests).toFixed(2)}; ${requests} streams)`);
const spaces = getHeapSpaceStatistics().filter((s) => s.space_size > 0);
console.log(`after the load: RSS ${mib(process.memoryUsage().rss)} MiB; heap spaces (size / used MiB): ${spaces.map((s) => `${s.space_name} ${mib(s.space_size)}/${mib(s.space_used_size)}`).join(', ')}`);
await session.post('HeapProfiler.collectGarbage');
console.log(`after a full collection: RSS ${mib(process.memoryUsage().rss)} MiB; heap used ${mib(process.memoryUsage().heapUsed)} MiB`);
if (cpuOnly) process.exit(0);

await startSampling(session);
await h2load(requests);
const { profile } = await session.post('HeapProfiler.stopSampling');

const { sites, total } = allocationSites(profile);
console.log(`~${Math.round(total / requests)} bytes allocated per stream (sampled over ${requests} streams)`);
printSites(sites, requests, 20);
process.exit(0);
