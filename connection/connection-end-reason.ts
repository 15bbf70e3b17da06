/**
 * Why an HTTP/1.x connection serves no more requests: the reasons passed to
 * `Http1Connection.disableKeepAlive` (`KEEP_ALIVE_END_REASONS` there), a part of
 * `CONNECTION_END_REASONS`. Strings rather than numbers, so that a log line or a counter reads
 * without a lookup table.
 */
export const HTTP1_END_REASONS = Object.freeze([
  /** The client asked for it: `Connection: close`, or HTTP/1.0 without `keep-alive`. */
  'client-close',
  /** The client sent its FIN: what it sent is answered, then the connection ends. */
  'client-end',
  /** The app set `Connection: close` on its response. */
  'app-close',
  /** The app threw or rejected; the response is a 500 (or aborted if it had started). */
  'app-error',
  /** An upgrade or CONNECT request: whatever follows its head is another protocol's. */
  'upgrade',
  /** A malformed request head or body (a 400-class rejection from the parser). */
  'bad-request',
  /** The request body failed for the app: too large, too slow, or cut off. */
  'request-body-failed',
  /** The unread rest of a body is larger than `maxRequestBodyDrainSize`. */
  'unread-body-too-large',
  /** The response went out before a `100-continue` body was asked for: that body never comes. */
  'continue-not-sent',
  /** The unread rest of a body did not arrive within `requestBodyDrainTimeoutMs`. */
  'request-body-drain-timeout',
  /** The rest of a request head did not arrive within `requestHeadersTimeoutMs` (408). */
  'request-headers-timeout',
  /** No next request within `keepAliveTimeoutMs`. */
  'keep-alive-timeout',
  /** An HTTP/1.0 response of unknown length: only the connection's end can frame it. */
  'close-delimited-response',
  /** The response ended short of its declared content-length. */
  'content-length-mismatch',
  /** The response was aborted (by the app, or a write that cannot complete). */
  'response-aborted',
  /** The client read the response slower than `minResponseDataRate`. */
  'min-response-data-rate',
  /** The server is shutting down (`LifetimeFeature.onCloseRequested`). */
  'server-shutdown',
  /** The transport closed under the connection (the client reset or vanished). */
  'transport-closed',
] as const);

/**
 * Why a connection ended: the closed set published with `tiercel:connection.closed` (its
 * `endReason`), counted as `tiercel.connection.end_reason` and logged with `ConnectionClosed`, as
 * Kestrel's `ConnectionEndReason`. The first reason given for a connection is kept: a later one is
 * a consequence of it. docs/logging.md lists them all (a test keeps the two in step).
 */
export const CONNECTION_END_REASONS = Object.freeze([
  ...HTTP1_END_REASONS,
  // HTTP/2 (with client-end, keep-alive-timeout, min-response-data-rate, server-shutdown and
  // transport-closed above).
  /** The client sent GOAWAY (`session.close()`): streams in flight finish, then the session ends. */
  'client-goaway',
  /** The client did not answer a keep-alive PING within `keepAlivePingTimeoutMs`. */
  'keep-alive-ping-timeout',
  /** A flood limit was passed (resets, SETTINGS, PINGs, control bytes): GOAWAY(ENHANCE_YOUR_CALM). */
  'flood',
  /** The client broke the protocol (nghttp2 ended the session with a connection error). */
  'protocol-error',
  /** After the server's GOAWAY the client neither read nor closed within the linger: aborted. */
  'goaway-close-timeout',
  // Before any protocol.
  /** The TLS handshake failed (its own reason is the `error.type` of `tiercel.tls_handshake.duration`). */
  'tls-handshake-failed',
  /** The HTTP terminal found no protocol to serve (no HTTP/2 preface on an HTTP/2-only endpoint, an ALPN id no adapter serves). */
  'no-protocol',
  /** A connection middleware or handler of the app's failed; the connection was aborted. */
  'pipeline-error',
  // Given by the server when nothing said why (a plain connection handler): how the transport closed.
  /** Closed gracefully. */
  'closed',
  /** Aborted. */
  'aborted',
] as const);

export type ConnectionEndReason = (typeof CONNECTION_END_REASONS)[number];
