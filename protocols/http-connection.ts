import {
  TlsFeature,
  completingDelegate,
  connectionProtocolChannel,
  offerReadAhead,
  serveConnection,
  takeReadAhead,
  setConnectionEndReason,
  type Clock,
  type CompletingDelegate,
  type ConnectionCompletion,
  type ConnectionEndReason,
  type ConnectionContext,
  type ConnectionDelegate,
  type Logger,
  type LoggerFactory,
} from '../connection/index.js';
import { httpLogs, observeApplication, type Heartbeat, type HttpApplication, type HttpProtocols, type ProtocolAdapter, type ProtocolAdapterContext, type ResolvedHttpOptions, type SniffVerdict } from './http/index.js';
import { defaultProtocolAdapters, type OnDemandDelegate } from './http-adapters.js';
import { sniffProtocolThen, type SniffResult } from './protocol-sniff.js';
// The refusal's bytes only: an HTTP/2-only endpoint refuses a client without loading node:http2.
import { HTTP2_PREFACE_REFUSAL } from './http2/http2-preface.js';

export interface HttpConnectionOptions extends ResolvedHttpOptions {
  readonly heartbeat: Heartbeat;
  /** Protocol selection's own messages (debug), and every adapter's when `loggers` is not given. */
  readonly logger: Logger;
  /** Bytes of request body HTTP/1.1 queues for a slow app before it stops reading. */
  readonly maxReadBufferSize?: number;
  /** Per-category loggers for the adapters. Default: `logger` for every category. */
  readonly loggers?: LoggerFactory;
  /** The clock of the sniffing deadline. Default: the heartbeat's. */
  readonly clock?: Clock;
}

/** The adapters an endpoint serving `protocols` uses, in registration order. */
export function adaptersFor(adapters: readonly ProtocolAdapter[], protocols: HttpProtocols): ProtocolAdapter[] {
  return adapters.filter((a) => a.httpVersion === undefined || protocols === 'http1AndHttp2' || a.httpVersion === protocols);
}

