// tiercel soak: a real tiercel server (server.mjs, its own process, pinned to one CPU) under
//   (a) N keep-alive requests from wrk, its memory sampled every second: after the warm-up, RSS
//       and the live heap (heapUsed after a full GC) must stay within a band (default 10,000,000
//       requests, 20 % warm-up, 5 %);
//   (b) N connects and disconnects, ending four ways (default 100,000);
//   (c) N WebSocket open/close cycles, ending four ways (default 10,000);
// each over cleartext and over TLS. After every phase the server must come back to the baseline
// taken after a warm-up: no connection, and no more descriptors (/proc/<pid>/fd), libuv handles
// (process._getActiveHandles()) or timers than before. Prints a summary table, writes
// bench/SOAK.md, and exits 1 if any check failed.
//
//   npm run soak                                   (from the repository root: builds tiercel first)
//   node bench/soak/soak.mjs                       (tiercel already built)
//
// Environment (all optional, all checked):
//   SOAK_REQUESTS=10000000  SOAK_TLS_REQUESTS=$SOAK_REQUESTS  SOAK_CONNECTS=100000  SOAK_WS_CYCLES=10000
//   SOAK_SCHEMES=http,https        which of cleartext and TLS to run
//   SOAK_CONNECTIONS=64            wrk connections (one request in flight on each)
//   SOAK_CONCURRENCY=32            connect and WebSocket cycles in flight at once
//   SOAK_WARMUP=20  SOAK_RSS_TOLERANCE=5      percent of the requests that are warm-up; allowed RSS spread after it
//   SOAK_SAMPLE_MS=1000  SOAK_SETTLE_MS=15000  SOAK_CYCLE_TIMEOUT_MS=10000  SOAK_START_TIMEOUT=15000
//   SOAK_GC_MS=10000               every so often a sample follows a full GC (the live heap); 0 for never
//   SOAK_SEMI_SPACE_MB=16          V8's young generation fixed at this size in the server; 0 lets V8 resize it
//   SOAK_SERVER_CPU=1  SOAK_CLIENT_CPU=0     CPUs for the server and for the clients (wrk and this process)
//   SOAK_REPORT=bench/SOAK.md      where the report goes (from the repository root); '-' for none
//   SOAK_SAMPLES=path.json         also write every memory sample of the keep-alive phases there
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificate } from '../../dist/protocols/tls/index.js';
import { readCpuSeconds } from '../lib/cpu.mjs';
import { checkTools } from '../lib/wrk.mjs';
import { runChurn } from './lib/churn.mjs';
import { judgeSpread, runKeepAlive } from './lib/keep-alive.mjs';
import { count, log, mib, percent } from './lib/log.mjs';
import { renderReport, renderSummary } from './lib/report.mjs';
import { startSoakServer, timers } from './lib/server-process.mjs';
import { readSettings, reproduceCommand } from './lib/settings.mjs';
import { runWsCycles } from './lib/ws-cycles.mjs';

const BENCH_DIR = join(import.meta.dirname, '..');

