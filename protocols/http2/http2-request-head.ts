import { HttpProtocolError, RequestHeaders, isValidHostValue, type HttpLimits, type Http2Limits } from '../http/index.js';

/**
 * What the adapter needs from a HEADERS frame, with the header limits already applied. One object
 * per module, which each `readRequestHead` overwrites: the exchange copies the two fields it
 * keeps (it is made at once, in the same turn) and keeps the raw array it was read from, so a
 * stream costs no head object of its own (88 bytes of every request allocated and, while it is
 * in flight, kept).
 */
export interface Http2RequestHead {
  readonly method: string;
  /** `:path`, or `:authority` for a plain CONNECT (the tunnel's target, as HTTP/1.1 has it). */
  readonly target: string;
  /** The lower-cased `:protocol` of an extended CONNECT (RFC 8441), else undefined. */
  readonly protocol: string | undefined;
  /** The content-length header, or -1. */
  readonly contentLength: number;
  /** The head's size as RFC 9113 §6.5.2 counts it (name + value + 32 per field, pseudo-headers too). */
  readonly size: number;
}

const head: { -readonly [K in keyof Http2RequestHead]: Http2RequestHead[K] } = { method: '', target: '', protocol: undefined, contentLength: -1, size: 0 };

/** The limits a request head is checked against (from `HttpLimits` and `Http2Limits`). */
export interface Http2HeadLimits {
  readonly maxRequestHeaderCount: number;
  readonly maxRequestHeadersTotalSize: number;
  readonly maxRequestHeaderFieldSize: number;
}

export function headLimits(limits: HttpLimits, http2: Http2Limits): Http2HeadLimits {
  return {
    maxRequestHeaderCount: limits.maxRequestHeaderCount,
    maxRequestHeadersTotalSize: limits.maxRequestHeadersTotalSize,
    maxRequestHeaderFieldSize: http2.maxRequestHeaderFieldSize,
  };
}

// RFC 9113 §6.5.2: a field's size in a header list is its name and value plus 32 octets.
const FIELD_OVERHEAD = 32;

/**
 * Reads node:http2's flat raw header array (`[name, value, …]`, pseudo-headers first, names
 * already lower-case and validated by nghttp2). Pseudo-headers are kept out of the `RequestHeaders`
 * view; `:authority` is presented as `host` when the request has no host field, so an app reads
 * the host the same way over both protocols. Throws a 431 `HttpProtocolError` over a limit.
 * The head returned is overwritten by the next call.
 */
export function readRequestHead(raw: readonly string[], limits: Http2HeadLimits): Http2RequestHead {
  let method = '';
  let path = '';
  let authority: string | undefined;
  let protocol: string | undefined;
  let total = 0;
  let first = raw.length;
  let hasHost = false;
  let host = '';
  let contentLength = -1;
  const maxField = limits.maxRequestHeaderFieldSize;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    const size = name.length + value.length;
    if (size > maxField) throw tooLarge(`The header field '${name}' is larger than ${maxField} bytes`);
    total += size + FIELD_OVERHEAD;
    if (name.charCodeAt(0) === 58 /* ':' */) {
      switch (name) {
        case ':method': method = value; break;
        case ':path': path = value; break;
        case ':authority': authority = value; break;
        case ':protocol': protocol = value.toLowerCase(); break;
      }
      continue;
    }
    if (first === raw.length) first = i;
    if (name === 'host') {
      hasHost = true;
      host = value;
    } else if (name === 'content-length') contentLength = Number(value);
  }
  checkAuthority(authority, hasHost ? host : undefined);
  if (total > limits.maxRequestHeadersTotalSize) throw tooLarge(`The request headers are larger than ${limits.maxRequestHeadersTotalSize} bytes`);
  const count = (raw.length - first) >>> 1;
  if (count > limits.maxRequestHeaderCount) throw tooLarge(`The request has more than ${limits.maxRequestHeaderCount} header fields`);
  head.method = method;
  head.target = method === 'CONNECT' && protocol === undefined ? (authority ?? '') : path;
  head.protocol = protocol;
  head.contentLength = Number.isSafeInteger(contentLength) && contentLength >= 0 ? contentLength : -1;
  head.size = total;
  return head;
}

/**
 * The regular header fields of a request's raw array (as `readRequestHead` read it) as a
 * `RequestHeaders` view: built when the app first asks, since most handlers read none, and so
 * found again here rather than kept per stream. Pseudo-headers come first (RFC 9113 §8.3; nghttp2
 * refuses anything else), so the regular fields are one slice; `:authority` is presented as `host`
 * when the request has no host field.
 */
export function headersOf(raw: readonly string[]): RequestHeaders {
  let first = raw.length;
  let authority: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.charCodeAt(0) === 58 /* ':' */) {
      if (name === ':authority') authority = raw[i + 1];
      continue;
    }
    if (first === raw.length) first = i;
    if (name === 'host') {
      authority = undefined;
      break;
    }
  }
  if (authority === undefined) return new RequestHeaders(first === 0 ? raw : raw.slice(first));
  const n = raw.length - first;
  const out = new Array<string>(n + 2);
  out[0] = 'host';
  out[1] = authority;
  for (let i = 0; i < n; i++) out[i + 2] = raw[first + i];
  return new RequestHeaders(out);
}

/** The lower-cased `:protocol` of a raw head as `readRequestHead` read it (RFC 8441), else undefined. */
export function protocolOf(raw: readonly string[]): string | undefined {
  // Pseudo-headers come first (RFC 9113 §8.3).
  for (let i = 0; i < raw.length && raw[i].charCodeAt(0) === 58 /* ':' */; i += 2) {
    if (raw[i] === ':protocol') return raw[i + 1].toLowerCase();
  }
  return undefined;
}

let validAuthority = '';

/**
 * RFC 9113 §8.3.1 and RFC 9110 §7.2: `:authority` and Host are `host[:port]` (no userinfo), and a
 * request that carries both must name the same authority. Either may be absent (a request with
 * no authority to convey). Throws a 400 `HttpProtocolError`, as HTTP/1.1 answers a bad Host.
 */
function checkAuthority(authority: string | undefined, host: string | undefined): void {
  if (authority !== undefined && authority !== validAuthority) {
    if (!isValidHostValue(authority)) throw badAuthority(`The :authority '${authority}' is not host[:port]`);
    validAuthority = authority;
  }
  if (host === undefined) return;
  if (!isValidHostValue(host)) throw badAuthority(`The host header '${host}' is not host[:port]`);
  if (authority !== undefined && authority.toLowerCase() !== host.toLowerCase()) {
    throw badAuthority(`The host header '${host}' differs from the :authority '${authority}'`);
  }
}

function badAuthority(message: string): HttpProtocolError {
  return new HttpProtocolError('ERR_TIERCEL_INVALID_HOST', 400, message);
}

function tooLarge(message: string): HttpProtocolError {
  return new HttpProtocolError('ERR_TIERCEL_HEADERS_TOO_LARGE', 431, message);
}
