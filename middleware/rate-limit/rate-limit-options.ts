import { systemClock, type Clock } from '../../connection/index.js';
import type { HttpContext } from '../../pipeline/index.js';
import { RateLimitConfigError } from './rate-limit-errors.js';

/** At most `permits` requests per window of `windowMs`, the window starting at a partition's first request. */
export interface FixedWindowLimiter {
  kind: 'fixed-window';
  permits: number;
  windowMs: number;
}

/**
 * At most `permits` requests in any `windowMs`, estimated from the current and the previous fixed
 * window (the previous one weighted by how much of it the sliding window still covers), which
 * smooths a fixed window's double burst at its edge in O(1) memory per partition.
 */
export interface SlidingWindowLimiter {
  kind: 'sliding-window';
  permits: number;
  windowMs: number;
}

/** Bursts of up to `capacity` requests, refilled at `tokensPerPeriod` every `periodMs` (continuously). */
export interface TokenBucketLimiter {
  kind: 'token-bucket';
  capacity: number;
  tokensPerPeriod: number;
  periodMs: number;
}

/** At most `permits` requests of a partition in progress at once; no queue, the rest get a 429. */
export interface ConcurrencyLimiter {
  kind: 'concurrency';
  permits: number;
}

export type LimiterOptions = FixedWindowLimiter | SlidingWindowLimiter | TokenBucketLimiter | ConcurrencyLimiter;

/** A request's partition: requests with the same key share a limit; undefined means not limited. */
export type PartitionKey = (ctx: HttpContext) => string | undefined;

export interface RateLimitOptions {
  /** The algorithm and its limits. Required. */
  limiter: LimiterOptions;
  /**
   * How requests are grouped. Default: by client address (`ctx.connection.remoteEndpoint`: the
   * forwarded client when forwardedHeaders() runs first; for a pipe or in-memory connection, one
   * partition per transport name).
   */
  partitionBy?: PartitionKey;
  /**
   * The most partitions remembered at once. Default 10000 (~1 MiB of state at ~100 bytes each):
   * partitions whose state has gone back to rest are forgotten as requests arrive; when the map
   * is still full, the least recently seen is evicted, so a flood of new keys costs its own
   * limits, never unbounded memory. A concurrency partition with requests in flight is never
   * evicted: a new key then gets a 429.
   */
  maxPartitions?: number;
  /** What time is (a ManualClock in tests). Default the system clock. */
  clock?: Clock;
}

export interface ResolvedRateLimitOptions {
  readonly limiter: Readonly<LimiterOptions>;
  readonly partitionBy: PartitionKey;
  readonly maxPartitions: number;
  readonly clock: Clock;
}

export const RATE_LIMIT_DEFAULTS = Object.freeze({ maxPartitions: 10_000 });

const OPTION_KEYS = ['limiter', 'partitionBy', 'maxPartitions', 'clock'];
const LIMITER_KEYS: Record<LimiterOptions['kind'], readonly string[]> = {
  'fixed-window': ['kind', 'permits', 'windowMs'],
  'sliding-window': ['kind', 'permits', 'windowMs'],
  'token-bucket': ['kind', 'capacity', 'tokensPerPeriod', 'periodMs'],
  concurrency: ['kind', 'permits'],
};

function positive(value: unknown, name: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new RateLimitConfigError(`${name} must be a positive integer, not ${String(value)}`);
}

/** The client's address, or the transport's name where there is no address. */
export function byClientAddress(ctx: HttpContext): string {
  const endpoint = ctx.connection.remoteEndpoint as { kind: string; host?: string };
  return endpoint.host ?? endpoint.kind;
}

/** Checks `options` and fills in the defaults; throws RateLimitConfigError stating the rule broken. */
export function resolveRateLimitOptions(options: RateLimitOptions): ResolvedRateLimitOptions {
  if (typeof options !== 'object' || options === null) throw new RateLimitConfigError('rateLimit() needs options, at least { limiter }');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new RateLimitConfigError(`Unknown rate limit option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
  }
  const limiter = options.limiter as LimiterOptions | undefined;
  const known = limiter === undefined ? undefined : LIMITER_KEYS[limiter.kind];
  if (limiter === undefined || known === undefined) throw new RateLimitConfigError(`limiter.kind must be one of ${Object.keys(LIMITER_KEYS).join(', ')}`);
  for (const key of Object.keys(limiter)) {
    if (!known.includes(key)) throw new RateLimitConfigError(`Unknown ${limiter.kind} option '${key}' (known: ${known.join(', ')})`);
  }
  for (const key of known) if (key !== 'kind') positive((limiter as unknown as Record<string, unknown>)[key], `limiter.${key}`);
  const maxPartitions = options.maxPartitions ?? RATE_LIMIT_DEFAULTS.maxPartitions;
  positive(maxPartitions, 'maxPartitions');
  const partitionBy = options.partitionBy ?? byClientAddress;
  if (typeof partitionBy !== 'function') throw new RateLimitConfigError('partitionBy must be a function (ctx) => string | undefined');
  return { limiter: Object.freeze({ ...limiter }), partitionBy, maxPartitions, clock: options.clock ?? systemClock };
}
