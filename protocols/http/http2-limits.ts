import { InvalidOptionError } from '../../connection/index.js';

/**
 * The limits that only HTTP/2 has, with Kestrel's defaults (`Http2Limits`). The limits HTTP/1.1
 * and HTTP/2 share (header count and total size, body size, body data rate, keep-alive timeout)
 * stay in `HttpLimits` and apply to both protocols.
 */
export interface Http2Limits {
  /**
   * Streams a client may have open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS).
   * Default 100, as Kestrel and nginx (128) roughly agree. nghttp2 enforces it: a stream over it
   * sent before the client acknowledged the SETTINGS is refused alone with
   * RST_STREAM(REFUSED_STREAM); after the ACK it is a connection error (GOAWAY, every stream
   * reset, as on bare node:http2; RFC 9113 §5.4.1 allows it), where Kestrel refuses the stream
   * alone. Raising it multiplies the work one connection can ask for.
   */
  maxStreamsPerConnection: number;
  /** HPACK dynamic table size the server keeps for decoding (SETTINGS_HEADER_TABLE_SIZE). Default 4096. */
  headerTableSize: number;
  /** Largest frame payload the server accepts (SETTINGS_MAX_FRAME_SIZE), 2^14 to 2^24-1. Default 16 KiB. */
  maxFrameSize: number;
  /**
   * Largest single request header field, name plus value, decoded. Default 32 KiB (Kestrel's
   * `MaxRequestHeaderFieldSize`) → 431 on the stream.
   */
  maxRequestHeaderFieldSize: number;
  /**
   * The connection's receive window, and what bounds the request body a connection buffers.
   * Default 1 MiB (Kestrel's). The window is returned to the client only as apps read: body that
   * waits for its app is withheld from it, so however many streams send to routes that do not
   * read, a connection holds at most about twice this (what waits, plus what a stream past its
   * own limit below may still send).
   */
  initialConnectionWindowSize: number;
  /**
   * Each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE). Default 768 KiB (Kestrel's): how
   * much of one request body may wait for the app. Past it the stream's window is no longer
   * returned, so one stream nobody reads leaves the rest of the connection window to the others.
   */
  initialStreamWindowSize: number;
  /**
   * Send a PING when nothing has happened on a connection for this long, to find dead peers
   * behind proxies. Default `Infinity` (off, as in Kestrel).
   */
  keepAlivePingDelayMs: number;
  /** A PING not answered within this closes the connection. Default 20 s. */
  keepAlivePingTimeoutMs: number;
  /**
   * Rapid reset guard (CVE-2023-44487): streams the client cancels (RST_STREAM) before their
   * response is complete, per connection per second. Over it the connection gets
   * GOAWAY(ENHANCE_YOUR_CALM) and is closed. Default 200: a browser cancels a few streams per
   * navigation, an attacker thousands. (nghttp2's own bucket — 1000 resets, then 33/s — stays
   * underneath as a second line.) `Infinity` leaves only nghttp2's.
   */
  maxStreamResetsPerSecond: number;
  /**
   * Requests per connection per second the server may reject before the app sees them: a 431
   * (header limits), 400 (bad authority) or 501 (unknown method) on the stream. Over it the
   * connection gets GOAWAY(ENHANCE_YOUR_CALM) and is closed. Default 100. Each costs the server a
   * stream, a decoded header list and an answer, where over HTTP/1.1 the first closes the
   * connection; with HPACK a few bytes can decode to tens of KB (a block of references to one
   * dynamic-table entry), so without this one connection keeps a core busy on requests it
   * never gets to serve. (Streams nghttp2 resets itself, past the header list size, are
   * node:http2's `maxSessionRejectedStreams`, 100 a connection.) `Infinity` turns it off.
   */
  maxRejectedRequestsPerSecond: number;
  /**
   * PING and SETTINGS frames a client may send per connection per second (the server answers
   * each with an ACK: CVE-2019-9512, CVE-2019-9515). Over it the connection gets
   * GOAWAY(ENHANCE_YOUR_CALM) and is closed. Default 500: a browser sends a few per connection, a
   * gRPC client a PING per round trip while it estimates bandwidth. (nghttp2 itself gives up on a
   * connection with 1,000 ACKs it could not send yet, but closes it in a way a flooding client
   * does not read.) SETTINGS count once the client has acknowledged the server's (or from the
   * first heartbeat): its first SETTINGS, part of its preface, does not. `Infinity` leaves only
   * nghttp2's.
   */
  maxPingsPerSecond: number;
  /**
   * Flood guard (the CVE-2019-9512/9513/9515/9518 family: PING, SETTINGS, PRIORITY,
   * WINDOW_UPDATE, RST_STREAM on closed streams, empty or padded DATA, unknown frame types):
   * bytes per second a connection may send that carry no request content, i.e. everything but
   * request body and header fields (counted decoded, with RFC 9113's 32 bytes per field), measured
   * on the heartbeat. Every such frame is valid on its own, and node:http2 answers or drops each
   * without telling anyone, so a flood keeps a core busy on a connection that never closes. Over
   * the limit the connection gets GOAWAY(ENHANCE_YOUR_CALM) and is closed. Default 2 MiB/s:
   * ~150,000 small frames a second, where a browser sends a few KiB (WINDOW_UPDATEs and the odd
   * PRIORITY or PING). Body that arrives for a stream already refused or reset counts too, and a
   * client can have up to the connection window of it in flight: keep this at least twice
   * `initialConnectionWindowSize`. nginx's flood check compares the same two counts. Measured on
   * transports that count the bytes they read (TCP, pipes, TLS), not in memory. `Infinity` turns
   * it off.
   */
  maxControlBytesPerSecond: number;
}

