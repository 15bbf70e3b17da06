// Long variants of the HTTP/1.1 flood tests (test/protocols/http1/http1-floods.test.ts), for a
// soak runner to call: each runs wave after wave of one attack for `durationMs` against tiercel,
// then the same against a bare node:http server, with the default limits unless told otherwise,
// a legitimate client asking beside every wave, and the heap sampled after each wave. Each
// resolves with a report (lines to print) or rejects with what tiercel did wrong: an attacker
// never cut, a legitimate request failed, or the heap still growing after the first wave.
// Not a test file (no `.test.` in its name): `npm test` never runs it.
import 'reflect-metadata';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../protocols/http/index.js';
import {
  besideLegit,
  connectionFlood,
  floodCuts,
  heap,
  pipelinedBatch,
  slowBody,
  slowHeaders,
  slowRead,
  startNodeServer,
  startTiercelServer,
  type AttackReport,
  type Legit,
  type NodeLimits,
  type Target,
} from '../support/attacks.js';

export interface SoakOptions {
  /** How long each server is attacked, wave after wave. Default 2 minutes. */
  readonly durationMs?: number;
  /** Attacking connections per wave. */
  readonly attackers?: number;
  /** tiercel's limits (default: its defaults). */
  readonly limits?: Partial<HttpLimits>;
}

export interface SoakReport {
  readonly name: string;
  readonly lines: readonly string[];
}

interface Wave {
  readonly cut: number;
  readonly of: number;
  readonly slowestMs: number;
  readonly legit: Legit;
  readonly heap: number;
}

const MiB = 1024 * 1024;
/** Heap growth allowed from the end of the first wave to the end of the last. */
const HEAP_SLACK = 32 * MiB;

/** A server under soak: both kinds count the responses they cut. */
type Soaked = Target & { aborted(): number };

/** Runs `wave` against `target` until `durationMs` has passed, a legitimate client beside each. */
async function waves(target: Soaked, durationMs: number, wave: (target: Soaked) => Promise<AttackReport>): Promise<Wave[]> {
  const out: Wave[] = [];
  const until = Date.now() + durationMs;
  while (Date.now() < until) {
    const { result, legit } = await besideLegit(target, wave(target), 500);
    out.push({ cut: result.cut, of: result.cuts.length, slowestMs: result.slowestMs, legit, heap: heap() });
  }
  return out;
}

function summary(name: string, w: readonly Wave[]): string {
  const sum = (f: (x: Wave) => number): number => w.reduce((n, x) => n + f(x), 0);
  const max = (f: (x: Wave) => number): number => w.reduce((n, x) => Math.max(n, f(x)), 0);
  const heaps = w.map((x) => (x.heap / MiB).toFixed(0)).join(' ');
  return (
    `${name}: ${w.length} waves, cut ${sum((x) => x.cut)}/${sum((x) => x.of)} (slowest ${max((x) => x.slowestMs)} ms), ` +
    `legit ${sum((x) => x.legit.ok)} ok/${sum((x) => x.legit.failed)} failed (slowest ${max((x) => x.legit.slowestMs)} ms), heap MiB by wave: ${heaps}`
  );
}

/** What tiercel must have done: cut every attacker in time, served every legitimate request, kept its heap flat. */
function check(name: string, w: readonly Wave[], cutWithinMs: number, legitMayBeRefused: boolean): void {
  const problems: string[] = [];
  w.forEach((x, i) => {
    if (x.cut < x.of) problems.push(`wave ${i}: ${x.of - x.cut} attackers never cut`);
    if (x.slowestMs > cutWithinMs) problems.push(`wave ${i}: an attacker held on for ${x.slowestMs} ms (limit ${cutWithinMs} ms)`);
    if (x.legit.failed > 0 && !legitMayBeRefused) problems.push(`wave ${i}: ${x.legit.failed} legitimate requests failed`);
  });
  if (w.length > 1 && w[w.length - 1].heap - w[0].heap > HEAP_SLACK) {
    problems.push(`the heap grew ${((w[w.length - 1].heap - w[0].heap) / MiB).toFixed(1)} MiB after the first wave`);
  }
  if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
}

