import { TlsFeature, type ConnectionContext, type ConnectionDelegate, type Logger } from '../connection/index.js';
import type { Heartbeat, HttpApplication, HttpProtocols, ResolvedHttpOptions } from './http/index.js';
import { http1Delegate } from './http1/index.js';
import { HTTP2_PREFACE_REFUSAL, http2Delegate, sniffPreface } from './http2/index.js';

export interface HttpConnectionOptions extends ResolvedHttpOptions {
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  /** Bytes of request body HTTP/1.1 queues for a slow app before it stops reading. */
  readonly maxReadBufferSize?: number;
}

/** The ALPN protocol ids to offer in a TLS handshake for `protocols`, most preferred first. */
export function alpnProtocols(protocols: HttpProtocols): string[] {
  switch (protocols) {
    case 'http1':
      return ['http/1.1'];
    case 'http2':
      return ['h2'];
    default:
      return ['h2', 'http/1.1'];
  }
}

/**
 * The terminal delegate for HTTP (Kestrel's `HttpConnectionMiddleware`): picks the protocol of each
 * connection and hands it over.
 * - With TLS (a `TlsFeature` on the connection), ALPN decides: `h2` → HTTP/2, anything else →
 *   HTTP/1.1 (or, on an HTTP/2-only endpoint, HTTP/2 when the client offered no ALPN at all).
 * - On cleartext, 'http1' goes straight to HTTP/1.1 (no sniffing); 'http1AndHttp2' reads the first
 *   bytes for the HTTP/2 preface without consuming them; 'http2' expects the preface and answers
 *   anything else as RFC 9113 §3.4 says: GOAWAY(PROTOCOL_ERROR), then the connection is closed.
 * A client that says nothing conclusive within `requestHeadersTimeoutMs` is closed.
 */
export function httpConnectionDelegate(app: HttpApplication, options: HttpConnectionOptions, protocols: HttpProtocols = options.protocols): ConnectionDelegate {
  const h1 = protocols === 'http2' ? undefined : http1Delegate(app, options);
  const h2 = protocols === 'http1' ? undefined : http2Delegate(app, options);
  const timeoutMs = options.limits.requestHeadersTimeoutMs;
  const logger = options.logger;

  const refuse = (ctx: ConnectionContext, why: string): Promise<void> => {
    logger.debug(why, { connectionId: ctx.id });
    return Promise.resolve();
  };

  const cleartext = async (ctx: ConnectionContext): Promise<void> => {
    const verdict = await sniffPreface(ctx.transport, timeoutMs);
    switch (verdict) {
      case 'http2':
        return h2!(ctx);
      case 'other':
        if (h1 !== undefined) {
          const served = h1(ctx);
          // sniffPreface left the transport paused with its bytes put back; HTTP/1.1 has attached
          // its listeners now, and the flow restarts on the next tick.
          ctx.transport.resume();
          return served;
        }
        ctx.transport.write(HTTP2_PREFACE_REFUSAL);
        return refuse(ctx, 'No HTTP/2 preface on an HTTP/2-only endpoint: answered GOAWAY(PROTOCOL_ERROR)');
      case 'timeout':
        return refuse(ctx, 'No request within requestHeadersTimeoutMs: closing');
      default:
        return undefined;
    }
  };

  return (ctx) => {
    const tls = ctx.features.get(TlsFeature);
    if (tls !== undefined) {
      const alpn = tls.alpnProtocol;
      if (alpn === 'h2' || (alpn === null && h1 === undefined)) {
        return h2 !== undefined ? h2(ctx) : refuse(ctx, 'ALPN chose h2 on an HTTP/1.1-only endpoint: closing');
      }
      return h1 !== undefined ? h1(ctx) : refuse(ctx, `ALPN chose ${alpn} on an HTTP/2-only endpoint: closing`);
    }
    if (h2 === undefined) return h1!(ctx);
    return cleartext(ctx);
  };
}
