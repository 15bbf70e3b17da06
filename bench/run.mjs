// tiercel benchmark harness: tiercel against node:http, fastify, hono and a raw-socket
// ceiling over HTTP/1.1 (wrk), against bare node:http2 over HTTP/2 (h2load), and against ws on
// node:http for a WebSocket echo; each server in its own process pinned to one CPU and the load
// generator pinned to another. Writes bench/RESULTS.md and prints the same Markdown.
//
//   npm run bench                      (from the repository root: builds tiercel first)
//   cd bench && node run.mjs           (tiercel already built)
//
// Environment (all optional, all validated):
//   DURATION=5 ROUNDS=5 CONNECTIONS=64 WARMUP=2   wrk seconds, interleaved rounds, wrk connections, warm-up seconds
//   SERVERS=node-http,fastify   SCENARIOS=plaintext,json,h2,ws   run a subset
//     (scenarios: plaintext, pipelined, metrics, json, compressed, routes, echo, h2, ws; SERVERS applies to the HTTP/1.1 rows
//      and the idle test; the h2 and ws rows compare tiercel with their own baseline, the compressed row with fastify +
//      @fastify/compress, the routes row with fastify's router, the metrics row tiercel with itself)
//   PIPELINE=16  ECHO_BYTES=1048576  IDLE_CONNECTIONS=1000  (IDLE_CONNECTIONS=0 skips the idle tests)
//   IDLE=h1,h2,ws   which idle tables: HTTP/1.1 keep-alive (SERVERS), HTTP/2 (tiercel, node:http2), WebSocket (tiercel, ws)
//   IDLE_SETTLE_MS=1000   wait before each RSS reading of the idle tests
//   RESULTS=RESULTS.md   where the report goes (relative to bench/); RESULTS=- only prints it
//   H2_REQUESTS=300000 H2_CLIENTS=10 H2_STREAMS=10 H2_WARMUP_REQUESTS=20000   h2load -n/-c/-m per round, warm-up requests
//   WS_SECONDS=$DURATION WS_CONNECTIONS=50 WS_BYTES=32   WebSocket echo: measured seconds, clients, message size
//   SERVER_CPU=1 CLIENT_CPU=0  START_TIMEOUT=10000 (ms)  INJECT_REQUESTS=20000 (0 skips inject)
//
// `node h2.mjs` and `node ws.mjs` run one of the bar rows alone and print its section.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { checkH2load, h2loadVersion } from './lib/h2load.mjs';
import { measureIdle } from './lib/idle.mjs';
import { runToEnd, startServer } from './lib/processes.mjs';
import { barVerdict, renderReport, summarize } from './lib/report.mjs';
import { fmt, log } from './lib/rounds.mjs';
import { rowServers, runRow } from './lib/rows.mjs';
import { BASELINE, ENV_KEYS, IDLE_KINDS, SERVERS, readSettings } from './lib/settings.mjs';
import { checkWsClient, wsVersion } from './lib/ws-client.mjs';
import { checkTools, wrkVersion } from './lib/wrk.mjs';

const BENCH_DIR = import.meta.dirname;

