import type { WebSocket } from 'ws';
import type { HttpExchange } from '../protocols/http/index.js';
import { isWebSocketRejection, readWebSocketOffer } from '../protocols/websocket/index.js';
import { WebSocketAcceptError, WebSocketHandshakeError, WebSocketSubprotocolError } from './web-socket-errors.js';
import { checkOrigin, webSocketOpeningOf } from './web-socket-handshake.js';
import type { WebSocketHost } from './web-socket-host.js';

export interface WebSocketAcceptOptions {
  /**
   * The subprotocol to speak; it must be one the client offered (`requestedProtocols`), else accept
   * throws a `WebSocketSubprotocolError` (400). Default: none, even when the client offered some
   * (as ASP.NET Core; browsers accept that, ws's client refuses it).
   */
  protocol?: string;
}

/**
 * A request's WebSocket side (ASP.NET Core's `HttpContext.WebSockets`), made the first time
 * `ctx.webSockets` is read. Works over HTTP/1.1 (Upgrade, RFC 6455) and HTTP/2 (extended CONNECT,
 * RFC 8441) alike; the app gets a ws `WebSocket` either way.
 */
export class WebSocketManager {
  readonly #exchange: HttpExchange;
  readonly #app: { webSocketHost(): WebSocketHost };
  #accepted = false;

  /** `app` gives the application's shared host (made on first need, so a plain request never builds it). */
  constructor(exchange: HttpExchange, app: { webSocketHost(): WebSocketHost }) {
    this.#exchange = exchange;
    this.#app = app;
  }

  /** True when the client asked for a WebSocket (it may still be a bad handshake: `accept` checks). */
  get isWebSocketRequest(): boolean {
    return webSocketOpeningOf(this.#exchange) !== undefined;
  }

  /** The subprotocols the client offered, in its order of preference (empty when none). */
  get requestedProtocols(): string[] {
    const value = this.#exchange.headers.get('sec-websocket-protocol');
    return value === undefined ? [] : value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  }

  /**
   * Completes the handshake and returns the open socket. Before anything is sent it throws:
   * a `WebSocketHandshakeError` for a bad handshake (400, 426) or a refused origin (403); a
   * `WebSocketSubprotocolError` (400); the protocol's `HttpProtocolError` 503 over
   * `maxConcurrentUpgradedConnections`. Uncaught, the pipeline answers each with its status.
   * The request's pipeline may finish once this resolves: the socket lives on by itself.
   */
  accept(options?: WebSocketAcceptOptions): Promise<WebSocket> {
    // Not an async function: the handshake completes synchronously, and an async function's frame
    // and promise chain were ~150 bytes per accepted socket; one settled promise is all it needs.
    try {
      return Promise.resolve(this.acceptNow(options));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** `accept` without the promise, for a sync handler (the handshake completes synchronously). */
  acceptNow(options?: WebSocketAcceptOptions): WebSocket {
    if (this.#accepted) throw new WebSocketAcceptError('accept() was already called for this request');
    const ex = this.#exchange;
    if (ex.headersSent) throw new WebSocketAcceptError('accept() after the response started: the handshake needs the response');
    const offer = readWebSocketOffer(webSocketOpeningOf(ex), ex.method, ex.headers);
    if (isWebSocketRejection(offer)) throw new WebSocketHandshakeError(offer.reason, offer.message);
    const host = this.#app.webSocketHost();
    checkOrigin(ex, host.options);
    const protocol = options?.protocol;
    if (protocol !== undefined && !offer.protocols.includes(protocol)) {
      throw new WebSocketSubprotocolError(protocol, offer.protocols);
    }
    this.#accepted = true;
    return host.accept(ex, offer, protocol);
  }
}
