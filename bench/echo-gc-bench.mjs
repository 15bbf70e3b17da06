// The garbage collector under POST echo, in process: 64 HTTP/1.1 connections (the POST echo row's
// -c64) each echo 1 MiB bodies that arrive in fresh 64 KiB buffers, as a socket's reads do, one
// read per connection per turn of the event loop. No kernel and no load generator: the collections
// counted are the server's own, and they barely depend on other work on the machine.
// Usage: node bench/echo-gc-bench.mjs <dist folder> [requests] [--tiny] [--reuse] [--stream] [--load <module>,...]
//   --stream: each connection's transport is a node:stream Duplex with the TCP transport's 64 KiB
//     highWaterMark whose writes complete at once, as a socket's do when the kernel takes the
//     bytes, and reads reach the connection through its readable side (push, 'data'), as a
//     socket's do: the stream machinery a socket adds to each read and write. (Node 20.20 answers
//     true to a write that left at once, whatever its size: an echo pauses only when bytes wait.)
//   --tiny: a one-route app (`response.stream(request.body)`) instead of the demo app.
//   --load: modules under the dist folder imported (and not used) first, e.g.
//     `--tiny --load middleware/index.js`: what the loaded code alone does to the collections.
//   --reuse: the reads come from 256 buffers made once, and only user CPU is counted: tiercel's
//     own JS work per request, without the kernel's page faults for fresh buffers, which swing
//     the CPU per request by 2-3x on a busy machine (issue 12: 74-102 us per request where the
//     default mode gave 460-2,500 us in the same minutes).
// What it showed (issue 12, Node 20): the demo app made 20-41 mark-compacts per 1,500 requests
// where the one-route app made 3-5, and importing middleware/index.js into the one-route app,
// unused, was enough for 29-40: the more code the heap holds, the sooner the 1 MiB of external
// memory each request allocates starts incremental marking ('allocation limit' in
// --trace-incremental-marking). node:http served the socket row with 0-2 per 5 s (--trace-gc).
// Later (issue 12, pipeBody): with the body piped into the response in the read callback instead
// of one readBody() promise per chunk, --reuse showed 12 -> 4 scavenges per 3,000 requests and
// ~5-18 % less user CPU per request; mark-compacts were 1-9 per 3,000 either way, and under the
// socket bench both servers made 0-5 per 5 s run with --trace-gc (GC is no longer the row's gap).
// Later (issue 12, body pieces): `--reuse --stream`, 6,000 requests: 14 -> 11 scavenges with the
// parser handing a read that is all body to onBody as is (no subarray per read); user CPU per
// request 49-52 vs 48-59 µs (no difference).
// What this bench cannot show (issue 12, over sockets under wrk -c64, /proc/<pid>/stat minflt and
// strace -c): the server's syscalls per request match node:http's (17.6-17.9 reads, 17.6-18.9
// writes), but tiercel takes 29-53 minor page faults and ~1.4 brk calls per request where
// node:http takes 3-7 and none, and scavenges half as often (27-31 vs 63 per 5 s run). Each read
// is a fresh 64 KiB malloc (node:net's read buffer; node:http's parser reads into one reused
// buffer instead), freed only when a scavenge finds it dead: fewer scavenges free more at once,
// glibc trims the heap top and the next reads fault its pages back in. With
// MALLOC_TRIM_THRESHOLD_=64 MiB given to both servers, tiercel's faults fell to 2 per request and
// its CPU per request 1039 -> 709 µs (node:http 816 -> 754) in one contended run (1443 -> 840 in
// another): most of the row's gap.
import 'reflect-metadata';
import { Duplex } from 'node:stream';
import { CountingTransport } from './lib/counting-transport.mjs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const tiny = args.includes('--tiny');
const reuse = args.includes('--reuse');
const stream = args.includes('--stream');
const loadAt = args.indexOf('--load');
const extra = loadAt < 0 ? [] : args[loadAt + 1].split(',');
const positional = args.filter((a, i) => !a.startsWith('--') && (loadAt < 0 || i !== loadAt + 1));
const dist = positional[0];
if (!dist) {
  console.error('usage: node bench/echo-gc-bench.mjs <dist folder> [requests] [--tiny] [--load <module>,...]');
  process.exit(2);
}
const requests = Number(positional[1] ?? 1_500);
const load = (path) => import(pathToFileURL(resolve(dist, path)).href);
const { Http1Connection } = await load('protocols/http1/http1-connection.js');
const { resolveHttpOptions, Heartbeat } = await load('protocols/http/index.js');
const { ConnectionContext } = await load('connection/index.js');
await load('hosting/index.js');
const { ApplicationBuilder } = await load('pipeline/index.js');
for (const m of extra) await load(m);
const app = tiny
  ? new ApplicationBuilder()
      .run((ctx) => {
        const { request, response } = ctx;
        response.headers.set('content-length', request.contentLength);
        return response.stream(request.body);
      })
      .build()
  : (await load('hosting/demo-app.js')).demoApp().build();