interface Attack {
  readonly name: string;
  /** tiercel's limits, over its defaults. */
  readonly limits: Partial<HttpLimits>;
  readonly maxConcurrentConnections?: number;
  /** node:http's settings for the same attack. */
  readonly node: NodeLimits;
  wave(target: Soaked): Promise<AttackReport>;
  /** How late after its start an attacker may be cut, for tiercel's limits. */
  readonly cutWithinMs: number;
  /**
   * A new legitimate connection may be refused during the attack (a flood over
   * maxConcurrentConnections takes every slot until its connections are cut): counted, not failed.
   */
  readonly legitMayBeRefused?: boolean;
}

/** One attack, tiercel then node:http (one after the other, so each heap is its own), each for `durationMs`. */
async function soak(a: Attack, durationMs = 120_000): Promise<SoakReport> {
  const tiercel = await startTiercelServer(a.limits, { maxConcurrentConnections: a.maxConcurrentConnections });
  let t: Wave[];
  try {
    t = await waves(tiercel, durationMs, a.wave);
    if (a.maxConcurrentConnections !== undefined && tiercel.peakOpen() > a.maxConcurrentConnections) {
      throw new Error(`${a.name}: tiercel held ${tiercel.peakOpen()} connections with a limit of ${a.maxConcurrentConnections}`);
    }
  } finally {
    await tiercel.stop();
  }
  const node = await startNodeServer({ ...a.node, maxConnections: a.maxConcurrentConnections });
  let n: Wave[];
  try {
    n = await waves(node, durationMs, a.wave);
  } finally {
    await node.stop();
  }
  check(a.name, t, a.cutWithinMs, a.legitMayBeRefused === true);
  return { name: a.name, lines: [summary('tiercel', t), summary('node:http', n)] };
}

/** The limits tiercel runs with: its defaults, overridden by `limits`. */
function resolved(limits: Partial<HttpLimits> = {}): HttpLimits {
  return { ...DEFAULT_HTTP_LIMITS, ...limits };
}

/** Two heartbeat ticks and some slack: how late after its deadline a timeout may fire. */
const TICKS = 2_500;

/** Slowloris: waves of `attackers` (default 500) dribbling a header line every 5 s until cut. */
export function soakSlowHeaders(o: SoakOptions = {}): Promise<SoakReport> {
  const count = o.attackers ?? 500;
  const limits = resolved(o.limits);
  return soak(
    {
      name: 'slow headers',
      limits,
      node: { headersTimeoutMs: limits.requestHeadersTimeoutMs, checkingIntervalMs: 1_000 },
      wave: (t) => slowHeaders(t.port, { count, intervalMs: 5_000, durationMs: limits.requestHeadersTimeoutMs + 10_000 }),
      cutWithinMs: limits.requestHeadersTimeoutMs + TICKS,
    },
    o.durationMs,
  );
}

/** R-U-Dead-Yet: waves of `attackers` (default 500) sending a body to `/sha` at 1 byte a second. */
export function soakSlowBody(o: SoakOptions = {}): Promise<SoakReport> {
  const count = o.attackers ?? 500;
  const limits = resolved(o.limits);
  const rate = limits.minRequestBodyDataRate;
  if (rate === null) return Promise.reject(new Error('slow body: minRequestBodyDataRate is off, nothing would cut the attackers'));
  return soak(
    {
      name: 'slow body',
      limits,
      // node:http has no minimum rate; its requestTimeout (default 300 s) bounds the whole request.
      node: {},
      wave: (t) => slowBody(t.port, { count, intervalMs: 1_000, durationMs: rate.gracePeriodMs + 20_000, path: '/sha', contentLength: 1_000_000 }),
      cutWithinMs: rate.gracePeriodMs + TICKS,
    },
    o.durationMs,
  );
}

