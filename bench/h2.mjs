// HTTP/2 row: tiercel (demo app, h2c prior knowledge) against bare node:http2 (stream API),
// measured with h2load, interleaved rounds, each server pinned to one CPU and h2load to another
// (as run.mjs does with wrk). Prints req/s per round, the medians, and the ratio tiercel/node.
//
//   cd bench && node h2.mjs            (tiercel already built into ../dist)
//
// Environment (all optional):
//   REQUESTS=200000 CLIENTS=10 STREAMS=10 ROUNDS=3 WARMUP_REQUESTS=20000
//   SERVER_CPU=1 CLIENT_CPU=0 START_TIMEOUT=10000 (ms)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { runToEnd, startServer } from './lib/processes.mjs';

const BENCH_DIR = import.meta.dirname;
const SERVERS = [
  { name: 'node:http2', file: 'h2-node.mjs' },
  { name: 'tiercel h2', file: 'h2-tiercel.mjs' },
];
const BAR = 0.9;

function int(key, fallback, min) {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`h2 bench: ${key} must be an integer ≥ ${min} (got "${raw}")`);
    process.exit(2);
  }
  return value;
}

const settings = {
  requests: int('REQUESTS', 200_000, 1),
  clients: int('CLIENTS', 10, 1),
  streams: int('STREAMS', 10, 1),
  rounds: int('ROUNDS', 3, 1),
  warmup: int('WARMUP_REQUESTS', 20_000, 0),
  serverCpu: int('SERVER_CPU', 1, 0),
  clientCpu: int('CLIENT_CPU', 0, 0),
  startTimeoutMs: int('START_TIMEOUT', 10_000, 100),
};
for (const key of ['serverCpu', 'clientCpu']) {
  if (settings[key] >= os.availableParallelism()) {
    console.error(`h2 bench: ${key} is ${settings[key]} but this machine has CPUs 0..${os.availableParallelism() - 1}`);
    process.exit(2);
  }
}
try {
  execFileSync('h2load', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('h2 bench: h2load not found (Debian: apt-get install nghttp2-client)');
  process.exit(2);
}

const log = (m) => process.stderr.write(`h2 bench: ${m}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs h2load and returns req/s, refusing a run with any failed or errored request. */
async function h2load(port, requests) {
  const args = ['-n', String(requests), '-c', String(settings.clients), '-m', String(settings.streams), `http://127.0.0.1:${port}/plaintext`];
  const out = await runToEnd('h2load', args, { cpu: settings.clientCpu, cwd: BENCH_DIR, timeoutMs: 300_000 });
  const counts = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out.stdout);
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out.stdout);
  if (counts === null || rate === null) throw new Error(`cannot read h2load's output:\n${out.stdout}\n${out.stderr}`);
  if (Number(counts[2]) !== requests || counts[3] !== '0' || counts[4] !== '0') {
    throw new Error(`h2load: ${counts[2]} succeeded, ${counts[3]} failed, ${counts[4]} errored of ${requests}`);
  }
  return Number(rate[1]);
}

const servers = [];
try {
  for (const s of SERVERS) {
    servers.push({ ...s, proc: await startServer({ name: s.name, file: s.file, cpu: settings.serverCpu, timeoutMs: settings.startTimeoutMs, benchDir: BENCH_DIR }), rates: [] });
  }
  for (const s of servers) if (settings.warmup > 0) await h2load(s.proc.port, settings.warmup);
  // Interleaved rounds, so drift (thermal, other load) hits both servers alike.
  for (let round = 1; round <= settings.rounds; round++) {
    for (const s of servers) {
      const rate = await h2load(s.proc.port, settings.requests);
      s.rates.push(rate);
      log(`round ${round}: ${s.name} ${fmt(rate)} req/s`);
    }
  }
} finally {
  await Promise.all(servers.map((s) => s.proc.stop()));
}

const [node, tiercel] = servers.map((s) => median(s.rates));
const ratio = tiercel / node;
console.log(`## HTTP/2 plaintext (h2load -n ${settings.requests} -c ${settings.clients} -m ${settings.streams}, ${settings.rounds} interleaved rounds, median)\n`);
console.log('| Server | req/s (median) | rounds |');
console.log('|---|---:|---|');
for (const s of servers) console.log(`| ${s.name} | ${fmt(median(s.rates))} | ${s.rates.map(fmt).join(', ')} |`);
console.log(`\nRatio tiercel / node:http2: **${ratio.toFixed(2)}×** (bar: ≥ ${BAR}×) — ${ratio >= BAR ? 'meets the bar' : 'BELOW the bar'}`);
console.log(`\nNode ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, server on CPU ${settings.serverCpu}, h2load on CPU ${settings.clientCpu}.`);
