/**
 * Why an HTTP/1.x connection serves no more requests: the closed set of reasons passed to
 * `Http1Connection.disableKeepAlive`, as Kestrel's `ConnectionEndReason`. The first reason given
 * is the one kept (a later one is a consequence of it). Strings rather than numbers, so that a
 * log line or a counter reads without a lookup table; listed here once, for a consumer that
 * counts them (one counter each, made up front).
 */
export const KEEP_ALIVE_END_REASONS = Object.freeze([
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

export type KeepAliveEndReason = (typeof KEEP_ALIVE_END_REASONS)[number];
