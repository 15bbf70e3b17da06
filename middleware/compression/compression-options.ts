import { constants, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import { CompressionConfigError } from './compression-errors.js';
import type { ContentCoding } from './encoding-negotiation.js';

export interface CompressionOptions {
  /** The codings offered, best first for a client that ranks them equally. Default `['br', 'gzip']`. */
  encodings?: readonly ContentCoding[];
  /**
   * A body smaller than this many bytes (known from `send`/`json`, or a content-length set before
   * writing) is sent as is: the coding's header and framing would eat what it saves. Default 1024,
   * as @fastify/compress; a streamed body of unknown length is always compressed.
   */
  thresholdBytes?: number;
  /**
   * Media types compressed (without parameters): exact (`application/json`) or a whole top-level
   * type (`text/*`). Default: text/* but text/event-stream (a stream must not wait for the
   * encoder's buffer), application/json, application/javascript, application/xml,
   * application/wasm, image/svg+xml, and any `+json` or `+xml` type. Images, fonts and archives
   * are already compressed.
   */
  contentTypes?: readonly string[];
  /**
   * Brotli quality, 0-11. Default 4: about gzip -6's speed with a smaller result (11, zlib's own
   * default, is meant for ahead-of-time compression and is ~20x slower). @fastify/compress uses 4 too.
   */
  brotliQuality?: number;
  /** gzip level, 1-9. Default 6, zlib's default. */
  gzipLevel?: number;
  /**
   * A whole body (`send`, `json`) up to this many bytes is compressed on the event loop, larger
   * ones on libuv's thread pool. Default 65536: a 16 KiB JSON body takes ~0.1 ms at brotli quality 4,
   * while handing bodies to the pool costs more than it saves once many are compressed at once
   * (measured: ~100 µs CPU per 16 KiB body inline against ~750 µs through the pool with 64 in
   * flight on one core: 64 encoders' state thrashes the caches). 0 sends every body to the pool.
   */
  inlineMaxBytes?: number;
  /**
   * Decompress a request body sent with `Content-Encoding: gzip`, `deflate` or `br` before the
   * app reads it. Default false: an app that does not expect compressed uploads should not inflate
   * them. Another coding is answered 415; a corrupt body 400.
   */
  requestDecompression?: boolean;
  /**
   * With `requestDecompression`, the most bytes a body may inflate to; past it the read fails with
   * 413 (a zip bomb inflates ~1000:1). Default: the request's `maxBodySize` when reading starts, so
   * a compressed upload can never be larger than the same upload sent plain.
   */
  maxInflatedBodySize?: number;
}

export interface ResolvedCompressionOptions {
  readonly encodings: readonly ContentCoding[];
  readonly thresholdBytes: number;
  /** True for a content-type header value that is to be compressed. */
  readonly compressible: (contentType: string) => boolean;
  readonly brotli: BrotliOptions;
  readonly gzip: ZlibOptions;
  readonly inlineMaxBytes: number;
  readonly requestDecompression: boolean;
  readonly maxInflatedBodySize: number | undefined;
}

export const COMPRESSION_DEFAULTS = Object.freeze({
  encodings: Object.freeze(['br', 'gzip']) as readonly ContentCoding[],
  thresholdBytes: 1024,
  contentTypes: Object.freeze([
    'text/*',
    'application/json',
    'application/javascript',
    'application/xml',
    'application/wasm',
    'image/svg+xml',
  ]) as readonly string[],
  brotliQuality: 4,
  gzipLevel: 6,
  inlineMaxBytes: 64 * 1024,
  requestDecompression: false,
});

const KNOWN = new Set(['encodings', 'thresholdBytes', 'contentTypes', 'brotliQuality', 'gzipLevel', 'inlineMaxBytes', 'requestDecompression', 'maxInflatedBodySize']);

function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new CompressionConfigError(`${name} must be an integer from ${min} to ${max}, not ${String(value)}`);
  }
  return value;
}

/** The media type of a content-type value: lower case, parameters and spaces removed. */
function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

function compile(types: readonly string[], isDefault: boolean): (contentType: string) => boolean {
  const exact = new Set<string>();
  const wholeTypes = new Set<string>();
  for (const t of types) {
    if (typeof t !== 'string' || !/^[a-z0-9!#$&^_.+-]+\/(\*|[a-z0-9!#$&^_.+-]+)$/.test(t)) {
      throw new CompressionConfigError(`contentTypes entries are lower-case media types ('application/json') or 'type/*', not ${JSON.stringify(t)}`);
    }
    if (t.endsWith('/*')) wholeTypes.add(t.slice(0, -1));
    else exact.add(t);
  }
  return (contentType) => {
    const type = mediaType(contentType);
    if (exact.has(type)) return true;
    if (isDefault) {
      if (type === 'text/event-stream') return false;
      if (type.endsWith('+json') || type.endsWith('+xml')) return true;
    }
    const slash = type.indexOf('/');
    return slash > 0 && wholeTypes.has(type.slice(0, slash + 1));
  };
}

/** Checks `options` and fills in the defaults; throws CompressionConfigError stating the rule broken. */
export function resolveCompressionOptions(options: CompressionOptions = {}): ResolvedCompressionOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new CompressionConfigError(`Unknown compression option '${key}' (known: ${[...KNOWN].join(', ')})`);
  }
  const encodings = options.encodings ?? COMPRESSION_DEFAULTS.encodings;
  if (!Array.isArray(encodings) || encodings.length === 0 || encodings.some((e) => e !== 'br' && e !== 'gzip') || new Set(encodings).size !== encodings.length) {
    throw new CompressionConfigError(`encodings must list 'br' and/or 'gzip' once each, not ${JSON.stringify(encodings)}`);
  }
  const thresholdBytes = checkInteger(options.thresholdBytes ?? COMPRESSION_DEFAULTS.thresholdBytes, 'thresholdBytes', 0, Number.MAX_SAFE_INTEGER);
  const brotliQuality = checkInteger(options.brotliQuality ?? COMPRESSION_DEFAULTS.brotliQuality, 'brotliQuality', 0, 11);
  const gzipLevel = checkInteger(options.gzipLevel ?? COMPRESSION_DEFAULTS.gzipLevel, 'gzipLevel', 1, 9);
  const inlineMaxBytes = checkInteger(options.inlineMaxBytes ?? COMPRESSION_DEFAULTS.inlineMaxBytes, 'inlineMaxBytes', 0, 16 * 1024 * 1024);
  const requestDecompression = options.requestDecompression ?? COMPRESSION_DEFAULTS.requestDecompression;
  if (typeof requestDecompression !== 'boolean') throw new CompressionConfigError('requestDecompression must be true or false');
  const maxInflatedBodySize =
    options.maxInflatedBodySize === undefined ? undefined : checkInteger(options.maxInflatedBodySize, 'maxInflatedBodySize', 1, Number.MAX_SAFE_INTEGER);
  if (maxInflatedBodySize !== undefined && !requestDecompression) {
    throw new CompressionConfigError('maxInflatedBodySize applies only with requestDecompression: true');
  }
  const types = options.contentTypes ?? COMPRESSION_DEFAULTS.contentTypes;
  if (!Array.isArray(types)) throw new CompressionConfigError('contentTypes must be an array of media types');
  return {
    encodings: [...encodings],
    thresholdBytes,
    compressible: compile(types, options.contentTypes === undefined),
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } },
    gzip: { level: gzipLevel },
    inlineMaxBytes,
    requestDecompression,
    maxInflatedBodySize,
  };
}
