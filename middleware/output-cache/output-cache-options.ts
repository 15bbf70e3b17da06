import { systemClock, type Clock } from '../../connection/index.js';
import { OutputCacheConfigError } from './output-cache-errors.js';

export interface OutputCacheOptions {
  /** How long a stored response is served, in milliseconds. Default 60000 (ASP.NET Core's output cache default). */
  ttlMs?: number;
  /**
   * Which query parameters make a different entry: `'*'` the whole query string as sent, or a
   * list of names (the others, `utm_source` and the like, then share the entry). Default `'*'`:
   * the URL is the key, as in ASP.NET Core.
   */
  varyByQuery?: '*' | readonly string[];
  /**
   * Request headers whose values make a different entry (`['accept-language']`). Default none.
   * A response whose own `Vary` names a header not listed here (or `*`) is not stored: it would
   * be served to clients it was not made for.
   */
  varyByHeaders?: readonly string[];
  /**
   * The most bytes all entries of this cache hold together (bodies, header text and keys); past
   * it the least recently used are evicted. Default 33554432 (32 MiB): small against a Node
   * heap, and what a cache of a few hundred rendered pages needs; ASP.NET Core's 100 MB assumes
   * a server with the whole machine to itself.
   */
  maxBytes?: number;
  /**
   * The largest body stored. A response is held in memory until it ends so that it can be stored
   * (and given to the requests waiting for it); one that grows past this is sent on as it is
   * written and not stored. Default 1048576 (1 MiB): an output cache is for rendered pages and
   * API answers; a large file is static files' job (ETag and ranges).
   */
  maxEntryBytes?: number;
  /**
   * Whether a request with `Authorization` may be answered from, and fill, the cache. Default
   * false: an authorised answer is usually the user's own, and the key does not include who
   * asked. Set it only when the route's response is the same for every caller (or list
   * `authorization` in `varyByHeaders`).
   */
  allowAuthorized?: boolean;
  /** What time is (a ManualClock in tests). Default the system clock. */
  clock?: Clock;
}

export interface ResolvedOutputCacheOptions {
  readonly ttlMs: number;
  /** undefined: the whole query string. */
  readonly varyByQuery: readonly string[] | undefined;
  /** Lower case. */
  readonly varyByHeaders: readonly string[];
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly allowAuthorized: boolean;
  readonly clock: Clock;
}

export const OUTPUT_CACHE_DEFAULTS = Object.freeze({
  ttlMs: 60_000,
  varyByQuery: '*' as const,
  varyByHeaders: Object.freeze([]) as readonly string[],
  maxBytes: 32 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
  allowAuthorized: false,
});

const OPTION_KEYS = ['ttlMs', 'varyByQuery', 'varyByHeaders', 'maxBytes', 'maxEntryBytes', 'allowAuthorized', 'clock'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function positive(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new OutputCacheConfigError(`${name} must be a positive integer, not ${String(value)}`);
  return value as number;
}

function names(value: unknown, name: string, check: (s: string) => boolean): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && check(v))) {
    throw new OutputCacheConfigError(`${name} must be an array of ${name === 'varyByHeaders' ? 'header names' : "query parameter names (or '*')"}`);
  }
  return Object.freeze([...(value as string[])]);
}

/** Checks `options` and fills in the defaults; throws OutputCacheConfigError stating the rule broken. */
export function resolveOutputCacheOptions(options: OutputCacheOptions = {}): ResolvedOutputCacheOptions {
  if (typeof options !== 'object' || options === null) throw new OutputCacheConfigError('outputCache() takes an options object');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new OutputCacheConfigError(`Unknown output cache option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
  }
  const ttlMs = positive(options.ttlMs ?? OUTPUT_CACHE_DEFAULTS.ttlMs, 'ttlMs');
  const maxBytes = positive(options.maxBytes ?? OUTPUT_CACHE_DEFAULTS.maxBytes, 'maxBytes');
  const maxEntryBytes = positive(options.maxEntryBytes ?? OUTPUT_CACHE_DEFAULTS.maxEntryBytes, 'maxEntryBytes');
  if (maxEntryBytes > maxBytes) throw new OutputCacheConfigError(`maxEntryBytes (${maxEntryBytes}) cannot exceed maxBytes (${maxBytes}): no entry that large would fit`);
  const query = options.varyByQuery ?? OUTPUT_CACHE_DEFAULTS.varyByQuery;
  const varyByQuery = query === '*' ? undefined : names(query, 'varyByQuery', (s) => s !== '');
  const varyByHeaders = names(options.varyByHeaders ?? OUTPUT_CACHE_DEFAULTS.varyByHeaders, 'varyByHeaders', (s) => TOKEN.test(s)).map((h) => h.toLowerCase());
  const allowAuthorized = options.allowAuthorized ?? OUTPUT_CACHE_DEFAULTS.allowAuthorized;
  if (typeof allowAuthorized !== 'boolean') throw new OutputCacheConfigError('allowAuthorized must be true or false');
  return { ttlMs, varyByQuery, varyByHeaders, maxBytes, maxEntryBytes, allowAuthorized, clock: options.clock ?? systemClock };
}
