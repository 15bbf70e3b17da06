import type { IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopDelayOptions } from './health-options.js';
import type { HealthCheckResult } from './health-checks.js';

export interface EventLoopDelayCheck {
  /** Unhealthy when the loop was blocked longer than the threshold since the previous call. */
  check(): HealthCheckResult;
  /** Stops sampling (the histogram's timer). */
  dispose(): void;
}

const NS_PER_MS = 1e6;

/**
 * The event loop's health as @fastify/under-pressure measures it: a `monitorEventLoopDelay`
 * histogram, read and reset at each check, so each report covers the time since the last one
 * (a probe every few seconds sees every stall in between, not a mean diluted since start).
 */
export function eventLoopDelayCheck(options: Required<EventLoopDelayOptions>): EventLoopDelayCheck {
  // Sampling starts at the first check: an app that is never probed pays no timer. That first
  // report has no samples and is healthy; each later one covers the time since the previous.
  let histogram: IntervalHistogram | undefined;
  return {
    check() {
      if (histogram === undefined) {
        // node:perf_hooks (a dozen internal modules) when a check first runs, not at every start.
        histogram = process.getBuiltinModule('node:perf_hooks').monitorEventLoopDelay({ resolution: options.resolutionMs });
        histogram.enable();
      }
      // No sample yet (checked within one resolution of the last reset): nothing was blocked.
      const maxDelayMs = histogram.count === 0 ? 0 : Math.round(histogram.max / NS_PER_MS);
      const meanDelayMs = histogram.count === 0 ? 0 : Math.round(histogram.mean / NS_PER_MS);
      // Node drops the first interval after a reset (the histogram forgets its last timestamp),
      // so a stall that begins in this very tick is not seen; one that begins after the
      // histogram's next tick (≤ resolutionMs) is.
      histogram.reset();
      const data = { maxDelayMs, meanDelayMs, thresholdMs: options.thresholdMs };
      if (maxDelayMs > options.thresholdMs) {
        return { status: 'unhealthy', description: `The event loop was blocked for ${maxDelayMs} ms (threshold ${options.thresholdMs} ms)`, data };
      }
      return { status: 'healthy', data };
    },
    dispose() {
      histogram?.disable();
      histogram = undefined;
    },
  };
}
