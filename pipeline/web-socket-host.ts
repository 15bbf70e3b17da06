import type { WebSocket } from 'ws';
import { LifetimeFeature, type Logger } from '../connection/index.js';
import { HttpExtendedConnectFeature, HttpUpgradeFeature, type HttpExchange, type UpgradedConnection } from '../protocols/http/index.js';
import { acceptWebSocket, isWebSocketRejection, type BoundedWebSocket, type WebSocketOffer, type WebSocketSocketOptions } from '../protocols/websocket/index.js';
import { WebSocketHandshakeError } from './web-socket-errors.js';
import { WEB_SOCKET_PEER_LIMITS, type ResolvedWebSocketOptions } from './web-socket-options.js';

const GOING_AWAY = 1001;
/** RFC 6455 §7.4.1: the server met a condition that kept it from fulfilling the request. */
const INTERNAL_ERROR = 1011;
/** ws's `WebSocket.OPEN`, without loading ws for it. */
const OPEN = 1;

/**
 * What the app's WebSockets share: the socket options and the keep-alive, one timer for every
 * socket. Created on the first `accept()`, so an app that never upgrades pays nothing; ws itself is
 * loaded by protocols/websocket when the first socket is made.
 */
export class WebSocketHost {
  readonly options: ResolvedWebSocketOptions;
  readonly #socketOptions: WebSocketSocketOptions;
  readonly #log: () => Logger;
  /** Open sockets, and whether each has answered the last ping. */
  readonly #alive = new Map<WebSocket, boolean>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ResolvedWebSocketOptions, log: () => Logger) {
    this.options = options;
    this.#log = log;
    this.#socketOptions = { ...options, ...WEB_SOCKET_PEER_LIMITS };
  }

  /**
   * Completes a checked handshake through the feature the exchange's protocol offers (HTTP/1.1's
   * upgrade, HTTP/2's extended CONNECT) and returns the open socket. Throws, before anything is
   * sent, a `WebSocketHandshakeError` for an extension offer that cannot be accepted, and the
   * protocol's `HttpProtocolError` 503 over `maxConcurrentUpgradedConnections`, so the pipeline
   * answers either as a normal response.
   */
  accept(ex: HttpExchange, offer: WebSocketOffer, protocol: string | undefined): WebSocket {
    const result = acceptWebSocket(offer, protocol, ex.responseHeaders, handOffOf(ex, offer), this.#socketOptions);
    if (isWebSocketRejection(result)) throw new WebSocketHandshakeError(result.reason, result.message);
    this.#track(result, ex);
    return result;
  }

  #track(ws: BoundedWebSocket, ex: HttpExchange): void {
    // The closures below live as long as the socket: they keep the connection's id and lifetime,
    // never the exchange (which would keep its connection, parser and request alive with it).
    const connectionId = ex.connection.id;
    const lifetime = ex.connection.features.get(LifetimeFeature);
    const log = this.#log;
    // An app's handler that throws is the app's bug: logged, and that socket closed, never the process.
    ws.onListenerError = (event, err) => {
      log().error('Unhandled error in a WebSocket handler; closing the socket with 1011', { connectionId, event, error: err });
      if (ws.readyState === OPEN) ws.close(INTERNAL_ERROR, 'Internal Error');
    };
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

/** The feature that sends the answer and hands the stream over, for the kind of opening. */
function handOffOf(ex: HttpExchange, offer: WebSocketOffer): () => UpgradedConnection {
  if (offer.kind === 'extended-connect') {
    const connect = ex.feature(HttpExtendedConnectFeature)!;
    return () => connect.accept();
  }
  const upgrade = ex.feature(HttpUpgradeFeature)!;
  return () => upgrade.upgrade();
}
