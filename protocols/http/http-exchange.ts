import type { ConnectionContext } from '../../connection/index.js';
import type { HeaderList } from './header-list.js';
import type { RequestHeaders } from './request-headers.js';

export type HttpProtocolName = 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2';

/**
 * One request and its response, as a protocol adapter (HTTP/1.1 or HTTP/2) presents it
 * to the request pipeline. This is the seam between protocols/ and pipeline/: the pipeline's
 * `HttpContext` wraps an exchange and never sees a parser, a socket or a stream id, so an app does
 * not know which protocol served it (Kestrel's request/response features).
 */
export interface HttpExchange {
  readonly connection: ConnectionContext;
  readonly protocol: HttpProtocolName;
  /** The method as sent (methods are case-sensitive; GET and get differ). */
  readonly method: string;
  /** The request-target exactly as sent: `/a?b`, `http://host/a`, `host:443` or `*`. */
  readonly target: string;
  readonly headers: RequestHeaders;

  // ---- request body ----------------------------------------------------------------------
  /** The declared body length, or -1 when unknown (chunked, or HTTP/2 without content-length). */
  readonly requestContentLength: number;
  /** False when the request has no body at all (no Content-Length/TE, or Content-Length: 0). */
  readonly requestHasBody: boolean;
  /**
   * The largest body this request may have; starts at the endpoint's limit and may be changed
   * (raised or lowered) before the body is first read. `Infinity` turns the limit off.
   */
  maxRequestBodySize: number;
  /**
   * The next chunk of the request body, or null at its end. Sends `100 Continue` first when the
   * client asked for it. Rejects with an `HttpProtocolError` (413 too large, 408 too slow, 400 bad
   * framing) or a `ConnectionAbortedError` when the client goes away.
   */
  readBody(): Promise<Buffer | null>;
  /**
   * The request's trailer fields (after a chunked HTTP/1.1 body, or the HTTP/2 trailing HEADERS),
   * or null when the client sent none. Read the body to its end first: until then it may be null.
   */
  readonly requestTrailers: RequestHeaders | null;

  // ---- response --------------------------------------------------------------------------
  statusCode: number;
  /** Headers to send; validated as they are set (CR, LF and NUL are refused). */
  readonly responseHeaders: HeaderList;
  /** True once the status line and headers have been handed to the transport. */
  readonly headersSent: boolean;
  /** True once the response has been ended (or aborted). */
  readonly responseEnded: boolean;
  /**
   * Writes a body chunk, sending the headers first if they are not sent yet (chunked when no
   * content-length was set). Returns false when the transport's buffer is full: wait for
   * `drain()` before writing more.
   */
  write(chunk: Buffer | string): boolean;
  /** Resolves when the transport can take more after `write` returned false (or has closed). */
  drain(): Promise<void>;
  /**
   * Ends the response, with an optional last chunk. When nothing was written before, this sets
   * `content-length` from `chunk` and sends head and body in one write.
   */
  end(chunk?: Buffer | string): void;
  /** Response trailers (sent after a chunked body, or as HTTP/2 trailers). Null if unsupported. */
  readonly responseTrailers: HeaderList | null;

  // ---- protocol hand-off -------------------------------------------------------------------
  /**
   * True for a request that asks to leave HTTP on this connection: an HTTP/1.1 `Upgrade` request
   * (WebSocket, h2c) or a CONNECT. The app may take the connection over with `upgrade()`; if it
   * answers with a normal response instead, the connection is closed after it.
   */
  readonly isUpgradeRequest: boolean;
  /**
   * The protocol asked for, lower-cased: HTTP/1.1's `Upgrade` header (`websocket`, `h2c`) or
   * HTTP/2's `:protocol` pseudo-header on an extended CONNECT (RFC 8441); undefined otherwise
   * (a plain CONNECT included).
   */
  readonly upgradeProtocol: string | undefined;
  /**
   * Hands the connection (HTTP/1.1) or the stream (HTTP/2) over to another protocol.
   * - HTTP/1.1: the raw transport plus the bytes already read past the request; the caller writes
   *   the `101` (or CONNECT's `200`) itself, as ws's `handleUpgrade` does.
   * - HTTP/2 (extended CONNECT, RFC 8441): the exchange answers `200` itself and returns the
   *   stream as the transport, with an empty head.
   * The server's HTTP limits and timeouts stop applying; the connection still counts as live until
   * the transport closes. Over `maxConcurrentUpgradedConnections` it throws an `HttpProtocolError`
   * with status 503 (`ERR_TIERCEL_TOO_MANY_UPGRADES`) before anything is sent.
   */
  upgrade(): UpgradedConnection;

  /** Fires when the client goes away or the exchange is aborted before the response ended. */
  readonly aborted: AbortSignal;
  /** Abandons the exchange: the response cannot be completed, so the connection is closed. */
  abort(reason?: unknown): void;
}

export interface UpgradedConnection {
  readonly transport: import('node:stream').Duplex;
  /** Bytes the client sent after the request head (the start of the new protocol). */
  readonly head: Buffer;
}

/**
 * What a protocol adapter runs for each request. Sync-first: a handler that finishes synchronously
 * returns undefined and costs no promise; only a returned promise is awaited.
 */
export interface HttpApplication {
  handle(exchange: HttpExchange): void | Promise<void>;
}