export const DEFAULT_HTTP2_LIMITS: Readonly<Http2Limits> = Object.freeze({
  maxStreamsPerConnection: 100,
  headerTableSize: 4096,
  maxFrameSize: 16 * 1024,
  maxRequestHeaderFieldSize: 32 * 1024,
  initialConnectionWindowSize: 1024 * 1024,
  initialStreamWindowSize: 768 * 1024,
  keepAlivePingDelayMs: Infinity,
  keepAlivePingTimeoutMs: 20_000,
  maxStreamResetsPerSecond: 200,
  maxRejectedRequestsPerSecond: 100,
  maxPingsPerSecond: 500,
  maxControlBytesPerSecond: 2 * 1024 * 1024,
});

const MAX_WINDOW = 2 ** 31 - 1;

/** [min, max, Infinity allowed] for each limit; the bounds are RFC 9113 §6.5.2's where it has them. */
const RANGES: Record<keyof Http2Limits, readonly [number, number, boolean]> = {
  maxStreamsPerConnection: [1, 2 ** 32 - 1, false],
  headerTableSize: [0, 2 ** 32 - 1, false],
  maxFrameSize: [2 ** 14, 2 ** 24 - 1, false],
  maxRequestHeaderFieldSize: [1, 2 ** 32 - 1, true],
  initialConnectionWindowSize: [65_535, MAX_WINDOW, false],
  initialStreamWindowSize: [65_535, MAX_WINDOW, false],
  keepAlivePingDelayMs: [1_000, Number.MAX_SAFE_INTEGER, true],
  keepAlivePingTimeoutMs: [1_000, Number.MAX_SAFE_INTEGER, true],
  maxStreamResetsPerSecond: [1, Number.MAX_SAFE_INTEGER, true],
  maxRejectedRequestsPerSecond: [1, Number.MAX_SAFE_INTEGER, true],
  maxPingsPerSecond: [1, Number.MAX_SAFE_INTEGER, true],
  maxControlBytesPerSecond: [1_024, Number.MAX_SAFE_INTEGER, true],
};

/** Applies defaults and refuses bad values at configuration time. */
export function resolveHttp2Limits(limits: Partial<Http2Limits> = {}): Http2Limits {
  if (typeof limits !== 'object' || limits === null) throw new InvalidOptionError('http2', 'must be an object of HTTP/2 limits');
  const out: Http2Limits = { ...DEFAULT_HTTP2_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof Http2Limits, unknown][]) {
    if (value === undefined) continue;
    const range = RANGES[key];
    if (range === undefined) {
      throw new InvalidOptionError(`http2.${key}`, `is not a known HTTP/2 limit (known: ${Object.keys(RANGES).join(', ')})`);
    }
    const [min, max, infinite] = range;
    const ok = typeof value === 'number' && ((infinite && value === Infinity) || (Number.isInteger(value) && value >= min && value <= max));
    if (!ok) {
      throw new InvalidOptionError(`http2.${key}`, `must be a whole number from ${min} to ${max}${infinite ? ', or Infinity to turn it off' : ''}`);
    }
    out[key] = value as number;
  }
  return out;
}
