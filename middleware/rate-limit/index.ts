// middleware/rate-limit/: fixed and sliding window, token bucket and concurrency limits per
// partition (client address or a key), 429 with Retry-After, bounded memory.
export { rateLimit } from './rate-limit.js';
export {
  RATE_LIMIT_DEFAULTS,
  byClientAddress,
  resolveRateLimitOptions,
  type RateLimitOptions,
  type ResolvedRateLimitOptions,
  type LimiterOptions,
  type FixedWindowLimiter,
  type SlidingWindowLimiter,
  type TokenBucketLimiter,
  type ConcurrencyLimiter,
  type PartitionKey,
} from './rate-limit-options.js';
export { RateLimitConfigError } from './rate-limit-errors.js';
