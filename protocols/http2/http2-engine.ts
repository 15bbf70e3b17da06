import http from 'node:http';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Http2Limits, HttpLimits } from '../http/index.js';

// SETTINGS and node:http2 counters are 32-bit; Infinity (no limit) maps to the largest value.
const U32 = 2 ** 32 - 1;
const u32 = (n: number): number => (n === Infinity || n > U32 ? U32 : n);

/**
 * The node:http2 server options for our limits. Public so that a bare node:http2 server can be
 * given exactly tiercel's settings: the flood tests judge tiercel beside one.
 */
export function nodeServerOptions(limits: HttpLimits, http2Limits: Http2Limits): http2.ServerOptions {
  return {
    settings: {
      headerTableSize: http2Limits.headerTableSize,
      maxConcurrentStreams: http2Limits.maxStreamsPerConnection,
      maxFrameSize: http2Limits.maxFrameSize,
      initialWindowSize: http2Limits.initialStreamWindowSize,
      // Twice our own limit: a head over our limit still arrives whole and gets a 431 on its
      // stream; one over twice the limit is reset by nghttp2 (ENHANCE_YOUR_CALM) without
      // being buffered, so a huge head costs bounded memory.
      maxHeaderListSize: u32(limits.maxRequestHeadersTotalSize * 2),
      // RFC 8441: lets a client open WebSockets (and other protocols) over a stream.
      enableConnectProtocol: true,
      enablePush: false,
    },
    // The same margin for the field count (+4 for the pseudo-headers).
    maxHeaderListPairs: u32(limits.maxRequestHeaderCount * 2 + 4),
  };
}

/**
 * Starts node:http2 sessions on the transports handed to it (`http2.performServerHandshake`), with
 * SETTINGS from tiercel's limits: nghttp2 does the framing, HPACK and flow control, tiercel's
 * server keeps owning accept and shutdown, and the session runs over any transport (TCP, pipe,
 * memory, TLS). No `http2.Server` is made: its connection listener gave every session listeners
 * that re-emit its events on the server (stream, error, priority; each announced by a
 * 'newListener' emit, and nobody listens there) and marked the socket as its own, which tiercel
 * then had to take off again (idle HTTP/2 connection, one GET, in-process sampling: ~400 bytes less
 * allocated per connection this way).
 */
export class Http2Engine {
  /** node:http2's server options for the limits (node checks and completes a copy for every session). */
  readonly #options: http2.ServerOptions;
  /** The connection window (`initialConnectionWindowSize`). */
  readonly #window: number;

  constructor(limits: HttpLimits, http2Limits: Http2Limits) {
    // node copies the options for every session and adds these defaults to its copy where they
    // are missing (node:http2's initializeOptions): given here, the copy keeps the shape of the
    // original; added, they grew it out of its slots (~1.7 KB allocated per connection).
    this.#options = {
      ...nodeServerOptions(limits, http2Limits),
      unknownProtocolTimeout: 10_000,
      Http1IncomingMessage: http.IncomingMessage,
      Http1ServerResponse: http.ServerResponse,
      Http2ServerRequest: http2.Http2ServerRequest,
      Http2ServerResponse: http2.Http2ServerResponse,
    };
    this.#window = http2Limits.initialConnectionWindowSize;
  }

  /** Starts HTTP/2 on `transport` (whose first bytes must be the client preface). */
  attach(transport: Duplex): http2.ServerHttp2Session {
    const session = http2.performServerHandshake(transport, this.#options);
    // The connection window is not a SETTINGS value: it grows with a WINDOW_UPDATE on stream 0.
    if (this.#window > 65_535) session.setLocalWindowSize(this.#window);
    return session;
  }
}
