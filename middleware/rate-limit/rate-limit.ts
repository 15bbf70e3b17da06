import { HttpError, type HttpContext, type Middleware, type Next } from '../../pipeline/index.js';
import { stateFactory, type PartitionState } from './limiters.js';
import { resolveRateLimitOptions, type RateLimitOptions } from './rate-limit-options.js';

/** The most partitions looked at for expiry per request: the sweep's cost stays constant. */
const SWEEP_PER_REQUEST = 4;

/**
 * Rate limiting (ASP.NET Core's limiters): fixed and sliding window, token bucket, concurrency,
 * each partitioned by client address or a key function. A request over its partition's limit is
 * refused with an HttpError 429 carrying `Retry-After` (seconds); problemDetails() turns it into a
 * problem. Partitions are kept in least-recently-seen order and forgotten once at rest, at most
 * `maxPartitions` at once.
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  const o = resolveRateLimitOptions(options);
  const make = stateFactory(o.limiter);
  const { clock, partitionBy, maxPartitions } = o;
  const concurrency = o.limiter.kind === 'concurrency';
  const partitions = new Map<string, PartitionState>();

  // Forgets partitions at rest, oldest first, a few per call; stops at the first one still busy.
  const sweep = (now: number, budget: number): void => {
    for (const [key, state] of partitions) {
      if (budget-- <= 0 || !state.atRest(now)) return;
      partitions.delete(key);
    }
  };

  const partitionFor = (key: string, now: number): PartitionState | undefined => {
    let state = partitions.get(key);
    if (state !== undefined) {
      // Seen now: to the end of the map's order, so the least recently seen stays first.
      partitions.delete(key);
      partitions.set(key, state);
      return state;
    }
    sweep(now, SWEEP_PER_REQUEST);
    if (partitions.size >= maxPartitions) {
      const [oldestKey, oldest] = partitions.entries().next().value as [string, PartitionState];
      // A concurrency partition in use cannot be forgotten: its releases would go nowhere.
      if (concurrency && !oldest.atRest(now)) return undefined;
      partitions.delete(oldestKey);
    }
    state = make(now);
    partitions.set(key, state);
    return state;
  };

  return (ctx: HttpContext, next: Next) => {
    const key = partitionBy(ctx);
    if (key === undefined) return next();
    const now = clock.now();
    const state = partitionFor(key, now);
    const waitMs = state === undefined ? 1_000 : state.acquire(now);
    if (waitMs > 0) {
      throw new HttpError(429, 'Too many requests', { headers: { 'retry-after': Math.ceil(waitMs / 1000) }, code: 'ERR_TIERCEL_RATE_LIMITED' });
    }
    if (!concurrency) return next();
    return release(next, state as PartitionState, key, partitions);
  };
}

async function release(next: Next, state: PartitionState, key: string, partitions: Map<string, PartitionState>): Promise<void> {
  try {
    await next();
  } finally {
    state.release();
    // Nothing in flight: the partition is as a fresh one would be, and need not be remembered.
    if (state.atRest(0) && partitions.get(key) === state) partitions.delete(key);
  }
}
