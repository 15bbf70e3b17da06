import type { WebSocket } from 'ws';
import { LifetimeFeature, LOG_EVENTS, type Logger } from '../connection/index.js';
import { HttpExtendedConnectFeature, HttpUpgradeFeature, type HttpExchange, type UpgradedConnection } from '../protocols/http/index.js';
import {
  acceptWebSocket,
  isWebSocketRejection,
  type BoundedWebSocket,
  type WebSocketObserver,
  type WebSocketOffer,
  type WebSocketSocketOptions,
} from '../protocols/websocket/index.js';
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
 * loaded by protocols/websocket when the first socket is made. It observes every socket it accepted
 * (`WebSocketObserver`): one object for all of them, and what it keeps of each is on the socket.
 */
export class WebSocketHost implements WebSocketObserver {
  readonly options: ResolvedWebSocketOptions;
  readonly #socketOptions: WebSocketSocketOptions;
  readonly #log: () => Logger;
  /** Open sockets (what the host keeps of each is on the socket: `BoundedWebSocket`). */
  readonly #sockets = new Set<BoundedWebSocket>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ResolvedWebSocketOptions, log: () => Logger) {
    this.options = options;
    this.#log = log;
    this.#socketOptions = { ...options, ...WEB_SOCKET_PEER_LIMITS };
  }

  // ---- WebSocketObserver ---------------------------------------------------------------------

  /** An app's handler that throws is the app's bug: logged, and that socket closed, never the process. */
  listenerError(ws: BoundedWebSocket, event: string | symbol, err: unknown): void {
    this.#log().error(
      { ...LOG_EVENTS.ApplicationError, connectionId: ws.observedConnection?.id, webSocketEvent: event, err },
      'Unhandled error in a WebSocket handler; closing the socket with 1011',
    );
    if (ws.readyState === OPEN) ws.close(INTERNAL_ERROR, 'Internal Error');
  }

  pong(ws: BoundedWebSocket): void {
    ws.answeredPing = true;
  }

  closed(ws: BoundedWebSocket): void {
    if (!this.#sockets.delete(ws)) return;
    // The lifetime is looked up again (once, at the close) rather than kept in a field each open socket holds.
    ws.observedConnection?.features.get(LifetimeFeature)?.offCloseRequested(ws);
    if (this.#sockets.size === 0) this.#stopKeepAlive();
  }

  error(ws: BoundedWebSocket, err: unknown): void {
    this.#log().debug({ connectionId: ws.observedConnection?.id, err }, 'WebSocket error');
  }

  closeRequested(ws: BoundedWebSocket): void {
    goAway(ws);
  }

  /**
   * Completes a checked handshake through the feature the exchange's protocol offers (HTTP/1.1's
   * upgrade, HTTP/2's extended CONNECT) and returns the open socket. Throws, before anything is
   * sent, a `WebSocketHandshakeError` for an extension offer that cannot be accepted, and the
   * protocol's `HttpProtocolError` 503 over `maxConcurrentUpgradedConnections`, so the pipeline
   * answers either as a normal response.
   */
  accept(ex: HttpExchange, offer: WebSocketOffer, protocol: string | undefined): WebSocket {
    const result =
      offer.kind === 'extended-connect'
        ? acceptWebSocket(offer, protocol, ex.responseHeaders, acceptConnect, ex.feature(HttpExtendedConnectFeature)!, this.#socketOptions)
        : acceptWebSocket(offer, protocol, ex.responseHeaders, upgrade, ex.feature(HttpUpgradeFeature)!, this.#socketOptions, ex.connection);
    if (isWebSocketRejection(result)) throw new WebSocketHandshakeError(result.reason, result.message);
    this.#track(result, ex);
    return result;
  }

  #track(ws: BoundedWebSocket, ex: HttpExchange): void {
    // What is kept lives as long as the socket: the connection and its lifetime, never the
    // exchange (which would keep its connection's parser and request alive with it).
    const connection = ex.connection;
    const lifetime = connection.features.get(LifetimeFeature);
    ws.observedConnection = connection;
    ws.observer = this;
    // Graceful shutdown: the server asks each connection to close; a socket answers with 1001 and lets
    // the close handshake finish, after which ws ends the transport and the connection is done. Over
    // HTTP/2 many sockets share one connection: each socket is its own listener, removed when it closes.
    if (lifetime?.isCloseRequested) queueMicrotask(() => goAway(ws));
    else lifetime?.addCloseRequestListener(ws);
    this.#sockets.add(ws);
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
    for (const ws of this.#sockets) {
      if (!ws.answeredPing) {
        this.#log().debug('WebSocket keep-alive: no pong since the last ping, terminating');
        ws.terminate();
        continue;
      }
      if (ws.readyState !== OPEN) continue;
      ws.answeredPing = false;
      // Also the check of a socket whose peer stopped reading after the app's last send: over
      // maxBufferedAmount the ping is refused and the socket closes with 1008.
      ws.ping();
    }
  }
}

function goAway(ws: WebSocket): void {
  ws.close(GOING_AWAY, 'Server shutting down');
}

// What sends the answer and hands the stream over, for each kind of opening: shared functions
// given the feature, not a closure per handshake.
function acceptConnect(connect: HttpExtendedConnectFeature): UpgradedConnection {
  return connect.accept();
}

function upgrade(feature: HttpUpgradeFeature): UpgradedConnection {
  return feature.upgrade();
}
