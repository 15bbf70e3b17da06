import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { EndpointSnapshot, MetricsSnapshot, ProtocolSnapshot, ServerMetrics } from '../server-metrics.js';

/** What each viewer receives every tick, as JSON: rates over the last tick, totals since start. */
export interface DashboardFrame {
  /** Wall-clock time of the frame (ms since the epoch). */
  readonly time: number;
  /** The tick the rates are over, in ms. */
  readonly intervalMs: number;
  readonly connections: EndpointSnapshot[];
  /** Open connections per protocol and TLS version (see `MetricsSnapshot.protocols`). */
  readonly protocols: ProtocolSnapshot[];
  readonly requests: {
    /** Requests finished per second over the last tick; null in the first frame (no tick yet). */
    readonly perSecond: number | null;
    readonly total: number;
    readonly active: number;
    readonly byProtocol: Record<string, number>;
    readonly byStatusClass: Record<string, number>;
  };
  /**
   * Percentiles of the request durations of the last tick, in ms, read from the histogram's
   * buckets (linear within a bucket, so as coarse as the buckets); null when the tick had none.
   */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number } | null;
  readonly rejectedRequests: Record<string, number>;
  readonly tls: MetricsSnapshot['tls'];
  /** The event loop's delay over the last tick, in ms (perf_hooks.monitorEventLoopDelay). */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

/** The event loop is sampled every 10 ms while someone watches: fine enough to see a 20 ms stall. */
const LOOP_RESOLUTION_MS = 10;

/**
 * Turns successive snapshots into frames: a frame's rates and percentiles are the difference from
 * the previous snapshot. The event-loop monitor runs between `start()` and `stop()` only, that is
 * while a viewer is connected.
 */
export class FrameMaker {
  readonly #metrics: ServerMetrics;
  #previous: MetricsSnapshot | undefined;
  #previousAt = 0;
  #loop: IntervalHistogram | undefined;

  constructor(metrics: ServerMetrics) {
    this.#metrics = metrics;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
    this.#previous = undefined;
  }

  stop(): void {
    this.#loop?.disable();
    this.#loop = undefined;
    this.#previous = undefined;
  }

  next(): DashboardFrame {
    const now = performance.now();
    const current = this.#metrics.snapshot();
    const first = this.#previous === undefined;
    const previous = this.#previous ?? current;
    const elapsedMs = Math.max(1, now - this.#previousAt);
    this.#previous = current;
    this.#previousAt = now;
    const req = current.requests;
    const window = req.durationCounts.map((n, i) => n - (previous.requests.durationCounts[i] ?? 0));
    const loop = this.#loop;
    const frame: DashboardFrame = {
      time: Date.now(),
      intervalMs: Math.round(elapsedMs),
      connections: current.connections,
      protocols: current.protocols,
      requests: {
        perSecond: first ? null : round(((req.total - previous.requests.total) * 1000) / elapsedMs),
        total: req.total,
        active: req.active,
        byProtocol: req.byProtocol,
        byStatusClass: req.byStatusClass,
      },
      latencyMs: latency(req.durationBounds, window),
      rejectedRequests: current.rejectedRequests,
      tls: current.tls,
      eventLoopDelayMs: {
        p50: loopDelay(loop?.percentile(50)),
        p99: loopDelay(loop?.percentile(99)),
        max: loopDelay(loop?.max),
      },
    };
    loop?.reset();
    return frame;
  }
}

function latency(bounds: readonly number[], counts: readonly number[]): DashboardFrame['latencyMs'] {
  let total = 0;
  for (const n of counts) total += n;
  if (total === 0) return null;
  return { p50: percentile(bounds, counts, total, 0.5), p90: percentile(bounds, counts, total, 0.9), p99: percentile(bounds, counts, total, 0.99) };
}

/**
 * The q-quantile of a histogram in ms, as Prometheus's histogram_quantile() estimates it: linear
 * within the bucket it falls in, from 0 for the first; in the +Inf bucket, the last finite bound.
 */
export function percentile(bounds: readonly number[], counts: readonly number[], total: number, q: number): number {
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = cumulative;
    cumulative += counts[i];
    if (cumulative >= rank && counts[i] > 0) {
      if (i >= bounds.length) return round(bounds[bounds.length - 1] * 1000);
      const lower = i === 0 ? 0 : bounds[i - 1];
      return round((lower + ((bounds[i] - lower) * (rank - before)) / counts[i]) * 1000);
    }
  }
  return round(bounds[bounds.length - 1] * 1000);
}

/**
 * A sample of the monitor in ms, less its resolution: it measures how late its own timer fires,
 * so an idle loop reads as the resolution (10 ms), not as 0. No samples yet reads as 0.
 */
function loopDelay(ns: number | undefined): number {
  if (ns === undefined || !Number.isFinite(ns)) return 0;
  return round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
