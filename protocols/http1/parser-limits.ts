import { InvalidOptionError } from '../../connection/index.js';
import { isToken } from '../http/index.js';

/** The sizes the HTTP/1.1 parser enforces while it reads; each is checked before bytes are buffered. */
export interface ParserLimits {
  /** Bytes of the request line, its CRLF included. Over it: 414. */
  readonly maxRequestLineSize: number;
  /**
   * Bytes of the header field lines, each with its CRLF; neither the request line nor the empty
   * line that ends the head counts (Kestrel's measure). Over it: 431.
   */
  readonly maxRequestHeadersTotalSize: number;
  /** Header field lines; trailers count separately against the same number. Over it: 431. */
  readonly maxRequestHeaderCount: number;
  /** Bytes of all chunk extensions of one message (`;name=value`). Over it: 413. */
  readonly maxChunkExtensionSize?: number;
  /** Bytes of the trailer field lines of a chunked body, counted as header lines are. Over it: 431. */
  readonly maxTrailerSize?: number;
  /**
   * Methods recognised besides `KNOWN_METHODS` (the IANA registry and the common extensions);
   * any other well-formed method gets 501. Default: none.
   */
  readonly extraMethods?: readonly string[];
}

/** Kestrel's defaults for the first three; Node's 16 KiB chunk-extension cap; trailers as headers. */
export const DEFAULT_PARSER_LIMITS = Object.freeze({
  maxRequestLineSize: 8192,
  maxRequestHeadersTotalSize: 32768,
  maxRequestHeaderCount: 100,
  maxChunkExtensionSize: 16384,
  maxTrailerSize: 32768,
  extraMethods: [] as readonly string[],
} satisfies Required<ParserLimits>);

/** `limits` with defaults filled in; a value that is not a positive integer is a configuration error. */
export function resolveParserLimits(limits: Partial<ParserLimits>): Required<ParserLimits> {
  return {
    maxRequestLineSize: positive(limits, 'maxRequestLineSize'),
    maxRequestHeadersTotalSize: positive(limits, 'maxRequestHeadersTotalSize'),
    maxRequestHeaderCount: positive(limits, 'maxRequestHeaderCount'),
    maxChunkExtensionSize: positive(limits, 'maxChunkExtensionSize'),
    maxTrailerSize: positive(limits, 'maxTrailerSize'),
    extraMethods: methods(limits.extraMethods),
  };
}

function methods(extra: readonly string[] | undefined): readonly string[] {
  if (extra === undefined) return [];
  if (!Array.isArray(extra)) throw new InvalidOptionError('extraMethods', 'must be an array of method names');
  for (const m of extra) {
    if (typeof m !== 'string' || !isToken(m) || m === 'PRI') {
      throw new InvalidOptionError('extraMethods', `'${String(m)}' is not a method token (RFC 9110 §9.1), or is PRI`);
    }
  }
  return extra;
}

function positive(limits: Partial<ParserLimits>, name: Exclude<keyof ParserLimits, 'extraMethods'>): number {
  const value = limits[name] ?? DEFAULT_PARSER_LIMITS[name];
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(name, `must be a positive integer (got ${String(value)})`);
  }
  return value;
}
