import { InvalidOptionError } from '../../connection/index.js';

/** A minimum data rate: below `bytesPerSecond` after `gracePeriodMs`, the transfer is too slow. */
export interface MinDataRate {
  readonly bytesPerSecond: number;
  readonly gracePeriodMs: number;
}

/**
 * Every HTTP limit in one place, each with its default and what happens when it is exceeded.
 * The defaults are Kestrel's (`KestrelServerLimits`), so a proxy tuned for Kestrel fits tiercel.
 * Turning a limit off (`Infinity` or `null`) removes a protection against slow or huge clients.
 */
export interface HttpLimits {
  /** Longest request line (method, target, version). Default 8 KiB → 414 URI Too Long. */
  maxRequestLineSize: number;
  /**
   * Total bytes of the request's header field lines. Default 32 KiB → 431.
   *
   * HTTP/1.1 counts each field line as sent, `name: value` with its CRLF; neither the request
   * line (see `maxRequestLineSize`) nor the empty line that ends the head counts. This is
   * Kestrel's measure, so with the default exactly 32,768 bytes of field lines are served and
   * 32,769 get 431. HTTP/2 has no lines to count: there it is name + value + 32 per field (RFC
   * 9113 §6.5.2), as SETTINGS_MAX_HEADER_LIST_SIZE counts.
   */
  maxRequestHeadersTotalSize: number;
  /** Header lines per request. Default 100 → 431. */
  maxRequestHeaderCount: number;
  /**
   * Largest request body, checked against Content-Length up front and against the bytes that
   * really arrive. Default 30,000,000 bytes (~28.6 MiB) → 413. Apps may change it per request
   * before reading the body.
   */
  maxRequestBodySize: number;
  /**
   * Time from a request's first byte to the end of its headers. Default 30 s → 408 and the
   * connection is closed (slowloris).
   */
  requestHeadersTimeoutMs: number;
  /** Idle time allowed between requests on a keep-alive connection. Default 130 s → closed. */
  keepAliveTimeoutMs: number;
  /**
   * Slowest acceptable request body upload once the app reads it. Default 240 B/s after a 5 s
   * grace → 408 and close. `null` turns it off.
   */
  minRequestBodyDataRate: MinDataRate | null;
  /**
   * Slowest acceptable response download. Default 240 B/s with a 5 s grace → the connection is
   * aborted. `null` turns it off. Measured as Kestrel does: every byte that leaves the server for
   * the client extends a deadline by `1 / bytesPerSecond` s (a run of output after a quiet spell
   * starts at now + the grace), and the connection is cut only when output is still waiting in
   * the server past that deadline. Bytes in the kernel's send buffer are invisible to the server,
   * so the deadline is on the bytes that left, not on the last sign of progress: a client that
   * takes its data at or above the rate is never cut, however large the kernel's buffer, and one
   * that reads nothing is cut once the bytes it was given are overdue (with the default rate,
   * ~4.5 min per 64 KiB the kernel took).
   */
  minResponseDataRate: MinDataRate | null;
  /**
   * How much of a request body the app did not read is read and discarded so the connection can
   * be reused. Default 1 MiB; a larger unread body closes the connection instead.
   */
  maxRequestBodyDrainSize: number;
  /**
   * How long the unread rest of a request body is read and discarded after the response, before
   * the connection is closed instead. Default 5 s (Kestrel's drain timeout): a client that stops
   * sending a body nobody reads must not hold the connection.
   */
  requestBodyDrainTimeoutMs: number;
  /**
   * Response bytes one connection may have waiting for the client before it stops reading
   * requests (pipelined requests wait until the client takes what it was sent). Default 64 KiB
   * (Kestrel's `MaxResponseBufferSize`). The transport's own backpressure signal also pauses
   * reading; this bounds what one read of many small pipelined requests may queue.
   */
  maxResponseBufferSize: number;
  /**
   * Connections upgraded to another protocol (WebSockets, CONNECT tunnels) at once, per server.
   * They no longer count against HTTP's own limits, so this caps them. Default `Infinity`
   * (Kestrel's `MaxConcurrentUpgradedConnections` is null, unlimited) → an upgrade over it gets 503.
   */
  maxConcurrentUpgradedConnections: number;
  /**
   * On a graceful stop, how long an HTTP/1.1 keep-alive connection that is between requests stays
   * open for a request already on its way, which is then answered with `connection: close`.
   * Default 0: it is closed at once (once the event loop has read what had already arrived), as
   * Kestrel and nginx close idle connections; clients that retry a request on a closed keep-alive
   * connection (browsers, most HTTP libraries; RFC 9112 §9.3.1) lose nothing. Behind a TCP load
   * balancer, which cannot retry for its clients, set it above the round trip through the
   * balancer (README "Deploying": 1 s), or a request sent just as the stop began is reset. A
   * stop waits for it, within the shutdown timeout.
   */
  shutdownIdleGraceMs: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxRequestLineSize: 8 * 1024,
  maxRequestHeadersTotalSize: 32 * 1024,
  maxRequestHeaderCount: 100,
  maxRequestBodySize: 30_000_000,
  requestHeadersTimeoutMs: 30_000,
  keepAliveTimeoutMs: 130_000,
  minRequestBodyDataRate: Object.freeze({ bytesPerSecond: 240, gracePeriodMs: 5_000 }),
  minResponseDataRate: Object.freeze({ bytesPerSecond: 240, gracePeriodMs: 5_000 }),
  maxRequestBodyDrainSize: 1024 * 1024,
  requestBodyDrainTimeoutMs: 5_000,
  maxResponseBufferSize: 64 * 1024,
  maxConcurrentUpgradedConnections: Infinity,
  shutdownIdleGraceMs: 0,
});

/** Applies defaults and refuses bad values at configuration time. */
export function resolveHttpLimits(limits: Partial<HttpLimits> = {}): HttpLimits {
  const out: HttpLimits = { ...DEFAULT_HTTP_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof HttpLimits, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_HTTP_LIMITS)) throw new InvalidOptionError(`limits.${key}`, 'is not a known HTTP limit');
    if (key === 'minRequestBodyDataRate' || key === 'minResponseDataRate') {
      if (value !== null) {
        const rate = value as MinDataRate;
        if (!(rate.bytesPerSecond > 0) || !(rate.gracePeriodMs >= 0)) {
          throw new InvalidOptionError(`limits.${key}`, 'must be null or { bytesPerSecond > 0, gracePeriodMs >= 0 }');
        }
      }
      (out as unknown as Record<string, unknown>)[key] = value;
      continue;
    }
    // The one limit whose 0 means something (no grace): every other 0 would refuse everything.
    if (key === 'shutdownIdleGraceMs' && value === 0) {
      out[key] = 0;
      continue;
    }
    if (typeof value !== 'number' || !(value > 0) || (value !== Infinity && !Number.isInteger(value))) {
      throw new InvalidOptionError(`limits.${key}`, 'must be a whole number above 0, or Infinity for no limit');
    }
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}
