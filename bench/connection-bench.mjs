// Micro-benchmark of tiercel's own JavaScript per keep-alive request: one Http1Connection with
// the demo app behind the real pipeline, fed `GET /plaintext` over and over by a transport that
// only counts what is written. No kernel, no sockets: what is left is parse → exchange →
// pipeline → app → head, the part of a request tiercel can make cheaper. (Over TCP the kernel and
// node's streams add ~8.5 µs per request here; see RESULTS.md for the whole-server rows.)
// Usage: node bench/connection-bench.mjs <dist folder> [requests] [--route /json] [--pipeline N]
//        node bench/connection-bench.mjs <dist folder> [requests] --post-echo [bytes]
//   e.g. `npx tsc -p . --outDir dist-a && node bench/connection-bench.mjs dist-a`
//   --route: the GET route asked for (default /plaintext; /json is the other fixed-size one).
//   --pipeline N: N requests arrive in one read (as in the pipelined row), answered in one write.
//   --post-echo: `POST /echo` with a body of `bytes` (default 1 MiB) arriving in 64 KiB reads,
//     echoed back; the app is asynchronous here, so each request is awaited (ns per request, and
//     ns per KiB of body).
//   --metrics: the app as the HTTP terminal serves it (observeApplication) with ServerMetrics
//     subscribed (no OpenTelemetry SDK), as `tiercel serve` runs: the per-request cost of metrics.
//   --otel: as --metrics, with the OpenTelemetry SDK behind them and tracing() in front (the set-up
//     of servers/tiercel-otel.mjs: exporters that drop what they get).
import 'reflect-metadata';
import { countingConnection } from './lib/counting-transport.mjs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
/** The value after `--name` (removed from args), or `fallback`; `flag` only when the name is present. */
function option(name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  const takesValue = value !== undefined && !value.startsWith('--') && (fallback === undefined || /^[0-9/]/.test(value));
  args.splice(i, takesValue ? 2 : 1);
  return takesValue ? value : fallback;
}
const route = option('--route', '/plaintext') ?? '/plaintext';
const pipeline = Number(option('--pipeline', '16') ?? 1);
const postEcho = option('--post-echo', String(1024 * 1024));
const withOtel = args.includes('--otel');
if (withOtel) args.splice(args.indexOf('--otel'), 1);
const withMetrics = withOtel || args.includes('--metrics');
if (args.includes('--metrics')) args.splice(args.indexOf('--metrics'), 1);
const dist = args[0];
if (!dist) {
  console.error('usage: node bench/connection-bench.mjs <dist folder> [requests] [--route /json] [--pipeline N] [--post-echo [bytes]]');
  process.exit(2);
}
const requests = Number(args[1] ?? (postEcho !== undefined ? 2_000 : 2_000_000));
const load = (path) => import(pathToFileURL(resolve(dist, path)).href);
const { demoApp } = await load('hosting/demo-app.js');
const { observeApplication } = await load('protocols/http/index.js');
const { ServerMetrics } = withMetrics ? await load('observability/index.js') : {};


// Wrapped as the HTTP terminal wraps every app (protocols/http-connection.ts), so the per-request
// diagnostics checks are counted as a server pays them.
let app = observeApplication(withMetrics && !withOtel ? demoApp(undefined, { metrics: new ServerMetrics() }).build() : demoApp().build());
if (withOtel) {
  const api = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { MeterProvider, PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { tracing } = await load('observability/index.js');
  const { ApplicationBuilder } = await load('pipeline/index.js');
  const done = (_batch, callback) => callback({ code: 0 });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor({ export: done, shutdown: async () => {} })] }));
  const exporter = { export: done, forceFlush: async () => {}, shutdown: async () => {} };
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 10_000 })] });
  app = observeApplication(demoApp(new ApplicationBuilder().use(tracing()), { metrics: new ServerMetrics({ meterProvider }) }).build());
}
const { transport } = await countingConnection(load, app);

const perRound = Math.floor(requests / 10);
const rounds = [];
// CPU time too: on a machine shared with other work, a round's wall time includes the time this
// process waited for a core, its CPU time does not (it still pays for shared caches).
const cpuRounds = [];
let label;
let expectBody;
if (postEcho === undefined) {
  const one = `GET ${route} HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n`;
  const request = Buffer.from(one.repeat(pipeline));
  const reads = Math.max(1, Math.floor(perRound / pipeline));
  for (let r = 0; r < 10; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < reads; i++) transport.emit('data', request);
    const cpu = process.cpuUsage(c0);
    rounds.push(Number(process.hrtime.bigint() - t0) / (reads * pipeline));
    cpuRounds.push(((cpu.user + cpu.system) * 1000) / (reads * pipeline));
  }
  label = (pipeline > 1 ? `pipelined (${pipeline} per read) GET ${route}` : `keep-alive GET ${route}`) + (withOtel ? ', OTel SDK metrics and tracing' : withMetrics ? ', metrics on' : '');
  expectBody = route === '/json' ? '{"message":"Hello, World!"}' : 'Hello, World!';
} else {
  const size = Number(postEcho);
  const head = Buffer.from(`POST /echo HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`);
  // Reads are views of one body, not fresh copies as a socket gives: the copy would be the bench's
  // own cost (and node's, for every server alike), larger than tiercel's.
  const READ = 64 * 1024;
  const body = Buffer.alloc(size, 'x');
  const reads = [];
  for (let at = 0; at < size; at += READ) reads.push(body.subarray(at, Math.min(size, at + READ)));
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  for (let r = 0; r < 10; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < perRound; i++) {
      const target = transport.bytes + size;
      transport.emit('data', head);
      for (const read of reads) {
        transport.emit('data', read);
        // Reads arrive in separate turns, as from a socket: the app runs in between.
        await settled();
      }
      while (transport.bytes < target) await settled();
    }
    const cpu = process.cpuUsage(c0);
    rounds.push(Number(process.hrtime.bigint() - t0) / perRound);
    cpuRounds.push(((cpu.user + cpu.system) * 1000) / perRound);
  }
  label = `POST /echo ${size} bytes in 64 KiB reads`;
  expectBody = undefined;
}
const answered = transport.bytes;
const first = transport.first;
if (!first.startsWith('HTTP/1.1 200 OK\r\n') || (expectBody !== undefined && !first.includes('\r\n\r\n' + expectBody))) {
  console.error(`connection-bench: unexpected response ${JSON.stringify(first.slice(0, 300))}`);
  process.exit(1);
}
rounds.sort((a, b) => a - b);
cpuRounds.sort((a, b) => a - b);
// The best round is the one least disturbed by other processes; the median shows the spread.
console.log(
  `${label}: best ${rounds[0].toFixed(0)} ns/request, median ${rounds[5].toFixed(0)} ns; ` +
    `CPU best ${cpuRounds[0].toFixed(0)} ns, median ${cpuRounds[5].toFixed(0)} ns (${answered} bytes answered)`,
);
process.exit(0);
