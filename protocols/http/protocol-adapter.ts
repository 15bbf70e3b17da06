import type { Clock, ConnectionDelegate, LoggerFactory } from '../../connection/index.js';
import type { Heartbeat } from './heartbeat.js';
import type { HttpLogs } from './http-logs.js';
import type { HttpApplication } from './http-exchange.js';
import type { HttpProtocols, ResolvedHttpOptions } from './http-options.js';

/**
 * What a connection's first bytes say to an adapter: `'yes'` (this protocol), `'no'`, or
 * `'more'` (too few bytes to tell; asked again when more arrive).
 */
export type SniffVerdict = 'yes' | 'no' | 'more';

/** What an adapter is given to serve one endpoint; made once per endpoint, at start. */
export interface ProtocolAdapterContext extends ResolvedHttpOptions {
  readonly app: HttpApplication;
  readonly heartbeat: Heartbeat;
  readonly clock: Clock;
  /** `create('tiercel.<protocol>')` for the adapter's logger. */
  readonly loggers: LoggerFactory;
  /** The shared categories' loggers (connections, bad requests, application errors), made from `loggers`. */
  readonly logs: HttpLogs;
  /** Bytes of request body queued for a slow app before reading stops (the endpoint's transport option). */
  readonly maxReadBufferSize?: number;
}

/**
 * A protocol the HTTP terminal can hand a connection to (Kestrel's HTTP/1.1 and HTTP/2 connection
 * types, made pluggable). The adapters registered under `PROTOCOL_ADAPTER` form an ordered list;
 * a later registration takes precedence over an earlier one:
 * - over TLS, the ALPN ids offered are every adapter's `alpn`, the last registered first, and the
 *   id the client chose picks the last registered adapter that lists it;
 * - on cleartext, the adapters with a `sniff` are asked, the last registered first, and the first
 *   `'yes'` wins (a `'more'` waits for more bytes before any earlier adapter is asked); when all
 *   say no, the connection goes to the `fallback` adapter (HTTP/1.1).
 */
export interface ProtocolAdapter {
  /** For logs: 'HTTP/1.1', 'HTTP/2', 'toy'. */
  readonly name: string;
  /** ALPN protocol ids (RFC 7301) this adapter is chosen by, most preferred first; empty for none. */
  readonly alpn: readonly string[];
  /**
   * The HTTP version served, so that `useProtocols` (or `HttpOptions.protocols`) can leave the
   * adapter out; `undefined` for any other protocol, which every HTTP endpoint serves.
   */
  readonly httpVersion?: Exclude<HttpProtocols, 'http1AndHttp2'>;
  /**
   * Takes the cleartext connections no `sniff` claimed, and TLS connections without ALPN (HTTP/1.1
   * does). The last registered fallback adapter wins.
   */
  readonly fallback?: boolean;
  /**
   * Recognises the protocol from a cleartext connection's first bytes. Pure: must not keep `head`.
   * A connection chosen this way is handed over paused, its first bytes put back (`unshift`):
   * resume the transport once your listeners are attached.
   */
  sniff?(head: Buffer): SniffVerdict;
  /** Makes the delegate that serves a connection with this protocol; called once per endpoint, at start. */
  createDelegate(context: ProtocolAdapterContext): ConnectionDelegate;
}
