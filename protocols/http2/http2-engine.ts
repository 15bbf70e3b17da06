import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { TiercelError } from '../../connection/index.js';
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

/** The session node:http2 did not create for a connection (it never happens with a Duplex). */
export class Http2SessionError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_HTTP2_SESSION', message);
  }
}

/**
 * One never-listening `http2.Server` per endpoint, made on its first connection: nghttp2 does the
 * framing, HPACK and flow control, and tiercel hands it each connection's transport
 * (`emit('connection')`), so it runs over any transport (TCP, pipe, memory, TLS) and the server
 * keeps owning accept and shutdown.
 */
export class Http2Engine {
  readonly #limits: HttpLimits;
  readonly #http2Limits: Http2Limits;
  /** Made by the first connection: a server that never sees HTTP/2 never makes one. */
  #server: http2.Http2Server | undefined;
  #created: http2.ServerHttp2Session | undefined;
  // node:http2's relays are the same two functions on every session: found once.
  #streamRelay: Listener | undefined;
  #errorRelay: Listener | undefined;

  constructor(limits: HttpLimits, http2Limits: Http2Limits) {
    this.#limits = limits;
    this.#http2Limits = http2Limits;
  }

  /** Starts HTTP/2 on `transport` (whose first bytes must be the client preface). */
  attach(transport: Duplex): http2.ServerHttp2Session {
    const server = (this.#server ??= this.#createServer());
    this.#created = undefined;
    server.emit('connection', transport);
    const session = this.#created as http2.ServerHttp2Session | undefined;
    this.#created = undefined;
    if (session === undefined) throw new Http2SessionError('node:http2 did not start a session on the connection');
    this.#streamRelay = dropServerRelay(session, 'stream', this.#streamRelay, server, 'stream');
    this.#errorRelay = dropServerRelay(session, 'error', this.#errorRelay, server, 'sessionError');
    // The connection window is not a SETTINGS value: it grows with a WINDOW_UPDATE on stream 0.
    const window = this.#http2Limits.initialConnectionWindowSize;
    if (window > 65_535) session.setLocalWindowSize(window);
    return session;
  }

  #createServer(): http2.Http2Server {
    const server = http2.createServer(nodeServerOptions(this.#limits, this.#http2Limits));
    // node:http2 emits 'session' synchronously from its connection listener.
    server.on('session', (session: http2.ServerHttp2Session) => {
      this.#created = session;
    });
    return server;
  }
}

/**
 * node:http2's connection listener gives each session listeners that re-emit its events on the
 * server (`stream`, and `error` as `sessionError`). Nothing listens there, and beside the
 * connection's own listener each made the session keep an array per event (~130 bytes per idle
 * connection) that every emit copies. Removed while the relay is the session's only listener (the
 * connection adds its own right after), and only while nobody listens on the server.
 */
function dropServerRelay(session: http2.ServerHttp2Session, event: 'stream' | 'error', relay: Listener | undefined, server: http2.Http2Server, serverEvent: string): Listener | undefined {
  if (server.listenerCount(serverEvent) !== 0 || session.listenerCount(event) !== 1) return relay;
  // Read once: each rawListeners() is a copy of the session's array, garbage per connection.
  relay ??= session.rawListeners(event)[0] as Listener;
  session.removeListener(event, relay);
  return relay;
}

type Listener = (...args: unknown[]) => void;
