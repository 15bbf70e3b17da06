// Page faults and kernel time per POST echo, per server process: what makes the POST echo 1 MiB
// row's server CPU bimodal. Node mallocs each 64 KiB socket read and V8 frees the read buffers
// only when it scavenges (every ~32 MiB of young external memory); glibc gives its heap top back
// to the OS (brk) when more than its trim threshold (128 KiB) is free there, and the next reads
// fault those pages in again. Whether a process does that depends on whether a live allocation
// happens to hold its heap top: it is the same for the whole life of a process, and differs from
// one start to the next. So this starts each server several times (alternating) and reports every
// start: minor faults, system and user CPU per echo (/proc/<pid>/stat), and VmRSS after.
// Faults per echo are what to compare: they do not move with other work on the machine (the CPU
// times do); a start above TRIMMING faults per echo is one whose freed read buffers were trimmed.
// What it showed (issue 12, session 11, Node 20.20, 300 echoes a start, machine loaded 3-6): at one
// connection tiercel had 59-142 faults per echo (1.7-4.3 ms sys) in 9 of 20 starts and 0.1-19
// (0.7-1.1 ms sys) in the other 11; node:http 34-98 in every start (7). At 64 connections both had 1-12
// (tiercel once 45). With glibc's thresholds raised (MALLOC_TRIM_THRESHOLD_=268435456 in this
// process's environment, or a dropped 8-31 MiB Buffer in the server: glibc raises its mmap and
// trim thresholds when it frees a chunk it had mmapped) tiercel had 0.3-5 in every start and
// 400-870 us sys per echo; but the dropped Buffer also kept 5-20 MiB more RSS after load in the
// HTTP/2 and WebSocket rows (tiercel's h2 RSS after 1.22x node:http2's in one run), so it is not
// applied. RSS after at one connection: tiercel 87-88 MiB, node:http 64-72 MiB (tiercel scavenges
// only for external memory, ~32 MiB of read buffers; node:http's JS garbage fills new space sooner).
// Usage: cd bench && taskset -c 0 node echo-faults-bench.mjs [--servers node-http,tiercel] [--starts 4]
//   [--requests 300] [--warmup 200] [--connections 1] [--bytes 1048576]
// (servers pinned to CPU 1; tiercel's server runs the bundle: `npm run build` first). Extra
// environment for the servers (MALLOC_TRIM_THRESHOLD_=…) passes through from this process's.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from './lib/processes.mjs';

const TRIMMING = 20;

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'node-http,tiercel' },
    starts: { type: 'string', default: '4' },
    requests: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '200' },
    connections: { type: 'string', default: '1' },
    bytes: { type: 'string', default: String(1 << 20) },
  },
});
const servers = values.servers.split(',');
const starts = Number(values.starts);
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const bytes = Number(values.bytes);
const benchDir = dirname(fileURLToPath(import.meta.url));

const head = Buffer.from(`POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\n\r\n`);
// NUL bytes: no response head or chunk-size line holds one, so counting them counts the body
// whatever the framing (node:http chunks the echo, tiercel sends a content-length).
const body = Buffer.alloc(bytes);

/** utime and stime (clock ticks, 100 a second on Linux) and minor faults of a process. */
function stat(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]), sys: Number(fields[12]), faults: Number(fields[7]) };
}

/** `count` echoes over `connections` keep-alive connections, one in flight on each. */
function echoes(port, count) {
  return new Promise((resolve, reject) => {
    let left = count;
    let open = connections;
    for (let c = 0; c < connections; c++) {
      const socket = net.connect(port, '127.0.0.1');
      let got = 0;
      const send = () => {
        got = 0;
        socket.write(head);
        socket.write(body);
      };
      socket.on('error', reject);
      socket.on('connect', send);
      socket.on('data', (data) => {
        for (let i = 0; i < data.length; i++) if (data[i] === 0) got++;
        if (got < bytes) return;
        if (got > bytes) return reject(new Error('more body bytes than were sent'));
        if (--left >= connections) send();
        else {
          socket.destroy();
          if (--open === 0) resolve();
        }
      });
    }
  });
}

const rows = [];
for (let start = 1; start <= starts; start++) {
  for (const name of servers) {
    const server = await startServer({ name, file: `${name}.mjs`, cpu: 1, timeoutMs: 20_000, benchDir });
    try {
      await echoes(server.port, warmup);
      const before = stat(server.pid);
      await echoes(server.port, requests);
      const after = stat(server.pid);
      const row = {
        server: name,
        start,
        faults: (after.faults - before.faults) / requests,
        sysUs: ((after.sys - before.sys) * 1e4) / requests,
        userUs: ((after.user - before.user) * 1e4) / requests,
        rssMiB: server.memory().rssKiB / 1024,
      };
      rows.push(row);
      console.log(
        `${name} start ${start}: ${row.faults.toFixed(1)} faults, sys ${row.sysUs.toFixed(0)} us, user ${row.userUs.toFixed(0)} us per echo; RSS after ${row.rssMiB.toFixed(1)} MiB`,
      );
    } finally {
      await server.stop();
    }
  }
}
for (const name of servers) {
  const mine = rows.filter((r) => r.server === name);
  const range = (key, digits) => `${Math.min(...mine.map((r) => r[key])).toFixed(digits)}-${Math.max(...mine.map((r) => r[key])).toFixed(digits)}`;
  const trimming = mine.filter((r) => r.faults > TRIMMING).length;
  console.log(
    `${name}: faults per echo ${range('faults', 1)} (${trimming} of ${mine.length} starts above ${TRIMMING}), sys ${range('sysUs', 0)} us, user ${range('userUs', 0)} us per echo, RSS after ${range('rssMiB', 1)} MiB`,
  );
}
