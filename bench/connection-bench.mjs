// Micro-benchmark of tiercel's own JavaScript per keep-alive request: one Http1Connection with
// the demo app behind the real pipeline, fed `GET /plaintext` over and over by a transport that
// only counts what is written. No kernel, no sockets: what is left is parse → exchange →
// pipeline → app → head, the part of a request tiercel can make cheaper. (Over TCP the kernel and
// node's streams add ~8.5 µs per request here; see RESULTS.md for the whole-server rows.)
// Usage: node bench/connection-bench.mjs <dist folder> [requests]
//   e.g. `npx tsc -p . --outDir dist-a && node bench/connection-bench.mjs dist-a`
import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.argv[2];
if (!dist) {
  console.error('usage: node bench/connection-bench.mjs <dist folder> [requests]');
  process.exit(2);
}
const requests = Number(process.argv[3] ?? 2_000_000);
const load = (path) => import(pathToFileURL(resolve(dist, path)).href);
const { Http1Connection } = await load('protocols/http1/http1-connection.js');
const { resolveHttpOptions, Heartbeat } = await load('protocols/http/index.js');
const { ConnectionContext } = await load('connection/index.js');
const { demoApp } = await load('hosting/demo-app.js');

/** The least a transport can be: it takes writes and counts their bytes. */
class CountingTransport extends EventEmitter {
  destroyed = false;
  writableNeedDrain = false;
  writableLength = 0;
  bytes = 0;
  first = '';
  write(data) {
    if (this.first === '') this.first = String(data);
    this.bytes += data.length;
    return true;
  }
  pause() {}
  resume() {}
}

const options = resolveHttpOptions();
const transport = new CountingTransport();
const ctx = new ConnectionContext({ transport, localEndpoint: { kind: 'memory', name: 'bench' }, remoteEndpoint: { kind: 'memory', name: 'client' } });
const quiet = { debug() {}, info() {}, warn() {}, error: (...args) => console.error(...args) };
const connection = new Http1Connection(ctx, demoApp().build(), {
  limits: options.limits,
  serverLine: options.serverLine,
  extraMethods: [],
  upgrades: options.upgrades,
  heartbeat: new Heartbeat(),
  logger: quiet,
});
connection.run();

const request = Buffer.from('GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n');
const perRound = Math.floor(requests / 10);
const rounds = [];
// CPU time too: on a machine shared with other work, a round's wall time includes the time this
// process waited for a core, its CPU time does not (it still pays for shared caches).
const cpuRounds = [];
for (let r = 0; r < 10; r++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < perRound; i++) transport.emit('data', request);
  const cpu = process.cpuUsage(c0);
  rounds.push(Number(process.hrtime.bigint() - t0) / perRound);
  cpuRounds.push(((cpu.user + cpu.system) * 1000) / perRound);
}
const answered = transport.bytes;
if (!transport.first.startsWith('HTTP/1.1 200 OK\r\n') || !transport.first.endsWith('\r\n\r\nHello, World!')) {
  console.error(`connection-bench: unexpected response ${JSON.stringify(transport.first)}`);
  process.exit(1);
}
rounds.sort((a, b) => a - b);
cpuRounds.sort((a, b) => a - b);
// The best round is the one least disturbed by other processes; the median shows the spread.
console.log(
  `keep-alive GET /plaintext: best ${rounds[0].toFixed(0)} ns/request, median ${rounds[5].toFixed(0)} ns; ` +
    `CPU best ${cpuRounds[0].toFixed(0)} ns, median ${cpuRounds[5].toFixed(0)} ns (${answered} bytes answered)`,
);
process.exit(0);
