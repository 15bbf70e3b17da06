// WebSocket echo benchmark: tiercel's demo app (`/ws`, from ../dist) against ws on a bare
// node:http server. Each server runs in its own process pinned to SERVER_CPU, the load generator
// (lib/ws-load.mjs, ws clients) in another pinned to CLIENT_CPU; the servers are interleaved
// A B A B so drift hits both alike. Prints messages/s per round, the medians and the ratio.
//
//   cd bench && node ws.mjs          (build tiercel first: npx tsc -p .. --outDir ../dist)
//
// Environment (all optional): ROUNDS=4 DURATION=5 WARMUP=1 CONNECTIONS=50 BYTES=32 SERVER_CPU=1 CLIENT_CPU=0
import { join } from 'node:path';
import { runToEnd, startServer } from './lib/processes.mjs';

const BENCH_DIR = import.meta.dirname;
const env = (key, fallback) => (process.env[key] ? Number(process.env[key]) : fallback);
const settings = {
  rounds: env('ROUNDS', 4),
  duration: env('DURATION', 5),
  warmup: env('WARMUP', 1),
  connections: env('CONNECTIONS', 50),
  bytes: env('BYTES', 32),
  serverCpu: env('SERVER_CPU', 1),
  clientCpu: env('CLIENT_CPU', 0),
};
const SERVERS = [
  { name: 'tiercel', file: 'tiercel.mjs' },
  { name: 'ws-node', file: 'ws-node.mjs' },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const results = new Map(SERVERS.map((s) => [s.name, []]));
for (let round = 1; round <= settings.rounds; round++) {
  for (const spec of SERVERS) {
    const server = await startServer({ ...spec, cpu: settings.serverCpu, timeoutMs: 10_000, benchDir: BENCH_DIR });
    try {
      const args = [
        join(BENCH_DIR, 'lib', 'ws-load.mjs'),
        `ws://127.0.0.1:${server.port}/ws`,
        String(settings.connections),
        String(settings.bytes),
        String(settings.duration),
        String(settings.warmup),
      ];
      const { code, stdout, stderr } = await runToEnd(process.execPath, args, {
        cpu: settings.clientCpu,
        cwd: BENCH_DIR,
        timeoutMs: (settings.duration + settings.warmup + 30) * 1000,
      });
      if (code !== 0) throw new Error(`load generator failed (${code}): ${stderr}`);
      const r = JSON.parse(stdout.trim().split('\n').at(-1));
      if (r.errors > 0) throw new Error(`${spec.name}: ${r.errors} socket errors`);
      results.get(spec.name).push(r.perSecond);
      process.stderr.write(`ws bench: round ${round} ${spec.name}: ${fmt(r.perSecond)} messages/s\n`);
    } finally {
      await server.stop();
    }
  }
}

const t = median(results.get('tiercel'));
const w = median(results.get('ws-node'));
console.log(`\nWebSocket echo, ${settings.connections} connections, ${settings.bytes}-byte messages, one in flight per connection,`);
console.log(`${settings.rounds} interleaved rounds of ${settings.duration} s (server on CPU ${settings.serverCpu}, load on CPU ${settings.clientCpu}):\n`);
console.log('| server | median messages/s | rounds |');
console.log('|---|---:|---|');
for (const [name, xs] of results) console.log(`| ${name} | ${fmt(median(xs))} | ${xs.map(fmt).join(', ')} |`);
console.log(`\ntiercel / ws-node = ${(t / w).toFixed(3)}×`);
