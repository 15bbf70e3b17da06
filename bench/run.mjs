// tiercel benchmark harness: tiercel against node:http, fastify, hono and a raw-socket
// ceiling, each server in its own process pinned to one CPU and wrk pinned to another.
// Writes bench/RESULTS.md and prints the same Markdown.
//
//   npm run bench                      (from the repository root: builds tiercel first)
//   cd bench && node run.mjs           (tiercel already built)
//
// Environment (all optional):
//   DURATION=5 ROUNDS=3 CONNECTIONS=64 WARMUP=2   wrk seconds, interleaved rounds, connections, warm-up seconds
//   SERVERS=node-http,fastify   SCENARIOS=plaintext,json   run a subset
//   PIPELINE=16  ECHO_BYTES=1048576  IDLE_CONNECTIONS=1000  (IDLE_CONNECTIONS=0 skips the idle test)
//   SERVER_CPU=1 CLIENT_CPU=0  START_TIMEOUT=10000 (ms)  INJECT_REQUESTS=20000 (0 skips inject)
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startCpuMeter } from './lib/cpu.mjs';
import { measureIdle } from './lib/idle.mjs';
import { runToEnd, startServer } from './lib/processes.mjs';
import { renderReport, summarize } from './lib/report.mjs';
import { checkRoute } from './lib/sanity.mjs';
import { checkTools, runWrk, wrkVersion } from './lib/wrk.mjs';

const BENCH_DIR = import.meta.dirname;

const SERVERS = [
  { name: 'node-http', file: 'node-http.mjs' },
  { name: 'tiercel', file: 'tiercel.mjs' },
  { name: 'fastify', file: 'fastify.mjs' },
  { name: 'hono', file: 'hono.mjs' },
  { name: 'ceiling', file: 'ceiling.mjs', plaintextOnly: true },
];
const BASELINE = 'node-http';

