/**
 * tiercel's log categories, as Kestrel's (`Microsoft.AspNetCore.Server.Kestrel.Connections`,
 * `.BadRequests`, `.Http2`, …): each can have its own level (`ServerOptions.logLevel`), so that
 * an operator turns on the bad-request lines without the rest. A category's name is stable.
 */
export const LOG_CATEGORIES = Object.freeze({
  /** Start-up, shutdown, accept failures, the heartbeat, and the application's unhandled errors. */
  server: 'tiercel.server',
  /** A connection accepted, rejected (maxConcurrentConnections) and closed with its end reason. */
  connections: 'tiercel.connections',
  /** Requests refused for the client's fault (malformed, too large, too slow), with the reason. */
  badRequests: 'tiercel.bad-requests',
  /** HTTP/2 sessions and streams: errors, floods, GOAWAY. */
  http2: 'tiercel.http2',
  /** TLS handshakes and certificates. */
  tls: 'tiercel.tls',
  /** Protocol selection (ALPN, the cleartext sniff). */
  http: 'tiercel.http',
  /** HTTP/1.1 connection driving (timeouts, transport errors). */
  http1: 'tiercel.http1',
  /** The request pipeline's own errors (and the WebSocket host's). */
  pipeline: 'tiercel.pipeline',
  /** The heartbeat: a slow tick (the event loop blocked), a handler that threw. */
  heartbeat: 'tiercel.heartbeat',
  /** The PROXY protocol middleware (its default logger; it writes to the logger it is given). */
  proxy: 'tiercel.proxy',
  /** The connection logging middleware's hex dumps (debug). */
  connectionLogging: 'tiercel.connection-logging',
  /** The access-log middleware: one record per request, at info. */
  access: 'tiercel.access',
});

export type LogCategory = (typeof LOG_CATEGORIES)[keyof typeof LOG_CATEGORIES];

/** A level a record is written at (`silent` is a threshold only). */
export type LogRecordLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEventInfo {
  /** Stable: never reused, never renumbered (Kestrel's `EventId.Id`). */
  readonly id: number;
  readonly category: LogCategory;
  readonly level: LogRecordLevel;
  /** What the record means and the fields it carries beside `connectionId`. */
  readonly description: string;
}

/**
 * Every catalogued event, in one table (Kestrel's `EventId`s): its stable id, category, level and
 * meaning. docs/logging.md lists it (a test keeps the two in step). A client's fault is `debug`,
 * never `error`, so that a misbehaving client cannot fill the log at the default level; `error` is
 * for faults of the application's or tiercel's own.
 */