function machine(settings) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const setEnv = ENV_KEYS.filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  const defaults = [`DURATION=${settings.duration}`, `ROUNDS=${settings.rounds}`, `CONNECTIONS=${settings.connections}`];
  const env = [...new Set([...defaults, ...setEnv].map((kv) => kv.split('=')[0]))].map(
    (k) => setEnv.find((kv) => kv.startsWith(`${k}=`)) ?? defaults.find((kv) => kv.startsWith(`${k}=`)),
  );
  const version = (pkg) => {
    try {
      return JSON.parse(readFileSync(join(BENCH_DIR, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    } catch {
      return 'not installed';
    }
  };
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: os.availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU',
    memTotal: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: os.release(),
    node: process.version,
    wrk: wrkVersion(),
    h2load: h2loadVersion(),
    ws: wsVersion(),
    peers: `fastify ${version('fastify')}, hono ${version('hono')}, @hono/node-server ${version('@hono/node-server')}`,
    command: `${env.join(' ')} npm run bench`,
    directCommand: `${env.join(' ')} node run.mjs`,
  };
}

/** One idle table: a fresh process per server per round, the servers interleaved round after round. */
async function runIdle(kind, servers, settings) {
  const specs = (kind.servers ?? servers).filter((s) => !s.plaintextOnly);
  const idle = new Map(specs.map((s) => [s.name, { runs: [], failure: null }]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const spec of specs.map((_, i) => specs[(i + round) % specs.length])) {
      const entry = idle.get(spec.name);
      if (entry.failure) continue;
      let server;
      try {
        server = await startServer({ ...spec, cpu: settings.serverCpu, timeoutMs: settings.startTimeoutMs, benchDir: BENCH_DIR });
        const run = await measureIdle(server, { kind: kind.id, count: settings.idleConnections, settleMs: settings.idleSettleMs });
        entry.runs.push(run);
        log(`idle ${kind.id} round ${round + 1}/${settings.rounds} ${spec.name}: ${run.perConnectionKiB.toFixed(1)} KiB per ${kind.unitName} cold, ${run.marginalPerConnectionKiB.toFixed(1)} marginal, ${run.warmPerConnectionKiB.toFixed(1)} warm (${run.open} open)`);
      } catch (error) {
        entry.failure = error.message.split('\n')[0];
        log(`idle ${kind.id} ${spec.name}: ${entry.failure}`);
      } finally {
        await server?.stop();
      }
    }
  }
  return idle;
}

async function runInject(settings) {
  try {
    const { code, stdout, stderr } = await runToEnd(process.execPath, [join(BENCH_DIR, 'inject.mjs'), '--json'], {
      cpu: settings.serverCpu,
      cwd: BENCH_DIR,
      env: { ...process.env, INJECT_REQUESTS: String(settings.injectRequests) },
      timeoutMs: 300_000,
    });
    if (code !== 0) throw new Error(`inject.mjs exited with code ${code}: ${stderr.trim().split('\n').slice(-1)[0]}`);
    const parsed = JSON.parse(stdout.trim().split('\n').pop());
    for (const r of parsed.results) log(`inject ${r.name}: ${fmt(r.rps)} req/s`);
    return parsed;
  } catch (error) {
    log(`inject: ${error.message}`);
    return { error: error.message.split('\n')[0] };
  }
}

async function main() {
  const loadAtStart = os.loadavg();
  const { settings, problems } = readSettings(process.env);
  if (problems.length) {
    console.error(`bench: bad settings:\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  const kinds = new Set(settings.scenarios.map((s) => s.kind));
  const toolProblems = [...checkTools({ wrk: kinds.has('wrk') }), ...(kinds.has('h2') ? checkH2load() : []), ...(kinds.has('ws') ? checkWsClient() : [])];
  if (toolProblems.length) {
    console.error(`bench: cannot run:\n  - ${toolProblems.join('\n  - ')}`);
    process.exit(1);
  }

  const servers = SERVERS.filter((s) => settings.servers.includes(s.name));
  const results = new Map();
  for (const scenario of settings.scenarios) {
    log(`scenario ${scenario.id}: ${rowServers(scenario, servers).map((s) => s.name).join(', ')}`);
    results.set(scenario.id, await runRow(scenario, servers, settings, BENCH_DIR));
  }
  const idle = new Map();
  if (settings.idleConnections > 0) {
    for (const kind of IDLE_KINDS.filter((k) => settings.idleKinds.includes(k.id))) idle.set(kind.id, await runIdle(kind, servers, settings));
  }
  const inject = settings.injectRequests > 0 ? await runInject(settings) : null;

  const meta = { ...machine(settings), load: loadAtStart.map((n) => n.toFixed(2)).join(' ') };
  const markdown = renderReport({ meta, settings, scenarios: settings.scenarios, results, idle, inject, baselineName: BASELINE });
  if (settings.results !== '-') writeFileSync(join(BENCH_DIR, settings.results), markdown);
  console.log(markdown);

  const unmeasured = [...results.values()].flatMap((entries) => [...entries].filter(([, e]) => e.failure).map(([name]) => name));
  const flagged = [...results.entries()].flatMap(([id, entries]) =>
    [...entries].filter(([, e]) => e.rounds.length && summarize(e).flagged).map(([name]) => `${name} (${id})`),
  );
  if (flagged.length) log(`warning: flagged: ${[...new Set(flagged)].join(', ')}`);
  for (const scenario of settings.scenarios.filter((s) => s.bar)) {
    const verdict = barVerdict(scenario, results.get(scenario.id));
    if (verdict.status !== 'met') log(`warning: ${scenario.id}: ${verdict.text.replace(/\*\*/g, '')}`);
  }
  if (settings.results !== '-') log(`wrote bench/${settings.results}`);
  if (unmeasured.length) {
    log(`failed: ${[...new Set(unmeasured)].join(', ')} could not be fully measured`);
    process.exitCode = 1;
  }
}

await main();