function readSettings(env) {
  const problems = [];
  const int = (key, fallback, min) => {
    if (env[key] === undefined || env[key] === '') return fallback;
    const value = Number(env[key]);
    if (!Number.isInteger(value) || value < min) problems.push(`${key} must be an integer ≥ ${min} (got "${env[key]}")`);
    return value;
  };
  const list = (key, known) => {
    if (!env[key]) return known;
    const wanted = env[key].split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted.filter((w) => !known.includes(w));
    if (unknown.length) problems.push(`${key} has unknown name(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return wanted;
  };
  const settings = {
    duration: int('DURATION', 5, 1),
    rounds: int('ROUNDS', 3, 1),
    connections: int('CONNECTIONS', 64, 1),
    warmup: int('WARMUP', 2, 0),
    pipeline: int('PIPELINE', 16, 1),
    echoBytes: int('ECHO_BYTES', 1024 * 1024, 1),
    idleConnections: int('IDLE_CONNECTIONS', 1000, 0),
    serverCpu: int('SERVER_CPU', 1, 0),
    clientCpu: int('CLIENT_CPU', 0, 0),
    startTimeoutMs: int('START_TIMEOUT', 10_000, 100),
    injectRequests: int('INJECT_REQUESTS', 20_000, 0),
    servers: list('SERVERS', SERVERS.map((s) => s.name)),
    scenarios: null,
  };
  const scenarios = scenarioList(settings);
  const ids = list('SCENARIOS', scenarios.map((s) => s.id));
  settings.scenarios = scenarios.filter((s) => ids.includes(s.id));
  const cpus = os.availableParallelism();
  for (const key of ['serverCpu', 'clientCpu']) {
    if (settings[key] >= cpus) problems.push(`${key === 'serverCpu' ? 'SERVER_CPU' : 'CLIENT_CPU'}=${settings[key]} but this machine has CPUs 0..${cpus - 1}`);
  }
  if (settings.serverCpu === settings.clientCpu) {
    console.warn(`bench: warning: server and wrk share CPU ${settings.serverCpu}; figures will understate every server.`);
  }
  return { settings, problems };
}

function scenarioList({ pipeline, echoBytes }) {
  return [
    { id: 'plaintext', title: 'Plaintext, keep-alive', route: 'plaintext', path: '/plaintext', request: 'GET /plaintext → Hello, World! (text/plain)', ceiling: true },
    {
      id: 'pipelined',
      title: `Plaintext, pipelined ${pipeline} deep`,
      route: 'plaintext',
      path: '/plaintext',
      script: 'pipeline.lua',
      scriptArgs: [String(pipeline)],
      request:
        `GET /plaintext × ${pipeline} per write (TechEmpower's pipeline.lua). p99 is n/a: wrk times whole batches and its ` +
        'coordinated-omission correction assumes one request per response, so its distribution is meaningless when pipelining',
      ceiling: true,
      latency: false,
    },
    { id: 'json', title: 'JSON', route: 'json', path: '/json', request: 'GET /json → {"message":"Hello, World!"} (JSON.stringify per request)' },
    {
      id: 'echo',
      title: `POST echo, ${echoBytes >= 1 << 20 ? `${echoBytes / (1 << 20)} MiB` : `${echoBytes} B`}`,
      route: 'echo',
      path: '/echo',
      script: 'post-1mb.lua',
      scriptArgs: [String(echoBytes)],
      request: `POST /echo with a ${echoBytes}-byte application/octet-stream body, streamed back`,
    },
  ];
}

function machine(settings) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const setEnv = ['DURATION', 'ROUNDS', 'CONNECTIONS', 'WARMUP', 'SERVERS', 'SCENARIOS', 'PIPELINE', 'ECHO_BYTES', 'IDLE_CONNECTIONS', 'SERVER_CPU', 'CLIENT_CPU', 'INJECT_REQUESTS']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${process.env[k]}`);
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
    peers: `fastify ${version('fastify')}, hono ${version('hono')}, @hono/node-server ${version('@hono/node-server')}`,
    command: `${env.join(' ')} npm run bench`,
    directCommand: `${env.join(' ')} node run.mjs`,
  };
}

const log = (message) => process.stderr.write(`bench: ${message}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function runScenario(scenario, servers, settings) {
  const entries = new Map();
  const running = [];
  const wrkFor = (server, seconds, onStart) =>
    runWrk({
      onStart,
      url: `http://127.0.0.1:${server.port}${scenario.path}`,
      seconds,
      connections: settings.connections,
      script: scenario.script,
      scriptArgs: scenario.scriptArgs,
      cpu: settings.clientCpu,
      cwd: BENCH_DIR,
    });

  for (const spec of servers) {
    if (spec.plaintextOnly && !scenario.ceiling) continue;
    const entry = { rounds: [], memory: null, failure: null };
    entries.set(spec.name, entry);
    try {
      const server = await startServer({ ...spec, cpu: settings.serverCpu, timeoutMs: settings.startTimeoutMs, benchDir: BENCH_DIR });
      const wrong = await checkRoute(server.port, scenario.route);
      if (wrong) {
        await server.stop();
        throw new Error(wrong);
      }
      if (settings.warmup > 0) await wrkFor(server, settings.warmup);
      running.push({ spec, server, entry });
    } catch (error) {
      entry.failure = error.message.split('\n')[0];
      log(`${scenario.id} ${spec.name}: ${entry.failure}`);
    }
  }

  for (let round = 0; round < settings.rounds; round++) {
    // Rotate the order each round (A B C, B C A, …) so no server always runs first.
    const order = running.map((_, i) => running[(i + round) % running.length]);
    for (const { spec, server, entry } of order) {
      if (entry.failure) continue;
      if (server.exited) {
        entry.failure = `exited during the run (${server.exitReason})`;
        log(`${scenario.id} ${spec.name}: ${entry.failure}`);
        continue;
      }
      try {
        const meter = startCpuMeter({ serverPid: server.pid, serverCpu: settings.serverCpu, clientCpu: settings.clientCpu });
        const result = await wrkFor(server, settings.duration, (child) => meter.watchClient(child.pid));
        // Server well under 100%: something else set the pace (wrk near 100%: wrk did). Others: the run was contended.
        const cpu = meter.stop();
        result.serverCpu = cpu.server;
        result.clientCpu = cpu.client;
        result.othersCpu = cpu.others;
        entry.rounds.push(result);
        log(
          `${scenario.id} round ${round + 1}/${settings.rounds} ${spec.name}: ${fmt(result.rps)} req/s, ` +
            `p99 ${Number.isFinite(result.latency.p99) ? `${result.latency.p99.toFixed(2)} ms` : 'n/a'}, ` +
            `CPU server ${(cpu.server * 100).toFixed(0)}%, wrk ${(cpu.client * 100).toFixed(0)}%, others ${(cpu.others * 100).toFixed(0)}%`,
        );
      } catch (error) {
        entry.failure = error.message.split('\n')[0];
        log(`${scenario.id} ${spec.name}: ${entry.failure}`);
      }
    }
  }

  for (const { server, entry } of running) {
    entry.memory = server.memory();
    if (server.exited && !entry.failure) entry.failure = `exited during the run (${server.exitReason})`;
    await server.stop();
  }
  return entries;
}

async function runIdle(servers, settings) {
  const idle = new Map(servers.filter((s) => !s.plaintextOnly).map((s) => [s.name, { runs: [], failure: null }]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const spec of servers) {
      const entry = idle.get(spec.name);
      if (!entry || entry.failure) continue;
      let server;
      try {
        server = await startServer({ ...spec, cpu: settings.serverCpu, timeoutMs: settings.startTimeoutMs, benchDir: BENCH_DIR });
        const run = await measureIdle(server, { count: settings.idleConnections, settleMs: 1000 });
        entry.runs.push(run);
        log(`idle round ${round + 1}/${settings.rounds} ${spec.name}: ${run.perConnectionKiB.toFixed(1)} KiB per connection (${run.open} open)`);
      } catch (error) {
        entry.failure = error.message.split('\n')[0];
        log(`idle ${spec.name}: ${entry.failure}`);
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
  const toolProblems = checkTools();
  if (toolProblems.length) {
    console.error(`bench: cannot run:\n  - ${toolProblems.join('\n  - ')}`);
    process.exit(1);
  }
  const { settings, problems } = readSettings(process.env);
  if (problems.length) {
    console.error(`bench: bad settings:\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }

  const servers = SERVERS.filter((s) => settings.servers.includes(s.name));
  const results = new Map();
  for (const scenario of settings.scenarios) {
    log(`scenario ${scenario.id}: ${servers.filter((s) => scenario.ceiling || !s.plaintextOnly).map((s) => s.name).join(', ')}`);
    results.set(scenario.id, await runScenario(scenario, servers, settings));
  }
  const idle = settings.idleConnections > 0 ? await runIdle(servers, settings) : null;
  const inject = settings.injectRequests > 0 ? await runInject(settings) : null;

  const meta = { ...machine(settings), load: loadAtStart.map((n) => n.toFixed(2)).join(' ') };
  const markdown = renderReport({ meta, settings, scenarios: settings.scenarios, results, idle, inject, baselineName: BASELINE });
  writeFileSync(join(BENCH_DIR, 'RESULTS.md'), markdown);
  console.log(markdown);

  const unmeasured = [...results.values()].flatMap((entries) => [...entries].filter(([, e]) => e.failure).map(([name]) => name));
  const flagged = [...results.entries()].flatMap(([id, entries]) =>
    [...entries].filter(([, e]) => e.rounds.length && summarize(e).flagged).map(([name]) => `${name} (${id})`),
  );
  if (flagged.length) log(`warning: flagged: ${[...new Set(flagged)].join(', ')}`);
  log('wrote bench/RESULTS.md');
  if (unmeasured.length) {
    log(`failed: ${[...new Set(unmeasured)].join(', ')} could not be fully measured`);
    process.exitCode = 1;
  }
}

await main();