/**
 * Slow read: waves of `attackers` (default 50) taking a 1 GiB response at 1 KB/s. With the default
 * rate (240 B/s) the ~4 MB the kernel takes of each response earns hours, so the soak defaults to
 * 8 MB/s, where it earns half a second.
 */
export function soakSlowRead(o: SoakOptions = {}): Promise<SoakReport> {
  const count = o.attackers ?? 50;
  const limits = resolved({ minResponseDataRate: { bytesPerSecond: 8_000_000, gracePeriodMs: 1_000 }, ...o.limits });
  const rate = limits.minResponseDataRate;
  if (rate === null) return Promise.reject(new Error('slow read: minResponseDataRate is off, nothing would cut the attackers'));
  const request = `GET /big?size=${1024 * MiB} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const durationMs = 60_000;
  return soak(
    {
      name: 'slow read',
      limits,
      node: {},
      wave: async (t) => {
        // The cut shows only on the server: count what it aborted during this wave.
        const base = t.aborted();
        const r = await slowRead(t.port, { count, request, bytesPerSecond: 1_000, durationMs, serverCut: () => t.aborted() - base });
        return { ...r, cut: r.serverCut, slowestMs: r.serverCutMs < 0 ? durationMs : r.serverCutMs };
      },
      // Credited at the first tick, then the grace and ~4 MB at the rate, then the ticks.
      cutWithinMs: 1_000 + rate.gracePeriodMs + (4 * MiB * 1000) / rate.bytesPerSecond + TICKS,
    },
    o.durationMs,
  );
}

/** Connection floods: waves of `attackers` (default 5,000) idle connections over a limit of 200. */
export function soakConnectionFlood(o: SoakOptions = {}): Promise<SoakReport> {
  const count = o.attackers ?? 5_000;
  const limits = resolved({ requestHeadersTimeoutMs: 5_000, ...o.limits });
  return soak(
    {
      name: 'connection flood',
      limits,
      maxConcurrentConnections: 200,
      legitMayBeRefused: true,
      node: { headersTimeoutMs: limits.requestHeadersTimeoutMs, requestTimeoutMs: 0, checkingIntervalMs: 1_000 },
      wave: async (t) => {
        const flood = await connectionFlood(t.port, { count, settleMs: 0 });
        const r = await floodCuts(flood.watched, limits.requestHeadersTimeoutMs + 10_000);
        for (const s of flood.sockets) s.destroy();
        return r;
      },
      cutWithinMs: limits.requestHeadersTimeoutMs + TICKS,
    },
    o.durationMs,
  );
}

/** Huge pipelined batches: `attackers` (default 1,000,000) requests on one connection per wave, every one answered. */
export function soakPipelined(o: SoakOptions = {}): Promise<SoakReport> {
  const requests = o.attackers ?? 1_000_000;
  const timeoutMs = 120_000;
  return soak(
    {
      name: 'pipelined batches',
      limits: resolved(o.limits),
      node: {},
      wave: async (t) => {
        const r = await pipelinedBatch(t.port, { requests, request: 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', perWrite: 5_000, timeoutMs });
        // One "attacker", counted as cut when every request of its batch was answered.
        return { cuts: [{ ms: r.ms, status: 200, bytesRead: 0 }], cut: r.responses === requests ? 1 : 0, medianMs: r.ms, slowestMs: r.ms };
      },
      cutWithinMs: timeoutMs,
    },
    o.durationMs,
  );
}

/** Every soak of this file, in the order a runner should call them. */
export const HTTP1_FLOOD_SOAKS: readonly { readonly name: string; run(o?: SoakOptions): Promise<SoakReport> }[] = [
  { name: 'slow headers', run: soakSlowHeaders },
  { name: 'slow body', run: soakSlowBody },
  { name: 'slow read', run: soakSlowRead },
  { name: 'connection flood', run: soakConnectionFlood },
  { name: 'pipelined batches', run: soakPipelined },
];