/** A socket without the kernel (see --stream): writes counted and done at once, reads pushed. */
class StreamTransport extends Duplex {
  bytes = 0;
  constructor() {
    super({ highWaterMark: 64 * 1024, allowHalfOpen: true });
  }
  _write(chunk, _encoding, callback) {
    this.bytes += chunk.length;
    callback();
  }
  _read() {}
}

/** Hands one read to the connection: through a socket-like readable side, or as a bare 'data'. */
function feed(transport, read) {
  if (stream) transport.push(read);
  else transport.emit('data', read);
}

const CONNECTIONS = 64;
const SIZE = 1 << 20;
const READ = 64 * 1024;
const options = resolveHttpOptions();
const heartbeat = new Heartbeat();
const quiet = { debug() {}, info() {}, warn() {}, error: (...a) => console.error(...a) };
const head = Buffer.from(`POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: ${SIZE}\r\n\r\n`);
const source = Buffer.alloc(READ, 'x');
const pool = reuse ? Array.from({ length: 256 }, () => Buffer.from(source)) : [];
let pooled = 0;
const connections = [];
for (let i = 0; i < CONNECTIONS; i++) {
  const transport = stream ? new StreamTransport() : new CountingTransport();
  const ctx = new ConnectionContext({ transport, localEndpoint: { kind: 'memory', name: 'bench' }, remoteEndpoint: { kind: 'memory', name: `client-${i}` } });
  new Http1Connection(ctx, app, { limits: options.limits, serverLine: options.serverLine, extraMethods: [], upgrades: options.upgrades, heartbeat, logger: quiet }).run();
  // sent < 0: waiting for the echo of the last body before the next request.
  connections.push({ transport, sent: -1, target: 0 });
}

const counts = { minor: 0, major: 0 };
let gcMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = e.detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minor++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major++;
    gcMs += e.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });

let done = 0;
const cpu0 = process.cpuUsage();
while (done < requests) {
  for (const c of connections) {
    if (c.sent < 0) {
      if (c.transport.bytes < c.target) continue;
      feed(c.transport, head);
      c.target = c.transport.bytes + SIZE;
      c.sent = 0;
    }
    // A fresh buffer per read, as from a socket: its memory is external to the JS heap.
    let read;
    if (reuse) {
      read = pool[pooled++ & 255];
    } else {
      read = Buffer.allocUnsafeSlow(READ);
      source.copy(read);
    }
    feed(c.transport, read);
    c.sent += READ;
    if (c.sent >= SIZE) {
      c.sent = -1;
      done++;
    }
  }
  await new Promise((r) => setImmediate(r));
}
const cpu = process.cpuUsage(cpu0);
if (reuse) cpu.system = 0;
// The observer reports collections asynchronously.
await new Promise((r) => setTimeout(r, 100));
observer.disconnect();
const label = (reuse ? 'reused reads, user CPU, ' : '') + (stream ? 'stream transports, ' : '') + (tiny ? `one-route app${extra.length > 0 ? ` + ${extra.join(', ')}` : ''}` : 'demo app');
console.log(
  `POST /echo 1 MiB × ${requests} on ${CONNECTIONS} connections, ${label}: CPU ${((cpu.user + cpu.system) / requests).toFixed(0)} µs per request; ` +
    `collections: ${counts.minor} scavenges, ${counts.major} mark-compacts, ${gcMs.toFixed(0)} ms (${((gcMs * 1000) / requests).toFixed(0)} µs per request)`,
);
process.exit(0);
