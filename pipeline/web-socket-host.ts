import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { ConnectionAbortedError, LifetimeFeature, type Logger } from '../connection/index.js';
import type { HttpExchange } from '../protocols/http/index.js';
import type { BoundedWebSocket } from './web-socket-bounded.js';
import { WEB_SOCKET_PEER_LIMITS, type ResolvedWebSocketOptions } from './web-socket-options.js';

/** The request object ws's `handleUpgrade` reads: node:http's shape, lower-cased headers. */
interface UpgradeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** ws reads it only in `verifyClient` (unused here): the stream ws speaks over (a TLSSocket under TLS). */
  readonly socket: Duplex;
  /** The subprotocol the app chose, handed to `handleProtocols` through the request. */
  readonly protocol: string | false;
}

/** ws's internals this file relies on for HTTP/2 (what `WebSocketServer.completeUpgrade` does). */
interface ServerSideWebSocket {
  _protocol: string;
  setSocket(socket: Duplex, head: Buffer, options: Record<string, unknown>): void;
}

/*
 * ws (and BoundedWebSocket, which extends its WebSocket) load with the first host, not with the
 * pipeline: an app that never upgrades does not pay ws's 60–100 ms of start-up CPU (bench/startup.mjs). require() because
 * the host is made inside the synchronous `acceptNow`; ws is CommonJS, and web-socket-bounded.js
 * an ES module without top-level await, which require() loads since Node 20.19 (package.json engines).
 */
const require = createRequire(import.meta.url);
let wsModules: { ws: typeof import('ws'); bounded: typeof import('./web-socket-bounded.js') } | undefined;
function loadWs(): NonNullable<typeof wsModules> {
  return (wsModules ??= { ws: require('ws') as typeof import('ws'), bounded: require('./web-socket-bounded.js') as typeof import('./web-socket-bounded.js') });
}

/** ws's `WebSocket.OPEN`, the readyState of an open socket (RFC 6455's OPEN state). */
const OPEN = 1;
const GOING_AWAY = 1001;
/** RFC 6455 §7.4.1: the server met a condition that kept it from fulfilling the request. */
const INTERNAL_ERROR = 1011;

/**
 * The exchange hands the transport over paused and ws never resumes it. Resuming at once would lose
 * messages: the flow starts on a nextTick, which runs before the app's `await accept()` continues,
 * so a message the client sent right after the handshake (or in the same packet, in `head`) would be
 * emitted before the app's 'message' listener exists. setImmediate runs after that continuation.
 * An app that called `ws.pause()` meanwhile resumes the socket itself, with `ws.resume()`.
 */
function resumeAfterAccept(ws: WebSocket, transport: Duplex): void {
  setImmediate(() => {
    if (!ws.isPaused && !transport.destroyed) transport.resume();
  });
}

/**
 * What the app's WebSockets share: one ws `WebSocketServer` in noServer mode (tiercel owns HTTP, ws
 * owns frames), made once per application, and the keep-alive, one timer for every socket. Created
 * on the first `accept()`, so an app that never upgrades pays nothing.
 */
