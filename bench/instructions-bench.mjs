// Instructions per request, counted by valgrind's callgrind: the one measure of a server's cost that
// does not move with the machine. wrk and h2load rows on this 2-core VM swing by 2x from run to run
// (the raw-socket ceiling did 44k-86k req/s), which hides differences of a few per cent; callgrind
// counts every instruction the server process executes (JIT code, V8, libuv, nghttp2, the kernel
// excluded) and gives the same count whatever else runs. It cannot see cache misses or the kernel,
// so it complements the timed rows rather than replacing them.
//
// Each server runs under callgrind (50-100x slower) with one client connection: WARMUP requests so
// the JIT settles, callgrind's counters zeroed, REQUESTS more counted, then dumped. Rows:
//   h1    GET /plaintext, one keep-alive connection, one request in flight (node-http, tiercel, ceiling)
//   json  GET /json, the same (node-http, tiercel)
//   echo  POST /echo with a 1 MiB body streamed back, one keep-alive connection, one in flight
//         (node-http, tiercel; default 300 warm-up and 300 counted: each is 2 MiB through the server)
//   h2    GET /plaintext over one h2c session, 10 streams in flight (node:http2's stream API, tiercel)
//   ws    32-byte text echo over one WebSocket, one message in flight (ws on node:http, tiercel)
// Usage: cd bench && node instructions-bench.mjs [h1|json|h2|ws ...] [--requests N] [--warmup N]
// (tiercel's server runs the bundle: `npm run build` first). Needs valgrind (apt-get install valgrind).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './lib/processes.mjs';

const ROWS = {
  h1: { servers: ['node-http', 'tiercel', 'ceiling'], client: http1Client('/plaintext'), unit: 'request' },
  json: { servers: ['node-http', 'tiercel'], client: http1Client('/json'), unit: 'request' },
  echo: { servers: ['node-http', 'tiercel'], client: echoClient(1 << 20), unit: 'request', requests: 300, warmup: 300 },
  h2: { servers: ['h2-node', 'tiercel'], client: http2Client('/plaintext', 10), unit: 'stream' },
  ws: { servers: ['ws-node', 'tiercel'], client: webSocketClient(32), unit: 'message' },
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: 'string' }, warmup: { type: 'string' } },
});
const requests = Number(values.requests ?? 20000);
const warmup = Number(values.warmup ?? 20000);
const rows = positionals.length > 0 ? positionals : Object.keys(ROWS);
const unknown = rows.filter((r) => !(r in ROWS));
if (unknown.length > 0 || !(requests > 0) || !(warmup >= 0)) {
  console.error(`usage: node instructions-bench.mjs [${Object.keys(ROWS).join('|')} ...] [--requests N] [--warmup N]`);
  process.exit(2);
}
if (spawnSync('valgrind', ['--version']).error) {
  console.error('valgrind is not installed (apt-get install -y valgrind): no instruction counts');
  process.exit(2);
}

const benchDir = import.meta.dirname;
const work = mkdtempSync(join(tmpdir(), 'tiercel-cg-'));
try {
  for (const id of rows) {
    const row = ROWS[id];
    const counts = [];
    // A row with heavy units (echo) has its own defaults; --requests/--warmup override every row.
    const n = values.requests === undefined ? (row.requests ?? requests) : requests;
    const w = values.warmup === undefined ? (row.warmup ?? warmup) : warmup;
    for (const name of row.servers) counts.push([name, await countInstructions(name, row.client, w, n)]);
    const base = counts[0][1];
    console.log(`\n${id}: instructions per ${row.unit} (callgrind; ${w.toLocaleString('en-US')} warm-up, ${n.toLocaleString('en-US')} counted)`);
    for (const [name, count] of counts) {
      console.log(`  ${name.padEnd(10)} ${Math.round(count).toLocaleString('en-US').padStart(9)}  ${(count / base).toFixed(3)}x ${counts[0][0]}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Runs `servers/<name>.mjs` under callgrind, drives it with `client`, and returns its instructions per unit. */
async function countInstructions(name, client, warmup, requests) {
  const port = await freePort();
  const out = join(work, `${name}.%p`);
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, join(benchDir, 'servers', `${name}.mjs`), String(port)], {
    cwd: benchDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not print "listening" within 180 s under valgrind`)), 180_000);
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} under valgrind`)));
      child.stdout.on('data', (d) => {
        if (d.toString().includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const control = (option) => execFileSync('callgrind_control', [option, String(child.pid)], { stdio: 'ignore' });
    await client(port, warmup, () => control('-z'), requests);
    control('-d');
    const dump = readdirSync(work).find((f) => f.startsWith(`${name}.${child.pid}.`));
    if (dump === undefined) throw new Error(`callgrind wrote no dump for ${name}`);
    const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(work, dump), 'utf8'));
    if (totals === null) throw new Error(`no totals in callgrind's dump for ${name}`);
    return Number(totals[1]) / requests;
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * One keep-alive connection sending `GET path`, the next request when the response has arrived:
 * `warm` requests, then `zero()`, then `count` more. Responses are counted by their status line.
 */