export const LOG_EVENT_INFO = Object.freeze({
  ConnectionAccepted: { id: 1, category: 'tiercel.connections', level: 'debug', description: 'A connection was accepted: `endpoint`, `remote`.' },
  ConnectionClosed: { id: 2, category: 'tiercel.connections', level: 'debug', description: 'A connection ended: `reason` (why it served no more requests, e.g. `keep-alive-timeout`, `client-end`, `bad-request`).' },
  ConnectionRejected: { id: 3, category: 'tiercel.connections', level: 'debug', description: 'A connection was refused at once: `maxConcurrentConnections` was reached.' },
  ConnectionUpgraded: { id: 4, category: 'tiercel.connections', level: 'debug', description: 'An HTTP/1.1 connection was handed to another protocol (WebSocket, CONNECT).' },
  ConnectionsRejected: { id: 5, category: 'tiercel.server', level: 'warn', description: 'Connections were refused at `maxConcurrentConnections` (each also a debug `ConnectionRejected`): `count` since the last such line, `sinceMs`, `maxConcurrentConnections`. At most one per `connectionRejectionLogIntervalMs` (10 s); the first refusal writes one at once.' },
  RequestRejected: { id: 10, category: 'tiercel.bad-requests', level: 'debug', description: 'A request was refused for the client\'s fault: `reason` (a `RequestRejectionReason` or an error code), `status`.' },
  RequestBodyTooSlow: { id: 11, category: 'tiercel.bad-requests', level: 'debug', description: 'The request body arrived slower than `minRequestBodyDataRate`.' },
  ResponseTooSlow: { id: 12, category: 'tiercel.bad-requests', level: 'debug', description: 'The client read the response slower than `minResponseDataRate`: the connection was aborted.' },
  RequestHeadersTimeout: { id: 13, category: 'tiercel.bad-requests', level: 'debug', description: 'A request head did not arrive within `requestHeadersTimeoutMs` (408).' },
  ProxyHeaderRejected: { id: 14, category: 'tiercel.proxy', level: 'debug', description: 'A PROXY protocol header was refused: `reason`, `peer`.' },
  ClientAborted: { id: 15, category: 'tiercel.bad-requests', level: 'debug', description: 'The client failed a request (reset, cut off its body) while it was being served.' },
  ApplicationError: { id: 20, category: 'tiercel.server', level: 'error', description: 'The application threw or rejected while serving a request: `err`; the response is a 500 or was aborted.' },
  Listening: { id: 21, category: 'tiercel.server', level: 'info', description: 'An endpoint is bound; the message ends with its URL.' },
  HeartbeatSlow: { id: 22, category: 'tiercel.heartbeat', level: 'warn', description: 'A heartbeat tick ran longer than its interval, or came an interval late: `durationMs`, `lateMs`, `intervalMs` (the event loop was blocked; timeouts fire late).' },
  ShutdownTimeout: { id: 23, category: 'tiercel.server', level: 'warn', description: 'Stopping took longer than its timeout: `connections` were aborted.' },
  AcceptFailed: { id: 24, category: 'tiercel.server', level: 'error', description: 'A listener failed to accept: `endpoint`, `err`.' },
  ConnectionPipelineError: { id: 25, category: 'tiercel.server', level: 'error', description: 'A connection middleware or delegate failed: `err`; the connection was aborted.' },
  HeartbeatHandlerFailed: { id: 26, category: 'tiercel.heartbeat', level: 'error', description: 'A heartbeat handler threw (tiercel\'s own bug): `handler`, `err`.' },
  TlsHandshakeFailed: { id: 30, category: 'tiercel.tls', level: 'debug', description: 'A TLS handshake failed for the client\'s fault: `reason`.' },
  TlsCallbackFailed: { id: 31, category: 'tiercel.tls', level: 'error', description: 'A TLS handshake failed in an application callback (SNI, client certificate check): `err`.' },
  AcmeOrdering: { id: 32, category: 'tiercel.tls', level: 'info', description: 'An ACME order started: `domains`, `kind` (`new` or `renewal`).' },
  AcmeCertificateServing: { id: 33, category: 'tiercel.tls', level: 'info', description: 'An ACME certificate serves new handshakes (from the store or a new order): `domains`, `serialNumber`, `notAfter`.' },
  AcmeOrderFailed: { id: 34, category: 'tiercel.tls', level: 'error', description: 'An ACME order failed (`ERR_TIERCEL_ACME_ORDER_FAILED`): `err`, `stage`, `domains`, `retryMs`; the certificate in use (`serving`, its serial) keeps serving.' },
  AcmeNoCertificateYet: { id: 35, category: 'tiercel.tls', level: 'warn', description: 'In production, a handshake for a name of `acme.domains` failed: the CA has issued no certificate yet (once per name): `serverName`.' },
  AcmeWaitingForLock: { id: 36, category: 'tiercel.tls', level: 'info', description: 'Another instance sharing the ACME store holds its order lock: this one waits, then reads what it stored: `domains`.' },
  Http2ConnectionError: { id: 40, category: 'tiercel.http2', level: 'debug', description: 'An HTTP/2 session failed or was abandoned (GOAWAY): `err`.' },
  Http2FloodDetected: { id: 41, category: 'tiercel.http2', level: 'debug', description: 'An HTTP/2 client exceeded a flood limit (resets, settings, pings, frames without content): the session was closed with ENHANCE_YOUR_CALM.' },
  Http2StreamError: { id: 42, category: 'tiercel.http2', level: 'debug', description: 'An HTTP/2 stream was reset or aborted: `streamId`, `err`.' },
  ConnectionBytes: { id: 50, category: 'tiercel.connection-logging', level: 'debug', description: 'Bytes read or written on a connection, as a hex dump: `direction` (`read`/`write`), `length`, `hex`.' },
  RequestCompleted: { id: 60, category: 'tiercel.access', level: 'info', description: 'The access log\'s record of a request: `req` (`id`, `method`, `url`), `res` (`statusCode`), `responseTime` (ms), `bytesSent`, `aborted`.' },
} satisfies Record<string, LogEventInfo>);

export type LogEventName = keyof typeof LOG_EVENT_INFO;

/** The two fields a record of a catalogued event carries: `{ ...LOG_EVENTS.ConnectionClosed, connectionId, reason }`. */
// A type, not an interface: it passes as `LogFields` (a record of one event alone).
export type LogEventFields<N extends LogEventName = LogEventName> = {
  readonly eventId: number;
  readonly event: N;
};

/** The fields of each catalogued event, made once (a record spreads them, nothing is looked up). */
export const LOG_EVENTS: { readonly [N in LogEventName]: LogEventFields<N> } = Object.freeze(
  Object.fromEntries(Object.entries(LOG_EVENT_INFO).map(([event, info]) => [event, Object.freeze({ eventId: info.id, event })])),
) as { readonly [N in LogEventName]: LogEventFields<N> };