export class WebSocketHost {
  readonly options: ResolvedWebSocketOptions;
  readonly #server: WebSocketServer;
  readonly #BoundedWebSocket: typeof BoundedWebSocket;
  readonly #log: () => Logger;
  /** Open sockets, and whether each has answered the last ping. */
  readonly #alive = new Map<WebSocket, boolean>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ResolvedWebSocketOptions, log: () => Logger) {
    this.options = options;
    this.#log = log;
    const { ws: wsLib, bounded } = loadWs();
    const { BoundedWebSocket, MAX_BUFFERED_AMOUNT } = bounded;
    this.#BoundedWebSocket = BoundedWebSocket;
    this.#server = new wsLib.WebSocketServer({
      noServer: true,
      // The host tracks its sockets itself (for the keep-alive); ws's own set would be a second copy.
      clientTracking: false,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.perMessageDeflate === false ? false : { ...options.perMessageDeflate },
      // The app picked (or declined) a subprotocol before the upgrade; ws only writes it.
      handleProtocols: (_offered, req) => (req as unknown as UpgradeRequest).protocol,
      WebSocket: BoundedWebSocket as unknown as typeof WebSocket,
      // BoundedWebSocket's cap, and ws options that @types/ws does not list yet.
      ...({
        [MAX_BUFFERED_AMOUNT]: options.maxBufferedAmount,
        closeTimeout: options.closeTimeoutMs,
        maxPendingAutoPongs: WEB_SOCKET_PEER_LIMITS.maxPendingAutoPongs,
      } as object),
      maxFragments: WEB_SOCKET_PEER_LIMITS.maxFragments,
      maxBufferedChunks: WEB_SOCKET_PEER_LIMITS.maxBufferedChunks,
    });
  }

  /**
   * Takes the exchange over (after the handshake was validated) and returns the open socket. Throws
   * the exchange's 503 `HttpProtocolError` over `maxConcurrentUpgradedConnections`, before anything is
   * sent, so the pipeline answers it as a normal response.
   */
  accept(ex: HttpExchange, protocol: string | undefined): WebSocket {
    const ws = ex.protocol === 'HTTP/2' ? this.#acceptHttp2(ex, protocol) : this.#acceptHttp1(ex, protocol);
    this.#track(ws, ex);
    return ws;
  }

  #acceptHttp1(ex: HttpExchange, protocol: string | undefined): WebSocket {
    const { transport, head } = ex.upgrade();
    const req: UpgradeRequest = {
      method: ex.method,
      url: ex.target,
      headers: ex.headers.toObject(),
      socket: transport,
      protocol: protocol ?? false,
    };
    let ws: WebSocket | undefined;
    // With no verifyClient, ws completes the upgrade synchronously: the 101 is written and the socket
    // set up before handleUpgrade returns.
    this.#server.handleUpgrade(req as never, transport, head, (socket) => {
      ws = socket;
    });
    if (ws === undefined) {
      // ws destroyed the transport: the client half-closed before the 101 (or, with deflate on, sent
      // an extension offer ws refused with a 400 of its own).
      throw new ConnectionAbortedError('The WebSocket handshake could not complete: the client went away');
    }
    resumeAfterAccept(ws, transport);
    return ws;
  }

  #acceptHttp2(ex: HttpExchange, protocol: string | undefined): WebSocket {
    // RFC 8441 §5: the subprotocol goes in the 200 the exchange sends; deflate is not negotiated.
    if (protocol !== undefined) ex.responseHeaders.set('sec-websocket-protocol', protocol);
    const { transport, head } = ex.upgrade();
    // The stream may be flowing (the exchange read its body): hold it until the app listens.
    transport.pause();
    // ws has no public API for a socket over a stream. This is what WebSocketServer.completeUpgrade
    // does after writing the 101, with the server's own (defaulted) options. An Http2Stream has
    // setTimeout and no setNoDelay; ws calls each only if present, so no shim is needed.
    const o = this.#server.options as Record<string, unknown>;
    const ws = new this.#BoundedWebSocket(null, undefined, o);
    const internal = ws as unknown as ServerSideWebSocket;
    if (protocol !== undefined) internal._protocol = protocol;
    internal.setSocket(transport, head, {
      allowSynchronousEvents: o.allowSynchronousEvents,
      maxBufferedChunks: o.maxBufferedChunks,
      maxFragments: o.maxFragments,
      maxPayload: o.maxPayload,
      skipUTF8Validation: o.skipUTF8Validation,
    });
    resumeAfterAccept(ws, transport);
    return ws;
  }

  #track(ws: WebSocket, ex: HttpExchange): void {
    // The closures below live as long as the socket: they keep the connection's id and lifetime,
    // never the exchange (which would keep its connection, parser and request alive with it).
    const connectionId = ex.connection.id;
    const lifetime = ex.connection.features.get(LifetimeFeature);
    if (ws instanceof this.#BoundedWebSocket) {
      const log = this.#log;
      // An app's handler that throws is the app's bug: logged, and that socket closed, never the process.
      ws.onListenerError = (event, err) => {
        log().error('Unhandled error in a WebSocket handler; closing the socket with 1011', { connectionId, event, error: err });
        if (ws.readyState === OPEN) ws.close(INTERNAL_ERROR, 'Internal Error');
      };
    }
    const alive = this.#alive;
    alive.set(ws, true);
    ws.on('pong', function (this: WebSocket) {
      alive.set(this, true);
    });
    // Graceful shutdown: the server asks each connection to close; a socket answers with 1001 and lets
    // the close handshake finish, after which ws ends the transport and the connection is done. Over
    // HTTP/2 many sockets share one connection: the listener goes when its socket does.
    const goAway = (): void => ws.close(GOING_AWAY, 'Server shutting down');
    let stopLifetime: (() => void) | undefined;
    if (lifetime?.isCloseRequested) queueMicrotask(goAway);
    else stopLifetime = lifetime?.onCloseRequested(goAway);
    ws.on('close', () => {
      alive.delete(ws);
      stopLifetime?.();
      if (alive.size === 0) this.#stopKeepAlive();
    });
    ws.on('error', (err) => this.#log().debug('WebSocket error', { connectionId, error: err }));
    this.#startKeepAlive();
  }

  #startKeepAlive(): void {
    const interval = this.options.keepAliveIntervalMs;
    if (interval === 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#ping(), interval);
    // Never keeps the process alive on its own.
    this.#timer.unref();
  }

  #stopKeepAlive(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #ping(): void {
    for (const [ws, alive] of this.#alive) {
      if (!alive) {
        this.#log().debug('WebSocket keep-alive: no pong since the last ping, terminating');
        ws.terminate();
        continue;
      }
      if (ws.readyState !== OPEN) continue;
      this.#alive.set(ws, false);
      // Also the check of a socket whose peer stopped reading after the app's last send: over
      // maxBufferedAmount the ping is refused and the socket closes with 1008.
      ws.ping();
    }
  }
}
