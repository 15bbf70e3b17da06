// slowhttptest (Debian's package, as .ci/run installs it) drives its three slow-client attacks —
// slow headers (-H), slow body (-B) and slow read (-X) — against tiercel and, at the same time,
// against a bare node:http server with the same timeouts. Its own verdict for each is printed; the
// assertions are on tiercel's side: every attacker cut within the configured limit. One attack at
// a time: each slowhttptest keeps about half a core busy.
import 'reflect-metadata';
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fetchOnce, startNodeServer, startTiercelServer, type NodeTarget, type Target, type TiercelTarget } from '../../support/attacks.js';
import { delay } from '../../support/streams.js';

const SLOWHTTPTEST = '/usr/bin/slowhttptest';
const available = existsSync(SLOWHTTPTEST);
if (!available) {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${SLOWHTTPTEST} is missing: .ci/run installs Debian's slowhttptest`);
  console.warn(`\n!!! SKIPPING slowhttptest tests: ${SLOWHTTPTEST} is missing (apt-get install slowhttptest)\n`);
}
const slowTest = available ? test : test.skip;

const dir = mkdtempSync(join(tmpdir(), 'tiercel-slowhttptest-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

type Mode = '-H' | '-B' | '-X';
const CONNECTIONS = 20;
/** slowhttptest's own limit; slow headers and slow body end as soon as the server closed every attacker. */
const SECONDS = 8;

interface Verdict {
  /** slowhttptest's closing line: 'No open connections left', 'Hit test time limit', 'Cancelled by user'. */
  readonly exit: string;
  /** Connections slowhttptest counted as connected in its last report. */
  readonly connected: number;
  /** When (ms from the start) the server had cut every attacker, by its own count; -1 if never. */
  readonly allCutMs: number;
  /** Attackers the server had cut when the run ended. */
  readonly cut: number;
  readonly ms: number;
}

interface Run {
  readonly done: Promise<Verdict>;
  /** Ends the run now (SIGINT: slowhttptest reports and exits). */
  stop(): void;
}

/**
 * Starts one slowhttptest attack against `target`, sampling `cuts` (the server's own count of the
 * attackers it cut) while it runs.
 */
function attack(mode: Mode, target: Target, cuts: () => number): Run {
  // The probe slowhttptest runs beside the attack asks for the same URL.
  const path = mode === '-X' ? `/big?size=${64 * 1024 * 1024}` : mode === '-B' ? '/sha' : '/hello';
  // -c connections at -r per second, a follow-up every -i s, for -l s at most; -p: the probe's timeout.
  const args = [mode, '-c', String(CONNECTIONS), '-r', '200', '-i', '1', '-l', String(SECONDS), '-p', '1', '-u', `http://127.0.0.1:${target.port}${path}`];
  // Slow read: a 512..1024-byte receive window, 32 bytes read per second.
  if (mode === '-X') args.push('-w', '512', '-y', '1024', '-n', '1', '-z', '32');
  // -B: a declared body of 8 KiB, sent a few bytes a second.
  if (mode === '-B') args.push('-s', '8192');
  const start = Date.now();
  let allCutMs = -1;
  const sample = setInterval(() => {
    if (allCutMs < 0 && cuts() >= CONNECTIONS) allCutMs = Date.now() - start;
  }, 20);
  let child: ChildProcess | undefined;
  const done = new Promise<Verdict>((resolve, reject) => {
    child = execFile(SLOWHTTPTEST, args, { cwd: dir, timeout: (SECONDS + 5) * 1000 }, (err, stdout) => {
      clearInterval(sample);
      if (err !== null && err.killed && err.signal !== 'SIGINT') return reject(new Error(`slowhttptest ${args.join(' ')} did not end`));
      const text = stdout.replace(/\x1b\[[0-9;]*m/g, '');
      const exit = /Exit status:\s*(.+)/.exec(text)?.[1].trim() ?? `(no exit status; code ${String(err?.code ?? 0)})`;
      const all = [...text.matchAll(/connected:\s+(\d+)/g)];
      const connected = all.length === 0 ? -1 : Number(all[all.length - 1][1]);
      resolve({ exit, connected, allCutMs, cut: cuts(), ms: Date.now() - start });
    });
  });
  return { done, stop: () => child?.kill('SIGINT') };
}

function line(name: string, v: Verdict): string {
  return `${name}: "${v.exit}" after ${v.ms} ms, slowhttptest's last count of connected ${v.connected}/${CONNECTIONS}, the server's count of cuts ${v.cut} (slowhttptest's probes included)${v.allCutMs < 0 ? '' : `, ${CONNECTIONS} reached after ${v.allCutMs} ms`}`;
}

const LIMITS = {
  requestHeadersTimeoutMs: 300,
  minRequestBodyDataRate: { bytesPerSecond: 1_000, gracePeriodMs: 300 },
  // On loopback the kernel takes ~1.5 MB of a response even behind slowhttptest's tiny window:
  // those bytes left the server and earn their time at the rate (see HttpLimits), so the rate
  // is high for the cut to come within a second or two.
  minResponseDataRate: { bytesPerSecond: 16_000_000, gracePeriodMs: 300 },
};
const NODE_LIMITS = { headersTimeoutMs: 300, requestTimeoutMs: 1_000, checkingIntervalMs: 1_000 };

/**
 * Runs `mode` against tiercel and node:http at once, each on a server of its own so that its
 * counts are its attackers'. A slow reader never sees the server's cut (its FIN waits behind what
 * the kernel holds), so slowhttptest -X would run its whole length: both runs are stopped once
 * tiercel has cut every attacker.
 */
async function pair(mode: Mode, cutsOf: (t: TiercelTarget | NodeTarget) => () => number): Promise<{ tiercel: Verdict; node: Verdict; server: TiercelTarget }> {
  const tiercel = await startTiercelServer(LIMITS);
  const node = await startNodeServer(NODE_LIMITS);
  try {
    const tiercelCuts = cutsOf(tiercel);
    const runs = [attack(mode, tiercel, tiercelCuts), attack(mode, node, cutsOf(node))];
    let watching = true;
    if (mode === '-X') {
      void (async () => {
        while (watching && tiercelCuts() < CONNECTIONS) await delay(20);
        await delay(100);
        for (const r of runs) r.stop();
      })();
    }
    const [t, n] = await Promise.all(runs.map((r) => r.done));
    watching = false;
    // The server is still there for everyone else, and logged no error for the attackers.
    assert.is((await fetchOnce(tiercel.port, '/hello')).status, 200);
    assert.equal(tiercel.logger.errors(), []);
    return { tiercel: t, node: n, server: tiercel };
  } finally {
    await Promise.all([tiercel.stop(), node.stop()]);
  }
}

/** The heartbeat checks timeouts once a second and allows one interval more (see Heartbeat.isPast); and some slack. */
const TICKS = 2_000 + 500;

slowTest('slowhttptest -H (slow headers): tiercel answers every attacker 408 and closes it at requestHeadersTimeoutMs', async () => {
  const r = await pair('-H', (t) => () => t.closed());
  const slowest = Math.max(...r.server.lifetimesMs);
  console.log(`\n  slowhttptest -H x${CONNECTIONS}, requestHeadersTimeoutMs 300:\n    ${line('tiercel', r.tiercel)}; longest connection ${slowest} ms\n    ${line('node:http', r.node)}`);
  // slowhttptest itself sees every connection closed, long before its time is up.
  assert.is(r.tiercel.exit, 'No open connections left');
  assert.is(r.tiercel.connected, 0);
  assert.ok(r.server.lifetimesMs.length >= CONNECTIONS, `${r.server.lifetimesMs.length} connections closed`);
  assert.ok(slowest <= LIMITS.requestHeadersTimeoutMs + TICKS, `a connection lived ${slowest} ms`);
});

slowTest('slowhttptest -B (slow body): tiercel fails every body under minRequestBodyDataRate (408) and closes the connection', async () => {
  const r = await pair('-B', (t) => ('bodyErrors' in t ? () => t.bodyErrors.length : () => t.closed()));
  const slowest = Math.max(...r.server.cutAfterMs);
  console.log(`\n  slowhttptest -B x${CONNECTIONS}, minRequestBodyDataRate 1000 B/s:\n    ${line('tiercel', r.tiercel)}; slowest cut ${slowest} ms after its head\n    ${line('node:http', r.node)}`);
  assert.is(r.tiercel.exit, 'No open connections left');
  assert.is(r.tiercel.connected, 0);
  assert.ok(r.server.bodyErrors.length >= CONNECTIONS, `${r.server.bodyErrors.length} bodies failed`);
  assert.ok(r.server.bodyErrors.every((e) => e === 'ERR_TIERCEL_BODY_TIMEOUT'), r.server.bodyErrors.join());
  assert.ok(slowest <= LIMITS.minRequestBodyDataRate.gracePeriodMs + TICKS, `a body was cut ${slowest} ms after its head`);
});

slowTest('slowhttptest -X (slow read): tiercel cuts every reader under minResponseDataRate', async () => {
  const r = await pair('-X', (t) => () => t.aborted());
  const slowest = Math.max(...r.server.cutAfterMs);
  console.log(`\n  slowhttptest -X x${CONNECTIONS}, 32 B/s through a 1 KB window, minResponseDataRate 16 MB/s:\n    ${line('tiercel', r.tiercel)}; slowest cut ${slowest} ms after its head\n    ${line('node:http', r.node)}`);
  assert.ok(r.tiercel.allCutMs >= 0, 'tiercel never cut every slow reader');
  // ~1.5 MB each left the server at once, credited at the first tick (within a second): the
  // deadline is then the grace and 0.1 s at the rate, checked with one interval's allowance.
  assert.ok(slowest <= 1_000 + LIMITS.minResponseDataRate.gracePeriodMs + 100 + TICKS, `a reader was cut ${slowest} ms after its head`);
});

test.run();