function http1Client(path) {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  return (port, warm, zero, count) =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setEncoding('latin1');
      socket.on('error', reject);
      const answered = countAnswers(warm, count, zero, () => {
        socket.destroy();
        resolve();
      });
      let pending = '';
      socket.on('connect', () => {
        if (warm === 0) zero();
        socket.write(request);
      });
      socket.on('data', (text) => {
        pending += text;
        let from = 0;
        let at;
        while ((at = pending.indexOf('HTTP/1.1 200', from)) !== -1) {
          from = at + 12;
          if (answered()) return;
          socket.write(request);
        }
        pending = pending.slice(Math.max(from, pending.length - 12));
      });
    });
}

/** One h2c session with `depth` streams in flight; `zero()` once `warm` have ended and none is in flight. */
function http2Client(path, depth) {
  return (port, warm, zero, count) =>
    new Promise((resolve, reject) => {
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', reject);
      let started = 0;
      let ended = 0;
      let inFlight = 0;
      const phaseEnd = () => (ended < warm ? warm : warm + count);
      const start = () => {
        started++;
        inFlight++;
        const stream = session.request({ ':path': path });
        stream.on('error', reject);
        stream.resume();
        stream.on('end', () => {
          ended++;
          inFlight--;
          if (ended === warm + count) {
            session.destroy();
            resolve();
            return;
          }
          // The warm-up drains before the counters are zeroed, so counted streams only are counted.
          if (ended === warm && inFlight === 0) {
            zero();
            for (let i = 0; i < depth; i++) start();
            return;
          }
          if (started < phaseEnd()) start();
        });
      };
      if (warm === 0) zero();
      for (let i = 0; i < depth; i++) start();
    });
}

/**
 * One keep-alive connection POSTing `size` bytes to /echo, the next once the whole echo has come
 * back. node:http answers chunked and tiercel with a length, so the client counts body bytes (the
 * payload is one byte value the framing never contains: 'x' against hex digits and CRLF).
 */
function echoClient(size) {
  const head = Buffer.from(`POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`);
  const body = Buffer.alloc(size, 'x');
  const X = 0x78;
  return (port, warm, zero, count) =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', reject);
      const answered = countAnswers(warm, count, zero, () => {
        socket.destroy();
        resolve();
      });
      let received = 0;
      const send = () => {
        socket.write(head);
        socket.write(body);
      };
      socket.on('connect', () => {
        if (warm === 0) zero();
        send();
      });
      socket.on('data', (chunk) => {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === X) received++;
        while (received >= size) {
          received -= size;
          if (answered()) return;
          send();
        }
      });
    });
}

/** One WebSocket, upgraded by hand, echoing a `size`-byte text message, one in flight. */
function webSocketClient(size) {
  // Masked with a zero key, so the payload goes as it is (the server must unmask all the same).
  const frame = Buffer.alloc(6 + size, 0x61);
  frame[0] = 0x81;
  frame[1] = 0x80 | size;
  frame.fill(0, 2, 6);
  const echo = 2 + size;
  return (port, warm, zero, count) =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.on('error', reject);
      let upgraded = false;
      const answered = countAnswers(warm, count, zero, () => {
        socket.destroy();
        resolve();
      });
      let buffered = Buffer.alloc(0);
      socket.on('connect', () =>
        socket.write(
          'GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      socket.on('data', (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        if (!upgraded) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end === -1) return;
          if (!buffered.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101')) {
            reject(new Error('the upgrade was refused'));
            return;
          }
          upgraded = true;
          buffered = buffered.subarray(end + 4);
          if (warm === 0) zero();
          socket.write(frame);
        }
        while (buffered.length >= echo) {
          buffered = buffered.subarray(echo);
          if (answered()) return;
          socket.write(frame);
        }
      });
    });
}

/** Counts answers one at a time: zeroes the counters after `warm`, calls `finish` after `count` more (and returns true). */
function countAnswers(warm, count, zero, finish) {
  let done = 0;
  return () => {
    done++;
    if (done === warm) zero();
    if (done !== warm + count) return false;
    finish();
    return true;
  };
}
