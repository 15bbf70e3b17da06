import {
  ConsoleLogger,
  LifetimeFeature,
  LOG_CATEGORIES,
  LOG_EVENTS,
  ProxyProtocolError,
  ProxyProtocolFeature,
  formatEndpoint,
  systemClock,
  type Clock,
  type ConnectionContext,
  type ConnectionMiddleware,
  type Logger,
  type ProxyHeader,
  type ProxyProtocolRejectionReason,
  type TcpEndpoint,
} from '../../connection/index.js';
import { ProxyHeaderParser } from './proxy-header-parser.js';
import { resolveProxyProtocolOptions, type ProxyProtocolOptions, type ResolvedProxyProtocolOptions } from './proxy-protocol-options.js';

/** What the middleware has done so far, for metrics (counters only ever grow). */
export interface ProxyProtocolStats {
  /** Connections whose header was taken (LOCAL ones included). */
  readonly accepted: number;
  /** Of those, LOCAL headers: the proxy's own connections (health checks), endpoints kept. */
  readonly local: number;
  /** Connections from untrusted peers served as they are (`untrusted: 'serve'`). */
  readonly direct: number;
  /** Connections closed before any protocol saw them, by reason ('untrusted' included). */
  readonly rejected: Readonly<Record<ProxyProtocolRejectionReason, number>>;
}

/** What `proxyProtocolMiddleware` returns: the middleware, its checked options and its counters. */
export interface ProxyProtocolMiddleware {
  /** The connection middleware: `ep.use(proxy.middleware)`, before TLS. */
  readonly middleware: ConnectionMiddleware;
  readonly options: ResolvedProxyProtocolOptions;
  readonly stats: ProxyProtocolStats;
}

function zeroCounts(): Record<ProxyProtocolRejectionReason, number> {
  return {
    signature: 0, version: 0, command: 0, family: 0, length: 0, 'too-large': 0, line: 0,
    address: 0, port: 0, tlv: 0, checksum: 0, timeout: 0, closed: 0, untrusted: 0,
  };
}

/**
 * The PROXY protocol (v1 and v2) as connection middleware: behind HAProxy's `send-proxy` /
 * `send-proxy-v2`, an AWS NLB or any proxy that speaks it, it reads the header the proxy sends
 * first, sets `ctx.remoteEndpoint` and `ctx.localEndpoint` to the client's connection, keeps the
 * header (TLVs included) and the proxy's own endpoints as the `ProxyProtocolFeature`, and calls
 * `next()` with the bytes after the header untouched. Every layer after it (TLS, HTTP/1.1, HTTP/2,
 * the pipeline's `ctx.connection`) sees the client's address. Put it first, before TLS.
 *
 * Only `trustedProxies` may send a header; other peers are closed or served as they are
 * (`untrusted`). A header that is malformed, too large or not complete within `headerTimeoutMs`
 * closes the connection (a reset) before any protocol sees it, is logged at debug as a
 * `ProxyProtocolError` and is counted in `stats.rejected`.
 *
 * `logger` gets those refusals (debug) and a warning when nothing is trusted; by default warnings
 * go to the console. `clock` times the header deadline.
 */
