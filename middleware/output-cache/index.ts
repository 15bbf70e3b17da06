// middleware/output-cache/: output caching for routes that opt in: whole 200s kept in memory for a
// TTL, keyed by URL, chosen query parameters and headers, bounded in bytes (LRU), misses coalesced.
export { outputCache } from './output-cache.js';
export { OUTPUT_CACHE_DEFAULTS, resolveOutputCacheOptions, type OutputCacheOptions, type ResolvedOutputCacheOptions } from './output-cache-options.js';
export { OutputCacheConfigError } from './output-cache-errors.js';