/** The ALPN ids to offer for `adapters`, most preferred (the last registered adapter's) first, each once. */
export function alpnIdsOf(adapters: readonly ProtocolAdapter[]): string[] {
  const ids: string[] = [];
  for (let i = adapters.length - 1; i >= 0; i--) {
    for (const id of adapters[i].alpn) if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The ALPN protocol ids the built-in adapters offer for `protocols`, most preferred first. */
export function alpnProtocols(protocols: HttpProtocols): string[] {
  return alpnIdsOf(adaptersFor(defaultProtocolAdapters(), protocols));
}

/**
 * The terminal delegate for HTTP (Kestrel's `HttpConnectionMiddleware`): picks the protocol adapter
 * of each connection and hands the connection over. `adapters` is the registered, ordered list
 * (default: HTTP/1.1 then HTTP/2); `protocols` leaves out the HTTP versions the endpoint does not
 * serve. See `ProtocolAdapter` for the precedence rule.
 * - With TLS (a `TlsFeature` on the connection), ALPN decides. An id no adapter lists goes to the
 *   fallback adapter (HTTP/1.1); no ALPN at all goes to the fallback too, or, on an endpoint
 *   without one (HTTP/2 only), to its first adapter.
 * - On cleartext the adapters that sniff read the first bytes without consuming them; when none
 *   claims the connection it goes to the fallback adapter. On an HTTP/2-only endpoint a client
 *   that did not send the preface is answered as RFC 9113 §3.4 says: GOAWAY(PROTOCOL_ERROR), then the
 *   connection is closed.
 * A client that says nothing conclusive within `requestHeadersTimeoutMs` is closed.
 */
export function httpConnectionDelegate(
  app: HttpApplication,
  options: HttpConnectionOptions,
  protocols: HttpProtocols = options.protocols,
  adapters: readonly ProtocolAdapter[] = defaultProtocolAdapters(),
): ConnectionDelegate {
  const logger = options.logger;
  const clock = options.clock ?? options.heartbeat.clock;
  const loggers = options.loggers ?? { create: () => logger };
  // The request events of diagnostics_channel, published once here for every HTTP version.
  const context: ProtocolAdapterContext = { ...options, app: observeApplication(app), clock, loggers, logs: httpLogs(loggers) };
  const served = adaptersFor(adapters, protocols);
  const delegates = served.map((a) => announcing(a.name, a.createDelegate(context)));

  const byAlpn = new Map<string, ConnectionDelegate>();
  let fallback: ConnectionDelegate | undefined;
  const sniffers: ((head: Buffer) => SniffVerdict)[] = [];
  const sniffing: ConnectionDelegate[] = [];
  for (let i = 0; i < served.length; i++) {
    const adapter = served[i];
    // Later registrations overwrite earlier ones: the last adapter listing an id wins it.
    for (const id of adapter.alpn) byAlpn.set(id, delegates[i]);
    if (adapter.fallback === true) fallback = delegates[i];
    if (adapter.sniff !== undefined) {
      // Highest precedence first: the last registered adapter is asked first.
      sniffers.unshift(adapter.sniff.bind(adapter));
      sniffing.unshift(delegates[i]);
    }
  }
  const noAlpn = fallback ?? delegates[0];
  const timeoutMs = options.limits.requestHeadersTimeoutMs;

  const refuse = (ctx: ConnectionContext, completion: ConnectionCompletion, why: string, reason: ConnectionEndReason = 'no-protocol'): void => {
    setConnectionEndReason(ctx, reason);
    logger.debug({ connectionId: ctx.id }, why);
    completion.complete();
  };

  // The sniff's verdict, one function for every connection (the sniff carries ctx and completion).
  const sniffed = (result: SniffResult, ctx: ConnectionContext, completion: ConnectionCompletion): void => {
    // The adapter that claimed the connection takes it paused, as the sniff left it (node:http2 reads
    // the put-back bytes itself); the fallback's flow is restarted here.
    if (typeof result === 'number') return serveConnection(sniffing[result], ctx, completion);
    switch (result) {
      case 'none':
        if (fallback !== undefined) return resumed(ctx, fallback, completion);
        if (protocols === 'http2') {
          ctx.transport.write(HTTP2_PREFACE_REFUSAL);
          return refuse(ctx, completion, 'No HTTP/2 preface on an HTTP/2-only endpoint: answered GOAWAY(PROTOCOL_ERROR)');
        }
        return refuse(ctx, completion, 'No protocol adapter recognised the connection: closing');
      case 'timeout':
        return refuse(ctx, completion, 'No request within requestHeadersTimeoutMs: closing', 'request-headers-timeout');
      default:
        // The client left before the verdict: its FIN, or the transport closed under it.
        setConnectionEndReason(ctx, ctx.transport.readableEnded ? 'client-end' : 'transport-closed');
        completion.complete();
    }
  };

  // A cleartext connection that no sniffer claimed, served by the fallback inside the 'data' event
  // that decided, with the sniffed bytes offered to it (HTTP/1.1 parses them at once). A fallback
  // still loading is left to `resumed`, through the verdict.
  const unclaimed = (head: Buffer, ctx: ConnectionContext, completion: ConnectionCompletion): boolean => {
    if (fallback === undefined || (fallback as Partial<OnDemandDelegate>).loading?.() !== undefined) return false;
    const t = ctx.transport;
    offerReadAhead(t, head);
    let left: Buffer | undefined;
    try {
      serveConnection(fallback, ctx, completion);
    } finally {
      // Taken back even when serving threw: the module would otherwise hold the transport.
      left = takeReadAhead(t);
    }
    // A delegate that does not take read-ahead bytes reads them from the transport, as after `resumed`.
    if (left !== undefined && !t.destroyed) {
      t.pause();
      t.unshift(left);
      t.resume();
    }
    return true;
  };

  return completingDelegate((ctx, completion) => {
    const tls = ctx.features.get(TlsFeature);
    if (tls !== undefined) {
      const alpn = tls.alpnProtocol;
      const delegate = alpn === null ? noAlpn : (byAlpn.get(alpn) ?? fallback);
      if (delegate !== undefined) serveConnection(delegate, ctx, completion);
      else refuse(ctx, completion, `ALPN chose ${alpn ?? 'nothing'}, which no protocol of this endpoint serves: closing`);
      return;
    }
    if (sniffers.length > 0) sniffProtocolThen(ctx, sniffers, timeoutMs, clock, sniffed, completion, unclaimed);
    else if (fallback !== undefined) serveConnection(fallback, ctx, completion);
    else refuse(ctx, completion, 'No protocol adapter for cleartext connections: closing');
  });
}

/**
 * The adapter's delegate, publishing `tiercel:connection.protocol` first (once per connection,
 * while someone listens) so that metrics count connections per protocol. An on-demand delegate
 * keeps its `loading`.
 */
function announcing(protocol: string, delegate: ConnectionDelegate): CompletingDelegate {
  const announced = completingDelegate((ctx, completion) => {
    if (connectionProtocolChannel.hasSubscribers) connectionProtocolChannel.publish({ connection: ctx, protocol });
    serveConnection(delegate, ctx, completion);
  });
  const loading = (delegate as Partial<OnDemandDelegate>).loading;
  return loading === undefined ? announced : Object.assign(announced, { loading });
}

/**
 * The sniff left the transport paused with its bytes put back: the protocol listens now, then the
 * flow restarts. A protocol still loading (`OnDemandDelegate`) is awaited first: restarted before
 * it listens, the flow would hand its bytes to nobody.
 */
function resumed(ctx: ConnectionContext, delegate: ConnectionDelegate, completion: ConnectionCompletion): void {
  const loading = (delegate as Partial<OnDemandDelegate>).loading?.();
  if (loading !== undefined) {
    loading.then(
      () => (ctx.isClosed ? completion.complete() : resumed(ctx, delegate, completion)),
      (err: unknown) => completion.fail(err),
    );
    return;
  }
  serveConnection(delegate, ctx, completion);
  ctx.transport.resume();
}