const { settings, problems } = readSettings(process.env, BENCH_DIR);
problems.push(...checkTools());
if (problems.length > 0) {
  console.error(`soak: cannot run:\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
if (settings.clientCpu !== undefined) {
  // This process is a client too (connects, WebSockets): keep it off the server's CPU, as wrk is.
  spawnSync('taskset', ['-a', '-p', '-c', String(settings.clientCpu), String(process.pid)], { stdio: 'ignore' });
}

const certDir = mkdtempSync(join(tmpdir(), 'tiercel-soak-'));
const started = new Date();
let server;
try {
  const certificate = await ensureDevCertificate({ dir: certDir });
  const ca = readFileSync(certificate.certFile);
  server = await startSoakServer({ ...certificate, cpu: settings.serverCpu, timeoutMs: settings.startTimeoutMs, semiSpaceMiB: settings.semiSpaceMiB });
  log(`server pid ${server.pid} on ${server.httpUrl} and ${server.httpsUrl}${settings.serverCpu === undefined ? '' : ` (CPU ${settings.serverCpu})`}`);
  const url = (scheme) => (scheme === 'https' ? server.httpsUrl : server.httpUrl);

  // Warm-up: a little of every phase on every scheme, so whatever the server creates once (TLS
  // contexts, pools, the date cache) exists before the baseline is taken.
  for (const scheme of settings.schemes) {
    const label = `warm-up ${scheme}`;
    const some = (n, most) => Math.max(1, Math.min(most, Math.round(n / 10)));
    await runKeepAlive(server, { url: url(scheme), requests: some(settings.requests[scheme], 20_000), connections: settings.connections, cpu: settings.clientCpu, sampleMs: settings.sampleMs, gcEveryMs: 0, label });
    await runChurn({ url: url(scheme), total: some(settings.connects, 400), concurrency: settings.concurrency, timeoutMs: settings.cycleTimeoutMs, ca, label });
    await runWsCycles({ url: url(scheme), total: some(settings.wsCycles, 100), concurrency: settings.concurrency, timeoutMs: settings.cycleTimeoutMs, ca, label });
  }
  const baseline = await waitForBaseline(server);
  log(`baseline: ${baseline.fds} descriptors, ${baseline.handles} handles, ${timers(baseline)} timers, RSS ${(baseline.rss / 2 ** 20).toFixed(1)} MiB`);

  const phases = [];
  for (const scheme of settings.schemes) {
    phases.push(await phase('keep-alive', scheme, baseline, () => keepAlive(scheme)));
    phases.push(await phase('connects', scheme, baseline, async () => {
      const r = await runChurn({ url: url(scheme), total: settings.connects, concurrency: settings.concurrency, timeoutMs: settings.cycleTimeoutMs, ca, label: `connects ${scheme}` });
      return cyclesResult(r, 'connects');
    }));
    phases.push(await phase('websocket', scheme, baseline, async () => {
      const r = await runWsCycles({ url: url(scheme), total: settings.wsCycles, concurrency: settings.concurrency, timeoutMs: settings.cycleTimeoutMs, ca, label: `websocket ${scheme}` });
      return cyclesResult(r, 'cycles');
    }));
  }

  const end = await server.snapshot({ gc: true });
  const run = {
    date: started.toISOString().replace(/\.\d+Z$/, 'Z'),
    minutes: (Date.now() - started.getTime()) / 60_000,
    command: reproduceCommand(process.env),
    settings,
    baseline,
    end,
    fdKinds: server.fdKinds(),
    phases,
  };
  const ok = phases.every((p) => p.checks.every((c) => c.ok !== false));
  console.log(renderSummary(run));
  if (settings.samples) {
    const series = phases.filter((p) => p.samples !== undefined).map((p) => ({ phase: `${p.id} (${p.scheme})`, samples: p.samples }));
    writeFileSync(settings.samples, JSON.stringify(series));
  }
  if (settings.report) {
    writeFileSync(settings.report, renderReport(run));
    log(`report written to ${settings.report}`);
  }
  log(ok ? 'every check passed' : 'FAILED: see the table');
  process.exitCode = ok ? 0 : 1;
} catch (error) {
  console.error(`soak: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await server?.stop();
  rmSync(certDir, { recursive: true, force: true });
}

/** Runs one phase, then waits for the server to let go of what it opened and checks it did. */
async function phase(id, scheme, baseline, body) {
  log(`${id} ${scheme}: starting`);
  const cpuBefore = readCpuSeconds(server.pid);
  const before = await server.snapshot({ gc: true });
  const result = await body();
  const serverCpuSeconds = readCpuSeconds(server.pid) - cpuBefore;
  const settled = await server.settle(baseline, settings.settleMs);
  const after = settled.snapshot;
  const back = {
    name: 'resources back to baseline',
    ok: settled.ok,
    detail: settled.ok
      ? `within ${(settled.waitedMs / 1000).toFixed(1)} s`
      : `after ${(settled.waitedMs / 1000).toFixed(1)} s: ${after.connections} connections, ${after.fds} descriptors (${baseline.fds}), ${after.handles} handles (${baseline.handles}), ${timers(after)} timers (${timers(baseline)}); handles ${JSON.stringify(after.handleKinds)}, descriptors ${JSON.stringify(server.fdKinds())}`,
  };
  const entry = { id, scheme, ...result, before, after, serverCpuSeconds, checks: [...result.checks, back] };
  const failed = entry.checks.filter((c) => c.ok === false);
  log(`${id} ${scheme}: ${entry.work} in ${entry.seconds.toFixed(1)} s; ${failed.length === 0 ? 'ok' : failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  return entry;
}

async function keepAlive(scheme) {
  const requests = settings.requests[scheme];
  const r = await runKeepAlive(server, {
    url: scheme === 'https' ? server.httpsUrl : server.httpUrl,
    requests,
    connections: settings.connections,
    cpu: settings.clientCpu,
    sampleMs: settings.sampleMs,
    gcEveryMs: settings.gcEveryMs,
    label: `keep-alive ${scheme}`,
  });
  const band = { warmupFraction: settings.warmupFraction, tolerance: settings.rssTolerance };
  const rss = judgeSpread(r.samples, 'rss', requests, band);
  // The live heap: heapUsed right after a full collection, so garbage not yet collected is not counted.
  const heap = judgeSpread(r.samples.filter((s) => s.gc), 'heapUsed', requests, band);
  const e = r.wrk.errors;
  const errors = e.connect + e.read + e.write + e.timeout + e.non2xx;
  return {
    work: `${count(requests)} requests`,
    seconds: r.seconds,
    rate: `${count(r.served / r.seconds)} req/s`,
    served: r.served,
    samples: r.samples,
    latency: r.wrk.latency,
    rss,
    heap,
    checks: [
      { name: 'all requests served', ok: r.stopReason === null, detail: r.stopReason ?? `${count(r.served)} served` },
      {
        name: 'no errors',
        ok: errors === 0,
        detail: errors === 0 ? 'none' : `connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}, non-2xx ${e.non2xx}`,
      },
      spreadCheck('RSS', rss),
      spreadCheck('live heap (after a full GC)', heap),
    ],
  };
}

function spreadCheck(what, j) {
  return {
    name: `${what} within ${percent(settings.rssTolerance, 0)} after warm-up`,
    ok: j.ok,
    detail:
      j.ok === null
        ? `not judged: ${j.count} samples after warm-up (fewer than 5)`
        : `${mib(j.min)} to ${mib(j.max)}, final ${mib(j.final)}: spread ${percent(j.spread, 2)} over ${j.count} samples`,
  };
}

function cyclesResult(r, unit) {
  return {
    work: `${count(r.total)} ${unit}`,
    seconds: r.seconds,
    rate: `${count(r.rate)}/s`,
    failures: r.failures,
    checks: [
      {
        name: 'every cycle completed',
        ok: r.failed === 0,
        detail: r.failed === 0 ? 'all' : `${r.failed} failed: ${Object.entries(r.failures).map(([m, n]) => `${n}× ${m}`).join('; ')}`,
      },
    ],
  };
}

/**
 * The baseline: the server idle (no connection) and steady (two snapshots in a row agree on
 * descriptors, handles and timers), after a full collection.
 */
async function waitForBaseline(s) {
  const deadline = Date.now() + settings.settleMs;
  let previous = await s.snapshot({ gc: true });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await s.snapshot({ gc: true });
    const steady = now.connections === 0 && now.fds === previous.fds && now.handles === previous.handles && timers(now) === timers(previous);
    if (steady) return now;
    if (Date.now() > deadline) throw new Error(`the server did not settle after the warm-up: ${JSON.stringify({ connections: now.connections, fds: now.fds, handles: now.handles, timers: timers(now) })}`);
    previous = now;
  }
}