export function proxyProtocolMiddleware(options: ProxyProtocolOptions = {}, logger: Logger = new ConsoleLogger('warn', LOG_CATEGORIES.proxy), clock: Clock = systemClock): ProxyProtocolMiddleware {
  const resolved = resolveProxyProtocolOptions(options);
  const rejected = zeroCounts();
  const stats = { accepted: 0, local: 0, direct: 0, rejected };
  if (resolved.trustedProxies.length === 0 && !resolved.trustNonIpPeers) {
    logger.warn(
      resolved.untrusted === 'close'
        ? 'PROXY protocol: no trusted proxies (trustedProxies is empty), so every connection will be closed'
        : 'PROXY protocol: no trusted proxies (trustedProxies is empty), so no header will ever be read',
    );
  }
  const refuse = (ctx: ConnectionContext, error: ProxyProtocolError, peer: string): void => {
    rejected[error.reason]++;
    logger.debug({ ...LOG_EVENTS.ProxyHeaderRejected, connectionId: ctx.id, reason: error.reason, peer, err: error }, 'PROXY protocol header refused; connection closed');
    ctx.abort(error);
  };
  const middleware: ConnectionMiddleware = async (ctx, next) => {
    const remote = ctx.remoteEndpoint;
    if (!resolved.isTrusted(remote)) {
      // A TCP peer without an address reset the connection before anything asked for it (the
      // kernel no longer has it): a closed connection, not an untrusted proxy to warn about.
      if (remote.kind === 'tcp' && (remote as TcpEndpoint).host === '') {
        return refuse(ctx, new ProxyProtocolError('closed', 'the connection closed before its peer could be checked'), formatEndpoint(remote));
      }
      if (resolved.untrusted === 'serve') {
        stats.direct++;
        return next();
      }
      const peer = formatEndpoint(remote);
      return refuse(ctx, new ProxyProtocolError('untrusted', `${peer} is not a trusted proxy`), peer);
    }
    let header: ProxyHeader;
    try {
      header = await readHeader(ctx, resolved, clock);
    } catch (err) {
      return refuse(ctx, err as ProxyProtocolError, formatEndpoint(remote));
    }
    stats.accepted++;
    if (header.command === 'local') stats.local++;
    ctx.features.set(ProxyProtocolFeature, { ...header, transportRemoteEndpoint: remote, transportLocalEndpoint: ctx.localEndpoint });
    if (header.source !== null && header.destination !== null) {
      ctx.remoteEndpoint = header.source;
      ctx.localEndpoint = header.destination;
    }
    return next();
  };
  return { middleware, options: resolved, stats };
}

/**
 * Reads the header from `ctx.transport`, chunk by chunk, within `headerTimeoutMs`. On success the
 * transport is left paused with the bytes after the header put back (`unshift`) for the next
 * layer. Rejects with `ProxyProtocolError`: a bad header, the deadline, the peer's end, or the
 * server's shutdown (which should not wait for a header that may never come).
 */
function readHeader(ctx: ConnectionContext, options: ResolvedProxyProtocolOptions, clock: Clock): Promise<ProxyHeader> {
  const transport = ctx.transport;
  return new Promise((resolve, reject) => {
    if (transport.destroyed || transport.readableEnded) {
      reject(new ProxyProtocolError('closed', 'the connection closed before the header'));
      return;
    }
    const parser = new ProxyHeaderParser(options.maxHeaderBytes);
    let settled = false;
    const fail = (error: ProxyProtocolError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      const r = parser.push(chunk);
      if (r.status === 'more') return;
      if (r.status === 'rejected') return fail(r.error);
      settled = true;
      cleanup();
      transport.pause();
      if (r.rest.length > 0) transport.unshift(r.rest);
      resolve(r.header);
    };
    const onEnd = (): void => fail(new ProxyProtocolError('closed', 'the peer ended the connection before a complete header'));
    const onClose = (): void => fail(new ProxyProtocolError('closed', 'the connection closed before a complete header'));
    const timer = clock.setTimeout(() => fail(new ProxyProtocolError('timeout', `no complete header within ${options.headerTimeoutMs} ms`)), options.headerTimeoutMs);
    let stopLifetime: (() => void) | undefined;
    const cleanup = (): void => {
      clock.clearTimer(timer);
      stopLifetime?.();
      transport.off('data', onData);
      transport.off('end', onEnd);
      transport.off('close', onClose);
    };
    transport.on('data', onData);
    transport.once('end', onEnd);
    transport.once('close', onClose);
    // Unregistered by cleanup, as the TLS handshake does: the listener must not outlive the header.
    stopLifetime = ctx.features.get(LifetimeFeature)?.onCloseRequested(() => fail(new ProxyProtocolError('closed', 'the server is shutting down')));
    // A transport handed over paused (or never started) would not flow for a 'data' listener alone.
    transport.resume();
  });
}
